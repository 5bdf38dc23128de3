package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// Annotations the deployment controller and kubectl use for rollouts.
const (
	revisionAnnotation    = "deployment.kubernetes.io/revision"
	changeCauseAnnotation = "kubernetes.io/change-cause"
	restartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"
)

// RolloutAccess is the request every rollout mutation makes (restart, pause and resume,
// set image, undo): a patch of the deployment.
func RolloutAccess(ns string) Access {
	return Access{Verb: "patch", GVR: GVRDeployments, Namespace: ns}
}

// UndoAccess is what Undo needs: it patches the deployment (first, so a refusal names the
// change), after reading it.
func UndoAccess(ns string) []Access {
	return []Access{RolloutAccess(ns), {Verb: "get", GVR: GVRDeployments, Namespace: ns}}
}

// patchDeployment returns the mutation that applies a strategic-merge patch to a deployment.
func (c *Client) patchDeployment(ns, name, summary string, patch func() ([]byte, error)) Mutation {
	return Mutation{Access: RolloutAccess(ns), Name: name, Summary: summary,
		Do: func(ctx context.Context) error {
			p, err := patch()
			if err != nil {
				return err
			}
			_, err = c.Clientset.AppsV1().Deployments(ns).Patch(ctx, name, types.StrategicMergePatchType, p, metav1.PatchOptions{})
			return err
		}}
}

// Restart returns the mutation that restarts a deployment's pods the way
// `kubectl rollout restart` does: a restartedAt annotation on the pod template.
func (c *Client) Restart(ns, name string, now time.Time) Mutation {
	return c.patchDeployment(ns, name, "rollout restart", func() ([]byte, error) {
		return json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{
			"metadata": map[string]any{"annotations": map[string]string{restartedAtAnnotation: now.Format(time.RFC3339)}}}}})
	})
}

// Pause returns the mutation that pauses (paused true) or resumes a deployment's rollout.
func (c *Client) Pause(ns, name string, paused bool) Mutation {
	summary := "rollout resumed"
	if paused {
		summary = "rollout paused"
	}
	return c.patchDeployment(ns, name, summary, func() ([]byte, error) {
		return json.Marshal(map[string]any{"spec": map[string]any{"paused": paused}})
	})
}

// SetImage returns the mutation that sets one container's image. The image reference
// must already have passed ValidateImage.
func (c *Client) SetImage(ns, name, container, from, to string) Mutation {
	return c.patchDeployment(ns, name, fmt.Sprintf("container %s image %s → %s", container, from, to), func() ([]byte, error) {
		return json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []map[string]string{{"name": container, "image": to}}}}}})
	})
}

// DeploymentContainers reads the containers of deployment ns/name's pod template, for a
// set-image prompt.
func (c *Client) DeploymentContainers(ctx context.Context, ns, name string) ([]corev1.Container, error) {
	d, err := c.Clientset.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, Classify(err, "get", "deployments", ns)
	}
	return d.Spec.Template.Spec.Containers, nil
}

// ValidateImage checks an image reference the way the container runtime will parse it
// ("nginx", "nginx:1.27", "ghcr.io/org/app@sha256:…"), so a typo fails in the prompt
// instead of in an ImagePullBackOff.
func ValidateImage(s string) error {
	if s == "" {
		return errors.New("image reference is empty")
	}
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t") {
		return errors.New("image reference contains spaces")
	}
	if _, err := reference.ParseNormalizedNamed(s); err != nil {
		return fmt.Errorf("not a valid image reference: %v", err)
	}
	return nil
}

// Revision is one entry of a deployment's rollout history, from its replica sets.
type Revision struct {
	Number      int64
	Images      []string
	ChangeCause string
	Created     time.Time
	Replicas    int32 // pods the replica set runs now
	Current     bool  // the revision the deployment runs
	template    corev1.PodTemplateSpec
}

// History lists a deployment's revisions, newest first, as `kubectl rollout history` does:
// one per replica set the deployment owns.
func (c *Client) History(ctx context.Context, ns, name string) ([]Revision, error) {
	d, err := c.Clientset.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, Classify(err, "get", "deployments", ns)
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, err
	}
	rss, err := c.Clientset.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, Classify(err, "list", "replicasets", ns)
	}
	current := d.Annotations[revisionAnnotation]
	var revs []Revision
	for _, rs := range rss.Items {
		if !metav1.IsControlledBy(&rs, d) {
			continue
		}
		n, err := strconv.ParseInt(rs.Annotations[revisionAnnotation], 10, 64)
		if err != nil {
			continue
		}
		r := Revision{Number: n, ChangeCause: rs.Annotations[changeCauseAnnotation],
			Created: rs.CreationTimestamp.Time, Replicas: rs.Status.Replicas,
			Current: rs.Annotations[revisionAnnotation] == current, template: rs.Spec.Template}
		for _, ct := range rs.Spec.Template.Spec.Containers {
			r.Images = append(r.Images, ct.Image)
		}
		revs = append(revs, r)
	}
	slices.SortFunc(revs, func(a, b Revision) int { return int(b.Number - a.Number) })
	return revs, nil
}

// Undo returns the mutation that rolls a deployment back to rev, as `kubectl rollout
// undo --to-revision` does: the deployment takes that replica set's pod template (without
// its pod-template-hash label), and the controller rolls. A paused deployment is refused.
func (c *Client) Undo(ns, name string, rev Revision) Mutation {
	return Mutation{Access: RolloutAccess(ns), Name: name,
		Summary: fmt.Sprintf("rollout undo to revision %d (%s)", rev.Number, strings.Join(rev.Images, ",")),
		Do: func(ctx context.Context) error {
			d, err := c.Clientset.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if d.Spec.Paused {
				return &Error{Kind: KindInvalid, Err: errors.New("the rollout is paused: resume it (z) before undoing")}
			}
			tmpl := rev.template.DeepCopy()
			delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
			patch, err := json.Marshal([]map[string]any{
				{"op": "test", "path": "/metadata/resourceVersion", "value": d.ResourceVersion},
				{"op": "replace", "path": "/spec/template", "value": tmpl},
			})
			if err != nil {
				return err
			}
			_, err = c.Clientset.AppsV1().Deployments(ns).Patch(ctx, name, types.JSONPatchType, patch, metav1.PatchOptions{})
			return err
		}}
}

// RolloutProgress is one report on a rollout in flight.
type RolloutProgress struct {
	Text string // "rolling 2/5", "complete", "stalled: ProgressDeadlineExceeded"
	Done bool   // the rollout finished, stalled or paused: no more reports
	OK   bool   // it finished successfully
}

// FollowRollout watches one deployment and sends a report on every change until its
// rollout completes, stalls (ProgressDeadlineExceeded), is paused, or ctx ends; then
// it closes the channel.
func (c *Client) FollowRollout(ctx context.Context, ns, name string) <-chan RolloutProgress {
	out := make(chan RolloutProgress, 1)
	go func() {
		defer close(out)
		send := func(p RolloutProgress) bool {
			select {
			case out <- p:
				return true
			case <-ctx.Done():
				return false
			}
		}
		rv := "" // the last version seen: a watch that ends is reopened from there
		for ctx.Err() == nil {
			w, err := c.Clientset.AppsV1().Deployments(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv,
				FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()})
			if err != nil {
				send(RolloutProgress{Text: "cannot follow the rollout: " + Classify(err, "watch", "deployments", ns).Error(), Done: true})
				return
			}
			var done bool
			rv, done = followEvents(w, rv, send)
			w.Stop()
			if done {
				return
			}
			select { // the watch ended (a server timeout, a dropped connection): watch again
			case <-ctx.Done():
				return
			case <-time.After(followRetry):
			}
		}
	}()
	return out
}

// followRetry is the pause before a rollout's ended watch is opened again.
const followRetry = time.Second

// followEvents relays one watch's events as progress until the watch ends (done false:
// watch again from the returned version) or the rollout or the following is over. A
// watch error is not a deletion: an expired version makes the next watch start afresh.
func followEvents(w watch.Interface, rv string, send func(RolloutProgress) bool) (string, bool) {
	for ev := range w.ResultChan() {
		switch ev.Type {
		case watch.Deleted:
			send(RolloutProgress{Text: "deployment deleted", Done: true})
			return rv, true
		case watch.Error:
			if st, ok := ev.Object.(*metav1.Status); ok && (st.Code == 410 || st.Reason == metav1.StatusReasonExpired || st.Reason == metav1.StatusReasonGone) {
				return "", false
			}
			return rv, false
		}
		d, ok := ev.Object.(*appsv1.Deployment)
		if !ok {
			continue
		}
		rv = d.ResourceVersion
		if p := progressOf(DeploymentRow(d)); !send(p) || p.Done {
			return rv, true
		}
	}
	return rv, false
}

func progressOf(d *Deployment) RolloutProgress {
	switch d.Rollout {
	case RolloutDone:
		return RolloutProgress{Text: fmt.Sprintf("rollout complete: %d/%d ready", d.Ready, d.Desired), Done: true, OK: true}
	case RolloutStalled:
		return RolloutProgress{Text: "rollout stalled: ProgressDeadlineExceeded", Done: true}
	case RolloutPaused:
		return RolloutProgress{Text: "rollout paused", Done: true, OK: true}
	}
	return RolloutProgress{Text: "rollout " + d.RolloutText}
}
