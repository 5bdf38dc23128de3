package benchtrace

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDisabledIsInert(t *testing.T) {
	if enabled {
		t.Skip("KDECK_BENCH_TRACE is set")
	}
	FirstRows()
	Loaded()
	Filter(1)
	Event("x", "y")
}

func TestProcessAge(t *testing.T) {
	age, ok := processAge()
	if !ok {
		t.Skip("no /proc")
	}
	if age < 0 || age > time.Hour {
		t.Fatalf("process age %s is implausible", age)
	}
}

// The goroutine sampler writes "goroutines SECONDS N" at once and at every tick, and stops.
func TestSampleGoroutines(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "trace"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	oldOut, oldEnabled := out, enabled
	out, enabled = f, true
	defer func() { out, enabled = oldOut, oldEnabled }()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { sampleGoroutines(5*time.Millisecond, stop); close(done) }()
	time.Sleep(40 * time.Millisecond)
	close(stop)
	<-done
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 2 {
		t.Fatalf("%d samples in 40 ms at 5 ms: %q", len(lines), b)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "goroutines" {
			t.Fatalf("bad line %q", l)
		}
		if n, err := strconv.Atoi(f[2]); err != nil || n < 2 {
			t.Fatalf("bad count in %q", l)
		}
	}
}
