//go:build !windows

package kube

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyResize has c told when the terminal is resized (SIGWINCH) until stop is called.
func notifyResize(_ int, c chan<- os.Signal) (stop func()) {
	signal.Notify(c, syscall.SIGWINCH)
	return func() { signal.Stop(c) }
}
