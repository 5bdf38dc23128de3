package kube

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// A shell's terminal-size watch leaves nothing behind once stopped: no goroutine, and a
// queue that reports its end to the exec stream.
func TestTerminalSizeWatchEnds(t *testing.T) {
	fd := int(os.Stdin.Fd())
	_, stop := watchTerminalSize(fd) // the first resize registration starts os/signal's own loop
	stop()
	baseline := runtime.NumGoroutine()
	for range 2 {
		sizes, stop := watchTerminalSize(fd)
		stop()
		done := make(chan struct{})
		go func() {
			for sizes.Next() != nil { // a size sent at start may be queued
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatal("Next still blocks after stop")
		}
	}
	for start := time.Now(); runtime.NumGoroutine() > baseline; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 2*time.Second {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left (baseline %d):\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
	}
}
