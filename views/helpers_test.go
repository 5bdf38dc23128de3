package views

import (
	"context"
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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var fixedNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// ago is a time d before the tests' fixed clock.
func ago(d time.Duration) time.Time { return fixedNow.Add(-d) }

func testEnv(ns string) *ui.Env {
	return &ui.Env{
		Client: &kube.Client{Info: kube.Info{Context: "kdeck-demo", Cluster: "kwok-kdeck-demo",
			User: "kwok-admin", ServerVersion: "v1.37.2", Namespace: "default"}},
		Styles: theme.New(theme.Dark()), Namespace: ns, Version: "dev",
		Now: func() time.Time { return fixedNow },
	}
}

// live is the state of a store that has loaded and is watching.
var live = kube.State{Phase: kube.PhaseLive, LiveSince: fixedNow.Add(-time.Minute)}

// renderPage draws the whole app frame of size w × h around page.
func renderPage(env *ui.Env, page ui.Page, w, h int) string {
	app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app.View().Content
}

// renderList draws a list page of spec over ns holding rows.
func renderList[R kube.Row](spec ui.ListSpec[R], ns string, w, h int, rows []R, state kube.State) string {
	env := testEnv(ns)
	p := ui.NewListPage(env, spec, ns)
	p.Show(kube.Snapshot[R]{Rows: rows, State: state})
	return renderPage(env, p, w, h)
}

// goldenSizes are the terminal sizes every view has a golden file for.
var goldenSizes = [][2]int{{80, 24}, {200, 50}, {20, 5}}

// requireGoldenSizes compares render at every golden size with its golden file.
func requireGoldenSizes(t *testing.T, render func(w, h int) string) {
	t.Helper()
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, ansi.Strip(render(size[0], size[1])))
		})
	}
}

// requireEverySize renders at every terminal size from 1x1 to 300x60 and checks that
// nothing panics, there are exactly h lines and none is wider than w.
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

// requireOpens checks that the registry opens each of names (name or alias → view) and,
// with discovery serving resources of group-version gv (namespaced, listable), each typed
// resource name (NAME.GROUP, kind …).
func requireOpens(t *testing.T, names map[string]string, gv string, resources []metav1.APIResource, typed map[string]string) {
	t.Helper()
	for name, want := range names {
		if v, ok := ui.Lookup(Registry, name); !ok || v.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, v.Name, ok, want)
		}
	}
	for i := range resources {
		resources[i].Namespaced, resources[i].Verbs = true, []string{"list", "watch"}
	}
	client := &kube.Client{Resources: kube.NewResourcesFrom(func(context.Context) ([]*metav1.APIResourceList, error) {
		return []*metav1.APIResourceList{{GroupVersion: gv, APIResources: resources}}, nil
	})}
	for name, want := range typed {
		if spec, err := Resolve(t.Context(), client, name); err != nil || spec.Name != want {
			t.Errorf("%q opens %q (%v), want %q", name, spec.Name, err, want)
		}
	}
}
