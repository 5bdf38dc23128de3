// Package views holds one file per resource view: its columns, keys and drill-down.
package views

import (
	"fmt"
	"strconv"
	"time"

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
	Actions: objectActions[*kube.Pod](kube.GVRPods),
}

// NewPods returns the pods view for namespace ns ("" for all namespaces).
func NewPods(env *ui.Env, ns string) *ui.ListPage[*kube.Pod] {
	return ui.NewListPage(env, PodsSpec, ns)
}

func podColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Pod] {
	var cols []ui.Column[*kube.Pod]
	if allNamespaces {
		cols = append(cols, ui.Column[*kube.Pod]{Name: "NAMESPACE", Max: 20, Drop: 4,
			Value: func(p *kube.Pod) string { return p.Namespace }})
	}
	return append(cols,
		ui.Column[*kube.Pod]{Name: "NAME", Flex: true, Min: 12,
			Value: func(p *kube.Pod) string { return p.Name }},
		ui.Column[*kube.Pod]{Name: "READY", Align: ui.Right, Drop: 3,
			Value: func(p *kube.Pod) string { return fmt.Sprintf("%d/%d", p.Ready, p.Containers) },
			Style: func(st *theme.Styles, p *kube.Pod) lipgloss.Style {
				if p.Ready < p.Containers {
					return st.Warn
				}
				return st.Text
			}},
		ui.Column[*kube.Pod]{Name: "STATUS", Max: 26, Drop: 1,
			Value: func(p *kube.Pod) string { return p.Status },
			Style: func(st *theme.Styles, p *kube.Pod) lipgloss.Style { return st.ForStatus(p.Status) }},
		ui.Column[*kube.Pod]{Name: "RESTARTS", Align: ui.Right, Drop: 5,
			Value: func(p *kube.Pod) string { return restarts(p, env.Now()) },
			Style: func(st *theme.Styles, p *kube.Pod) lipgloss.Style {
				if p.Restarts > 0 {
					return st.Warn
				}
				return st.Text
			}},
		ui.Column[*kube.Pod]{Name: "IP", Drop: 7, Value: func(p *kube.Pod) string { return p.IP }},
		ui.Column[*kube.Pod]{Name: "NODE", Max: 24, Drop: 6, Value: func(p *kube.Pod) string { return p.Node }},
		ui.Column[*kube.Pod]{Name: "AGE", Align: ui.Right, Drop: 2,
			Value: func(p *kube.Pod) string { return age(p.Created, env.Now()) }},
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
