//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A cluster just started, or just given thousands of pods, keeps its apiserver and etcd busy
// for minutes (relisting 50,000 pods, compacting). kdeck's load time measured then is mostly
// the server's: 4.9 s at 50k on a quiet cluster, 8–18 s on a busy one. So each size is
// measured only once the processes kdeck talks to are quiet. kwok is left out: it is never
// quiet at 50k pods (its metrics emulation), and it is paused while loads are timed
// (emulator.go).
const (
	quietCPU     = 20.0             // % of one core, kube-apiserver and etcd together
	quietWindow  = 5 * time.Second  // measured over this long
	quietTimeout = 10 * time.Minute // then measure anyway, and say so
)

// componentPIDs reads the process ids kwokctl recorded for the named components of the
// cluster whose kubeconfig is given (its work dir holds kubeconfig.yaml and pids/NAME.pid).
func componentPIDs(kubeconfig string, names ...string) ([]int, error) {
	var pids []int
	for _, name := range names {
		f := filepath.Join(filepath.Dir(kubeconfig), "pids", name+".pid")
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// cpuOf is the CPU time the processes have used so far; processes that are gone count 0.
func cpuOf(pids []int) time.Duration {
	var sum time.Duration
	for _, pid := range pids {
		if t, err := cpuTime(pid); err == nil {
			sum += t
		}
	}
	return sum
}

// waitQuiet waits until the cluster's apiserver and etcd use less than quietCPU of a core
// over quietWindow, and returns the last window's figure (% of a core) and whether it was quiet.
func waitQuiet(ctx context.Context, kubeconfig string) (float64, bool, error) {
	pids, err := componentPIDs(kubeconfig, "kube-apiserver", "etcd")
	if err != nil {
		return 0, false, err
	}
	deadline := time.Now().Add(quietTimeout)
	for {
		c0, t0 := cpuOf(pids), time.Now()
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(quietWindow):
		}
		pct := 100 * float64(cpuOf(pids)-c0) / float64(time.Since(t0))
		if pct < quietCPU {
			return pct, true, nil
		}
		if time.Now().After(deadline) {
			return pct, false, nil
		}
		logf("apiserver and etcd busy: %.0f%% of a core over %s; waiting for < %.0f%%", pct, quietWindow, quietCPU)
	}
}
