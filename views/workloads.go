package views

import (
	"cmp"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// DaemonSetsSpec declares the daemon sets view; enter lists the daemon set's pods, l
// follows their logs, r, h and u restart, show and undo its rollout.
var DaemonSetsSpec = ui.ListSpec[*kube.DaemonSet]{
	Noun:    "daemonsets",
	Warm:    "daemonsets",
	Columns: daemonSetColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.DaemonSet] {
		return env.Client.DaemonSetSource(ns)
	},
	Actions: append(append(objectActions[*kube.DaemonSet](kube.GVRDaemonSets),
		rolloutActions(kube.GVRDaemonSets, "DaemonSet", daemonSetRestart)...),
		selectorLogsAction("ds", func(d *kube.DaemonSet) string { return d.Selector })),
	Enter: func(env *ui.Env, d *kube.DaemonSet) ui.Page { return NewPodsFor(env, d.Namespace, d.Selector) },
}

// NewDaemonSets returns the daemon sets view for namespace ns ("" for all namespaces).
func NewDaemonSets(env *ui.Env, ns string) *ui.ListPage[*kube.DaemonSet] {
	return ui.NewListPage(env, DaemonSetsSpec, ns)
}

// StatefulSetsSpec declares the stateful sets view; enter lists the stateful set's pods, l
// follows their logs, s scales it, r, h and u restart, show and undo its rollout.
var StatefulSetsSpec = ui.ListSpec[*kube.StatefulSet]{
	Noun:    "statefulsets",
	Warm:    "statefulsets",
	Columns: statefulSetColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.StatefulSet] {
		return env.Client.StatefulSetSource(ns)
	},
	Actions: append(append(objectActions[*kube.StatefulSet](kube.GVRStatefulSets),
		scaleAction[*kube.StatefulSet](kube.GVRStatefulSets, "StatefulSet")),
		append(rolloutActions(kube.GVRStatefulSets, "StatefulSet", statefulSetRestart),
			selectorLogsAction("sts", func(s *kube.StatefulSet) string { return s.Selector }))...),
	Enter: func(env *ui.Env, s *kube.StatefulSet) ui.Page { return NewPodsFor(env, s.Namespace, s.Selector) },
}

// NewStatefulSets returns the stateful sets view for namespace ns ("" for all namespaces).
func NewStatefulSets(env *ui.Env, ns string) *ui.ListPage[*kube.StatefulSet] {
	return ui.NewListPage(env, StatefulSetsSpec, ns)
}

// ReplicaSetsSpec declares the replica sets view; enter lists the replica set's pods, l
// follows their logs, s scales it.
var ReplicaSetsSpec = ui.ListSpec[*kube.ReplicaSet]{
	Noun:    "replicasets",
	Warm:    "replicasets",
	Columns: replicaSetColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.ReplicaSet] {
		return env.Client.ReplicaSetSource(ns)
	},
	Actions: append(objectActions[*kube.ReplicaSet](kube.GVRReplicaSets),
		replicaSetScale(),
		selectorLogsAction("rs", func(r *kube.ReplicaSet) string { return r.Selector })),
	Enter: func(env *ui.Env, r *kube.ReplicaSet) ui.Page { return NewPodsFor(env, r.Namespace, r.Selector) },
}

// NewReplicaSets returns the replica sets view for namespace ns ("" for all namespaces).
func NewReplicaSets(env *ui.Env, ns string) *ui.ListPage[*kube.ReplicaSet] {
	return ui.NewListPage(env, ReplicaSetsSpec, ns)
}

// replicaSetScale is s on a replica set. A deployment's controller sets the replicas of
// the replica sets it controls back at once, so for one of those kdeck first offers to
// scale the deployment instead.
func replicaSetScale() ui.Action[*kube.ReplicaSet] {
	a := scaleAction[*kube.ReplicaSet](kube.GVRReplicaSets, "ReplicaSet")
	scaleSet := a.Run
	a.Run = func(env *ui.Env, r *kube.ReplicaSet) tea.Cmd {
		if r.Owner == "" {
			return scaleSet(env, r)
		}
		deploy, anyway := "scale deployment "+r.Owner+" instead", "scale the replica set anyway"
		return env.Ask(&ui.Dialog{Title: "Scale replicaset " + r.Namespace + "/" + r.Name,
			Body: []string{"Deployment " + r.Owner + " controls this replica set: its controller",
				"sets the replica set's count back at once."},
			Choices: []string{deploy, anyway},
			OK: func(choice string) tea.Cmd {
				if choice == anyway {
					return scaleSet(env, r)
				}
				ref := kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: r.Namespace, Name: r.Owner}
				return env.Guard("scale", kube.ScaleAccess(ref.GVR, ref.Namespace), false, func() tea.Cmd {
					return scaleDialog(env, ref, "Deployment")
				})
			}})
	}
	return a
}

// onDelete is what a restart dialog says of an OnDelete update strategy.
const onDelete = "Its pod template changes, but with the OnDelete strategy a pod is replaced only when it is deleted."

// daemonSetRestart says how a restart replaces daemon set d's pods.
func daemonSetRestart(d *kube.DaemonSet) string {
	if d.Strategy == "OnDelete" {
		return onDelete
	}
	return fmt.Sprintf("Its pods on %d nodes are replaced by a rolling update (%s, max surge/max unavailable).", d.Desired, d.Strategy)
}

// statefulSetRestart says how a restart replaces stateful set s's pods.
func statefulSetRestart(s *kube.StatefulSet) string {
	switch {
	case s.Strategy == "OnDelete":
		return onDelete
	case s.Partition > 0:
		return fmt.Sprintf("Only its pods of ordinal %d and above are replaced (partition %d), one at a time, highest first.", s.Partition, s.Partition)
	}
	return fmt.Sprintf("Its %d pods are replaced one at a time, from the highest ordinal down.", s.Desired)
}

func daemonSetColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.DaemonSet] {
	type col = ui.Column[*kube.DaemonSet]
	cols := []col{
		countColumn("DESIRED", 4, func(d *kube.DaemonSet) int32 { return d.Desired }),
		countColumn("CURRENT", 6, func(d *kube.DaemonSet) int32 { return d.Current }),
		readyColumn(false, func(d *kube.DaemonSet) (int32, int32) { return d.Ready, d.Desired }),
		countColumn("UP-TO-DATE", 5, func(d *kube.DaemonSet) int32 { return d.UpToDate }),
		countColumn("AVAILABLE", 5, func(d *kube.DaemonSet) int32 { return d.Available }),
		{Name: "NODE SELECTOR", Max: 30, Drop: 6, Value: func(d *kube.DaemonSet) string { return cmp.Or(d.NodeSelector, "<none>") }},
		rolloutColumn(func(d *kube.DaemonSet) (kube.RolloutPhase, string) { return d.Rollout, d.RolloutText }),
	}
	cols = append(cols, templateColumns(func(d *kube.DaemonSet) (string, string) { return d.Containers, d.Images })...)
	return withNamespace(allNamespaces, append(cols,
		col{Name: "SELECTOR", Max: 60, Drop: 9, Value: func(d *kube.DaemonSet) string { return d.Selector }},
		ageColumn(env, func(d *kube.DaemonSet) time.Time { return d.Created }))...)
}

func statefulSetColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.StatefulSet] {
	cols := []ui.Column[*kube.StatefulSet]{
		readyColumn(true, func(s *kube.StatefulSet) (int32, int32) { return s.Ready, s.Desired }),
		rolloutColumn(func(s *kube.StatefulSet) (kube.RolloutPhase, string) { return s.Rollout, s.RolloutText }),
	}
	cols = append(cols, templateColumns(func(s *kube.StatefulSet) (string, string) { return s.Containers, s.Images })...)
	return withNamespace(allNamespaces, append(cols, ageColumn(env, func(s *kube.StatefulSet) time.Time { return s.Created }))...)
}

func replicaSetColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.ReplicaSet] {
	type col = ui.Column[*kube.ReplicaSet]
	cols := []col{
		countColumn("DESIRED", 4, func(r *kube.ReplicaSet) int32 { return r.Desired }),
		countColumn("CURRENT", 5, func(r *kube.ReplicaSet) int32 { return r.Current }),
		readyColumn(false, func(r *kube.ReplicaSet) (int32, int32) { return r.Ready, r.Desired }),
		{Name: "OWNER", Max: 30, Drop: 3, Value: func(r *kube.ReplicaSet) string { return cmp.Or(r.Owner, "<none>") }},
	}
	cols = append(cols, templateColumns(func(r *kube.ReplicaSet) (string, string) { return r.Containers, r.Images })...)
	return withNamespace(allNamespaces, append(cols,
		col{Name: "SELECTOR", Max: 60, Drop: 9, Value: func(r *kube.ReplicaSet) string { return r.Selector }},
		ageColumn(env, func(r *kube.ReplicaSet) time.Time { return r.Created }))...)
}

// countColumn is a right-aligned count, dropped on a narrow terminal at priority drop.
func countColumn[R kube.Row](name string, drop int, v func(R) int32) ui.Column[R] {
	return ui.Column[R]{Name: name, Align: ui.Right, Drop: drop,
		Value:   func(r R) string { return fmt.Sprint(v(r)) },
		Compare: func(a, b R) int { return cmp.Compare(v(a), v(b)) }}
}

// readyColumn is READY, warned while fewer pods are ready than wanted: "2/3" when asRatio
// (kubectl's READY of deployments and stateful sets), else the count alone.
func readyColumn[R kube.Row](asRatio bool, ready func(R) (ready, want int32)) ui.Column[R] {
	return ui.Column[R]{Name: "READY", Align: ui.Right, Drop: 1,
		Value: func(r R) string {
			n, want := ready(r)
			if asRatio {
				return ratio(n, want)
			}
			return fmt.Sprint(n)
		},
		Style: func(st *theme.Styles, r R) lipgloss.Style {
			if n, want := ready(r); n < want {
				return st.Warn
			}
			return st.Text
		}}
}

// rolloutColumn is ROLLOUT: where the rollout stands ("rolling 2/5", "partitioned 1/2"),
// empty when done.
func rolloutColumn[R kube.Row](rollout func(R) (kube.RolloutPhase, string)) ui.Column[R] {
	return ui.Column[R]{Name: "ROLLOUT", Min: 7, Drop: 3,
		Value: func(r R) string { _, text := rollout(r); return text },
		Style: func(st *theme.Styles, r R) lipgloss.Style {
			switch phase, _ := rollout(r); phase {
			case kube.RolloutStalled:
				return st.Bad
			case kube.RolloutPaused, kube.RolloutProgressing, kube.RolloutOnDelete:
				return st.Warn
			}
			return st.Text
		}}
}
