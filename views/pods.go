// Package views holds one file per resource view: its columns, keys and drill-down.
package views

import (
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

// Pods lists pods live from a list+watch of one namespace or all of them.
type Pods struct {
	env   *ui.Env
	ns    string
	feed  *ui.Feed[*kube.Pod]
	snap  kube.Snapshot[*kube.Pod]
	table ui.Table[*kube.Pod]
}

// NewPods returns the pods view for namespace ns ("" for all namespaces).
func NewPods(env *ui.Env, ns string) *Pods {
	v := &Pods{env: env, ns: ns}
	v.table.Columns = podColumns(env, ns == "")
	return v
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

// Init starts watching pods.
func (v *Pods) Init() tea.Cmd {
	v.feed = ui.StartFeed(v.env, kube.PodSource(v.env.Client.Clientset, v.ns))
	return v.feed.Next()
}

// Update takes the pods feed's snapshots and the navigation keys.
func (v *Pods) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	if snap, next, ok := v.feed.Accept(msg); ok {
		v.show(snap)
		return v, next
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		v.table.Navigate(k)
	}
	return v, nil
}

// show displays snap, keeping the selection on the same pod.
func (v *Pods) show(snap kube.Snapshot[*kube.Pod]) {
	v.snap = snap
	v.table.SetRows(snap.Rows, func(a, b *kube.Pod) bool { return a.RowKey() == b.RowKey() })
}

// View renders the table; rows are dimmed while the watch is broken.
func (v *Pods) View(width, height int) string {
	return v.table.View(v.env.Styles, width, height, v.snap.State.Phase == kube.PhaseBroken)
}

// Title is "pods(NAMESPACE)[COUNT]".
func (v *Pods) Title() string {
	ns := v.ns
	if ns == "" {
		ns = "all"
	}
	title := fmt.Sprintf("pods(%s)[%s]", ns, ui.Count(v.table.Len()))
	if v.snap.State.Phase == kube.PhaseBroken {
		title += " STALE"
	}
	return title
}

// Freshness reports the watch's state.
func (v *Pods) Freshness() ui.Freshness {
	return ui.FreshnessOf(v.snap.State, v.table.Len(), "pods", v.env.Now())
}

// Bindings lists the pods view's keys.
func (v *Pods) Bindings() []key.Binding {
	return ui.TableBindings()
}

// Close stops the watch.
func (v *Pods) Close() {
	if v.feed != nil {
		v.feed.Stop()
	}
}
