// Package views holds one file per resource view: its columns, keys and drill-down.
package views

import (
	"cmp"
	"fmt"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/util/duration"
)

// PodsSpec declares the pods view.
var PodsSpec = ui.ListSpec[*kube.Pod]{
	Noun: "pods",
	Warm: "pods",
	WithExtra: func(env *ui.Env, ns string) (ui.Extra, []ui.Column[*kube.Pod]) {
		m := newMetricsLive(env, ns)
		return m, podColumns(env, ui.ShowsNamespaces(ns), m)
	},
	Source: func(env *ui.Env, ns string) kube.Source[*kube.Pod] {
		return kube.PodSource(env.Client.PodRows(), ns)
	},
	Enter: func(env *ui.Env, p *kube.Pod) ui.Page { return NewContainers(env, p.RowKey()) },
	Actions: append(objectActions[*kube.Pod](kube.GVRPods),
		ui.Action[*kube.Pod]{Key: ui.NewKey("pods", "logs (follow)", "l"),
			Run: func(env *ui.Env, p *kube.Pod) tea.Cmd { return ui.Push(NewPodLogs(env, p.Namespace, p.Name, false)) }},
		ui.Action[*kube.Pod]{Key: ui.NewKey("pods", "previous logs (last terminated container)", "p"),
			Run: func(env *ui.Env, p *kube.Pod) tea.Cmd { return ui.Push(NewPodLogs(env, p.Namespace, p.Name, true)) }},
		ui.Action[*kube.Pod]{Key: ui.NewKey("pods", "kill (delete now, grace period 0)", "ctrl+k"),
			Mutates: func(ns string) []kube.Access { return []kube.Access{kube.DeleteAccess(kube.GVRPods, ns)} },
			Run:     killDialog, Marked: killMarkedDialog},
		forwardAction[*kube.Pod](forward.KindPod),
		debugAction(),
	),
}

// killDialog confirms deleting a pod with no grace period: its containers get no time to
// shut down, and a controller (if any) replaces it.
func killDialog(env *ui.Env, p *kube.Pod) tea.Cmd {
	ref := kube.ObjectRef{GVR: kube.GVRPods, Namespace: p.Namespace, Name: p.Name}
	return env.Ask(&ui.Dialog{Title: "Kill pod " + p.Namespace + "/" + p.Name, Danger: true,
		Body: []string{"Deleted now with grace period 0: its containers get no time to shut down.",
			"A deployment or other controller replaces it; a bare pod is gone."},
		OK: func(string) tea.Cmd {
			var zero int64
			return env.Mutate(env.Client.Delete(ref, &zero), nil)
		}})
}

// killMarkedDialog confirms killing every marked pod at once, as killDialog does one.
func killMarkedDialog(env *ui.Env, pods []*kube.Pod) tea.Cmd {
	refs := make([]kube.ObjectRef, len(pods))
	for i, p := range pods {
		refs[i] = kube.ObjectRef{GVR: kube.GVRPods, Namespace: p.Namespace, Name: p.Name}
	}
	what := fmt.Sprintf("kill %d pods", len(pods))
	return env.Ask(&ui.Dialog{Title: fmt.Sprintf("Kill %d pods", len(pods)), Danger: true,
		Body: append(markedLines(refs), "Deleted now with grace period 0; controllers replace theirs, bare pods are gone."),
		OK: func(string) tea.Cmd {
			var zero int64
			ms := make([]kube.Mutation, len(refs))
			for i, r := range refs {
				ms[i] = env.Client.Delete(r, &zero)
			}
			return env.MutateAll(what, ms)
		}})
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
	use := newUsageColumns(func(p *kube.Pod) (int64, int64, kube.ReqLim, bool) {
		cpu, mem, ok := PodUsage(m.Value, p)
		return cpu, mem, p.ReqLim, ok
	})
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
			Style:   func(st *theme.Styles, p *kube.Pod) lipgloss.Style { return warnIf(st, p.Restarts > 0) }},
		sortByUsage(drop(use.CPU, 7), "C", m, func(cpu, _ int64) int64 { return cpu }),
		sortByUsage(drop(use.Mem, 8), "M", m, func(_, mem int64) int64 { return mem }),
		drop(use.CPUReq, 10),
		drop(use.MemReq, 10),
		drop(use.CPULim, 11),
		drop(use.MemLim, 11),
		ui.Column[*kube.Pod]{Name: "IP", Drop: 13, Value: func(p *kube.Pod) string { return p.IP }},
		ui.Column[*kube.Pod]{Name: "NODE", Max: 24, Drop: 12, Value: func(p *kube.Pod) string { return p.Node }},
		ageColumn(env, func(p *kube.Pod) time.Time { return p.Created }),
	)
}

// sortByUsage makes a usage column sortable by key (largest first), over the metrics
// snapshot current when the sort starts; pods without metrics sort last.
func sortByUsage(c ui.Column[*kube.Pod], key string, m metricsLive, pick func(cpu, mem int64) int64) ui.Column[*kube.Pod] {
	c.SortKey, c.DescFirst = key, true
	c.Sorter = func() func(*kube.Pod) int64 {
		snap := m.Value
		return func(p *kube.Pod) int64 {
			cpu, mem, ok := PodUsage(snap, p)
			if !ok {
				return -1
			}
			return pick(cpu, mem)
		}
	}
	return c
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
