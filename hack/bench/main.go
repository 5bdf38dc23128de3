//go:build linux

// Command bench measures kdeck's browsing core against a real testbed cluster holding
// 10,000 and then 50,000 pods (the budgets in docs/ARCHITECTURE.md; -sizes adds 100,000), with
// the floor (a bare client-go WatchList into rows, hack/bench/floor), k9s and
// `kubectl get pods -A` beside it in the same run (peers.go). It is run by `make bench`; see
// the Makefile for its knobs. Like the
// testbed it runs on Linux only (it stops kwok with signals, reads rusage, drops files from
// the page cache), so its files carry a linux build tag and `make vet`'s other platforms skip it.
//
// In one run it starts (or reuses) the testbed cluster, creates the pods each size needs
// (10k is a prefix of 50k; pods that already exist are kept), builds kdeck, and for each size
// waits until the cluster's apiserver and etcd are quiet (see quiet.go), then runs kdeck -A in a 220x60 tmux pane and measures: time to the first row on screen, time
// to the whole list loaded, peak RSS, the filter keystroke p99, CPU and RSS growth while
// 1,000 pods a minute change; then the floor's, k9s's and kubectl's full load and peak RSS,
// each the median of -load-runs starts, as kdeck's are. In-process times come
// from kdeck's trace (package ui/benchtrace, env KDECK_BENCH_TRACE); the screen-polled ones
// are shown beside them. Progress goes to stderr, the results table to stdout (plain, then
// markdown).
//
// With -soak DURATION (`make soak`) it measures one size differently: kdeck stays on the pods
// view with metrics for DURATION while pods churn, and the report is its RSS trend, goroutines,
// CPU at the start and the end, and whether the screen is still live (see soak.go). With
// -fleet CLUSTERSxPODS it measures one pods view of several testbed clusters (see fleet.go).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

// options are the benchmark's knobs (flags, with environment defaults for make).
type options struct {
	sizes         []int
	churn, idle   time.Duration
	soak          time.Duration // the soak's length (soak.go); 0 runs the benchmark
	soakEvery     time.Duration
	churnPerMin   int
	cluster       string
	nodes         int
	keep          bool
	root, testbed string
	poll          time.Duration
	profileDir    string
	pauseEmulator bool
	loadRuns      int
	width, height int
	k9s           string // the k9s to measure beside kdeck: "auto" builds k9sVersion, "off" skips it
	fleet         fleetSpec
}

func main() {
	if err := run(); err != nil {
		logf("error: %v", err)
		os.Exit(1)
	}
}

func run() error {
	var o options
	sizes := flag.String("sizes", envOr("KDECK_BENCH_SIZES", "10000,50000"), "pod counts to measure, ascending (env KDECK_BENCH_SIZES)")
	flag.DurationVar(&o.churn, "churn", envDuration("KDECK_BENCH_CHURN", time.Minute), "how long to measure CPU under churn (env KDECK_BENCH_CHURN)")
	flag.DurationVar(&o.idle, "idle", envDuration("KDECK_BENCH_IDLE", 10*time.Second), "how long to measure CPU with no churn first (0 skips)")
	flag.IntVar(&o.churnPerMin, "churn-rate", envInt("KDECK_BENCH_CHURN_RATE", 1000), "pods changed per minute during churn and the soak (env KDECK_BENCH_CHURN_RATE)")
	flag.DurationVar(&o.soak, "soak", envDuration("KDECK_BENCH_SOAK", 0), "instead of the benchmark, soak kdeck on the pods view of one size for this long under churn (see soak.go; env KDECK_BENCH_SOAK)")
	flag.DurationVar(&o.soakEvery, "soak-every", 30*time.Second, "how often the soak samples kdeck")
	flag.StringVar(&o.cluster, "cluster", envOr("KDECK_BENCH_CLUSTER", "kdeck-bench"), "testbed cluster name")
	flag.IntVar(&o.nodes, "nodes", envInt("KDECK_TESTBED_NODES", 20), "emulated nodes (only when the cluster is created)")
	flag.BoolVar(&o.keep, "keep", envOr("KDECK_BENCH_KEEP", "true") != "false", "keep the cluster afterwards (make bench-down deletes it)")
	flag.StringVar(&o.root, "root", ".", "kdeck repository root")
	flag.StringVar(&o.testbed, "testbed", "", "testbed script (default ROOT/hack/testbed.sh)")
	flag.DurationVar(&o.poll, "poll", 10*time.Millisecond, "screen polling interval (0: trace only)")
	flag.BoolVar(&o.pauseEmulator, "pause-emulator", envOr("KDECK_BENCH_PAUSE_EMULATOR", "true") != "false", "pause kwok while kdeck and kubectl load (see emulator.go; env KDECK_BENCH_PAUSE_EMULATOR)")
	flag.IntVar(&o.loadRuns, "load-runs", envInt("KDECK_BENCH_LOAD_RUNS", 3), "timed loads per size; load times are their median")
	flag.StringVar(&o.k9s, "k9s", envOr("KDECK_BENCH_K9S", "auto"), "k9s to measure beside kdeck: auto (go install k9s@"+k9sVersion+" into the user cache dir once), off, or a path (env KDECK_BENCH_K9S)")
	flag.Var(&o.fleet, "fleet", "instead of the sizes, measure one view of several testbed clusters, CLUSTERSxPODS (4x10000; see fleet.go; env KDECK_BENCH_FLEET)")
	flag.StringVar(&o.profileDir, "profile", os.Getenv("KDECK_BENCH_PROFILE"), "write kdeck's CPU and heap profiles and its trace into this directory (env KDECK_BENCH_PROFILE)")
	flag.Parse()
	silenceKlog()
	o.width, o.height = 220, 60
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad size %q in -sizes", s)
		}
		o.sizes = append(o.sizes, n)
	}
	slices.Sort(o.sizes)
	if o.soak > 0 && len(o.sizes) != 1 {
		return fmt.Errorf("-soak takes one size in -sizes, not %d", len(o.sizes))
	}
	if o.soak > 0 && (o.soakEvery <= 0 || o.churnPerMin <= 0) {
		return errors.New("-soak needs a positive -soak-every and -churn-rate")
	}
	if o.testbed == "" {
		o.testbed = filepath.Join(o.root, "hack", "testbed.sh")
	}
	if o.profileDir != "" {
		if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
			return err
		}
		o.profileDir, _ = filepath.Abs(o.profileDir)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logf("load average %s on %d cores", loadAvg(), runtime.NumCPU())
	tmp, err := os.MkdirTemp("", "kdeck-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	kdeck, floor := filepath.Join(tmp, "kdeck"), filepath.Join(tmp, "floor")
	for bin, pkg := range map[string]string{kdeck: "./cmd/kdeck", floor: "./hack/bench/floor"} {
		// as the release builds kdeck (.goreleaser.yaml): a debug build is 3× the size
		// and starts 0.1-0.2 s later from disk on this machine
		logf("building %s as the release does", pkg)
		build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Dir, build.Stdout, build.Stderr = o.root, os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building %s: %w", pkg, err)
		}
	}
	tm, err := startTmux()
	if err != nil {
		return err
	}
	defer tm.close()
	if o.fleet.clusters > 0 {
		return runFleet(ctx, o, tm, kdeck, floor, tmp)
	}
	k9s := sync.OnceValues(func() (string, string) { return ensureK9s(ctx, o) })
	if o.soak == 0 {
		go k9s() // built (the first time) while the pods are created
	}

	bc, err := upCluster(ctx, o, o.cluster)
	if bc != nil {
		defer bc.down(o)
	}
	if err != nil {
		return err
	}
	cs, nodes, emu, kubeconfig := bc.cs, bc.nodes, bc.emu, bc.kubeconfig
	binOut, err := exec.CommandContext(ctx, o.testbed, "build").Output()
	if err != nil {
		return fmt.Errorf("%s build: %w", o.testbed, err)
	}
	kubectl := filepath.Join(lastLine(binOut), "kubectl")

	var results []*result
	for _, size := range o.sizes {
		if ctx.Err() != nil {
			break
		}
		logf("=== %s pods ===", count(size))
		if err := populate(ctx, cs, nodes, size); err != nil {
			return err
		}
		logf("waiting for every pod to be Running")
		if err := waitRunning(ctx, cs, 10*time.Minute); err != nil {
			return err
		}
		c, err := takeCensus(ctx, cs)
		if err != nil {
			return err
		}
		r := &result{size: size, total: c.total}
		logf("waiting for the apiserver and etcd to be quiet")
		if r.serverCPU, r.serverQuiet, err = waitQuiet(ctx, kubeconfig); err != nil {
			return err
		}
		r.loadBefore = loadAvg()
		if o.soak > 0 {
			s := soak(ctx, o, tm, cs, nodes, emu, kdeck, kubeconfig, tmp, r)
			r.loadAfter = loadAvg()
			fmt.Println()
			printSoak(os.Stdout, s, o)
			if r.kdeckErr != "" {
				return errors.New("the soak did not finish: " + firstLine(r.kdeckErr))
			}
			return ctx.Err()
		}
		results = append(results, r)
		r.emulatorPaused = emu != nil
		measureKdeck(ctx, o, tm, cs, nodes, emu, kdeck, kubeconfig, tmp, r)
		logf("the floor: a bare client-go WatchList into rows")
		r.floor = measureFloor(ctx, o, emu, floor, kubeconfig, "", tmp, strconv.Itoa(size))
		k9sPath, k9sNote := k9s()
		r.k9s = measureK9s(o, tm, emu, k9sPath, k9sNote, kubeconfig, tmp, peerTotal(ctx, cs, r.total))
		r.kubectl = measureKubectl(ctx, o, emu, kubectl, kubeconfig)
		r.loadAfter = loadAvg()
		fmt.Fprintln(os.Stderr)
		printPlain(os.Stderr, results[len(results)-1:], o)
	}
	fmt.Println()
	printPlain(os.Stdout, results, o)
	fmt.Println()
	printMarkdown(os.Stdout, results, o)
	return ctx.Err()
}

// benchCluster is a testbed cluster up and ready for the benchmark's pods.
type benchCluster struct {
	name, kubeconfig string
	cs               kubernetes.Interface
	nodes            []string  // its emulated nodes
	emu              *emulator // nil when the emulator is not paused (-pause-emulator=false)
}

// upCluster starts (or reuses) testbed cluster name with o.nodes emulated nodes and the
// benchmark's namespaces. Once the cluster is up it is returned even with an error, for
// the caller to delete (down).
func upCluster(ctx context.Context, o options, name string) (*benchCluster, error) {
	logf("starting testbed cluster %s", name)
	up := exec.CommandContext(ctx, o.testbed, "up", name)
	up.Env = append(os.Environ(), "KDECK_TESTBED_NODES="+strconv.Itoa(o.nodes))
	up.Stderr = os.Stderr
	out, err := up.Output()
	if err != nil {
		return nil, fmt.Errorf("%s up %s: %w", o.testbed, name, err)
	}
	bc := &benchCluster{name: name, kubeconfig: lastLine(out)}
	if o.pauseEmulator {
		if bc.emu, err = newEmulator(bc.kubeconfig); err != nil {
			return bc, fmt.Errorf("finding the node emulator of %s: %w", name, err)
		}
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", bc.kubeconfig)
	if err != nil {
		return bc, err
	}
	cfg.QPS = -1 // no client-side rate limit
	cfg.UserAgent = "kdeck-bench"
	if bc.cs, err = kubernetes.NewForConfig(cfg); err != nil {
		return bc, err
	}
	nl, err := bc.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "type=kwok"})
	if err != nil {
		return bc, fmt.Errorf("listing nodes of %s: %w", name, err)
	}
	for _, n := range nl.Items {
		bc.nodes = append(bc.nodes, n.Name)
	}
	if len(bc.nodes) == 0 {
		return bc, fmt.Errorf("testbed cluster %s has no emulated nodes (label type=kwok)", name)
	}
	logf("%s: %d emulated nodes", name, len(bc.nodes))
	return bc, ensureNamespaces(ctx, bc.cs)
}

// down deletes the cluster unless o.keep.
func (bc *benchCluster) down(o options) {
	if o.keep {
		return
	}
	logf("deleting cluster %s", bc.name)
	c := exec.Command(o.testbed, "down", bc.name)
	c.Stderr = os.Stderr
	_ = c.Run()
}

// result is everything measured for one size. Durations are zero when not measured.
type result struct {
	size, total                   int
	firstRows, loaded             time.Duration   // from kdeck's trace, since its process start
	traceMain, traceConnected     time.Duration   // kdeck's packages initialised; server's first answer
	loadCPU                       time.Duration   // kdeck's CPU time from its start to the full load
	firstRowsScreen, loadedScreen time.Duration   // from tmux polling, since tmux was asked to start it
	loadRuns                      []time.Duration // every timed load (trace); loaded is their median
	linkLost                      int             // times kdeck took the server for silent during the loads (trace)
	hwmKiB                        int64           // VmHWM after load and filter
	anonKiB, fileKiB              int64           // RssAnon and RssFile at the same moment
	filterMS                      []float64
	filterNote                    string
	returnMS                      float64       // back on pods from :deploy: warm store taken to its first frame (trace)
	returnScreen                  time.Duration // the same from the Enter to the full list on screen (tmux polling)
	returnLoads                   int           // pod stores started by that return (want 0: no LIST, no WatchList)
	idleCPU, churnCPU             float64       // % of one core
	rssStartKiB, rssEndKiB        int64         // VmRSS at churn start and end
	rssChurnKiB                   []int64       // VmRSS once a second during churn
	hwmEndKiB                     int64
	churned                       churnStats
	kdeckErr                      string
	floor, k9s, kubectl           peer // the programs measured beside kdeck
	loadBefore, loadAfter         string
	serverCPU                     float64 // apiserver and etcd, % of a core, just before kdeck started
	serverQuiet                   bool    // serverCPU was under quietCPU
	emulatorPaused                bool    // kwok was paused while kdeck and kubectl loaded
}

// measureKdeck runs kdeck -A in tmux and fills r; failures are recorded in r.kdeckErr.
func measureKdeck(ctx context.Context, o options, tm *tmuxServer, cs kubernetes.Interface, nodes []string, emu *emulator, kdeck, kubeconfig, tmp string, r *result) {
	if err := runKdeck(ctx, o, tm, cs, nodes, emu, kdeck, kubeconfig, tmp, r); err != nil {
		r.kdeckErr = err.Error()
		logf("kdeck: %v", err)
	}
}

func runKdeck(ctx context.Context, o options, tm *tmuxServer, cs kubernetes.Interface, nodes []string, emu *emulator, kdeck, kubeconfig, tmp string, r *result) error {
	tracePath, env := kdeckEnv(o, tmp, strconv.Itoa(r.size))
	session := fmt.Sprintf("kdeck-%d", r.size)
	// Loads before the one measured further are timed and quit: the load time reported is
	// the median of all of them, since the server's own pace varies from run to run.
	var runs []*loadRun
	for i := 1; i < o.loadRuns; i++ {
		extraTrace := filepath.Join(tmp, fmt.Sprintf("trace-%d-%d.txt", r.size, i))
		lr, err := timedLoad(o, tm, emu, fmt.Sprintf("%s-%d", session, i),
			kdeckLaunch(kdeck, kubeconfig, extraTrace, []string{"TERM=xterm-256color", "KDECK_BENCH_TRACE=" + extraTrace}))
		if lr != nil && lr.p != nil {
			lr.p.close()
		}
		if err != nil {
			return err
		}
		runs = append(runs, lr)
		time.Sleep(2 * time.Second)
	}
	lr, err := timedLoad(o, tm, emu, session, kdeckLaunch(kdeck, kubeconfig, tracePath, env))
	if lr != nil && lr.p != nil {
		defer lr.p.close()
	}
	if err != nil {
		return err
	}
	runs = append(runs, lr)
	p := lr.p
	r.loadCPU, r.traceMain, r.traceConnected = lr.cpu, lr.tr.main, lr.tr.connected
	r.firstRows = median(runs, func(l *loadRun) time.Duration { return l.tr.firstRows })
	r.loaded = median(runs, func(l *loadRun) time.Duration { return l.tr.loaded })
	r.firstRowsScreen = median(runs, func(l *loadRun) time.Duration { return l.firstRowsScreen })
	r.loadedScreen = median(runs, func(l *loadRun) time.Duration { return l.loadedScreen })
	for _, l := range runs {
		r.loadRuns = append(r.loadRuns, l.tr.loaded)
		r.linkLost += l.tr.linkLost
	}
	if s := p.screen(); screenCount(liveRE, s) != r.total {
		logf("kdeck: status line does not say %s pods:\n%s", count(r.total), s)
	}
	time.Sleep(time.Second)

	// Filter: a realistic query typed a key at a time, corrected, and cleared.
	if err := typeFilter(ctx, p, tracePath, r); err != nil {
		return err
	}
	if r.hwmKiB, err = memKiB(p.pid, "VmHWM"); err != nil {
		return err
	}
	r.anonKiB, _ = memKiB(p.pid, "RssAnon")
	r.fileKiB, _ = memKiB(p.pid, "RssFile")
	logf("kdeck: peak RSS %s", mib(r.hwmKiB))

	// Back to the pods after another view: from the store kept warm, with no new load.
	if err := measureReturn(p, tracePath, r); err != nil {
		return err
	}

	// CPU with nothing changing, then under churn.
	if o.idle > 0 {
		if r.idleCPU, err = cpuOver(ctx, p.pid, o.idle); err != nil {
			return err
		}
		logf("kdeck: idle CPU %.2f%% of a core over %s", r.idleCPU, o.idle)
	}
	if o.churn > 0 {
		if r.rssStartKiB, err = memKiB(p.pid, "VmRSS"); err != nil {
			return err
		}
		logf("kdeck: churning %d pods a minute for %s", o.churnPerMin, o.churn)
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { churn(cctx, cs, nodes, r.size, o.churnPerMin, &r.churned); close(done) }()
		sampled := make(chan []int64)
		go func() { sampled <- sampleRSS(cctx, p.pid, time.Second) }()
		r.churnCPU, err = cpuOver(ctx, p.pid, o.churn)
		if err == nil {
			r.rssEndKiB, err = memKiB(p.pid, "VmRSS")
		}
		cancel()
		r.rssChurnKiB = <-sampled
		<-done
		if err != nil {
			return err
		}
		r.hwmEndKiB, _ = memKiB(p.pid, "VmHWM")
		logf("kdeck: CPU under churn %.2f%% of a core; RSS %s → %s; %d patched, %d replaced, %d failed",
			r.churnCPU, mib(r.rssStartKiB), mib(r.rssEndKiB), r.churned.patched.Load(), r.churned.replaced.Load(), r.churned.failed.Load())
	}

	quitKdeck(p)
	return nil
}

// kdeckEnv is the environment kdeck runs with, and its trace file: in tmp, or with the
// profiles asked for by -profile (named kdeck-TAG.*) in that directory.
func kdeckEnv(o options, tmp, tag string) (tracePath string, env []string) {
	tracePath = filepath.Join(tmp, "trace-"+tag+".txt")
	if o.profileDir != "" {
		tracePath = filepath.Join(o.profileDir, "kdeck-"+tag+".trace.txt")
		_ = os.Remove(tracePath)
	}
	env = []string{"TERM=xterm-256color", "KDECK_BENCH_TRACE=" + tracePath}
	if o.profileDir != "" {
		env = append(env,
			"KDECK_BENCH_CPUPROFILE="+filepath.Join(o.profileDir, "kdeck-"+tag+".cpu.pprof"),
			"KDECK_BENCH_MEMPROFILE="+filepath.Join(o.profileDir, "kdeck-"+tag+".heap.pprof"))
	}
	return tracePath, env
}

// quitKdeck leaves any prompt and quits kdeck, so that its profiles are written.
func quitKdeck(p *pane) {
	_ = p.send("Escape")
	time.Sleep(200 * time.Millisecond)
	_ = p.send("q")
	for end := time.Now().Add(15 * time.Second); p.alive() && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
	}
	if p.alive() {
		logf("kdeck did not quit on q")
	}
}

// filterScript is what the benchmark types into the filter: queries a person would type,
// each corrected and erased with backspace, so both narrowing and widening are measured.
var filterScript = []string{"payments-api", "BSpace*4", "worker", "BSpace*18", "chk", "BSpace*3", "fraud-prod", "BSpace*10", "search-7", "BSpace*8"}

// typeFilter opens the filter with "/" and types filterScript; the keystroke times come
// from kdeck's trace. When no filter_ms lines appear the filter is not built yet.
func typeFilter(ctx context.Context, p *pane, tracePath string, r *result) error {
	before := len(readTrace(tracePath).filterMS)
	if err := p.send("/"); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	// "a" is bound to nothing in kdeck, so this probe is harmless without a filter.
	if err := p.sendLiteral("a"); err != nil {
		return err
	}
	probe := time.Now()
	for len(readTrace(tracePath).filterMS) == before && time.Since(probe) < 2*time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	if len(readTrace(tracePath).filterMS) == before {
		r.filterNote = "n/a (not built)"
		logf("kdeck: filter: n/a (not built): no filter_ms in the trace after / and a key")
		return p.send("Escape")
	}
	if err := p.send("BSpace"); err != nil {
		return err
	}
	keys := 0
	for _, step := range filterScript {
		n := 1
		k := step
		if name, times, ok := strings.Cut(step, "*"); ok {
			k = name
			n, _ = strconv.Atoi(times)
			for range n {
				if err := p.send(k); err != nil {
					return err
				}
				keys++
				time.Sleep(80 * time.Millisecond)
			}
			continue
		}
		for _, c := range k {
			if err := p.sendLiteral(string(c)); err != nil {
				return err
			}
			keys++
			time.Sleep(80 * time.Millisecond)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	time.Sleep(500 * time.Millisecond)
	if err := p.send("Escape"); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	r.filterMS = readTrace(tracePath).filterMS[before:]
	logf("kdeck: filter: %d keystrokes typed, %d filter_ms lines, p99 %.2f ms, max %.2f ms",
		keys+2, len(r.filterMS), percentile(r.filterMS, 99), percentile(r.filterMS, 100))
	return nil
}

// measureReturn opens the deployments view, then the pods again, and times the pods' return
// on screen (tmux polling, from the Enter) and in kdeck's trace (from the page taking over
// its warm store to its first frame); it counts the pod stores started meanwhile (want 0).
func measureReturn(p *pane, tracePath string, r *result) error {
	open := func(view string) error {
		if err := p.send(":"); err != nil {
			return err
		}
		if err := p.sendLiteral(view); err != nil {
			return err
		}
		return p.send("Enter")
	}
	if err := open("deploy"); err != nil {
		return err
	}
	for end := time.Now().Add(10 * time.Second); !strings.Contains(p.screen(), "deployments(all)"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			return fmt.Errorf("the deployments view did not open")
		}
	}
	time.Sleep(time.Second)
	before := readTrace(tracePath).storeStarts["pods"]
	start := time.Now()
	if err := open("pods"); err != nil {
		return err
	}
	for end := start.Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if s := p.screen(); strings.Contains(s, "pods(all)[") && screenCount(liveRE, s) == r.total {
			r.returnScreen = time.Since(start)
			break
		}
		if time.Now().After(end) {
			return fmt.Errorf("the pods did not come back in 10 s")
		}
	}
	time.Sleep(500 * time.Millisecond)
	tr := readTrace(tracePath)
	r.returnLoads = tr.storeStarts["pods"] - before
	if len(tr.returnMS) > 0 {
		r.returnMS = tr.returnMS[len(tr.returnMS)-1]
	}
	logf("kdeck: back on pods after :deploy: %.1f ms to the first frame (trace), %s on screen (tmux); %d new pod loads",
		r.returnMS, secs(r.returnScreen), r.returnLoads)
	return nil
}

// cpuOver returns the CPU pid used over d as a percentage of one core.
func cpuOver(ctx context.Context, pid int, d time.Duration) (float64, error) {
	c0, err := cpuTime(pid)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(d):
	}
	c1, err := cpuTime(pid)
	if err != nil {
		return 0, err
	}
	return 100 * float64(c1-c0) / float64(time.Since(t0)), nil
}

// sampleRSS reads pid's VmRSS every interval until ctx ends.
func sampleRSS(ctx context.Context, pid int, every time.Duration) []int64 {
	var out []int64
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-t.C:
			if kib, err := memKiB(pid, "VmRSS"); err == nil {
				out = append(out, kib)
			}
		}
	}
}

// rssTrend compares the peak RSS of the last third of the churn samples with that of the
// first third, in percent. Unlike the first and last reading alone it does not count the
// heap growing back to its working size after the idle minute let the runtime return
// pages, which a one-minute churn cannot tell from a leak.
func rssTrend(samples []int64) (first, last int64, growth float64, ok bool) {
	n := len(samples) / 3
	if n == 0 {
		return 0, 0, 0, false
	}
	first, last = slices.Max(samples[:n]), slices.Max(samples[len(samples)-n:])
	return first, last, 100 * float64(last-first) / float64(first), true
}

// loadRun is one timed start of a program in a pane (kdeck, k9s), left running there.
type loadRun struct {
	p                             *pane
	tr                            trace         // kdeck's trace; empty for a program without one
	firstRowsScreen, loadedScreen time.Duration // from tmux polling, since tmux was asked to start it
	cpu                           time.Duration // the program's CPU time until loaded
}

// launch is a program to start in a pane and time until its screen shows every row.
type launch struct {
	argv, env []string
	comm      string // the process name once env has exec'd it ("kdeck", "k9s")
	// trace is kdeck's trace file, whose "loaded" must be written too; "" for a program
	// that writes none (then the screen alone says when it is loaded).
	trace string
	// firstRows and loaded read the screen: some rows shown, every row shown.
	firstRows, loaded func(screen string) bool
}

// kdeckLaunch is kdeck -A on kubeconfig, with its trace at tracePath and env.
func kdeckLaunch(kdeck, kubeconfig, tracePath string, env []string, args ...string) launch {
	return launch{argv: append([]string{kdeck, "--kubeconfig", kubeconfig, "-A"}, args...), env: env, comm: "kdeck", trace: tracePath,
		firstRows: func(s string) bool { return screenCount(titleRE, s) > 0 },
		loaded:    func(s string) bool { return screenCount(liveRE, s) >= 0 }}
}

// timedLoad starts l's program from disk in a new pane and waits until the screen and the
// trace say every pod is loaded, with the node emulator paused meanwhile. The pane is
// returned whenever it was started, for the caller to close.
func timedLoad(o options, tm *tmuxServer, emu *emulator, session string, l launch) (*loadRun, error) {
	if err := evictFromPageCache(l.argv[0]); err != nil {
		logf("could not drop %s from the page cache: %v", l.argv[0], err)
	}
	resume := emu.pause()
	defer resume()
	t0 := time.Now()
	p, err := tm.start(session, o.width, o.height, l.env, l.argv)
	if err != nil {
		return nil, err
	}
	lr := &loadRun{p: p}
	// The pane starts `env VAR=… PROGRAM`; env replaces itself with the program within moments.
	var comm string
	for wait := time.Now(); time.Since(wait) < 2*time.Second; time.Sleep(5 * time.Millisecond) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p.pid))
		if comm = strings.TrimSpace(string(b)); comm == l.comm {
			break
		}
	}
	if comm != l.comm {
		return lr, fmt.Errorf("pane process %d is %q, not %s", p.pid, comm, l.comm)
	}
	poll := o.poll
	if l.trace == "" {
		poll = max(poll, 10*time.Millisecond) // the screen is all there is
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if poll > 0 {
			s := p.screen()
			now := time.Since(t0)
			if lr.firstRowsScreen == 0 && l.firstRows(s) {
				lr.firstRowsScreen = now
			}
			if lr.loadedScreen == 0 && l.loaded(s) {
				lr.loadedScreen = now
			}
		}
		if l.trace != "" {
			lr.tr = readTrace(l.trace)
		}
		if (l.trace == "" || lr.tr.loaded > 0) && (poll == 0 || lr.loadedScreen > 0) {
			break
		}
		if !p.alive() {
			return lr, fmt.Errorf("%s exited while loading; screen:\n%s", l.comm, p.screen())
		}
		if time.Now().After(deadline) {
			return lr, fmt.Errorf("%s not loaded after 3 minutes; screen:\n%s", l.comm, p.screen())
		}
		time.Sleep(max(poll, 10*time.Millisecond))
	}
	resume()
	lr.cpu, _ = cpuTime(p.pid)
	if l.trace != "" {
		logf("%s: first rows %s, loaded %s (screen: %s, %s)", l.comm, secs(lr.tr.firstRows), secs(lr.tr.loaded), secs(lr.firstRowsScreen), secs(lr.loadedScreen))
	} else {
		logf("%s: first rows %s, loaded %s (screen)", l.comm, secs(lr.firstRowsScreen), secs(lr.loadedScreen))
	}
	return lr, nil
}

// median is the median of f over runs (the lower middle one of an even count).
func median[T any, V cmp.Ordered](runs []T, f func(T) V) V {
	v := make([]V, len(runs))
	for i, l := range runs {
		v[i] = f(l)
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// trace is what kdeck's trace file says (see package ui/benchtrace).
type trace struct {
	start, main       time.Duration // benchtrace's own initialisation; every package's (main runs)
	connected         time.Duration
	firstRows, loaded time.Duration
	filterMS          []float64
	goroutines        []int // runtime.NumGoroutine samples, oldest first (KDECK_BENCH_GOROUTINES)
	linkLost          int   // times kdeck took the server for silent (kube.Link): none on a healthy one
	returnMS          []float64
	storeStarts       map[string]int // stores started per view noun: each is a LIST or WatchList
}

func readTrace(path string) trace {
	var t trace
	b, err := os.ReadFile(path)
	if err != nil {
		return t
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		s, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		d := time.Duration(s * float64(time.Second))
		switch f[0] {
		case "start":
			t.start = d
		case "main":
			t.main = d
		case "connected":
			t.connected = d
		case "first_rows":
			t.firstRows = d
		case "loaded":
			t.loaded = d
		case "filter_ms":
			if len(f) >= 3 {
				if v, err := strconv.ParseFloat(f[2], 64); err == nil {
					t.filterMS = append(t.filterMS, v)
				}
			}
		case "link_lost":
			t.linkLost++
		case "return_ms":
			if len(f) >= 3 {
				if v, err := strconv.ParseFloat(f[2], 64); err == nil {
					t.returnMS = append(t.returnMS, v)
				}
			}
		case "store_start":
			if len(f) >= 3 {
				if t.storeStarts == nil {
					t.storeStarts = map[string]int{}
				}
				t.storeStarts[f[2]]++
			}
		case "goroutines":
			if len(f) >= 3 {
				if v, err := strconv.Atoi(f[2]); err == nil {
					t.goroutines = append(t.goroutines, v)
				}
			}
		}
	}
	return t
}

// percentile is the nearest-rank p-th percentile of v (NaN when v is empty).
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	k := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(k, len(s)-1))]
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// silenceKlog keeps client-go's logging (e.g. bodies cut short when churn stops) off stderr.
func silenceKlog() {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	_ = fs.Set("stderrthreshold", "FATAL")
	klog.SetOutput(io.Discard)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

func envDuration(k string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

// peerTotal is the pods the cluster holds now, which the peers measured after kdeck must
// show: the churn replaces pods while the node emulator is paused, and the emulator, once
// resumed, may still remove some of the replacements (10,000 pods were 9,912 after one
// churn). It is total when the cluster cannot be counted.
// The count is taken until it holds still for 5 s (at most a minute).
func peerTotal(ctx context.Context, cs kubernetes.Interface, total int) int {
	now := total
	for wait := time.Now(); time.Since(wait) < time.Minute && ctx.Err() == nil; time.Sleep(5 * time.Second) {
		c, err := takeCensus(ctx, cs)
		if err != nil {
			return total
		}
		if c.total == now {
			break
		}
		now = c.total
	}
	if now != total {
		logf("the cluster holds %s pods now, not %s: the peers load those", count(now), count(total))
	}
	return now
}
