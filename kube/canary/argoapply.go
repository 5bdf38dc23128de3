package canary

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kdeck/kdeck/kube"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// ArgoAction is what a key does to an Argo Rollout, the way `kubectl argo rollouts` does it.
type ArgoAction int8

// Argo Rollout actions.
const (
	// ArgoPromote is `kubectl argo rollouts promote`: when the rollout has pause
	// conditions, the status patch {"status":{"pauseConditions":null}} clears them;
	// otherwise (a canary mid-step, e.g. running an analysis) it also moves
	// status.currentStepIndex one step on (never past the last). When spec.paused is
	// set, a second patch of the main resource sets it false. The controller then goes on
	// to the next step.
	ArgoPromote ArgoAction = iota
	// ArgoPromoteFull is `promote --full`: {"status":{"promoteFull":true}} skips the
	// remaining steps, pauses and analyses; nothing is sent when the current pod hash is
	// already the stable one.
	ArgoPromoteFull
	// ArgoAbort is `abort`: {"status":{"abort":true}}; the controller scales the canary
	// down and sends all traffic to the stable ReplicaSet.
	ArgoAbort
	// ArgoRetry is `retry rollout`: {"status":{"abort":false}}; the controller starts
	// the steps over.
	ArgoRetry
)

// ArgoPlan is an action planned from a Rollout's live state: the merge patches of the
// status subresource and of the main resource (either may be nil) and what they do.
type ArgoPlan struct {
	Action      ArgoAction
	StatusPatch []byte
	SpecPatch   []byte
	Describe    string
	StepIndex   int // status.currentStepIndex after a promote that moves it; else the current one
}

// Reason is the Event reason recording the action.
func (p ArgoPlan) Reason() string {
	return [...]string{"RolloutPromoted", "RolloutPromotedFull", "RolloutAborted", "RolloutRetried"}[p.Action]
}

// ArgoAccess is every request the Argo keys of a Rollout in ns make (ArgoStages): a
// patch of its status and, to clear spec.paused, of the Rollout itself; then the record
// and its Event.
func ArgoAccess(ns string) []kube.Access {
	status := kube.Access{Verb: "patch", GVR: GVRRollouts, Subresource: "status", Namespace: ns}
	return append([]kube.Access{status}, recordAccess(GVRRollouts, ns)...)
}

// PlanArgo plans action on r; an error says why there is nothing to do.
func PlanArgo(r *ArgoRollout, action ArgoAction) (ArgoPlan, error) {
	p := ArgoPlan{Action: action, StepIndex: r.StepIndex}
	switch action {
	case ArgoPromote:
		if r.SpecPaused {
			p.SpecPatch = []byte(`{"spec":{"paused":false}}`)
		}
		switch {
		case len(r.PauseReasons) > 0:
			p.StatusPatch = []byte(`{"status":{"pauseConditions":null}}`)
			p.Describe = fmt.Sprintf("clear the pause (%s) at step %d of %d", joinReasons(r.PauseReasons), r.StepIndex+1, len(r.Steps))
		case len(r.Steps) > 0:
			p.StepIndex = min(r.StepIndex+1, len(r.Steps))
			p.StatusPatch = fmt.Appendf(nil, `{"status":{"pauseConditions":null,"currentStepIndex":%d}}`, p.StepIndex)
			p.Describe = fmt.Sprintf("skip to step index %d of %d (status.currentStepIndex %d → %d)", p.StepIndex, len(r.Steps), r.StepIndex, p.StepIndex)
		default:
			p.Describe = "unpause"
		}
		if p.SpecPatch != nil {
			p.Describe += "; spec.paused true → false"
		}
		if p.StatusPatch == nil && p.SpecPatch == nil {
			return p, fmt.Errorf("rollout %s is not paused and has no steps: nothing to promote", r.Name)
		}
	case ArgoPromoteFull:
		if r.CurrentPodHash != "" && r.CurrentPodHash == r.StableRS {
			return p, fmt.Errorf("rollout %s already runs its stable version: nothing to promote", r.Name)
		}
		p.StatusPatch = []byte(`{"status":{"promoteFull":true}}`)
		p.Describe = "status.promoteFull true: skip the remaining steps, pauses and analyses"
	case ArgoAbort:
		if r.Abort {
			return p, fmt.Errorf("rollout %s is already aborted (t retries it)", r.Name)
		}
		p.StatusPatch = []byte(`{"status":{"abort":true}}`)
		p.Describe = "status.abort true: canary scaled down, all traffic back to stable"
	case ArgoRetry:
		if !r.Abort {
			return p, fmt.Errorf("rollout %s is not aborted: nothing to retry", r.Name)
		}
		p.StatusPatch = []byte(`{"status":{"abort":false}}`)
		p.Describe = "status.abort false: the steps start over"
	}
	return p, nil
}

func joinReasons(rs []string) string {
	b, _ := json.Marshal(rs)
	return string(b[1 : len(b)-1])
}

// ArgoRecord is the record written on a Rollout after p, for the history of who did what:
// Step is status.currentStepIndex after the action (Argo's own 0-based index, not a
// kdeck step), Weight the setWeight in force there.
func ArgoRecord(c *Canary, p ArgoPlan, by string, now time.Time, gates []Gate, forced bool) Record {
	after := *c.Argo
	after.StepIndex, after.HasIndex = p.StepIndex, true
	r := Record{State: Stepping, Step: p.StepIndex, Weight: after.Weight(), By: by, At: now.UTC(), StartedAt: now.UTC(), Forced: forced}
	if c.Record != nil && !c.Record.StartedAt.IsZero() && c.Record.State == Stepping {
		r.StartedAt = c.Record.StartedAt
	}
	switch p.Action {
	case ArgoPromoteFull:
		r.State, r.Weight = Promoted, 100
	case ArgoAbort:
		r.State, r.Weight = Aborted, 0
	}
	r.Gates = gateMap(gates)
	return r
}

// ArgoStages returns the stages that carry out p on the Rollout of c through the dynamic
// client: the status subresource patch, the spec patch when spec.paused must be cleared,
// the record annotation and an Event.
func ArgoStages(client *kube.Client, c *Canary, p ArgoPlan, rec Record) []Stage {
	ns, name := c.Namespace, c.Name
	var stages []Stage
	if p.StatusPatch != nil {
		stages = append(stages, Stage{Mutation: &kube.Mutation{
			Access: kube.Access{Verb: "patch", GVR: GVRRollouts, Subresource: "status", Namespace: ns}, Name: name,
			Summary: "rollout " + p.Reason() + ": " + string(p.StatusPatch),
			Do:      dynamicPatch(client, GVRRollouts, ns, name, types.MergePatchType, p.StatusPatch, "status")}})
	}
	if p.SpecPatch != nil {
		stages = append(stages, Stage{Mutation: &kube.Mutation{
			Access: kube.Access{Verb: "patch", GVR: GVRRollouts, Namespace: ns}, Name: name,
			Summary: "rollout " + p.Reason() + ": " + string(p.SpecPatch),
			Do:      dynamicPatch(client, GVRRollouts, ns, name, types.MergePatchType, p.SpecPatch)}})
	}
	target := dynamicTarget(client, GVRRollouts, "Rollout", ns, name)
	note := fmt.Sprintf("%s by %s: %s", p.Reason(), rec.By, p.Describe)
	return append(stages, Stage{Mutation: target.record(rec)}, Stage{Mutation: target.event(p.Reason(), note, rec)})
}

// dynamicPatch patches an object (or one of its subresources) through the dynamic client.
func dynamicPatch(client *kube.Client, gvr schema.GroupVersionResource, ns, name string, pt types.PatchType, data []byte, sub ...string) func(context.Context) error {
	return func(ctx context.Context) error {
		dyn, err := client.Dynamic()
		if err != nil {
			return err
		}
		_, err = dyn.Resource(gvr).Namespace(ns).Patch(ctx, name, pt, data, metav1.PatchOptions{}, sub...)
		return err
	}
}

// dynamicTarget is a custom resource as the object a canary's record and Events are about.
func dynamicTarget(client *kube.Client, gvr schema.GroupVersionResource, kind, ns, name string) canaryTarget {
	return canaryTarget{cs: client.Clientset, gvr: gvr, ns: ns, name: name,
		patch: func(ctx context.Context, data []byte) error {
			return dynamicPatch(client, gvr, ns, name, types.MergePatchType, data)(ctx)
		},
		regarding: func(ctx context.Context) (corev1.ObjectReference, error) {
			dyn, err := client.Dynamic()
			if err != nil {
				return corev1.ObjectReference{}, err
			}
			u, err := dyn.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return corev1.ObjectReference{}, err
			}
			return corev1.ObjectReference{Kind: kind, APIVersion: gvr.GroupVersion().String(), Namespace: ns, Name: name, UID: u.GetUID()}, nil
		}}
}
