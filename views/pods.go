// Package views holds one file per resource view: its columns, keys and drill-down.
package views

import (
	"cmp"
	"fmt"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/util/duration"
)

// PodsSpec declares the pods view.
var PodsSpec = ui.ListSpec[*kube.Pod]{
	Noun:    "pods",
	Columns: podColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.Pod] {
		return kube.PodSource(env.Client.Clientset, ns)
	},
	Actions: append(objectActions[*kube.Pod](kube.GVRPods),
		ui.Action[*kube.Pod]{Key: key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs (follow)")),
			Run: func(env *ui.Env, p *kube.Pod) tea.Cmd { return ui.Push(NewPodLogs(env, p.Namespace, p.Name, false)) }},
		ui.Action[*kube.Pod]{Key: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous logs (last terminated container)")),
			Run: func(env *ui.Env, p *kube.Pod) tea.Cmd { return ui.Push(NewPodLogs(env, p.Namespace, p.Name, true)) }},
	),
}

// NewPods returns the pods view for namespace ns ("" for all namespaces).
func NewPods(env *ui.Env, ns string) *ui.ListPage[*kube.Pod] {
	return ui.NewListPage(env, PodsSpec, ns)
}

// NewPodsFor returns the pods in ns matching the label selector (the pods of a deployment
// or a service); its title reads "pods(shop)[4] app=web".
func NewPodsFor(env *ui.Env, ns, selector string) *ui.ListPage[*kube.Pod] {
	return ui.NewListPageSelector(env, PodsSpec, ns, selector)
}

func podColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Pod] {
	return withNamespace(allNamespaces,
		ui.Column[*kube.Pod]{Name: "READY", Align: ui.Right, Drop: 3,
			Value: func(p *kube.Pod) string { return fmt.Sprintf("%d/%d", p.Ready, p.Containers) },
			Style: func(st *theme.Styles, p *kube.Pod) lipgloss.Style {
				if p.Ready < p.Containers {
					return st.Warn
				}
				return st.Text
			}},
		ui.Column[*kube.Pod]{Name: "STATUS", Max: 26, Drop: 1, SortKey: "S",
			Value: func(p *kube.Pod) string { return p.Status },
			Style: func(st *theme.Styles, p *kube.Pod) lipgloss.Style { return st.ForStatus(p.Status) }},
		ui.Column[*kube.Pod]{Name: "RESTARTS", Align: ui.Right, Drop: 5, SortKey: "R", DescFirst: true,
			Value:   func(p *kube.Pod) string { return restarts(p, env.Now()) },
			Compare: func(a, b *kube.Pod) int { return cmp.Compare(a.Restarts, b.Restarts) },
			Style: func(st *theme.Styles, p *kube.Pod) lipgloss.Style {
				if p.Restarts > 0 {
					return st.Warn
				}
				return st.Text
			}},
		ui.Column[*kube.Pod]{Name: "IP", Drop: 7, Value: func(p *kube.Pod) string { return p.IP }},
		ui.Column[*kube.Pod]{Name: "NODE", Max: 24, Drop: 6, Value: func(p *kube.Pod) string { return p.Node }},
		ageColumn(env, func(p *kube.Pod) time.Time { return p.Created }),
	)
}

func restarts(p *kube.Pod, now time.Time) string {
	s := strconv.Itoa(int(p.Restarts))
	if p.Restarts > 0 && !p.LastRestart.IsZero() {
		s += " (" + duration.HumanDuration(now.Sub(p.LastRestart)) + " ago)"
	}
	return s
}

func age(t, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t))
}
