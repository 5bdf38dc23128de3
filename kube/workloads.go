package kube

import (
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// RolloutOnDelete is the rollout phase of a daemon set or stateful set whose update strategy
// is OnDelete: the controller replaces a pod only when it is deleted, so a template change
// waits for someone.
const RolloutOnDelete RolloutPhase = RolloutStalled + 1

// DaemonSet is the compact row kdeck keeps per daemon set.
type DaemonSet struct {
	Namespace    string
	Name         string
	Desired      int32  // status.desiredNumberScheduled: the nodes it should run on
	Current      int32  // status.currentNumberScheduled
	Ready        int32  // status.numberReady
	UpToDate     int32  // status.updatedNumberScheduled
	Available    int32  // status.numberAvailable
	NodeSelector string // the pod template's node selector, "k=v,k=v" ("" when none)
	Containers   string // container names, comma-separated
	Images       string // container images, comma-separated
	Selector     string // the pod selector as a label selector string
	Strategy     string // "RollingUpdate 0/1" (max surge/max unavailable) or "OnDelete"
	Created      time.Time
	Rollout      RolloutPhase
	// RolloutText is the ROLLOUT column: "rolling 1/3", "available 2/3", "pending",
	// "on delete 1/3"; empty when done.
	RolloutText string
}

// RowKey implements Row.
func (d *DaemonSet) RowKey() Key { return Key{Namespace: d.Namespace, Name: d.Name} }

// DaemonSetSource returns the Source for daemon sets in ns ("" for all namespaces).
func (c *Client) DaemonSetSource(ns string) Source[*DaemonSet] {
	api := c.Clientset.AppsV1().DaemonSets(ns)
	return TypedSource("daemonsets", ns, "", api.List, api.Watch,
		func(l *appsv1.DaemonSetList) []appsv1.DaemonSet { return l.Items }, DaemonSetRow)
}

// DaemonSetRow summarises ds the way `kubectl get daemonsets -o wide` and
// `kubectl rollout status` do.
func DaemonSetRow(ds *appsv1.DaemonSet) *DaemonSet {
	st := ds.Status
	r := &DaemonSet{
		Namespace:    ds.Namespace,
		Name:         ds.Name,
		Desired:      st.DesiredNumberScheduled,
		Current:      st.CurrentNumberScheduled,
		Ready:        st.NumberReady,
		UpToDate:     st.UpdatedNumberScheduled,
		Available:    st.NumberAvailable,
		NodeSelector: labels.FormatLabels(ds.Spec.Template.Spec.NodeSelector),
		Selector:     selectorString(ds.Spec.Selector),
		Created:      ds.CreationTimestamp.Time,
	}
	if r.NodeSelector == "<none>" {
		r.NodeSelector = ""
	}
	r.Containers, r.Images = containerCells(ds.Spec.Template.Spec.Containers)
	r.Strategy = "OnDelete"
	if s := ds.Spec.UpdateStrategy; s.Type != appsv1.OnDeleteDaemonSetStrategyType {
		surge, unavailable := "0", "1" // the API's defaults
		if ru := s.RollingUpdate; ru != nil {
			if ru.MaxSurge != nil {
				surge = ru.MaxSurge.String()
			}
			if ru.MaxUnavailable != nil {
				unavailable = ru.MaxUnavailable.String()
			}
		}
		r.Strategy = "RollingUpdate " + surge + "/" + unavailable
	}
	r.Rollout, r.RolloutText = daemonSetRollout(ds)
	return r
}

// daemonSetRollout follows kubectl's rollout status for daemon sets: a spec the controller
// has not observed, then nodes still to update, then updated pods not yet available.
func daemonSetRollout(ds *appsv1.DaemonSet) (RolloutPhase, string) {
	st := ds.Status
	switch {
	case ds.Generation > st.ObservedGeneration:
		return RolloutProgressing, "pending"
	case st.UpdatedNumberScheduled < st.DesiredNumberScheduled && ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType:
		return RolloutOnDelete, fmt.Sprintf("on delete %d/%d", st.UpdatedNumberScheduled, st.DesiredNumberScheduled)
	case st.UpdatedNumberScheduled < st.DesiredNumberScheduled:
		return RolloutProgressing, fmt.Sprintf("rolling %d/%d", st.UpdatedNumberScheduled, st.DesiredNumberScheduled)
	case st.NumberAvailable < st.DesiredNumberScheduled:
		return RolloutProgressing, fmt.Sprintf("available %d/%d", st.NumberAvailable, st.DesiredNumberScheduled)
	}
	return RolloutDone, ""
}

// StatefulSet is the compact row kdeck keeps per stateful set.
type StatefulSet struct {
	Namespace  string
	Name       string
	Desired    int32 // spec.replicas
	Ready      int32
	Updated    int32 // status.updatedReplicas: pods at the update revision
	Partition  int32 // spec.updateStrategy.rollingUpdate.partition: ordinals below it keep the old revision
	Containers string
	Images     string
	Selector   string
	Service    string // spec.serviceName, the governing service
	Strategy   string // "RollingUpdate", "RollingUpdate partition 2" or "OnDelete"
	Created    time.Time
	Rollout    RolloutPhase
	// RolloutText is the ROLLOUT column: "rolling 1/3", "partitioned 1/2", "ready 2/3",
	// "pending", "on delete 1/3"; empty when done.
	RolloutText string
}

// RowKey implements Row.
func (s *StatefulSet) RowKey() Key { return Key{Namespace: s.Namespace, Name: s.Name} }

// StatefulSetSource returns the Source for stateful sets in ns ("" for all namespaces).
func (c *Client) StatefulSetSource(ns string) Source[*StatefulSet] {
	api := c.Clientset.AppsV1().StatefulSets(ns)
	return TypedSource("statefulsets", ns, "", api.List, api.Watch,
		func(l *appsv1.StatefulSetList) []appsv1.StatefulSet { return l.Items }, StatefulSetRow)
}

// StatefulSetRow summarises s the way `kubectl get statefulsets -o wide` and
// `kubectl rollout status` do.
func StatefulSetRow(s *appsv1.StatefulSet) *StatefulSet {
	r := &StatefulSet{
		Namespace: s.Namespace,
		Name:      s.Name,
		Desired:   replicasOf(s.Spec.Replicas),
		Ready:     s.Status.ReadyReplicas,
		Updated:   s.Status.UpdatedReplicas,
		Selector:  selectorString(s.Spec.Selector),
		Service:   s.Spec.ServiceName,
		Created:   s.CreationTimestamp.Time,
		Strategy:  "RollingUpdate",
	}
	r.Containers, r.Images = containerCells(s.Spec.Template.Spec.Containers)
	switch us := s.Spec.UpdateStrategy; {
	case us.Type == appsv1.OnDeleteStatefulSetStrategyType:
		r.Strategy = "OnDelete"
	case us.RollingUpdate != nil && us.RollingUpdate.Partition != nil && *us.RollingUpdate.Partition > 0:
		r.Partition = *us.RollingUpdate.Partition
		r.Strategy = fmt.Sprintf("RollingUpdate partition %d", r.Partition)
	}
	r.Rollout, r.RolloutText = statefulSetRollout(s, r)
	return r
}

// statefulSetRollout follows kubectl's rollout status for stateful sets: a spec the
// controller has not observed; then an update in flight (to the partition, if any); then
// pods not yet ready. A partitioned update whose ordinals at or above the partition are
// updated is done, and says so.
func statefulSetRollout(s *appsv1.StatefulSet, r *StatefulSet) (RolloutPhase, string) {
	st := s.Status
	rolling := st.UpdateRevision != "" && st.UpdateRevision != st.CurrentRevision
	switch {
	case st.ObservedGeneration == 0 || s.Generation > st.ObservedGeneration:
		return RolloutProgressing, "pending"
	case rolling && s.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType:
		return RolloutOnDelete, fmt.Sprintf("on delete %d/%d", st.UpdatedReplicas, r.Desired)
	case rolling && r.Partition > 0:
		want := max(r.Desired-r.Partition, 0)
		if st.UpdatedReplicas < want || st.ReadyReplicas < r.Desired {
			return RolloutProgressing, fmt.Sprintf("partitioned %d/%d", st.UpdatedReplicas, want)
		}
		return RolloutDone, fmt.Sprintf("partitioned %d/%d", st.UpdatedReplicas, want)
	case rolling:
		return RolloutProgressing, fmt.Sprintf("rolling %d/%d", st.UpdatedReplicas, r.Desired)
	case st.ReadyReplicas < r.Desired:
		return RolloutProgressing, fmt.Sprintf("ready %d/%d", st.ReadyReplicas, r.Desired)
	}
	return RolloutDone, ""
}

// ReplicaSet is the compact row kdeck keeps per replica set.
type ReplicaSet struct {
	Namespace  string
	Name       string
	Desired    int32 // spec.replicas
	Current    int32 // status.replicas
	Ready      int32
	Containers string
	Images     string
	Selector   string
	Owner      string // the deployment that controls it ("" when none)
	Created    time.Time
}

// RowKey implements Row.
func (r *ReplicaSet) RowKey() Key { return Key{Namespace: r.Namespace, Name: r.Name} }

// ReplicaSetSource returns the Source for replica sets in ns ("" for all namespaces).
func (c *Client) ReplicaSetSource(ns string) Source[*ReplicaSet] {
	api := c.Clientset.AppsV1().ReplicaSets(ns)
	return TypedSource("replicasets", ns, "", api.List, api.Watch,
		func(l *appsv1.ReplicaSetList) []appsv1.ReplicaSet { return l.Items }, ReplicaSetRow)
}

// ReplicaSetRow summarises rs the way `kubectl get replicasets -o wide` does, with the
// deployment that controls it.
func ReplicaSetRow(rs *appsv1.ReplicaSet) *ReplicaSet {
	r := &ReplicaSet{
		Namespace: rs.Namespace,
		Name:      rs.Name,
		Desired:   replicasOf(rs.Spec.Replicas),
		Current:   rs.Status.Replicas,
		Ready:     rs.Status.ReadyReplicas,
		Selector:  selectorString(rs.Spec.Selector),
		Created:   rs.CreationTimestamp.Time,
	}
	r.Containers, r.Images = containerCells(rs.Spec.Template.Spec.Containers)
	if ref := metav1.GetControllerOf(rs); ref != nil && ref.Kind == "Deployment" && strings.HasPrefix(ref.APIVersion, "apps/") {
		r.Owner = ref.Name
	}
	return r
}

// replicasOf is spec.replicas, 1 when unset (the API's default).
func replicasOf(n *int32) int32 {
	if n == nil {
		return 1
	}
	return *n
}

// selectorString is a label selector as a string ("app=web"), "" when it is nil or invalid.
func selectorString(s *metav1.LabelSelector) string {
	if s == nil {
		return ""
	}
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		return ""
	}
	return sel.String()
}
