// Package benchtrace records a few timestamps for `make bench` (hack/bench). It is inert
// unless the environment variable KDECK_BENCH_TRACE names a file: every call then costs one
// boolean check. When set, kdeck appends one line per event to that file:
//
//	EVENT SECONDS_SINCE_PROCESS_START [VALUE]
//
// Events: "start" (when this package initialised; the gap before it is runtime and package
// initialisation), "main" (main began: every package is initialised), "connected" (the
// server answered kdeck's first request), "first_rows" (the first frame that shows at least one row), "loaded"
// (the first frame drawn once the initial list is complete) and "filter_ms VALUE" (one per
// filter keystroke: how long it took to apply, in milliseconds).
//
// Process start is read from /proc/self/stat (10 ms resolution, rounded down, so times are
// at worst 10 ms pessimistic); where /proc is unavailable it is this package's initialisation.
//
// KDECK_BENCH_GOROUTINES, a duration such as "10s", adds "goroutines N" (runtime.NumGoroutine)
// at Start and then at that interval until Stop, for `make soak` to see whether goroutines
// leak over a long run; the sampler is one goroutine of its own, counted in N.
//
// KDECK_BENCH_CPUPROFILE and KDECK_BENCH_MEMPROFILE name files for a CPU profile (from Start
// to Stop) and a heap profile (written at Stop), for `go tool pprof`.
package benchtrace

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

var (
	initTime = time.Now()
	start    = initTime // process start, refined from /proc where available
	enabled  bool

	mu          sync.Mutex
	out         *os.File
	once        = map[string]bool{}
	cpuFile     *os.File
	memFile     string
	startOnce   sync.Once
	samplerStop chan struct{} // closed by Stop to end the goroutine sampler
)

func init() {
	path := os.Getenv("KDECK_BENCH_TRACE")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	out, enabled = f, true
	if age, ok := processAge(); ok && age >= 0 && age < time.Minute {
		start = initTime.Add(-age)
	}
	write("start", initTime, "")
}

// Enabled reports whether tracing is on.
func Enabled() bool { return enabled }

func write(event string, t time.Time, value string) {
	mu.Lock()
	defer mu.Unlock()
	line := fmt.Sprintf("%s %.6f", event, t.Sub(start).Seconds())
	if value != "" {
		line += " " + value
	}
	_, _ = out.WriteString(line + "\n")
}

// mark records event the first time it is called and never again.
func mark(event string) {
	if !enabled {
		return
	}
	t := time.Now()
	mu.Lock()
	done := once[event]
	once[event] = true
	mu.Unlock()
	if !done {
		write(event, t, "")
	}
}

// FirstRows records the first frame that shows at least one row.
func FirstRows() { mark("first_rows") }

// Loaded records the first frame drawn after the initial list completed.
func Loaded() { mark("loaded") }

// Filter records how long one filter keystroke took, from the key to its rows being applied.
func Filter(d time.Duration) {
	if !enabled {
		return
	}
	write("filter_ms", time.Now(), fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)))
}

// Event records a free-form event with an optional value, for ad-hoc measurements.
func Event(name, value string) {
	if !enabled {
		return
	}
	write(name, time.Now(), value)
}

// Start begins the CPU profile when KDECK_BENCH_CPUPROFILE is set, and the goroutine sampler
// when tracing is on and KDECK_BENCH_GOROUTINES is set. Call it early in main.
func Start() {
	startOnce.Do(func() {
		if every, err := time.ParseDuration(os.Getenv("KDECK_BENCH_GOROUTINES")); enabled && err == nil && every > 0 {
			samplerStop = make(chan struct{})
			go sampleGoroutines(every, samplerStop)
		}
		memFile = os.Getenv("KDECK_BENCH_MEMPROFILE")
		if path := os.Getenv("KDECK_BENCH_CPUPROFILE"); path != "" {
			f, err := os.Create(path)
			if err != nil {
				return
			}
			if pprof.StartCPUProfile(f) != nil {
				f.Close()
				return
			}
			cpuFile = f
		}
	})
}

// sampleGoroutines writes "goroutines N" now and every interval until stop is closed.
func sampleGoroutines(every time.Duration, stop chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		Event("goroutines", strconv.Itoa(runtime.NumGoroutine()))
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// Stop ends the goroutine sampler and the CPU profile and writes the heap profile, when they
// were asked for.
func Stop() {
	if samplerStop != nil {
		close(samplerStop)
		samplerStop = nil
	}
	if cpuFile != nil {
		pprof.StopCPUProfile()
		cpuFile.Close()
		cpuFile = nil
	}
	if memFile != "" {
		if f, err := os.Create(memFile); err == nil {
			runtime.GC()
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
		memFile = ""
	}
}
