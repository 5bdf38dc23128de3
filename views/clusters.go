package views

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/clusters"
	"github.com/kdeck/kdeck/kube/triage"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// clusterKeys: enter shows the selected context, or every marked one together.
var clusterKeys = struct{ Show key.Binding }{
	Show: ui.NewKey("clusters", "show this context (with marks: the marked contexts together)", "enter"),
}

// NewClusters returns the clusters screen: every context of the kubeconfig with whether
// its API server answers, its version, nodes ready, pods not ready and triage counts. envs
// are the clusters shown now; their connections are used as they are, every other context is connected to in the background.
// The contexts shown now are marked (*).
func NewClusters(envs []*ui.Env) *ui.ListPage[*clusters.Cluster] {
	shown := make([]*kube.Client, len(envs))
	for i, e := range envs {
		shown[i] = e.Client
	}
	return ui.NewListPage(envs[0], ClustersSpec(shown), "")
}

// ClustersSpec declares the clusters screen of the kubeconfig of shown[0], the clients of
// the clusters shown now.
func ClustersSpec(shown []*kube.Client) ui.ListSpec[*clusters.Cluster] {
	names := make([]string, len(shown))
	for i, c := range shown {
		names[i] = c.Info.Context
	}
	return ui.ListSpec[*clusters.Cluster]{
		Noun:    "contexts",
		Columns: func(*ui.Env, bool) []ui.Column[*clusters.Cluster] { return clusterColumns(names) },
		Cache: func(env *ui.Env, _, _ string) kube.Cache[*clusters.Cluster] {
			current := env.Client
			servers, _ := current.Servers() // an unreadable kubeconfig leaves SERVER empty; connecting says why
			return clusters.New(current.Contexts, servers, shown, current.SwitchContext)
		},
		FilterText: func(c *clusters.Cluster) string { return c.Context + " " + c.Server + " " + clusterStatus(c) },
		Actions: []ui.Action[*clusters.Cluster]{{Key: clusterKeys.Show,
			Run:    func(_ *ui.Env, c *clusters.Cluster) tea.Cmd { return showClusters([]*clusters.Cluster{c}) },
			Marked: func(_ *ui.Env, cs []*clusters.Cluster) tea.Cmd { return showClusters(cs) }}},
	}
}

// showClusters switches to the clusters of rows with the connections the screen holds, or
// says which of them cannot be shown and why.
func showClusters(rows []*clusters.Cluster) tea.Cmd {
	clients := make([]*kube.Client, len(rows))
	for i, c := range rows {
		if c.Client == nil {
			return ui.Notify(ui.LevelError, fmt.Sprintf("cannot show %s: %s", c.Context, clusterStatus(c)))
		}
		clients[i] = c.Client
	}
	return ui.UseClients(clients)
}

// clusterStatus says in a few words how a context answers.
func clusterStatus(c *clusters.Cluster) string {
	switch {
	case c.Client == nil && c.Err == nil:
		return "connecting…"
	case c.Client == nil:
		return "unreachable: " + c.Err.Error()
	case c.Lost:
		return "no answer · retrying"
	case c.State.Phase == kube.PhaseLoading:
		return "loading…"
	case c.State.Phase == kube.PhaseBroken && c.State.Err != nil:
		return c.State.Err.Error()
	}
	return "live"
}

// answering says the context's rows are current.
func answering(c *clusters.Cluster) bool {
	return c.Client != nil && !c.Lost && c.State.Phase != kube.PhaseBroken
}

func clusterColumns(shown []string) []ui.Column[*clusters.Cluster] {
	type col = ui.Column[*clusters.Cluster]
	// counted is a column of a number known once the cluster's rows are loaded, styled by
	// alarm when it says something is wrong.
	counted := func(name string, drop int, value func(*clusters.Cluster) string, alarm func(*theme.Styles, *clusters.Cluster) (lipgloss.Style, bool)) col {
		return col{Name: name, Align: ui.Right, Drop: drop,
			Value: func(c *clusters.Cluster) string {
				if c.Client == nil || c.State.LiveSince.IsZero() {
					return "–"
				}
				return value(c)
			},
			Style: func(st *theme.Styles, c *clusters.Cluster) lipgloss.Style {
				if !answering(c) {
					return st.Muted
				}
				if style, ok := alarm(st, c); ok {
					return style
				}
				return st.Text
			}}
	}
	none := func(*theme.Styles, *clusters.Cluster) (lipgloss.Style, bool) { return lipgloss.Style{}, false }
	bad := func(when func(*clusters.Cluster) bool) func(*theme.Styles, *clusters.Cluster) (lipgloss.Style, bool) {
		return func(st *theme.Styles, c *clusters.Cluster) (lipgloss.Style, bool) { return st.Bad, when(c) }
	}
	problems := func(s triage.Severity) func(*clusters.Cluster) string {
		return func(c *clusters.Cluster) string { return ui.Count(c.Problems[s]) }
	}
	return []col{
		{Name: "CONTEXT", Min: 8, Max: 44, Value: func(c *clusters.Cluster) string {
			if slices.Contains(shown, c.Context) {
				return c.Context + " (*)" // shown now, as kubectl config get-contexts marks the current one
			}
			return c.Context
		}},
		{Name: "STATUS", Flex: true, Min: 10, Value: clusterStatus,
			Style: func(st *theme.Styles, c *clusters.Cluster) lipgloss.Style {
				switch {
				case answering(c) && c.State.Phase == kube.PhaseLive:
					return st.Good
				case c.Client == nil && c.Err == nil, c.State.Phase == kube.PhaseLoading:
					return st.Muted
				}
				return st.Bad
			}},
		{Name: "VERSION", Max: 20, Drop: 4, Value: (*clusters.Cluster).Version},
		counted("NODES", 2, func(c *clusters.Cluster) string {
			return ui.Count(c.NodesReady) + "/" + ui.Count(c.Nodes)
		}, bad(func(c *clusters.Cluster) bool { return c.NodesReady < c.Nodes })),
		counted("PODS", 5, func(c *clusters.Cluster) string { return ui.Count(c.Pods) }, none),
		counted("NOT READY", 1, func(c *clusters.Cluster) string { return ui.Count(c.PodsNotReady) },
			bad(func(c *clusters.Cluster) bool { return c.PodsNotReady > 0 })),
		counted("CRITICAL", 0, problems(triage.Critical), bad(func(c *clusters.Cluster) bool { return c.Problems[triage.Critical] > 0 })),
		counted("WARNING", 3, problems(triage.Warning), func(st *theme.Styles, c *clusters.Cluster) (lipgloss.Style, bool) {
			return st.Warn, c.Problems[triage.Warning] > 0
		}),
		{Name: "SERVER", Max: 40, Drop: 6, Value: func(c *clusters.Cluster) string { return strings.TrimPrefix(c.Server, "https://") }},
	}
}
