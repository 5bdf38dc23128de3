package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

var fixedNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func testEnv(ns string) *ui.Env {
	return &ui.Env{
		Client: &kube.Client{Info: kube.Info{Context: "kdeck-demo", Cluster: "kwok-kdeck-demo",
			User: "kwok-admin", ServerVersion: "v1.37.2", Namespace: "default"}},
		Styles: theme.New(theme.Dark()), Namespace: ns, Version: "dev",
		Now: func() time.Time { return fixedNow },
	}
}

func fixturePods() []*kube.Pod {
	ago := func(d time.Duration) time.Time { return fixedNow.Add(-d) }
	return []*kube.Pod{
		{Namespace: "payments", Name: "ledger-7c9d5b8f6-2xkqp", Status: "Running", Ready: 1, Containers: 1, IP: "10.0.1.12", Node: "kwok-node-1", Created: ago(26 * time.Hour)},
		{Namespace: "payments", Name: "ledger-7c9d5b8f6-9fj2w", Status: "CrashLoopBackOff", Ready: 0, Containers: 1, Restarts: 9, LastRestart: ago(4 * time.Second), IP: "10.0.1.13", Node: "kwok-node-2", Created: ago(40 * time.Minute)},
		{Namespace: "shop", Name: "checkout-5d8f7c6b9-abcde", Status: "Pending", Ready: 0, Containers: 2, Created: ago(90 * time.Second)},
		{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p", Status: "Running", Ready: 2, Containers: 2, IP: "10.0.2.20", Node: "kwok-node-3", Created: ago(3 * 24 * time.Hour)},
		{Namespace: "shop", Name: "web-canary-84c6d9f5b-q2w3e", Status: "Terminating", Ready: 1, Containers: 1, IP: "10.0.2.21", Node: "kwok-node-4", Created: ago(5 * time.Minute)},
	}
}

// render draws the whole app frame around a pods view holding rows, as plain text.
func render(t *testing.T, ns string, w, h int, rows []*kube.Pod, state kube.State) string {
	t.Helper()
	env := testEnv(ns)
	v := NewPods(env, ns)
	v.Show(kube.Snapshot[*kube.Pod]{Rows: rows, State: state})
	return renderPage(env, v, w, h)
}

// renderPage draws the whole app frame around page at w × h, without starting the page.
func renderPage(env *ui.Env, page ui.Page, w, h int) string {
	app := ui.New(env, Registry, ui.ViewSpec{Name: "page", New: func(*ui.Env, string) ui.Page { return page }})
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app.View().Content
}

func TestPodsGolden(t *testing.T) {
	live := kube.State{Phase: kube.PhaseLive, LiveSince: fixedNow.Add(-time.Minute)}
	for _, size := range [][2]int{{80, 24}, {200, 50}, {20, 5}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, ansi.Strip(render(t, "", size[0], size[1], fixturePods(), live)))
		})
	}
	t.Run("broken", func(t *testing.T) {
		broken := kube.State{Phase: kube.PhaseBroken, LiveSince: fixedNow.Add(-40 * time.Second),
			Retry: fixedNow.Add(3 * time.Second),
			Err:   &kube.Error{Kind: kube.KindUnreachable, Err: fmt.Errorf("connection refused")}}
		out := ansi.Strip(render(t, "shop", 100, 12, fixturePods()[2:], broken))
		golden.RequireEqual(t, out)
		for _, want := range []string{"disconnected, reconnecting", "rows from 40s ago", "retrying in 3s"} {
			if !strings.Contains(out, want) {
				t.Errorf("a broken watch must say %q:\n%s", want, out)
			}
		}
	})
}

// Status words carry their colour: a crash loop is drawn in the "bad" colour.
func TestPodsStatusColour(t *testing.T) {
	env := testEnv("")
	out := render(t, "", 200, 50, fixturePods(), kube.State{Phase: kube.PhaseLive})
	bad := env.Styles.Bad.Render("CrashLoopBackOff")
	if !strings.Contains(out, strings.TrimSuffix(bad, "\x1b[m")) {
		t.Errorf("CrashLoopBackOff is not drawn in the bad colour")
	}
}

// Every terminal size from 1x1 to 300x60 renders without panicking, in exactly the
// requested number of lines, none wider than the terminal.
func TestPodsEverySize(t *testing.T) {
	rows := fixturePods()
	requireEverySize(t, func(w, h int) string { return render(t, "", w, h, rows, kube.State{Phase: kube.PhaseLive}) })
}

// requireEverySize renders every terminal size from 1x1 to 300x60 and fails unless each
// has exactly the requested number of lines, none wider than the terminal.
func requireEverySize(t *testing.T, render func(w, h int) string) {
	t.Helper()
	for w := 1; w <= 300; w++ {
		for _, h := range []int{1, 2, 3, 4, 5, 6, 7, 24, 60} {
			out := render(w, h)
			lines := strings.Split(out, "\n")
			if len(lines) != h {
				t.Fatalf("%dx%d: %d lines", w, h, len(lines))
			}
			for i, l := range lines {
				if lw := ansi.StringWidth(l); lw > w {
					t.Fatalf("%dx%d: line %d is %d wide: %q", w, h, i, lw, ansi.Strip(l))
				}
			}
		}
	}
}
