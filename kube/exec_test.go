package kube

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"sync"
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

// Where there is no resize signal (Windows) the size is polled: a change is reported once,
// an unchanged size or a failed read not at all, and stop ends the polling.
func TestPollResize(t *testing.T) {
	type answer struct {
		w, h int
		err  error
	}
	answers := []answer{
		{80, 24, nil}, // the size when the shell starts, sent by the watch itself
		{80, 24, nil},
		{100, 30, nil}, // resized
		{0, 0, errors.New("the handle is invalid")},
		{100, 30, nil},
		{100, 31, nil}, // resized
		{100, 31, nil},
	}
	var mu sync.Mutex
	asked, changes := 0, []int{}
	size := func() (int, int, error) {
		mu.Lock()
		defer mu.Unlock()
		a := answers[min(asked, len(answers)-1)]
		asked++
		return a.w, a.h, a.err
	}
	stop := pollResize(size, time.Millisecond, func() {
		mu.Lock()
		defer mu.Unlock()
		changes = append(changes, asked-1) // the answer that differed
	})
	for start := time.Now(); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		n := asked
		mu.Unlock()
		if n > len(answers)+5 {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("size asked %d times in 5 s, want every millisecond", n)
		}
	}
	stop()
	mu.Lock()
	after := asked
	mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if asked != after {
		t.Errorf("size asked %d more times after stop", asked-after)
	}
	if want := []int{2, 5}; !slices.Equal(changes, want) {
		t.Errorf("changes reported at answers %v, want %v", changes, want)
	}
}
