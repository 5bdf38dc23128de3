package kube

import (
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RolloutPhase says where a deployment's rollout stands.
type RolloutPhase int8

// Rollout phases, derived the way `kubectl rollout status` decides.
const (
	RolloutDone        RolloutPhase = iota // every replica is updated and available
	RolloutProgressing                     // a rollout is in flight
	RolloutPaused                          // spec.paused: the controller will not roll
	RolloutStalled                         // Progressing=False, ProgressDeadlineExceeded
)

// Deployment is the compact row kdeck keeps per deployment.
type Deployment struct {
	Namespace string
	Name      string
	Desired   int32 // spec.replicas
	Ready     int32
	UpToDate  int32
	Available int32
	Images    string // container images, comma-separated
	Strategy  string // "RollingUpdate 25%/25%" (max surge/max unavailable) or "Recreate"
	Selector  string // the pod selector as a label selector string ("app=web")
	Paused    bool   // spec.paused: the controller does not roll the template
	Created   time.Time
	Rollout   RolloutPhase
	// RolloutText is the ROLLOUT column: "rolling 3/5", "2 old terminating", "available 3/5",
	// "pending", "stalled", "paused"; empty when done.
	RolloutText string
}

// RowKey implements Row.
func (d *Deployment) RowKey() Key { return Key{Namespace: d.Namespace, Name: d.Name} }

// DeploymentSource returns the Source for deployments in ns ("" for all namespaces).
func (c *Client) DeploymentSource(ns string) Source[*Deployment] {
	api := c.Clientset.AppsV1().Deployments(ns)
	return TypedSource("deployments", ns, "", api.List, api.Watch,
		func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items }, DeploymentRow)
}

// DeploymentRow summarises d the way `kubectl get deployments -o wide` and
// `kubectl rollout status` do.
func DeploymentRow(d *appsv1.Deployment) *Deployment {
	desired := int32(1)
	if d.Spec.Replicas != nil {
		desired = *d.Spec.Replicas
	}
	r := &Deployment{
		Namespace: d.Namespace,
		Name:      d.Name,
		Desired:   desired,
		Ready:     d.Status.ReadyReplicas,
		UpToDate:  d.Status.UpdatedReplicas,
		Available: d.Status.AvailableReplicas,
		Created:   d.CreationTimestamp.Time,
		Paused:    d.Spec.Paused,
	}
	images := make([]string, 0, len(d.Spec.Template.Spec.Containers))
	for _, c := range d.Spec.Template.Spec.Containers {
		images = append(images, c.Image)
	}
	r.Images = strings.Join(images, ",")
	r.Strategy = strategy(d.Spec.Strategy)
	if sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err == nil {
		r.Selector = sel.String()
	}
	r.Rollout, r.RolloutText = rolloutOf(d, desired)
	return r
}

func strategy(s appsv1.DeploymentStrategy) string {
	if s.Type == appsv1.RecreateDeploymentStrategyType {
		return "Recreate"
	}
	surge, unavailable := "25%", "25%" // the API's defaults
	if ru := s.RollingUpdate; ru != nil {
		if ru.MaxSurge != nil {
			surge = ru.MaxSurge.String()
		}
		if ru.MaxUnavailable != nil {
			unavailable = ru.MaxUnavailable.String()
		}
	}
	return "RollingUpdate " + surge + "/" + unavailable
}

// rolloutOf follows kubectl's rollout status: a stalled rollout first, then a paused one,
// then a spec the controller has not observed, then replicas still to update, old replicas
// still terminating and updated replicas not yet available.
func rolloutOf(d *appsv1.Deployment, desired int32) (RolloutPhase, string) {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return RolloutStalled, "stalled"
		}
	}
	if d.Spec.Paused {
		return RolloutPaused, "paused"
	}
	st := d.Status
	switch {
	case d.Generation > st.ObservedGeneration:
		return RolloutProgressing, "pending"
	case st.UpdatedReplicas < desired:
		return RolloutProgressing, fmt.Sprintf("rolling %d/%d", st.UpdatedReplicas, desired)
	case st.Replicas > st.UpdatedReplicas:
		return RolloutProgressing, fmt.Sprintf("%d old terminating", st.Replicas-st.UpdatedReplicas)
	case st.AvailableReplicas < st.UpdatedReplicas:
		return RolloutProgressing, fmt.Sprintf("available %d/%d", st.AvailableReplicas, st.UpdatedReplicas)
	}
	return RolloutDone, ""
}
