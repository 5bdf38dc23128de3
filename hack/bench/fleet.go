//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// A fleet run (-fleet 4x10000) measures one pods view of several testbed clusters at once:
// clusters CLUSTER-fleet1 … CLUSTER-fleetN of PODS pods each, one merged kubeconfig with a
// context per cluster, and `kdeck --context a,b,c,d -A`, which shows every cluster's pods
// with a CONTEXT column and the total in its title. All rows is when the title shows the
// total of every cluster (tmux polling, from the tmux command); the floor beside it loads
// every context at once (hack/bench/floor --context a,b,c,d).

// Budgets of a fleet view (docs/ARCHITECTURE.md).
const (
	fleetLoadBudget = 3 * time.Second
	fleetRSSBudget  = 150.0 // MiB
)

// fleetSpec is -fleet's CLUSTERSxPODS.
type fleetSpec struct{ clusters, pods int }

// String implements flag.Value.
func (f *fleetSpec) String() string {
	if f.clusters == 0 {
		return ""
	}
	return fmt.Sprintf("%dx%d", f.clusters, f.pods)
}

// Set implements flag.Value.
func (f *fleetSpec) Set(s string) error {
	c, p, ok := strings.Cut(s, "x")
	clusters, err1 := strconv.Atoi(c)
	pods, err2 := strconv.Atoi(p)
	if !ok || err1 != nil || err2 != nil || clusters < 1 || pods < 1 {
		return fmt.Errorf("want CLUSTERSxPODS, e.g. 4x10000, not %q", s)
	}
	f.clusters, f.pods = clusters, pods
	return nil
}

// fleetResult is what a fleet run measured.
type fleetResult struct {
	spec                  fleetSpec
	contexts              []string
	total                 int           // pods in every cluster together
	firstRows, loaded     time.Duration // kdeck, screen-polled medians
	traceLoaded           time.Duration // kdeck's own trace (median), for comparison
	runs                  []time.Duration
	hwmKiB                int64 // median peak RSS
	floor                 peer
	kdeckErr              string
	loadBefore, loadAfter string
	quiet                 []string // each cluster's apiserver and etcd before the loads
}

// runFleet brings up the fleet's clusters with their pods and measures kdeck and the floor
// on all of them at once.
func runFleet(ctx context.Context, o options, tm *tmuxServer, kdeck, floor, tmp string) error {
	f := &fleetResult{spec: o.fleet}
	var clusters []*benchCluster
	for i := range o.fleet.clusters {
		bc, err := upCluster(ctx, o, fmt.Sprintf("%s-fleet%d", o.cluster, i+1))
		if bc != nil {
			defer bc.down(o)
		}
		if err != nil {
			return err
		}
		clusters = append(clusters, bc)
	}
	for _, bc := range clusters {
		logf("=== %s: %s pods ===", bc.name, count(o.fleet.pods))
		if err := populate(ctx, bc.cs, bc.nodes, o.fleet.pods); err != nil {
			return err
		}
		if err := waitRunning(ctx, bc.cs, 10*time.Minute); err != nil {
			return err
		}
		c, err := takeCensus(ctx, bc.cs)
		if err != nil {
			return err
		}
		f.total += c.total
	}
	kubeconfig := filepath.Join(tmp, "fleet-kubeconfig.yaml")
	contexts, err := mergeKubeconfigs(clusters, kubeconfig)
	if err != nil {
		return err
	}
	f.contexts = contexts
	var emus []*emulator
	for _, bc := range clusters {
		emus = append(emus, bc.emu)
		logf("waiting for the apiserver and etcd of %s to be quiet", bc.name)
		pct, quiet, err := waitQuiet(ctx, bc.kubeconfig)
		if err != nil {
			return err
		}
		note := fmt.Sprintf("%s %.0f%%", bc.name, pct)
		if !quiet {
			note += " (still busy)"
		}
		f.quiet = append(f.quiet, note)
	}
	emu := combine(emus)
	f.loadBefore = loadAvg()
	if err := measureFleetKdeck(o, tm, emu, kdeck, kubeconfig, tmp, f); err != nil {
		f.kdeckErr = err.Error()
		logf("kdeck: %v", err)
	}
	logf("the floor: a bare client-go WatchList of every context at once")
	f.floor = measureFloor(ctx, o, emu, floor, kubeconfig, strings.Join(contexts, ","), tmp, "fleet")
	f.loadAfter = loadAvg()
	fmt.Println()
	printFleet(os.Stdout, f)
	return ctx.Err()
}

// measureFleetKdeck starts kdeck on every context o.loadRuns times and takes the medians.
func measureFleetKdeck(o options, tm *tmuxServer, emu *emulator, kdeck, kubeconfig, tmp string, f *fleetResult) error {
	var runs []*loadRun
	var hwm []int64
	for i := range o.loadRuns {
		tracePath, env := kdeckEnv(o, tmp, fmt.Sprintf("fleet-%d", i))
		l := kdeckLaunch(kdeck, kubeconfig, "", env, "--context", strings.Join(f.contexts, ","))
		l.loaded = func(s string) bool { return screenCount(titleRE, s) == f.total }
		lr, err := timedLoad(o, tm, emu, fmt.Sprintf("kdeck-fleet-%d", i), l)
		var rss int64
		if err == nil {
			rss, err = memKiB(lr.p.pid, "VmHWM")
		}
		if lr != nil && lr.p != nil {
			quitKdeck(lr.p)
			lr.p.close()
		}
		if err != nil {
			return err
		}
		lr.tr = readTrace(tracePath)
		logf("kdeck: every context's pods on screen %s (its trace says loaded %s), peak RSS %s", secs(lr.loadedScreen), secs(lr.tr.loaded), mib(rss))
		runs, hwm = append(runs, lr), append(hwm, rss)
		time.Sleep(2 * time.Second)
	}
	f.firstRows = median(runs, func(l *loadRun) time.Duration { return l.firstRowsScreen })
	f.loaded = median(runs, func(l *loadRun) time.Duration { return l.loadedScreen })
	f.traceLoaded = median(runs, func(l *loadRun) time.Duration { return l.tr.loaded })
	f.hwmKiB = median(hwm, func(k int64) int64 { return k })
	for _, l := range runs {
		f.runs = append(f.runs, l.loadedScreen)
	}
	return nil
}

// mergeKubeconfigs writes one kubeconfig holding the current context of each cluster's
// own (hack/testbed.sh kubeconfig NAME) to path, and returns the contexts' names.
func mergeKubeconfigs(clusters []*benchCluster, path string) ([]string, error) {
	merged := clientcmdapi.NewConfig()
	var contexts []string
	for _, bc := range clusters {
		c, err := clientcmd.LoadFromFile(bc.kubeconfig)
		if err != nil {
			return nil, err
		}
		ctx, ok := c.Contexts[c.CurrentContext]
		if !ok {
			return nil, fmt.Errorf("%s: no current context", bc.kubeconfig)
		}
		if _, dup := merged.Contexts[c.CurrentContext]; dup {
			return nil, fmt.Errorf("context %s is in two clusters' kubeconfigs", c.CurrentContext)
		}
		merged.Contexts[c.CurrentContext] = ctx
		merged.Clusters[ctx.Cluster] = c.Clusters[ctx.Cluster]
		merged.AuthInfos[ctx.AuthInfo] = c.AuthInfos[ctx.AuthInfo]
		contexts = append(contexts, c.CurrentContext)
	}
	merged.CurrentContext = contexts[0]
	return contexts, clientcmd.WriteToFile(*merged, path)
}

// combine is one emulator pausing every cluster's; nil (no pausing) if any is nil.
func combine(emus []*emulator) *emulator {
	all := &emulator{}
	for _, e := range emus {
		if e == nil {
			return nil
		}
		all.pids = append(all.pids, e.pids...)
	}
	return all
}

// printFleet writes the fleet's table (plain, then markdown) and its notes.
func printFleet(w io.Writer, f *fleetResult) {
	header := []string{"workload", "floor all rows", "kdeck first rows", "kdeck all rows", "kdeck peak RSS"}
	workload := fmt.Sprintf("%d clusters × %s pods (%s in all)", f.spec.clusters, count(f.spec.pods), count(f.total))
	floor := peerTime(f.floor)
	all := "n/a"
	if f.loaded > 0 {
		all = fmt.Sprintf("%s %s (< %s)%s", secs(f.loaded), mark(f.loaded < fleetLoadBudget), secs(fleetLoadBudget), ratio(f.loaded, f.floor, "floor"))
	}
	rss := "n/a"
	if f.hwmKiB > 0 {
		rss = fmt.Sprintf("%s %s (< %.0f MiB)", mib(f.hwmKiB), mark(float64(f.hwmKiB)/1024 < fleetRSSBudget), fleetRSSBudget)
	}
	rows := [][]string{{workload, floor, secs(f.firstRows), all, rss}}
	var each []string
	for _, d := range f.runs {
		each = append(each, secs(d))
	}
	notes := []string{
		"contexts: " + strings.Join(f.contexts, ", ") + "; kdeck --context " + strings.Join(f.contexts, ",") + " -A",
		fmt.Sprintf("kdeck's times are screen-polled (tmux, from the tmux command) until the title shows all %s pods; medians of %d starts (%s); its own trace said loaded at %s",
			count(f.total), len(f.runs), strings.Join(each, ", "), secs(f.traceLoaded)),
		peerNote("the floor (hack/bench/floor, every context at once)", f.floor),
		"apiserver and etcd before the loads (% of a core): " + strings.Join(f.quiet, ", "),
		fmt.Sprintf("load average (1/5/15 min) before %s, after %s", f.loadBefore, f.loadAfter),
	}
	if f.kdeckErr != "" {
		notes = append(notes, "kdeck failed: "+firstLine(f.kdeckErr))
	}
	writePlain(w, header, rows, notes)
	fmt.Fprintln(w)
	writeMarkdown(w, header, rows, notes)
}
