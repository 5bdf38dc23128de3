//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// tmuxServer is a private tmux server (its own socket) that keeps dead panes readable.
type tmuxServer struct{ socket string }

func startTmux() (*tmuxServer, error) {
	t := &tmuxServer{socket: fmt.Sprintf("kdeck-bench-%d", os.Getpid())}
	if _, err := t.run("new-session", "-d", "-s", "idle", "-x", "80", "-y", "24", "sleep 86400"); err != nil {
		return nil, err
	}
	if _, err := t.run("set-option", "-g", "remain-on-exit", "on"); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *tmuxServer) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-u", "-L", t.socket}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("tmux %s: %v: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// close ends the private server and everything running in it.
func (t *tmuxServer) close() { _, _ = t.run("kill-server") }

// pane is one program running in a session of its own.
type pane struct {
	t       *tmuxServer
	session string
	pid     int
}

// start runs argv (exec'd, so the pane's process is the program itself) with env in a
// width × height session.
func (t *tmuxServer) start(session string, width, height int, env []string, argv []string) (*pane, error) {
	cmd := "exec env " + strings.Join(quote(env), " ") + " " + strings.Join(quote(argv), " ")
	if _, err := t.run("new-session", "-d", "-s", session, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), cmd); err != nil {
		return nil, err
	}
	p := &pane{t: t, session: session}
	out, err := t.run("display-message", "-p", "-t", session, "#{pane_pid}")
	if err != nil {
		return p, err
	}
	p.pid, err = strconv.Atoi(strings.TrimSpace(out))
	return p, err
}

// screen returns the pane's text.
func (p *pane) screen() string {
	out, _ := p.t.run("capture-pane", "-p", "-t", p.session)
	return out
}

// send types tmux keys ("a", "BSpace", "Escape").
func (p *pane) send(keys ...string) error {
	_, err := p.t.run(append([]string{"send-keys", "-t", p.session}, keys...)...)
	return err
}

// sendLiteral types s character by character as literal text.
func (p *pane) sendLiteral(s string) error {
	_, err := p.t.run("send-keys", "-t", p.session, "-l", s)
	return err
}

// alive reports whether the pane's process still runs.
func (p *pane) alive() bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return false
	}
	st, _ := statFields(string(b))
	return len(st) > 0 && st[0] != "Z"
}

// close kills the session.
func (p *pane) close() { _, _ = p.t.run("kill-session", "-t", p.session) }

func quote(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return out
}

// The title bar and status line as kdeck draws them: "pods(all)[10,000]", "live · 10,000 pods".
var (
	titleRE = regexp.MustCompile(`pods\(all\)\[([\d,]+)\]`)
	liveRE  = regexp.MustCompile(`live \S+ ([\d,]+) pods`)
)

// screenCount returns the number in re's first group on screen, or -1.
func screenCount(re *regexp.Regexp, screen string) int {
	m := re.FindStringSubmatch(screen)
	if m == nil {
		return -1
	}
	n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	if err != nil {
		return -1
	}
	return n
}

// statFields returns the fields of a /proc/PID/stat line after the command name, so
// index 0 is field 3 (state) of proc(5).
func statFields(stat string) ([]string, bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, false
	}
	return strings.Fields(stat[i+1:]), true
}

// cpuTime is a process's user+system CPU time from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	d, ok := statCPU(string(b))
	if !ok {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	return d, nil
}

// statCPU is utime+stime (fields 14 and 15) of a /proc/PID/stat line.
func statCPU(stat string) (time.Duration, bool) {
	f, ok := statFields(stat)
	if !ok || len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * (time.Second / 100), true // USER_HZ is 100
}

// memKiB reads a "Vm…:  N kB" line (VmRSS, VmHWM) of /proc/PID/status.
func memKiB(pid int, field string) (int64, error) { return procStatus(pid, field) }

// procStatus reads the number on a line of /proc/PID/status: "VmRSS:  N kB" (in KiB),
// "Threads:  N".
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	v, ok := statusField(string(b), field)
	if !ok {
		return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
	}
	return v, nil
}

// statusField is the number on field's line of a /proc/PID/status text.
func statusField(status, field string) (int64, bool) {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, err := strconv.ParseInt(f[0], 10, 64)
				return v, err == nil
			}
		}
	}
	return 0, false
}

// loadAvg is the machine's 1-minute load average, as text.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
