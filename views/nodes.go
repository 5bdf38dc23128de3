package views

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/fields"
)

// nodeKeys are the nodes view's own keys (the README's key table).
var nodeKeys = struct{ Cordon, Uncordon, Drain key.Binding }{
	Cordon:   ui.NewKey("nodes", "cordon (no new pods)", "c"),
	Uncordon: ui.NewKey("nodes", "uncordon", "u"),
	Drain:    ui.NewKey("nodes", "drain: cordon, then evict its pods", "r"),
}

// NodesSpec declares the nodes view; enter lists the node's pods.
var NodesSpec = ui.ListSpec[*kube.Node]{
	Noun:    "nodes",
	Warm:    "nodes",
	Columns: func(env *ui.Env, _ bool) []ui.Column[*kube.Node] { return nodeColumns(env) },
	Cache: func(env *ui.Env, _, selector string) kube.Cache[*kube.Node] {
		return env.Client.NodeCache(selector)
	},
	Enter: func(env *ui.Env, n *kube.Node) ui.Page { return NewPodsOnNode(env, n.Name) },
	Actions: append(objectActions[*kube.Node](kube.GVRNodes),
		ui.Action[*kube.Node]{Key: nodeKeys.Cordon, Mutates: kube.Only(kube.CordonAccess),
			Run: func(env *ui.Env, n *kube.Node) tea.Cmd { return cordonDialog(env, n, true) }},
		ui.Action[*kube.Node]{Key: nodeKeys.Uncordon, Mutates: kube.Only(kube.CordonAccess),
			Run: func(env *ui.Env, n *kube.Node) tea.Cmd { return cordonDialog(env, n, false) }},
		ui.Action[*kube.Node]{Key: nodeKeys.Drain, Mutates: kube.DrainAccess, Run: drainDialog},
	),
}

// NewNodes returns the nodes view.
func NewNodes(env *ui.Env) *ui.ListPage[*kube.Node] {
	return ui.NewListPage(env, NodesSpec, "")
}

// NewPodsOnNode returns the pods scheduled on node, in every namespace.
func NewPodsOnNode(env *ui.Env, node string) *ui.ListPage[*kube.Pod] {
	return ui.NewListPageFields(env, PodsSpec, "", fields.OneTermEqualSelector("spec.nodeName", node).String())
}

func nodeColumns(env *ui.Env) []ui.Column[*kube.Node] {
	type col = ui.Column[*kube.Node]
	// pct is a column of used against a node's allocatable; n/a without a value.
	pct := func(name, sortKey string, drop int, used func(*kube.Node) (int64, bool), of func(*kube.Node) int64) col {
		return col{Name: name, Align: ui.Right, Drop: drop, SortKey: sortKey, DescFirst: true,
			Value: func(n *kube.Node) string {
				u, ok := used(n)
				if !ok {
					return notAvailable
				}
				return ui.Percent(u, of(n))
			},
			Compare: func(a, b *kube.Node) int {
				ua, _ := used(a)
				ub, _ := used(b)
				pa, _ := ui.Pct(ua, of(a))
				pb, _ := ui.Pct(ub, of(b))
				return cmp.Compare(pa, pb)
			},
			Style: func(st *theme.Styles, n *kube.Node) lipgloss.Style {
				u, ok := used(n)
				return pctStyle(st, ok, u, of(n))
			}}
	}
	requested := func(get func(kube.ReqLim) int64) func(*kube.Node) (int64, bool) {
		return func(n *kube.Node) (int64, bool) { return get(n.Requests), true }
	}
	usedOf := func(get func(kube.Capacity) int64) func(*kube.Node) (int64, bool) {
		return func(n *kube.Node) (int64, bool) { return get(n.Used), n.HasUsage }
	}
	cpu := func(n *kube.Node) int64 { return n.Allocatable.CPU }
	mem := func(n *kube.Node) int64 { return n.Allocatable.Mem }
	return withNamespace(false,
		col{Name: "STATUS", Max: 40, Drop: 0, SortKey: "S",
			Value: func(n *kube.Node) string { return n.Status },
			Style: func(st *theme.Styles, n *kube.Node) lipgloss.Style {
				switch {
				case !n.Ready:
					return st.Bad
				case n.Unschedulable || n.Troubled:
					return st.Warn
				}
				return st.Text
			}},
		col{Name: "ROLES", Max: 20, Drop: 6, Value: func(n *kube.Node) string { return cmp.Or(n.Roles, "<none>") }},
		col{Name: "TAINTS", Max: 40, Drop: 9, Value: func(n *kube.Node) string { return n.Taints }},
		col{Name: "VERSION", Drop: 7, Value: func(n *kube.Node) string { return n.Version }},
		col{Name: "PODS", Align: ui.Right, Drop: 5, SortKey: "P", DescFirst: true,
			Value: func(n *kube.Node) string {
				return strconv.Itoa(int(n.Pods)) + "/" + strconv.FormatInt(n.Allocatable.Pods, 10)
			},
			Compare: func(a, b *kube.Node) int { return cmp.Compare(a.Pods, b.Pods) },
			Style: func(st *theme.Styles, n *kube.Node) lipgloss.Style {
				return warnIf(st, n.Allocatable.Pods > 0 && int64(n.Pods) >= n.Allocatable.Pods)
			}},
		pct("%CPU/R", "", 4, requested(func(r kube.ReqLim) int64 { return r.CPUReq }), cpu),
		pct("%CPU", "C", 3, usedOf(func(c kube.Capacity) int64 { return c.CPU }), cpu),
		pct("%MEM/R", "", 4, requested(func(r kube.ReqLim) int64 { return r.MemReq }), mem),
		pct("%MEM", "M", 3, usedOf(func(c kube.Capacity) int64 { return c.Mem }), mem),
		ageColumn(env, func(n *kube.Node) time.Time { return n.Created }),
	)
}

// cordonDialog confirms cordoning (on) or uncordoning node n.
func cordonDialog(env *ui.Env, n *kube.Node, on bool) tea.Cmd {
	verb, body := "Uncordon", "New pods may be scheduled on it again."
	if on {
		verb, body = "Cordon", "No new pods are scheduled on it; the pods it runs stay."
	}
	return env.Ask(&ui.Dialog{Title: verb + " node " + n.Name, Body: []string{body},
		OK: func(string) tea.Cmd { return env.Mutate(env.Client.Cordon(n.Name, on), nil) }})
}

// drainDialog reads what a drain of n would evict (off the UI goroutine) and asks: a plain
// confirmation when every pod can move safely, a choice when some would lose emptyDir data
// or have no controller to recreate them.
func drainDialog(env *ui.Env, n *kube.Node) tea.Cmd {
	client := env.Client
	return asking(env, "drain "+n.Name, func(ctx context.Context) (*ui.Dialog, error) {
		plan, err := client.PlanDrain(ctx, n.Name)
		if err != nil {
			return nil, err
		}
		body := []string{
			"Cordon it, then evict " + podCount(len(plan.Evict)) + " through the Eviction API.",
			"PodDisruptionBudgets are honoured: a refused pod is asked again every " + shortDuration(kube.DrainRetry) + ",",
			"never deleted. Gives up after " + shortDuration(kube.DrainTimeout) + "; c on the drain page cancels.",
		}
		if plan.Ignored != "" {
			body = append(body, "Left running: "+plan.Ignored)
		}
		d := &ui.Dialog{Title: "Drain node " + n.Name, Danger: true}
		start := func(risky bool) tea.Cmd {
			m, drain := client.NewDrain(plan, risky)
			return tea.Batch(ui.Push(NewDrainPage(env, drain)), env.Mutate(m, nil))
		}
		if len(plan.Risky) == 0 {
			d.Body, d.OK = body, func(string) tea.Cmd { return start(false) }
			return d, nil
		}
		body = append(body, podCount(len(plan.Risky))+" would lose something if evicted:")
		for _, r := range plan.Risky {
			body = append(body, "  "+r.Pod.Namespace+"/"+r.Pod.Name+": "+r.Why)
		}
		safe := fmt.Sprintf("evict the safe ones (%d); leave these (%d)", len(plan.Evict), len(plan.Risky))
		all := fmt.Sprintf("evict all %s, these too", podCount(len(plan.Evict)+len(plan.Risky)))
		d.Body, d.Choices = body, []string{safe, all, "cancel"}
		d.OK = func(choice string) tea.Cmd {
			switch choice {
			case safe:
				return start(false)
			case all:
				return start(true)
			}
			return nil
		}
		return d, nil
	})
}

// podCount is "1 pod" or "N pods".
func podCount(n int) string {
	if n == 1 {
		return "1 pod"
	}
	return strconv.Itoa(n) + " pods"
}

// shortDuration is d without a trailing zero unit: "5m", "5s", "1m30s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
