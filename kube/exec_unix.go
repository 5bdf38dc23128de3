//go:build !windows

package kube

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyResize has c told when the terminal is resized (SIGWINCH).
func notifyResize(c chan<- os.Signal) { signal.Notify(c, syscall.SIGWINCH) }
