//go:build linux

package main

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func TestPodNamesAreUniqueAndStable(t *testing.T) {
	seen := map[podID]int{}
	for i := range 100000 {
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
	data := "start 0.012\nfirst_rows 0.105000\nlink_lost 0.5\nloaded 0.950\nfilter_ms 0.100 1.5\nlink_found 1.2\nfilter_ms 0.200 2.25\n"
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
	if tr.linkLost != 1 {
		t.Errorf("link lost %d times, want 1", tr.linkLost)
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

func TestProcParsing(t *testing.T) {
	stat := "4321 (kdeck (x) y) S 1 4321 4321 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 5567 12345 678"
	if d, ok := statCPU(stat); !ok || d != 3250*time.Millisecond {
		t.Errorf("utime+stime = %s, %v; want 3.25s", d, ok)
	}
	if _, ok := statCPU("4321 (kdeck) S 1 2"); ok {
		t.Error("a short stat line has no CPU time")
	}
	status := "Name:\tkdeck\nVmHWM:\t  91234 kB\nVmRSS:\t   81920 kB\nRssAnon:\t   60000 kB\nThreads:\t11\n"
	for field, want := range map[string]int64{"VmRSS": 81920, "VmHWM": 91234, "Threads": 11} {
		if v, ok := statusField(status, field); !ok || v != want {
			t.Errorf("%s = %d, %v; want %d", field, v, ok, want)
		}
	}
	if _, ok := statusField(status, "Vm"); ok {
		t.Error("a prefix of a field name is not the field")
	}
	if _, ok := statusField(status, "VmSwap"); ok {
		t.Error("VmSwap is not there")
	}
}

func TestLinearFit(t *testing.T) {
	slope, icept, ok := linearFit([]float64{0, 1, 2, 3}, []float64{10, 12, 14, 16})
	if !ok || math.Abs(slope-2) > 1e-9 || math.Abs(icept-10) > 1e-9 {
		t.Errorf("fit = %v·x + %v (%v); want 2·x + 10", slope, icept, ok)
	}
	if _, _, ok := linearFit([]float64{1, 1}, []float64{1, 2}); ok {
		t.Error("a vertical line has no slope")
	}
	if _, _, ok := linearFit([]float64{1}, []float64{1}); ok {
		t.Error("one point has no slope")
	}
}

// soakSamples makes one sample a minute: RSS in MiB from rss(minute), CPU 1.2 s a minute
// (2% of a core), goroutines from gor(minute).
func soakSamples(minutes int, rss func(m int) float64, gor func(m int) int) []soakSample {
	var out []soakSample
	for m := 0; m <= minutes; m++ {
		out = append(out, soakSample{at: time.Duration(m) * time.Minute, rssKiB: int64(rss(m) * 1024),
			cpu: time.Duration(m) * 1200 * time.Millisecond, threads: 9, goroutines: gor(m)})
	}
	return out
}

func TestSoakSummaryAndVerdicts(t *testing.T) {
	// The heap grows to its working size in the warm-up, then stays flat with noise.
	flat := soakSamples(30, func(m int) float64 {
		if m < 5 {
			return 60 + 4*float64(m)
		}
		return 80 + float64(m%2)
	}, func(int) int { return 40 })
	sum := summarize(flat, soakWindow(30*time.Minute))
	if sum.rssStart != 60*1024 || sum.rssEnd != 80*1024 || sum.rssMax != 81*1024 {
		t.Errorf("RSS start/end/max %d/%d/%d", sum.rssStart, sum.rssEnd, sum.rssMax)
	}
	if sum.trendSamples != 26 || math.Abs(sum.growth) > 0.5 || math.Abs(sum.slope) > 0.2 {
		t.Errorf("flat after warm-up: %d samples, slope %.2f MiB/10 min, growth %.2f%%", sum.trendSamples, sum.slope, sum.growth)
	}
	if math.Abs(sum.cpuFirst-2) > 1e-9 || math.Abs(sum.cpuLast-2) > 1e-9 {
		t.Errorf("CPU first %.2f%%, last %.2f%%; want 2%% each", sum.cpuFirst, sum.cpuLast)
	}
	s := &soakResult{result: &result{}, samples: flat, endScreenCount: 50013, endTotal: 50013, metricsEnd: true}
	if v := judge(s, sum); !v.all() {
		t.Errorf("flat soak judged %+v", v)
	}

	// 1 MiB a minute from 80 MiB after warm-up: 25 MiB over 25 minutes is 31%, and one
	// goroutine leaked a minute.
	leak := soakSamples(30, func(m int) float64 { return 75 + float64(m) }, func(m int) int { return 40 + m })
	sum = summarize(leak, 5*time.Minute)
	if math.Abs(sum.slope-10) > 1e-6 || math.Abs(sum.growth-31.25) > 1e-6 {
		t.Errorf("leak: slope %.2f MiB/10 min, growth %.2f%%; want 10, 31.25", sum.slope, sum.growth)
	}
	if sum.gorStart != 40 || sum.gorEnd != 70 || sum.gorMax != 70 {
		t.Errorf("goroutines %d/%d/%d", sum.gorStart, sum.gorEnd, sum.gorMax)
	}
	s.samples = leak
	if v := judge(s, sum); v.rss || v.goroutines || !v.cpu || !v.live {
		t.Errorf("leaking soak judged %+v", v)
	}

	// A screen behind the cluster, stale, or without metrics is not live; a few more
	// goroutines at the end are within the margin; CPU over budget in the last window fails.
	for _, tc := range []struct {
		name string
		edit func(*soakResult)
	}{
		{"count behind", func(s *soakResult) { s.endScreenCount = 50000 }},
		{"stale", func(s *soakResult) { s.endStale = true }},
		{"no metrics", func(s *soakResult) { s.metricsEnd = false }},
	} {
		s := &soakResult{result: &result{}, samples: flat, endScreenCount: 50013, endTotal: 50013, metricsEnd: true}
		tc.edit(s)
		if judge(s, summarize(flat, 5*time.Minute)).live {
			t.Errorf("%s: judged live", tc.name)
		}
	}
	few := soakSamples(30, func(int) float64 { return 80 }, func(m int) int { return 40 + m/3 })
	if v := judge(s, summarize(few, 5*time.Minute)); !v.goroutines {
		t.Errorf("10 more goroutines judged a leak")
	}
	busy := soakSamples(30, func(int) float64 { return 80 }, func(int) int { return 40 })
	busy[30].cpu += 20 * time.Second // the last minute used a third of a core
	if sum := summarize(busy, 5*time.Minute); judge(s, sum).cpu || sum.cpuLast < 8 || math.Abs(sum.cpuFirst-2) > 1e-9 {
		t.Errorf("busy end: CPU first %.2f%%, last %.2f%%", sum.cpuFirst, sum.cpuLast)
	}
	if sum := summarize(soakSamples(2, func(int) float64 { return 80 }, func(int) int { return -1 }), time.Minute); sum.trendSamples >= 3 || judge(s, sum).rss || judge(s, sum).goroutines {
		t.Errorf("two samples after warm-up and no goroutine counts are no evidence: %+v", sum)
	}
}

func TestStatusLine(t *testing.T) {
	screen := "kdeck dev │ ● connected\n pods(all)[2,013] \nNAMESPACE NAME\n\nlive · 2,013 pods · metrics not available yet                        :cmd  ?:help  q:quit\n"
	if got := statusLine(screen); got != "live · 2,013 pods · metrics not available yet" {
		t.Errorf("status line %q", got)
	}
	if metricsShown(screen) {
		t.Error("metrics shown while the status line says they are not")
	}
	if !metricsShown(strings.Replace(screen, " · metrics not available yet", "", 1)) {
		t.Error("metrics not shown on a live list without a note")
	}
	if metricsShown("loading · 1,234 pods\n") {
		t.Error("metrics shown while loading")
	}
	if got := minSec(90*time.Second + 400*time.Millisecond); got != "1:30" {
		t.Errorf("minSec = %q", got)
	}
}

func TestReadTraceGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace")
	if err := os.WriteFile(path, []byte("start 0.01\ngoroutines 0.02 31\nloaded 1.0\ngoroutines 10.02 35\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if g := readTrace(path).goroutines; len(g) != 2 || g[0] != 31 || g[1] != 35 {
		t.Errorf("goroutines = %v", g)
	}
}

func TestFleetSpec(t *testing.T) {
	var f fleetSpec
	if err := f.Set("4x10000"); err != nil || f.clusters != 4 || f.pods != 10000 || f.String() != "4x10000" {
		t.Errorf("4x10000 = %+v, %v", f, err)
	}
	for _, bad := range []string{"4", "x10", "0x10", "4x0", "ax10", "4x1e4"} {
		if err := new(fleetSpec).Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPeerSummaryAndRatios(t *testing.T) {
	var p peer
	p.summarise([]sample{{loaded: 3 * time.Second, rssKiB: 300}, {loaded: time.Second, rssKiB: 100}, {loaded: 2 * time.Second, rssKiB: 200}})
	if p.loaded != 2*time.Second || p.rssKiB != 200 || len(p.runs) != 3 {
		t.Errorf("median of three: %+v", p)
	}
	if got := ratio(5*time.Second, p, "floor"); got != " (2.5× floor)" {
		t.Errorf("ratio %q", got)
	}
	if got := ratio(5*time.Second, peer{skipped: "off"}, "kdeck"); got != "" {
		t.Errorf("ratio to a skipped peer %q", got)
	}
	r := &result{size: 10000, loaded: 2400 * time.Millisecond, hwmKiB: 100 * 1024, floor: p,
		k9s: peer{skipped: "skipped (-k9s off)"}, kubectl: peer{loaded: 6 * time.Second, rssKiB: 300 * 1024, runs: []time.Duration{6 * time.Second}}}
	c := peerCells(r)
	if c[2] != "2.400 s (1.20× floor PASS ≤ 1.2×)" || c[3] != "skipped" || c[4] != "6.000 s (2.5× kdeck)" || c[8] != "300 MiB (3.0× kdeck)" {
		t.Errorf("cells %q", c)
	}
}

// The fleet's kubeconfig holds each cluster's current context, cluster and user, and
// refuses two clusters whose files name the same context.
func TestMergeKubeconfigs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) *benchCluster {
		c := clientcmdapi.NewConfig()
		c.Clusters["kwok-"+name] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:6443"}
		c.AuthInfos["kwok-"+name] = &clientcmdapi.AuthInfo{Token: "t-" + name}
		c.Contexts["kwok-"+name] = &clientcmdapi.Context{Cluster: "kwok-" + name, AuthInfo: "kwok-" + name}
		c.Contexts["unused-"+name] = &clientcmdapi.Context{Cluster: "kwok-" + name}
		c.CurrentContext = "kwok-" + name
		path := filepath.Join(dir, name+".yaml")
		if err := clientcmd.WriteToFile(*c, path); err != nil {
			t.Fatal(err)
		}
		return &benchCluster{name: name, kubeconfig: path}
	}
	a, b := write("a"), write("b")
	merged := filepath.Join(dir, "merged.yaml")
	contexts, err := mergeKubeconfigs([]*benchCluster{a, b}, merged)
	if err != nil || len(contexts) != 2 || contexts[0] != "kwok-a" || contexts[1] != "kwok-b" {
		t.Fatalf("contexts %v, %v", contexts, err)
	}
	m, err := clientcmd.LoadFromFile(merged)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Contexts) != 2 || m.AuthInfos["kwok-b"].Token != "t-b" || m.Clusters["kwok-a"] == nil || m.CurrentContext != "kwok-a" {
		t.Errorf("merged %+v", m)
	}
	if _, err := mergeKubeconfigs([]*benchCluster{a, a}, merged); err == nil {
		t.Error("the same context twice was merged")
	}
}

// A run that fails is reported beside the runs that did not, which still make the figure.
func TestPeerWithAFailedRun(t *testing.T) {
	var p peer
	p.fail("k9s", errors.New("k9s not loaded after 3 minutes; screen:\n..."))
	if p.measured() || p.err == "" {
		t.Fatalf("one failed run and no other: %+v", p)
	}
	p.summarise([]sample{{loaded: 140 * time.Second, rssKiB: 3 << 20}})
	if !p.measured() || !strings.Contains(peerNote("k9s", p), "1 more failed: k9s not loaded after 3 minutes; screen:") {
		t.Errorf("note %q", peerNote("k9s", p))
	}
}
