//go:build windows

package kube

import "os"

// notifyResize does nothing on Windows, which has no resize signal: a shell keeps the
// size the terminal had when it started.
func notifyResize(chan<- os.Signal) {}
