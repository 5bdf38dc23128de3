//go:build windows

package kube

import (
	"os"
	"time"

	"golang.org/x/term"
)

// resizePeriod is how often a shell reads the console's size: Windows has no resize signal.
const resizePeriod = 250 * time.Millisecond

// notifyResize has c told when the console of fd (an output handle) changes size, found by
// reading its size every resizePeriod, until stop is called.
func notifyResize(fd int, c chan<- os.Signal) (stop func()) {
	return pollResize(func() (int, int, error) { return term.GetSize(fd) }, resizePeriod, func() {
		select {
		case c <- consoleResized{}:
		default: // one pending is enough: the size is read when it is taken
		}
	})
}

// consoleResized is the signal pollResize stands in for.
type consoleResized struct{}

func (consoleResized) String() string { return "console resized" }
func (consoleResized) Signal()        {}
