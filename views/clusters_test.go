package views

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/clusters"
	"github.com/kdeck/kdeck/kube/triage"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/uitest"
)

// fixtureClusters are a kubeconfig's contexts in every state the screen tells apart.
func fixtureClusters() (shown []*kube.Client, rows []*clusters.Cluster) {
	client := func(name, version string) *kube.Client {
		return &kube.Client{Info: kube.Info{Context: name, ServerVersion: version, Namespace: "default"}}
	}
	counted := func(nodes, ready, pods, notReady, critical, warning int) triage.Overview {
		return triage.Overview{Nodes: nodes, NodesReady: ready, Pods: pods, PodsNotReady: notReady, State: live,
			Problems: map[triage.Severity]int{triage.Critical: critical, triage.Warning: warning}}
	}
	demo, eu := client("kdeck-demo", "v1.37.2"), client("prod-eu", "v1.36.4")
	rows = []*clusters.Cluster{
		{Context: "dev-kind", Server: "https://127.0.0.1:41023"},
		{Context: "kdeck-demo", Server: "https://127.0.0.1:32765", Client: demo, Overview: counted(4, 4, 1204, 3, 1, 4)},
		{Context: "prod-eu", Server: "https://eu.k8s.example.com:6443", Client: eu, Overview: counted(12, 11, 48210, 112, 3, 17)},
		{Context: "prod-us", Server: "https://us.k8s.example.com:6443", Client: client("prod-us", "v1.36.4"), Lost: true,
			Overview: counted(12, 12, 47002, 20, 0, 2)},
		{Context: "staging", Server: "https://staging.k8s.example.com:6443",
			Err: &kube.Error{Kind: kube.KindUnreachable, Verb: "get", Resource: "version", Err: errDialTimeout}},
	}
	return []*kube.Client{demo}, rows
}

// errDialTimeout is a dial that got no answer.
var errDialTimeout = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string { return "dial tcp 10.0.4.2:6443: i/o timeout" }

func renderClusters(w, h int) string {
	shown, rows := fixtureClusters()
	state := live
	state.Partial = errors.New("2 of 5 contexts not answering")
	return renderList(ClustersSpec(shown), "", w, h, rows, state)
}

func TestClustersGolden(t *testing.T) {
	requireGoldenSizes(t, renderClusters)
}

func TestClustersEverySize(t *testing.T) {
	requireEverySize(t, renderClusters)
}

// Each context says how it answers; the one shown now is marked; counts of a cluster not
// answering are dimmed, not dropped, and those of one never reached are a dash.
func TestClustersSayHowEachAnswers(t *testing.T) {
	plain := ansi.Strip(renderClusters(200, 50))
	rows := map[string]string{}
	for _, line := range strings.Split(plain, "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			rows[f[0]] = line
		}
	}
	for context, want := range map[string][]string{
		"kdeck-demo": {"kdeck-demo (*) live", "v1.37.2", "4/4", "1,204"},
		"dev-kind":   {"connecting…"},
		"prod-eu":    {"live", "11/12", "48,210", "112", " eu.k8s.example.com:6443"},
		"prod-us":    {"no answer · retrying", "47,002"},
		"staging":    {"unreachable: cannot reach the API server"},
	} {
		for _, w := range want {
			if !strings.Contains(rows[context], w) {
				t.Errorf("%s: no %q in %q", context, w, rows[context])
			}
		}
	}
	for _, context := range []string{"dev-kind", "staging"} {
		if n := strings.Count(rows[context], "–"); n != 5 {
			t.Errorf("%s, never reached, shows %d dashes for its 5 counts: %q", context, n, rows[context])
		}
	}
	if strings.Contains(rows["prod-eu"], "(*)") {
		t.Errorf("prod-eu, not shown, is marked current: %q", rows["prod-eu"])
	}
}

// clustersApp is an app on the clusters screen of the fixture, and press, which types a
// key and hands the app every message that follows within 100 ms, then returns the screen.
func clustersApp() (press func(k string) string) {
	shown, rows := fixtureClusters()
	env := testEnv("")
	env.Client = shown[0]
	page := ui.NewListPage(env, ClustersSpec(shown), "")
	page.Show(kube.Snapshot[*clusters.Cluster]{Rows: rows, State: live})
	first := ui.ViewSpec{Name: "first", New: func(env *ui.Env, _ string) ui.Page { return ui.NewMessage(env, "first view") },
		Fleet: func(envs []*ui.Env, _ string) ui.Page { return ui.NewMessage(envs[0], "first view") }}
	app := ui.New(env, []ui.ViewSpec{first}, ui.ViewSpec{Name: "clusters", New: func(*ui.Env, string) ui.Page { return page }})
	app.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	return func(k string) string {
		_, cmd := app.Update(uitest.Key(k))
		for _, msg := range uitest.Messages(cmd, 100*time.Millisecond) {
			app.Update(msg)
		}
		return ansi.Strip(app.View().Content)
	}
}

// Enter shows a live context (in the view visited before the clusters screen, here none:
// the first), marks show several together, and a context that never answered is refused
// with its reason (the app stays where it is).
func TestClustersEnterSwitches(t *testing.T) {
	press := clustersApp()
	press("down") // kdeck-demo
	press("down") // prod-eu
	if screen := press("enter"); !strings.Contains(screen, "switched to prod-eu") || !strings.Contains(screen, "first view") {
		t.Fatalf("enter on prod-eu did not switch to it, in the first view (none was visited before):\n%s", screen)
	}

	press = clustersApp()
	press("down")
	press("space") // kdeck-demo, and the cursor moves to prod-eu
	press("space") // prod-eu
	if screen := press("enter"); !strings.Contains(screen, "switched to kdeck-demo, prod-eu") {
		t.Fatalf("enter with two marks did not show both:\n%s", screen)
	}

	press = clustersApp()
	press("end") // staging
	if screen := press("enter"); !strings.Contains(screen, "cannot show staging: unreachable") || strings.Contains(screen, "switched") {
		t.Fatalf("enter on a context that never answered:\n%s", screen)
	}
}
