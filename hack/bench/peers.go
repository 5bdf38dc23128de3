//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// k9sVersion is the k9s measured beside kdeck; it builds from the Go module proxy.
const k9sVersion = "v0.50.16"

// peer is what one program measured beside kdeck did at one size: the floor (a bare
// client-go WatchList into rows, hack/bench/floor), k9s or kubectl. Times and RSS are the
// medians of its runs, each started from disk with the node emulator paused, as kdeck is.
type peer struct {
	firstRows, loaded time.Duration   // from its start; firstRows is 0 when it does not say
	runs              []time.Duration // every run's loaded
	rssKiB            int64           // peak RSS
	rows              int             // rows it printed or showed
	err               string          // why every run failed
	failed            []string        // why some runs failed (the others are summarised)
	skipped           string          // why it was not run
}

// measured reports whether p holds a figure.
func (p peer) measured() bool { return p.err == "" && p.skipped == "" && p.loaded > 0 }

// sample is one timed run of a peer.
type sample struct {
	firstRows, loaded time.Duration
	rssKiB            int64
	rows              int
}

// fail records a failed run: its reason, and the peer's when no run succeeds.
func (p *peer) fail(name string, err error) {
	p.failed = append(p.failed, firstLine(err.Error()))
	p.err = err.Error()
	logf("%s: %s", name, p.err)
}

// summarise fills p with the medians of runs; with any run, p has not failed.
func (p *peer) summarise(runs []sample) {
	if len(runs) == 0 {
		return
	}
	p.err = ""
	p.firstRows = median(runs, func(r sample) time.Duration { return r.firstRows })
	p.loaded = median(runs, func(r sample) time.Duration { return r.loaded })
	p.rssKiB = median(runs, func(r sample) int64 { return r.rssKiB })
	p.rows = median(runs, func(r sample) int { return r.rows })
	for _, r := range runs {
		p.runs = append(p.runs, r.loaded)
	}
}

// runOnce runs argv from disk (dropped from the page cache first) with env added and the
// node emulator paused, and returns its wall time and peak RSS.
//
// The peak RSS is GNU time's (/usr/bin/time), when there is one: the rusage of a child
// started from the benchmark itself counts the benchmark's own RSS at the fork (a Go
// child is cloned sharing the parent's memory until it execs), tens of MiB more than the
// program's. Without GNU time it is that rusage, an overestimate.
func runOnce(ctx context.Context, emu *emulator, argv, env []string, stdout io.Writer) (time.Duration, int64, error) {
	if err := evictFromPageCache(argv[0]); err != nil {
		logf("could not drop %s from the page cache: %v", argv[0], err)
	}
	rssFile := ""
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		f, err := os.CreateTemp("", "kdeck-bench-rss-")
		if err != nil {
			return 0, 0, err
		}
		f.Close()
		defer os.Remove(f.Name())
		rssFile = f.Name()
		argv = append([]string{"/usr/bin/time", "-f", "%M", "-o", rssFile}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	// a group of its own, ended whole when ctx ends: GNU time's child too
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	resume := emu.pause()
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	resume()
	if err != nil {
		return wall, 0, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var rss int64
	if rssFile != "" {
		b, err := os.ReadFile(rssFile)
		if err != nil {
			return wall, 0, err
		}
		rss, err = strconv.ParseInt(lastLine(b), 10, 64) // KiB
		if err != nil {
			return wall, 0, fmt.Errorf("GNU time's peak RSS: %w", err)
		}
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	return wall, rss, nil
}

// measureFloor runs the floor o.loadRuns times on the contexts given ("" for the current
// one). Its times are from its trace, since its process start, like kdeck's.
func measureFloor(ctx context.Context, o options, emu *emulator, floor, kubeconfig, contexts, tmp, tag string) peer {
	var p peer
	var runs []sample
	for i := range o.loadRuns {
		tracePath := filepath.Join(tmp, fmt.Sprintf("floor-%s-%d.txt", tag, i))
		_ = os.Remove(tracePath)
		var out bytes.Buffer
		wall, rss, err := runOnce(ctx, emu, []string{floor, "--kubeconfig", kubeconfig, "--context", contexts},
			[]string{"KDECK_BENCH_TRACE=" + tracePath}, &out)
		if err != nil {
			p.fail("floor", err)
			continue
		}
		tr := readTrace(tracePath)
		r := sample{firstRows: tr.firstRows, loaded: tr.loaded, rssKiB: rss}
		r.rows, _ = strconv.Atoi(strings.TrimSpace(out.String()))
		if r.loaded == 0 {
			r.loaded = wall
		}
		logf("floor: first rows %s, loaded %s, %s rows, peak RSS %s", secs(r.firstRows), secs(r.loaded), count(r.rows), mib(rss))
		runs = append(runs, r)
	}
	p.summarise(runs)
	return p
}

// measureKubectl times `kubectl get pods -A` o.loadRuns times (wall time from its start).
func measureKubectl(ctx context.Context, o options, emu *emulator, kubectl, kubeconfig string) peer {
	var p peer
	var runs []sample
	for range o.loadRuns {
		lines := &lineCounter{}
		wall, rss, err := runOnce(ctx, emu, []string{kubectl, "--kubeconfig", kubeconfig, "get", "pods", "-A"}, nil, lines)
		if err != nil {
			p.fail("kubectl", err)
			continue
		}
		logf("kubectl get pods -A: %s, peak RSS %s, %s lines", secs(wall), mib(rss), count(lines.n))
		runs = append(runs, sample{loaded: wall, rssKiB: rss, rows: lines.n - 1}) // less its header
	}
	p.summarise(runs)
	return p
}

// measureK9s runs k9s on the pods of all namespaces in tmux o.loadRuns times, each until
// its title shows every pod (`pods(all)[50,013]`), with a scratch home and XDG folders so
// it neither reads nor writes the user's; its peak RSS is read from /proc before it is
// closed. An empty k9s path is a skip, with the reason in note.
func measureK9s(o options, tm *tmuxServer, emu *emulator, k9s, note, kubeconfig, tmp string, total int) peer {
	if k9s == "" {
		return peer{skipped: note}
	}
	home := filepath.Join(tmp, "k9s-home")
	env := []string{"TERM=xterm-256color", "HOME=" + home, "K9S_CONFIG_DIR=" + filepath.Join(home, "k9s"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache")}
	l := launch{argv: []string{k9s, "--kubeconfig", kubeconfig, "-A", "-c", "pods", "--splashless", "--headless", "--readonly"},
		env: env, comm: "k9s",
		firstRows: func(s string) bool { return screenCount(titleRE, s) > 0 },
		loaded:    func(s string) bool { return screenCount(titleRE, s) == total }}
	var p peer
	var runs []sample
	for i := range o.loadRuns {
		lr, err := timedLoad(o, tm, emu, fmt.Sprintf("k9s-%d-%d", total, i), l)
		var rss int64
		if err == nil {
			rss, err = memKiB(lr.p.pid, "VmHWM")
		}
		if lr != nil && lr.p != nil {
			lr.p.close()
		}
		if err != nil {
			p.fail("k9s", err)
			continue
		}
		logf("k9s: peak RSS %s", mib(rss))
		runs = append(runs, sample{firstRows: lr.firstRowsScreen, loaded: lr.loadedScreen, rssKiB: rss, rows: total})
		time.Sleep(2 * time.Second) // its memory handed back before the next
	}
	p.summarise(runs)
	return p
}

// ensureK9s returns the k9s to measure: o.k9s when it names a program, else k9sVersion
// built with `go install` into the user cache dir (once; a cold build takes minutes). An
// empty path means k9s is skipped, and note says why.
func ensureK9s(ctx context.Context, o options) (path, note string) {
	switch o.k9s {
	case "off":
		return "", "skipped (-k9s off)"
	case "", "auto":
	default:
		return o.k9s, ""
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", "skipped: no cache dir to build it in: " + err.Error()
	}
	dir := filepath.Join(cache, "kdeck", "bench", "bin", "k9s-"+k9sVersion)
	path = filepath.Join(dir, "k9s")
	if _, err := os.Stat(path); err == nil {
		return path, ""
	}
	logf("building k9s %s into %s (cold: several minutes)", k9sVersion, dir)
	build := exec.CommandContext(ctx, "go", "install", "-trimpath", "github.com/derailed/k9s@"+k9sVersion)
	build.Env = append(os.Environ(), "GOBIN="+dir)
	build.Dir = os.TempDir() // outside any module: go install pkg@version
	if out, err := build.CombinedOutput(); err != nil {
		note = fmt.Sprintf("skipped: go install github.com/derailed/k9s@%s failed: %v: %s", k9sVersion, err, lastLine(out))
		logf("k9s %s", note)
		return "", note
	}
	return path, ""
}

// lineCounter counts the lines written to it.
type lineCounter struct{ n int }

func (l *lineCounter) Write(b []byte) (int, error) {
	l.n += bytes.Count(b, []byte{'\n'})
	return len(b), nil
}
