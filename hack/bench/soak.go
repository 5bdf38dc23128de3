//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
)

// The soak (-soak DURATION, `make soak`): kdeck is left on the pods view of every namespace,
// with its CPU and MEM columns, while -churn-rate pods a minute change for DURATION. Every
// -soak-every it samples kdeck's RSS (/proc/PID/status VmRSS), CPU time (/proc/PID/stat
// utime+stime), OS threads and goroutines (runtime.NumGoroutine, which kdeck writes to its
// bench trace when KDECK_BENCH_GOROUTINES is set; kdeck opens no port for it). It then
// judges what a long session would show and a one-minute churn cannot: the RSS trend after
// a warm-up, goroutines at the end against the start, CPU in the first and the last window,
// and a screen still live with the cluster's count and metrics at the end.

// goroutineMargin is how many goroutines more than at the start the soak allows at its end:
// requests in flight (a metrics poll, a watch being reopened) come and go.
const goroutineMargin = 10

// soakWindow is the warm-up left out of the RSS trend and the length of the first and last
// CPU windows: 5 minutes, or a third of a soak shorter than 15 minutes.
func soakWindow(length time.Duration) time.Duration { return min(5*time.Minute, length/3) }

// soakSample is one reading of kdeck during the soak.
type soakSample struct {
	at         time.Duration // since the soak began
	rssKiB     int64
	cpu        time.Duration // kdeck's CPU time since it started
	threads    int64         // OS threads
	goroutines int           // the latest count in kdeck's trace; -1 when there is none
}

// soakResult is what one soak measured.
type soakResult struct {
	*result                  // size, cluster and server before, load time, churn counts, errors
	length, every            time.Duration
	samples                  []soakSample
	metricsStart, metricsEnd bool   // kdeck's status line had no metrics note
	endScreenCount, endTotal int    // pods on kdeck's status line and in the cluster at the end
	endStale                 bool   // the title said STALE
	linkLost                 int    // times kdeck took the busy server for a silent one (trace)
	endStatus                string // kdeck's status line at the end
}

// soak runs kdeck on the pods view and churns pods under it for o.soak; failures are
// recorded in r.kdeckErr.
func soak(ctx context.Context, o options, tm *tmuxServer, cs kubernetes.Interface, nodes []string, emu *emulator, kdeck, kubeconfig, tmp string, r *result) *soakResult {
	s := &soakResult{result: r, length: o.soak, every: o.soakEvery, endScreenCount: -1, endTotal: -1}
	if err := runSoak(ctx, o, tm, cs, nodes, emu, kdeck, kubeconfig, tmp, s); err != nil {
		r.kdeckErr = err.Error()
		logf("soak: %v", err)
	}
	return s
}

func runSoak(ctx context.Context, o options, tm *tmuxServer, cs kubernetes.Interface, nodes []string, emu *emulator, kdeck, kubeconfig, tmp string, s *soakResult) error {
	tracePath, env := kdeckEnv(o, tmp, fmt.Sprintf("soak-%d", s.size))
	env = append(env, "KDECK_BENCH_GOROUTINES="+max(time.Second, o.soakEvery/3).String())
	lr, err := timedLoad(o, tm, emu, fmt.Sprintf("soak-%d", s.size), kdeckLaunch(kdeck, kubeconfig, tracePath, env))
	if lr != nil && lr.p != nil {
		defer lr.p.close()
	}
	if err != nil {
		return err
	}
	p := lr.p
	s.loaded, s.firstRows = lr.tr.loaded, lr.tr.firstRows

	logf("soak: waiting for kdeck to show metrics")
	for wait := time.Now(); time.Since(wait) < 2*time.Minute && ctx.Err() == nil; time.Sleep(time.Second) {
		if s.metricsStart = metricsShown(p.screen()); s.metricsStart {
			break
		}
	}
	if !s.metricsStart {
		logf("soak: no metrics on screen after 2 minutes; soaking anyway:\n%s", p.screen())
	}

	// The goroutine count of a sample is the last kdeck wrote, at most a third of an
	// interval old; the first waits for one written after the load.
	read := func(at time.Duration) (soakSample, error) {
		smp := soakSample{at: at, goroutines: -1}
		var err error
		if smp.rssKiB, err = memKiB(p.pid, "VmRSS"); err != nil {
			return smp, err
		}
		if smp.cpu, err = cpuTime(p.pid); err != nil {
			return smp, err
		}
		smp.threads, _ = procStatus(p.pid, "Threads")
		if g := readTrace(tracePath).goroutines; len(g) > 0 {
			smp.goroutines = g[len(g)-1]
		}
		return smp, nil
	}
	for n, wait := len(readTrace(tracePath).goroutines), time.Now(); len(readTrace(tracePath).goroutines) == n && time.Since(wait) < o.soakEvery; {
		time.Sleep(200 * time.Millisecond)
	}
	logf("soak: churning %d pods a minute for %s, sampling every %s", o.churnPerMin, o.soak, o.soakEvery)
	start := time.Now()
	first, err := read(0)
	if err != nil {
		return err
	}
	s.samples = append(s.samples, first)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { churn(cctx, cs, nodes, s.size, o.churnPerMin, &s.churned); close(done) }()
	// A sample every o.soakEvery, and the last one at the end of the soak.
	for at := min(o.soakEvery, o.soak); ; at = min(at+o.soakEvery, o.soak) {
		select {
		case <-ctx.Done():
			cancel()
			<-done
			return ctx.Err()
		case <-time.After(time.Until(start.Add(at))):
		}
		smp, err := read(time.Since(start))
		if err != nil {
			cancel()
			<-done
			return fmt.Errorf("kdeck gone after %s of the soak: %w; screen:\n%s", shortDur(time.Since(start).Round(time.Second)), err, p.screen())
		}
		s.samples = append(s.samples, smp)
		logf("soak %s: RSS %s, CPU %.2f%% of a core since the last sample, %d goroutines, %d threads; %d pods changed, %d failed",
			minSec(smp.at), mib(smp.rssKiB), cpuPct(s.samples[len(s.samples)-2], smp), smp.goroutines, smp.threads,
			s.churned.patched.Load()+s.churned.replaced.Load(), s.churned.failed.Load())
		if at == o.soak {
			break
		}
	}
	cancel()
	<-done

	// The churn has stopped: kdeck's status line must catch up with the cluster's count. The
	// count is taken again each time, since the node emulator may still be finishing
	// deletions the churn asked for.
	for wait := time.Now(); ; time.Sleep(time.Second) {
		c, err := takeCensus(ctx, cs)
		if err != nil {
			return err
		}
		s.endTotal = c.total
		screen := p.screen()
		s.endScreenCount, s.endStale = screenCount(liveRE, screen), strings.Contains(screen, "STALE")
		s.metricsEnd, s.endStatus = metricsShown(screen), statusLine(screen)
		if s.endScreenCount == s.endTotal && s.metricsEnd || time.Since(wait) > 30*time.Second || ctx.Err() != nil {
			break
		}
	}
	s.linkLost = readTrace(tracePath).linkLost
	logf("soak: at the end kdeck says %q; the cluster has %s pods", s.endStatus, count(s.endTotal))
	quitKdeck(p)
	return nil
}

// statusRE is kdeck's status line ("live · 2,013 pods · metrics not available yet   :cmd …").
var statusRE = regexp.MustCompile(`(?m)^((?:live|loading|reloading|broken|STALE)\b.*?)(?:\s{2,}|$)`)

// statusLine is kdeck's status line on screen, without the key hints; "" when not found.
func statusLine(screen string) string {
	m := statusRE.FindStringSubmatch(screen)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1])
}

// metricsShown reports whether kdeck's pods list is live and its status line has no
// metrics note ("metrics not available yet", "metrics loading…"): its CPU and MEM columns
// show usage.
func metricsShown(screen string) bool {
	st := statusLine(screen)
	return screenCount(liveRE, st) >= 0 && !strings.Contains(st, "metrics")
}

// cpuPct is the CPU kdeck used between two samples, in % of one core.
func cpuPct(a, b soakSample) float64 {
	if b.at <= a.at {
		return 0
	}
	return 100 * float64(b.cpu-a.cpu) / float64(b.at-a.at)
}

// soakSummary is what the samples say.
type soakSummary struct {
	rssStart, rssEnd, rssMax int64   // KiB
	slope                    float64 // MiB per 10 minutes, least squares over the samples after warm-up
	growth                   float64 // % the fitted RSS grows from the warm-up's end to the soak's end
	trendSamples             int     // samples after warm-up (at least 3 make a trend)
	gorStart, gorEnd, gorMax int     // -1 when unknown
	cpuFirst, cpuLast        float64 // % of one core over the first and the last window
	threadsStart, threadsEnd int64
}

func summarize(samples []soakSample, window time.Duration) soakSummary {
	s := soakSummary{gorStart: -1, gorEnd: -1, gorMax: -1}
	if len(samples) == 0 {
		return s
	}
	first, last := samples[0], samples[len(samples)-1]
	s.rssStart, s.rssEnd, s.threadsStart, s.threadsEnd = first.rssKiB, last.rssKiB, first.threads, last.threads
	s.gorStart, s.gorEnd = first.goroutines, last.goroutines
	var x, y []float64
	for _, smp := range samples {
		s.rssMax = max(s.rssMax, smp.rssKiB)
		s.gorMax = max(s.gorMax, smp.goroutines)
		if smp.at >= window {
			x, y = append(x, smp.at.Minutes()), append(y, float64(smp.rssKiB)/1024)
		}
	}
	s.trendSamples = len(x)
	if slope, icept, ok := linearFit(x, y); ok && len(x) >= 3 {
		s.slope = slope * 10
		from := icept + slope*x[0]
		s.growth = 100 * slope * (x[len(x)-1] - x[0]) / from
	}
	// The first window ends at the first sample at or after it; the last starts at the last
	// sample at or before the end minus a window.
	for _, smp := range samples[1:] {
		if smp.at >= window || smp == last {
			s.cpuFirst = cpuPct(first, smp)
			break
		}
	}
	for i := len(samples) - 2; i >= 0; i-- {
		if samples[i].at <= last.at-window || i == 0 {
			s.cpuLast = cpuPct(samples[i], last)
			break
		}
	}
	return s
}

// linearFit is the least-squares line through (x, y): y = icept + slope·x.
func linearFit(x, y []float64) (slope, icept float64, ok bool) {
	n := float64(len(x))
	if len(x) < 2 || len(x) != len(y) {
		return 0, 0, false
	}
	var mx, my float64
	for i := range x {
		mx, my = mx+x[i], my+y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	if sxx == 0 {
		return 0, 0, false
	}
	slope = sxy / sxx
	return slope, my - slope*mx, true
}

// soakVerdicts judges a summary and the end of the soak by the budgets.
type soakVerdicts struct {
	rss, goroutines, cpu, live bool
}

func (v soakVerdicts) all() bool { return v.rss && v.goroutines && v.cpu && v.live }

func judge(s *soakResult, sum soakSummary) soakVerdicts {
	return soakVerdicts{
		rss:        sum.trendSamples >= 3 && sum.growth <= rssGrowthBudget,
		goroutines: sum.gorStart >= 0 && sum.gorEnd >= 0 && sum.gorEnd <= sum.gorStart+goroutineMargin,
		cpu:        len(s.samples) > 1 && sum.cpuFirst < churnCPUBudget && sum.cpuLast < churnCPUBudget,
		live:       s.endTotal >= 0 && s.endScreenCount == s.endTotal && !s.endStale && s.metricsEnd && s.linkLost == 0,
	}
}

// soakRows are the soak's table: what was measured, its value and its budget.
func soakRows(s *soakResult, o options) (header []string, rows [][]string, notes []string) {
	w := soakWindow(s.length)
	sum := summarize(s.samples, w)
	v := judge(s, sum)
	workload := fmt.Sprintf("soak: %s pods, %s changes/min, %s", count(s.size), count(o.churnPerMin), shortDur(s.length))
	if s.total != s.size {
		workload = fmt.Sprintf("soak: %s pods (%s in cluster), %s changes/min, %s", count(s.size), count(s.total), count(o.churnPerMin), shortDur(s.length))
	}
	header = []string{workload, "value", "budget"}
	gor := func(n int) string {
		if n < 0 {
			return "n/a"
		}
		return strconv.Itoa(n)
	}
	trend := "n/a (fewer than 3 samples after warm-up)"
	if sum.trendSamples >= 3 {
		trend = fmt.Sprintf("%+.2f MiB per 10 min, %+.1f%% (%d samples)", sum.slope, sum.growth, sum.trendSamples)
	}
	changed := s.churned.patched.Load() + s.churned.replaced.Load()
	screen := fmt.Sprintf("%q; the cluster has %s pods (%s at the start)", s.endStatus, count(s.endTotal), count(s.total))
	if s.endStale {
		screen += "; title says STALE"
	}
	screen += fmt.Sprintf("; link to the server lost %d times", s.linkLost)
	rows = [][]string{
		{"RSS start / end / max", fmt.Sprintf("%s / %s / %s", mib(sum.rssStart), mib(sum.rssEnd), mib(sum.rssMax)), ""},
		{fmt.Sprintf("RSS trend after warm-up (first %s left out)", shortDur(w)), trend, fmt.Sprintf("%s (growth ≤ %.0f%%)", mark(v.rss), rssGrowthBudget)},
		{"goroutines start / end / max", fmt.Sprintf("%s / %s / %s", gor(sum.gorStart), gor(sum.gorEnd), gor(sum.gorMax)),
			fmt.Sprintf("%s (end ≤ start + %d)", mark(v.goroutines), goroutineMargin)},
		{fmt.Sprintf("CPU first %s / last %s", shortDur(w), shortDur(w)), fmt.Sprintf("%.2f%% / %.2f%% of a core", sum.cpuFirst, sum.cpuLast),
			fmt.Sprintf("%s (< %.0f%%)", mark(v.cpu), churnCPUBudget)},
		{"OS threads start / end", fmt.Sprintf("%d / %d", sum.threadsStart, sum.threadsEnd), ""},
		{"pod changes applied", fmt.Sprintf("%s of %s planned (%s label patches, %s delete+create); %d failed, %d skipped",
			count(int(changed)), count(int(float64(o.churnPerMin)*s.length.Minutes())), count(int(s.churned.patched.Load())),
			count(int(s.churned.replaced.Load())), s.churned.failed.Load(), s.churned.skipped.Load()), ""},
		{"screen at the end", screen, fmt.Sprintf("%s (live, cluster's count, metrics shown, link never lost)", mark(v.live))},
		{"verdict", mark(v.all()), ""},
	}
	if s.kdeckErr != "" {
		rows[len(rows)-1][1] = "FAIL (the soak did not finish)"
	}
	notes = append(notes,
		fmt.Sprintf("kdeck -A on the pods view in a %dx%d pane, metrics on screen at the start: %v; loaded %s pods in %s (trace)",
			o.width, o.height, s.metricsStart, count(s.total), secs(s.loaded)),
		fmt.Sprintf("sampled every %s: RSS from /proc/PID/status VmRSS, CPU from /proc/PID/stat utime+stime, goroutines from kdeck's bench trace (KDECK_BENCH_GOROUTINES)", shortDur(s.every)),
		"the RSS trend is the least-squares line through the samples after warm-up; growth is that line's rise from the warm-up's end to the soak's end against its value then",
		fmt.Sprintf("apiserver and etcd before kdeck started: %.0f%% of a core over %s; load average (1/5/15 min) before %s, after %s; kwok (the node emulator) ran during the soak",
			s.serverCPU, shortDur(quietWindow), s.loadBefore, s.loadAfter))
	if s.endTotal >= 0 && s.endTotal != s.total {
		notes = append(notes, fmt.Sprintf("the cluster went from %s to %s pods during the churn, which replaces pods under the same name (kwok's pod-delete stage, when behind, can delete the new pod; see its log)",
			count(s.total), count(s.endTotal)))
	}
	if s.kdeckErr != "" {
		notes = append(notes, "the soak failed: "+firstLine(s.kdeckErr))
	}
	return header, rows, notes
}

// printSoak writes the soak's table and notes, plain then markdown, and the samples.
func printSoak(w io.Writer, s *soakResult, o options) {
	header, rows, notes := soakRows(s, o)
	writePlain(w, header, rows, notes)
	fmt.Fprintln(w)
	var samples [][]string
	for i, smp := range s.samples {
		cpu := ""
		if i > 0 {
			cpu = fmt.Sprintf("%.2f%%", cpuPct(s.samples[i-1], smp))
		}
		samples = append(samples, []string{minSec(smp.at), mib(smp.rssKiB), cpu, strconv.Itoa(smp.goroutines), strconv.FormatInt(smp.threads, 10)})
	}
	writePlain(w, []string{"time", "RSS", "CPU since the last", "goroutines", "threads"}, samples, nil)
	fmt.Fprintln(w)
	writeMarkdown(w, header, rows, notes)
}

// minSec renders a duration as m:ss.
func minSec(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
