package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPodNamesAreUniqueAndStable(t *testing.T) {
	seen := map[podID]int{}
	for i := range 60000 {
		id := idOf(i)
		key := podID{Namespace: id.Namespace, Name: id.Name}
		if j, dup := seen[key]; dup {
			t.Fatalf("pods %d and %d are both %s/%s", j, i, id.Namespace, id.Name)
		}
		seen[key] = i
	}
	if got := len(namespaces()); got != 50 {
		t.Fatalf("%d namespaces, want 50", got)
	}
	if a, b := idOf(12345), idOf(12345); a != b {
		t.Fatalf("idOf is not deterministic: %v vs %v", a, b)
	}
	p := podFor(7, "kwok-node-0")
	if len(p.Spec.Containers) != 2 || p.Spec.NodeName != "kwok-node-0" || p.Labels[indexLabel] != "7" {
		t.Fatalf("unexpected pod %+v", p)
	}
}

func TestPercentile(t *testing.T) {
	v := make([]float64, 100)
	for i := range v {
		v[i] = float64(100 - i) // 100..1
	}
	if got := percentile(v, 99); got != 99 {
		t.Errorf("p99 = %v, want 99", got)
	}
	if got := percentile(v, 50); got != 50 {
		t.Errorf("p50 = %v, want 50", got)
	}
	if got := percentile([]float64{3}, 99); got != 3 {
		t.Errorf("p99 of one = %v, want 3", got)
	}
	if !math.IsNaN(percentile(nil, 99)) {
		t.Error("p99 of nothing should be NaN")
	}
}

func TestScreenParsing(t *testing.T) {
	screen := "kdeck ctx\n pods(all)[10,000] \n...\n live · 10,000 pods   ? help\n"
	if got := screenCount(titleRE, screen); got != 10000 {
		t.Errorf("title count = %d", got)
	}
	if got := screenCount(liveRE, screen); got != 10000 {
		t.Errorf("live count = %d", got)
	}
	if got := screenCount(liveRE, "loading pods… 1,234 so far"); got != -1 {
		t.Errorf("live count while loading = %d, want -1", got)
	}
}

func TestReadTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace")
	data := "start 0.012\nfirst_rows 0.105000\nloaded 0.950\nfilter_ms 0.100 1.5\nfilter_ms 0.200 2.25\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := readTrace(path)
	if tr.firstRows != 105*time.Millisecond || tr.loaded != 950*time.Millisecond {
		t.Errorf("first rows %s, loaded %s", tr.firstRows, tr.loaded)
	}
	if len(tr.filterMS) != 2 || tr.filterMS[1] != 2.25 {
		t.Errorf("filter = %v", tr.filterMS)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 50000: "50,000", 1234567: "1,234,567"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

// The churn's RSS trend ignores the heap growing back to its working size early on, and
// still sees a steady climb.
func TestRSSTrend(t *testing.T) {
	if _, _, g, ok := rssTrend([]int64{70, 72, 78, 78, 78, 77, 78, 77, 78}); !ok || g != 0 {
		t.Errorf("refilled heap: growth %.1f%%, ok %v; want 0", g, ok)
	}
	if first, last, g, _ := rssTrend([]int64{70, 71, 72, 80, 82, 84, 90, 92, 94}); first != 72 || last != 94 || g < 30 || g > 31 {
		t.Errorf("climbing: %d → %d, %.1f%%; want 72 → 94, +30.6%%", first, last, g)
	}
	if _, _, _, ok := rssTrend([]int64{70, 71}); ok {
		t.Errorf("two samples make no trend")
	}
}

func TestMedianLoad(t *testing.T) {
	runs := func(secs ...int) []*loadRun {
		var out []*loadRun
		for _, s := range secs {
			out = append(out, &loadRun{tr: trace{loaded: time.Duration(s) * time.Second}})
		}
		return out
	}
	loaded := func(l *loadRun) time.Duration { return l.tr.loaded }
	for _, tc := range []struct {
		secs []int
		want time.Duration
	}{{[]int{9, 3, 4}, 4 * time.Second}, {[]int{5}, 5 * time.Second}, {[]int{6, 2, 8, 4}, 4 * time.Second}} {
		if got := median(runs(tc.secs...), loaded); got != tc.want {
			t.Errorf("median of %v = %s, want %s", tc.secs, got, tc.want)
		}
	}
}
