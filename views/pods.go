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
	Noun: "pods",
	WithExtra: func(env *ui.Env, ns string) (ui.Extra, []ui.Column[*kube.Pod]) {
		m := newMetricsLive(env, ns)
		return m, podColumns(env, ns == "", m)
	},
	Source: func(env *ui.Env, ns string) kube.Source[*kube.Pod] {
		return kube.PodSource(env.Client.Clientset, ns)
	},
	Enter: func(env *ui.Env, p *kube.Pod) ui.Page { return NewContainers(env, p.RowKey()) },
}

// NewPods returns the pods view for namespace ns ("" for all namespaces).
func NewPods(env *ui.Env, ns string) *ui.ListPage[*kube.Pod] {
	return ui.NewListPage(env, PodsSpec, ns)
}

// PodUsage is a pod's current CPU (millicores) and memory (bytes) usage in m; ok is false
// when metrics are unavailable or do not list the pod. Sorting by CPU or MEM reads it.
func PodUsage(m *kube.MetricsSnapshot, p *kube.Pod) (cpu, mem int64, ok bool) {
	u, ok := m.Pod(p.RowKey())
	if !ok {
		return 0, 0, false
	}
	return u.CPU(), u.Mem(), true
}

func podColumns(env *ui.Env, allNamespaces bool, m metricsLive) []ui.Column[*kube.Pod] {
	use := newUsageColumns(func(p *kube.Pod) (int64, int64, kube.Resources, bool) {
		cpu, mem, ok := PodUsage(m.Value, p)
		return cpu, mem, p.Resources, ok
	})
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
		drop(use.CPU, 7),
		drop(use.Mem, 8),
		drop(use.CPUReq, 10),
		drop(use.MemReq, 10),
		drop(use.CPULim, 11),
		drop(use.MemLim, 11),
		ui.Column[*kube.Pod]{Name: "IP", Drop: 13, Value: func(p *kube.Pod) string { return p.IP }},
		ui.Column[*kube.Pod]{Name: "NODE", Max: 24, Drop: 12, Value: func(p *kube.Pod) string { return p.Node }},
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
