//go:build linux

package main

import (
	"syscall"
	"time"
)

// The testbed's nodes are emulated by one kwok-controller process, which also computes every
// pod's resource metrics with CEL each time metrics-server scrapes (every 15 s). At 50,000
// pods that alone keeps 1.5-1.9 of this machine's 2 cores busy: work a real cluster's kubelets
// do on their own nodes, not beside the client and the apiserver. Timed with it running, the
// same kdeck build loaded 50k pods in 7.7-9.6 s, and with it paused in 3.3-3.8 s.
//
// So while kdeck and kubectl load (and only then), the emulator is paused with SIGSTOP. A
// pause must stay short: past the nodes' lease (200 s) the node controller marks every node
// NotReady and rewrites 50,000 pod statuses.

// maxPause is the longest the emulator stays paused: a load slower than that (k9s and
// kubectl take minutes at 30k pods on a busy machine) goes on with kwok running, before
// the node leases run out.
const maxPause = 90 * time.Second

// emulator pauses and resumes a testbed cluster's kwok-controller.
type emulator struct{ pids []int }

// newEmulator finds the kwok-controller of the cluster whose kubeconfig is given and makes
// sure it runs (a bench killed mid-pause leaves it stopped).
func newEmulator(kubeconfig string) (*emulator, error) {
	pids, err := componentPIDs(kubeconfig, "kwok-controller")
	if err != nil {
		return nil, err
	}
	e := &emulator{pids: pids}
	e.resume()
	return e, nil
}

// pause stops the emulator for at most maxPause and returns resume; on a nil emulator
// (pausing is off) both are no-ops.
func (e *emulator) pause() (resume func()) {
	if e == nil {
		return func() {}
	}
	e.signal(syscall.SIGSTOP)
	t := time.AfterFunc(maxPause, func() {
		logf("resuming kwok after %s paused, before its nodes' leases run out", maxPause)
		e.resume()
	})
	return func() {
		t.Stop()
		e.resume()
	}
}

func (e *emulator) resume() { e.signal(syscall.SIGCONT) }

func (e *emulator) signal(sig syscall.Signal) {
	for _, pid := range e.pids {
		_ = syscall.Kill(pid, sig)
	}
}
