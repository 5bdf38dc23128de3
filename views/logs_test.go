package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/ui/uitest"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// fixtureLogs is a web server's log ending in an error, then a crash's stack trace.
func fixtureLogs(n int) []kube.LogLine {
	paths := []string{"/api/v1/products", "/api/v1/cart", "/healthz", "/api/v1/orders"}
	var lines []kube.LogLine
	for i := range n {
		t := fixedNow.Add(time.Duration(i-n) * 700 * time.Millisecond)
		text := fmt.Sprintf(`level=info msg="request served" method=GET path=%s status=200 duration=%dms trace_id=%08x`, paths[i%4], i*37%180+2, i*2654435761%4294967296)
		if i%11 == 7 {
			text = `level=error msg="upstream timeout" upstream=payments-api.payments:443 attempt=2 err="context deadline exceeded"`
		}
		lines = append(lines, kube.LogLine{Time: t, Container: "app", Text: text})
	}
	return lines
}

// logsPage returns a single-pod logs page holding lines, as the stream would have left it.
func logsPage(env *ui.Env, lines []kube.LogLine, st kube.LogStatus) *LogsPage {
	p := NewPodLogs(env, "shop", "web-6b7f9c8d7d-x7k2p", false)
	p.resolved, p.opts.Container = true, "app"
	p.pc = kube.PodContainers{Default: "app", Containers: []kube.ContainerInfo{
		{Name: "migrate", Init: true}, {Name: "app", Restarts: 2}, {Name: "envoy"}}}
	p.apply(kube.LogBatch{Lines: lines, Status: st})
	return p
}

// frame draws the whole app around page at w × h, as plain text unless styled.
func frame(env *ui.Env, page ui.Page, w, h int) string {
	app := ui.New(env, Registry, ui.ViewSpec{Name: "logs", New: func(*ui.Env, string) ui.Page { return page }})
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app.View().Content
}

func press(p ui.Page, keys ...string) {
	for _, k := range keys {
		p.Update(uitest.Key(k))
	}
}

func typeText(p ui.Page, s string) {
	for _, r := range s {
		p.Update(uitest.Key(string(r)))
	}
}

var streaming = kube.LogStatus{Phase: kube.LogStreaming, Text: "streaming"}

func TestLogsGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}, {20, 5}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			env := testEnv("shop")
			golden.RequireEqual(t, ansi.Strip(frame(env, logsPage(env, fixtureLogs(60), streaming), size[0], size[1])))
		})
	}
	t.Run("paused-wrapped-stamps-search", func(t *testing.T) {
		env := testEnv("shop")
		p := logsPage(env, fixtureLogs(60), streaming)
		frame(env, p, 100, 20)
		press(p, "space", "w", "t", "/")
		typeText(p, "TIMEOUT")
		press(p, "enter")
		p.apply(kube.LogBatch{Lines: fixtureLogs(120), Status: streaming})
		out := ansi.Strip(frame(env, p, 100, 20))
		golden.RequireEqual(t, out)
		for _, want := range []string{"paused (+120 new) /TIMEOUT", "2026-11-23T11:59:"} {
			if !strings.Contains(out, want) {
				t.Errorf("screen lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("selector", func(t *testing.T) {
		env := testEnv("shop")
		page := NewSelectorLogs(env, "shop", "app=web", "shop/deploy/web")
		p := page.(*LogsPage)
		var lines []kube.LogLine
		for i, l := range fixtureLogs(30) {
			l.Pod = []string{"web-6b7f9c8d7d-x7k2p", "web-6b7f9c8d7d-9fj2w", "web-canary-84c6d9f5b-q2w3e"}[i%3]
			lines = append(lines, l)
		}
		lines = append(lines, kube.LogLine{Pod: "web-6b7f9c8d7d-9fj2w", Kind: kube.LogNote, Text: "pod deleted"})
		p.apply(kube.LogBatch{Lines: lines, Status: kube.LogStatus{Phase: kube.LogStreaming, Text: "streaming 3 pods"}})
		out := ansi.Strip(frame(env, p, 120, 16))
		golden.RequireEqual(t, out)
		for _, want := range []string{"web-x7k2p level=info", "web-canary-q2w3e level=", "web-9fj2w ── pod deleted", "logs shop/deploy/web following", "streaming 3 pods"} {
			if !strings.Contains(out, want) {
				t.Errorf("screen lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("picker", func(t *testing.T) {
		env := testEnv("shop")
		p := logsPage(env, fixtureLogs(60), streaming)
		press(p, "c")
		golden.RequireEqual(t, ansi.Strip(frame(env, p, 80, 16)))
	})
	t.Run("failed", func(t *testing.T) {
		env := testEnv("payments")
		p := NewPodLogs(env, "payments", "fraud-scorer-0", true)
		p.apply(kube.LogBatch{Status: kube.LogStatus{Phase: kube.LogFailed,
			Err: &kube.Error{Kind: kube.KindInvalid, Err: fmt.Errorf(`previous terminated container "fraud-scorer" in pod "fraud-scorer-0" not found`)}}})
		out := ansi.Strip(frame(env, p, 100, 8))
		golden.RequireEqual(t, out)
		if !strings.Contains(out, `previous terminated container "fraud-scorer" in pod "fraud-scorer-0" not found`) {
			t.Errorf("the server's refusal is not shown as is:\n%s", out)
		}
	})
}

// Following shows the newest lines as they come; space freezes the screen and counts
// what arrives; space again follows again.
func TestLogsPauseResume(t *testing.T) {
	env := testEnv("shop")
	p := logsPage(env, fixtureLogs(10), streaming)
	before := ansi.Strip(p.View(80, 5))
	if !strings.Contains(before, "level=info") || p.Title() != "logs shop/web-6b7f9c8d7d-x7k2p [app] following" {
		t.Fatalf("title %q, view:\n%s", p.Title(), before)
	}
	press(p, "space")
	p.apply(kube.LogBatch{Lines: []kube.LogLine{{Text: "NEW LINE"}}, Status: streaming})
	if got := ansi.Strip(p.View(80, 5)); got != before {
		t.Fatalf("paused screen moved:\n%s\nwas:\n%s", got, before)
	}
	if !strings.HasSuffix(p.Title(), "paused (+1 new)") {
		t.Fatalf("title %q", p.Title())
	}
	press(p, "space")
	if got := ansi.Strip(p.View(80, 5)); !strings.Contains(got, "NEW LINE") || !strings.HasSuffix(p.Title(), "following") {
		t.Fatalf("resumed screen lacks the new line:\n%s", got)
	}
	press(p, "up")
	if !p.paused {
		t.Fatalf("scrolling up does not pause follow")
	}
	press(p, "G")
	if p.paused {
		t.Fatalf("G does not resume follow")
	}
}

// Search finds the newest match first, n goes to older ones, N back, wrapping around.
func TestLogsSearch(t *testing.T) {
	env := testEnv("shop")
	var lines []kube.LogLine
	for i := range 100 {
		lines = append(lines, kube.LogLine{Text: fmt.Sprintf("line %d", i)})
	}
	lines[20].Text, lines[70].Text = "needle one", "a NEEDLE two"
	p := logsPage(env, lines, streaming)
	p.View(80, 10)
	press(p, "/")
	if !p.Capturing() {
		t.Fatalf("the search prompt does not capture keys")
	}
	typeText(p, "needle")
	press(p, "enter")
	check := func(want int64) {
		t.Helper()
		if p.match != want {
			t.Fatalf("match at %d, want %d", p.match, want)
		}
		if view := p.View(80, 10); !strings.Contains(ansi.Strip(view), lines[want].Text) {
			t.Fatalf("the match is not on screen:\n%s", ansi.Strip(view))
		}
	}
	check(70)
	press(p, "n")
	check(20)
	press(p, "n")
	check(70) // wrapped around
	press(p, "N")
	check(20)
	if !p.Escape() || p.query != "" {
		t.Fatalf("esc does not clear the search")
	}
	press(p, "/")
	typeText(p, "absent")
	press(p, "enter")
	if f := p.Freshness(); !strings.Contains(f.Text, `no match for "absent"`) {
		t.Fatalf("status %q", f.Text)
	}
}

// Dropped lines are announced at the top of the oldest held line.
func TestLogsDroppedNotice(t *testing.T) {
	env := testEnv("shop")
	p := logsPage(env, nil, streaming)
	p.apply(kube.LogBatch{Dropped: 12_345, Lines: fixtureLogs(3), Status: streaming})
	if out := ansi.Strip(p.View(80, 10)); !strings.Contains(out, "… 12,345 older lines dropped") {
		t.Fatalf("no dropped notice:\n%s", out)
	}
}

// Escape sequences, tabs, control characters and C1 bytes in a log line cannot break the
// screen: they are shown, never sent to the terminal.
func TestCleanLine(t *testing.T) {
	if got := cleanLine("\x1b[31mred\x1b[0m\tafter\x07bell \u009b2J \x9b"); got != `^[[31mred^[[0m    after^Gbell \u009b2J \x9b` {
		t.Fatalf("cleanLine = %q", got)
	}
	if got := shortPod("web-6b7f9c8d7d-x7k2p"); got != "web-x7k2p" {
		t.Fatalf("shortPod = %q", got)
	}
	if got := shortPod("db-0"); got != "db-0" {
		t.Fatalf("shortPod = %q", got)
	}
}

// Every size from 1x1 to 200x40, wrapped or not, with the picker and search open, draws
// exactly the requested lines, none wider than the terminal.
func TestLogsEverySize(t *testing.T) {
	env := testEnv("shop")
	lines := fixtureLogs(50)
	lines = append(lines, kube.LogLine{Text: strings.Repeat("界", 300)})
	pages := map[string]*LogsPage{}
	for _, mode := range []string{"follow", "wrap", "picker", "search", "paused"} {
		p := logsPage(env, lines, streaming)
		switch mode {
		case "wrap":
			press(p, "w", "t")
		case "picker":
			press(p, "c")
		case "search":
			press(p, "/")
			typeText(p, "err")
		case "paused":
			p.View(80, 24)
			press(p, "space", "up", "up", "right")
		}
		pages[mode] = p
	}
	for mode, p := range pages {
		for w := 1; w <= 200; w += 3 {
			for _, h := range []int{1, 2, 3, 4, 5, 6, 7, 24, 40} {
				out := frame(env, p, w, h)
				rows := strings.Split(out, "\n")
				if len(rows) != h {
					t.Fatalf("%s %dx%d: %d lines", mode, w, h, len(rows))
				}
				for i, r := range rows {
					if rw := ansi.StringWidth(r); rw > w {
						t.Fatalf("%s %dx%d: line %d is %d wide: %q", mode, w, h, i, rw, ansi.Strip(r))
					}
				}
			}
		}
	}
}
