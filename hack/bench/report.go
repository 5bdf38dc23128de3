//go:build linux

package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// budget is one row of the budgets table in docs/ARCHITECTURE.md.
type budget struct {
	name              string
	firstRows, loaded time.Duration
	rssMiB, filterMS  float64
}

// Budgets from docs/ARCHITECTURE.md; under churn CPU < 5% of a core and RSS growth ≤ 5%. A
// filter budget of 0 is none (100k pods has no filter budget: its p99 is shown unmarked).
var (
	budget10k  = budget{"10k", 250 * time.Millisecond, 1500 * time.Millisecond, 100, 10}
	budget50k  = budget{"50k", 300 * time.Millisecond, 5 * time.Second, 200, 16}
	budget100k = budget{"100k", 300 * time.Millisecond, 10 * time.Second, 150, 0}
)

const (
	churnCPUBudget  = 5.0 // % of one core
	rssGrowthBudget = 5.0 // %
	// floorRatioGoal is how far kdeck's full load may be from the floor's (a goal, shown
	// beside the ratio).
	floorRatioGoal = 1.2
)

// budgetFor picks the budget row a size is judged by: sizes up to 10k by the 10k row, up
// to 50k by the 50k row, larger by the 100k row.
func budgetFor(size int) budget {
	switch {
	case size <= 10000:
		return budget10k
	case size <= 50000:
		return budget50k
	}
	return budget100k
}

var header = []string{"workload", "kdeck first rows", "kdeck full load", "kdeck peak RSS", "filter p99",
	"CPU under churn", "RSS growth"}

// peersHeader is the header of the table of kdeck beside the floor, k9s and kubectl.
var peersHeader = []string{"workload", "floor all rows", "kdeck all rows", "k9s all rows", "kubectl get pods -A",
	"floor peak RSS", "kdeck peak RSS", "k9s peak RSS", "kubectl peak RSS"}

func mark(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// cells renders one result as table cells, each value with its budget and mark.
func cells(r *result, o options) []string {
	b := budgetFor(r.size)
	workload := count(r.size) + " pods"
	if r.total != r.size {
		workload += fmt.Sprintf(" (%s in cluster)", count(r.total))
	}
	dur := func(d, limit time.Duration) string {
		if d == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%s %s (< %s)", secs(d), mark(d < limit), secs(limit))
	}
	rss := "n/a"
	if r.hwmKiB > 0 {
		rss = fmt.Sprintf("%s %s (< %.0f MiB)", mib(r.hwmKiB), mark(float64(r.hwmKiB)/1024 < b.rssMiB), b.rssMiB)
	}
	filter := r.filterNote
	if p := percentile(r.filterMS, 99); filter == "" && len(r.filterMS) > 0 && b.filterMS > 0 {
		filter = fmt.Sprintf("%.2f ms %s (< %.0f ms)", p, mark(p < b.filterMS), b.filterMS)
	} else if filter == "" && len(r.filterMS) > 0 {
		filter = fmt.Sprintf("%.2f ms (no budget)", p)
	} else if filter == "" {
		filter = "n/a"
	}
	cpu, growth := "n/a", "n/a"
	if r.rssStartKiB > 0 && r.rssEndKiB > 0 {
		cpu = fmt.Sprintf("%.2f%% %s (< %.0f%%, %s)", r.churnCPU, mark(r.churnCPU < churnCPUBudget), churnCPUBudget, shortDur(o.churn))
		if _, _, g, ok := rssTrend(r.rssChurnKiB); ok {
			growth = fmt.Sprintf("%+.1f%% %s (≤ %.0f%%)", g, mark(g <= rssGrowthBudget), rssGrowthBudget)
		}
	}
	return []string{workload, dur(r.firstRows, b.firstRows), dur(r.loaded, b.loaded), rss, filter, cpu, growth}
}

// peerCells renders one result as a row of peersHeader: each program's full load and
// peak RSS, kdeck's against the floor's, k9s's and kubectl's against kdeck's.
func peerCells(r *result) []string {
	kdeck := peer{loaded: r.loaded, rssKiB: r.hwmKiB}
	if r.kdeckErr != "" {
		kdeck.err = r.kdeckErr
	}
	all := peerTime(kdeck)
	if kdeck.measured() && r.floor.measured() {
		x := r.loaded.Seconds() / r.floor.loaded.Seconds()
		all = fmt.Sprintf("%s (%.2f× floor %s ≤ %.1f×)", secs(r.loaded), x, mark(x <= floorRatioGoal), floorRatioGoal)
	}
	return []string{count(r.size) + " pods", peerTime(r.floor), all,
		peerTime(r.k9s) + ratio(r.k9s.loaded, kdeck, "kdeck"), peerTime(r.kubectl) + ratio(r.kubectl.loaded, kdeck, "kdeck"),
		mib(r.floor.rssKiB), mib(r.hwmKiB),
		mib(r.k9s.rssKiB) + ratioKiB(r.k9s.rssKiB, r.hwmKiB), mib(r.kubectl.rssKiB) + ratioKiB(r.kubectl.rssKiB, r.hwmKiB)}
}

// peerTime is a peer's full load, or why there is none.
func peerTime(p peer) string {
	switch {
	case p.skipped != "":
		return "skipped"
	case p.err != "":
		return "failed"
	case p.loaded == 0:
		return "n/a"
	}
	return secs(p.loaded)
}

// ratio is " (N× of)": d against what's full load, or "" when either is missing.
func ratio(d time.Duration, what peer, of string) string {
	if d == 0 || !what.measured() {
		return ""
	}
	return fmt.Sprintf(" (%.1f× %s)", d.Seconds()/what.loaded.Seconds(), of)
}

// ratioKiB is " (N× kdeck)" for a peak RSS against kdeck's, or "".
func ratioKiB(kib, kdeck int64) string {
	if kib <= 0 || kdeck <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%.1f× kdeck)", float64(kib)/float64(kdeck))
}

// peerNote says how a peer was measured and what each run gave.
func peerNote(name string, p peer) string {
	switch {
	case p.skipped != "":
		return name + ": " + p.skipped
	case p.err != "":
		return name + " failed: " + firstLine(p.err)
	}
	var each []string
	for _, d := range p.runs {
		each = append(each, secs(d))
	}
	n := fmt.Sprintf("%s: median of %d runs (%s), %s rows", name, len(p.runs), strings.Join(each, ", "), count(p.rows))
	if p.firstRows > 0 {
		n += ", first rows " + secs(p.firstRows)
	}
	if len(p.failed) > 0 {
		n += fmt.Sprintf("; %d more failed: %s", len(p.failed), strings.Join(p.failed, "; "))
	}
	return n
}

// notes are the details behind each row: screen-polled times, idle CPU, churn, load.
func notes(r *result, o options) []string {
	var n []string
	n = append(n, fmt.Sprintf("%s pods: budgets of the %s row; screen-polled (tmux, %s, from the tmux command): first rows %s, full load %s",
		count(r.size), budgetFor(r.size).name, o.poll, secs(r.firstRowsScreen), secs(r.loadedScreen)),
		fmt.Sprintf("kdeck took the busy server for a silent one %d times during the loads (kube.Link; want 0)", r.linkLost))
	if len(r.loadRuns) > 1 {
		var each []string
		for _, d := range r.loadRuns {
			each = append(each, secs(d))
		}
		n = append(n, fmt.Sprintf("load times are the median of %d starts of kdeck (full load: %s); the last one goes on to the filter and churn",
			len(r.loadRuns), strings.Join(each, ", ")))
	}
	if r.traceConnected > 0 {
		n = append(n, fmt.Sprintf("kdeck start-up (trace, the last start): packages initialised %s, first server answer %s; CPU used until fully loaded %s (the rest of the load time is waiting for the server)",
			secs(r.traceMain), secs(r.traceConnected), secs(r.loadCPU)))
	}
	if len(r.filterMS) > 0 {
		n = append(n, fmt.Sprintf("filter: %d timed keystrokes, median %.2f ms, p99 %.2f ms, max %.2f ms",
			len(r.filterMS), percentile(r.filterMS, 50), percentile(r.filterMS, 99), percentile(r.filterMS, 100)))
	}
	if r.returnScreen > 0 {
		n = append(n, fmt.Sprintf("back on the pods after :deploy: first frame %.1f ms after taking over the warm store (trace), full list on screen %s after the Enter (tmux) %s (< 0.1 s); %d new LIST or WatchList (want 0)",
			r.returnMS, secs(r.returnScreen), mark(r.returnScreen < 100*time.Millisecond && r.returnLoads == 0), r.returnLoads))
	}
	if r.anonKiB > 0 {
		n = append(n, fmt.Sprintf("RSS after load and filter: %s anonymous (heap, stacks) + %s file-backed (the mapped binary); both programs started from disk, not from the page cache",
			mib(r.anonKiB), mib(r.fileKiB)))
	}
	if o.idle > 0 && r.hwmKiB > 0 {
		n = append(n, fmt.Sprintf("CPU with no churn: %.2f%% of a core over %s", r.idleCPU, shortDur(o.idle)))
	}
	if r.rssStartKiB > 0 {
		n = append(n, fmt.Sprintf("churn: %d label patches, %d delete+create, %d failed, %d skipped (server too slow) in %s; RSS %s → %s, peak %s at the end",
			r.churned.patched.Load(), r.churned.replaced.Load(), r.churned.failed.Load(), r.churned.skipped.Load(), shortDur(o.churn),
			mib(r.rssStartKiB), mib(r.rssEndKiB), mib(r.hwmEndKiB)))
		if first, last, _, ok := rssTrend(r.rssChurnKiB); ok {
			n = append(n, fmt.Sprintf("RSS growth is the peak of the last third of the churn (%s) against the first third's (%s), sampled once a second",
				mib(last), mib(first)))
		}
	}
	quiet := "quiet"
	if !r.serverQuiet {
		quiet = "still busy after " + shortDur(quietTimeout)
	}
	n = append(n, fmt.Sprintf("apiserver and etcd before kdeck started: %.0f%% of a core over %s (%s); load average (1/5/15 min) before %s, after %s",
		r.serverCPU, shortDur(quietWindow), quiet, r.loadBefore, r.loadAfter))
	if r.emulatorPaused {
		n = append(n, "kwok, the node emulator, was paused while kdeck and kubectl loaded (it is 1.5-1.9 cores of CPU at 50k pods that a real cluster spends on its nodes; see hack/bench/emulator.go, -pause-emulator=false to keep it running)")
	}
	if r.kdeckErr != "" {
		n = append(n, "kdeck failed: "+firstLine(r.kdeckErr))
	}
	return n
}

// printPlain writes the results as aligned text tables followed by their notes: the
// budgets, then kdeck beside the floor, k9s and kubectl.
func printPlain(w io.Writer, results []*result, o options) {
	rows, ns := benchRows(results, o)
	writePlain(w, header, rows, ns)
	fmt.Fprintln(w)
	rows, ns = comparisonRows(results)
	writePlain(w, peersHeader, rows, ns)
}

// printMarkdown writes the same results as markdown tables and lists, to paste into notes.
func printMarkdown(w io.Writer, results []*result, o options) {
	rows, ns := benchRows(results, o)
	writeMarkdown(w, header, rows, ns)
	fmt.Fprintln(w)
	rows, ns = comparisonRows(results)
	writeMarkdown(w, peersHeader, rows, ns)
}

func comparisonRows(results []*result) (rows [][]string, ns []string) {
	for _, r := range results {
		rows = append(rows, peerCells(r))
	}
	ns = append(ns, "every program started from disk with kwok paused, loading the pods of all namespaces; "+
		"kdeck and the floor from their own traces (since process start), k9s screen-polled until its title shows every pod (from the tmux command), kubectl's wall time")
	for _, r := range results {
		s := count(r.size) + " pods, "
		ns = append(ns, peerNote(s+"the floor (hack/bench/floor: client-go, protobuf, WatchList into compact rows, no UI)", r.floor),
			peerNote(s+"k9s "+k9sVersion+" -A -c pods --splashless --headless --readonly", r.k9s),
			peerNote(s+"kubectl get pods -A", r.kubectl))
	}
	return rows, ns
}

func benchRows(results []*result, o options) (rows [][]string, ns []string) {
	for _, r := range results {
		rows = append(rows, cells(r, o))
	}
	for _, r := range results {
		ns = append(ns, notes(r, o)...)
	}
	return rows, ns
}

// writePlain writes an aligned text table followed by its notes, indented.
func writePlain(w io.Writer, header []string, rows [][]string, notes []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	for _, n := range notes {
		fmt.Fprintln(w, "  "+n)
	}
}

// writeMarkdown writes a markdown table followed by its notes as a list.
func writeMarkdown(w io.Writer, header []string, rows [][]string, notes []string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(header)))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintln(w, "- "+n)
	}
}

func secs(d time.Duration) string {
	if d == 0 {
		return "n/a"
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%.3f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// shortDur renders 60s as "1m" and 10s as "10s".
func shortDur(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

func mib(kib int64) string {
	if kib <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", math.Round(float64(kib)/1024))
}

// count renders n with thousands separators, as kdeck does.
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
