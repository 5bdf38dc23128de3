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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// Annotations the deployment controller and kubectl use for rollouts.
const (
	revisionAnnotation    = "deployment.kubernetes.io/revision"
	changeCauseAnnotation = "kubernetes.io/change-cause"
	restartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"
)

// RolloutAccess is the request every deployment rollout mutation makes (restart, pause and
// resume, set image, undo): a patch of the deployment.
func RolloutAccess(ns string) Access {
	return PatchAccess(GVRDeployments)(ns)
}

// PatchAccess returns the access function of a patch of gvr's objects: what a restart of a
// deployment, daemon set or stateful set sends.
func PatchAccess(gvr schema.GroupVersionResource) func(ns string) Access {
	return func(ns string) Access { return Access{Verb: "patch", GVR: gvr, Namespace: ns} }
}

// UndoAccess returns what Undo of gvr's objects needs: it patches the object (first, so a
// refusal names the change), after reading it and, for a daemon set or stateful set, its
// controller revisions.
func UndoAccess(gvr schema.GroupVersionResource) func(ns string) []Access {
	return func(ns string) []Access {
		a := []Access{PatchAccess(gvr)(ns), {Verb: "get", GVR: gvr, Namespace: ns}}
		if gvr != GVRDeployments {
			a = append(a, Access{Verb: "list", GVR: GVRControllerRevisions, Namespace: ns})
		}
		return a
	}
}

// patchWorkload returns the mutation that applies a strategic-merge patch to ref, a
// deployment, daemon set or stateful set.
func (c *Client) patchWorkload(ref ObjectRef, summary string, patch func() ([]byte, error)) Mutation {
	return Mutation{Access: PatchAccess(ref.GVR)(ref.Namespace), Name: ref.Name, Summary: summary,
		Do: func(ctx context.Context) error {
			p, err := patch()
			if err != nil {
				return err
			}
			return c.patchApps(ctx, ref, types.StrategicMergePatchType, p)
		}}
}

// patchApps sends one patch of ref, a deployment, daemon set or stateful set.
func (c *Client) patchApps(ctx context.Context, ref ObjectRef, pt types.PatchType, p []byte) error {
	apps, ns, opts := c.Clientset.AppsV1(), ref.Namespace, metav1.PatchOptions{}
	var err error
	switch ref.GVR {
	case GVRDeployments:
		_, err = apps.Deployments(ns).Patch(ctx, ref.Name, pt, p, opts)
	case GVRDaemonSets:
		_, err = apps.DaemonSets(ns).Patch(ctx, ref.Name, pt, p, opts)
	case GVRStatefulSets:
		_, err = apps.StatefulSets(ns).Patch(ctx, ref.Name, pt, p, opts)
	default:
		err = fmt.Errorf("%s have no rollout", ref.GVR.Resource)
	}
	return err
}

// deploymentRef is the reference of deployment ns/name.
func deploymentRef(ns, name string) ObjectRef {
	return ObjectRef{GVR: GVRDeployments, Namespace: ns, Name: name}
}

// Restart returns the mutation that restarts the pods of ref (a deployment, daemon set or
// stateful set) the way `kubectl rollout restart` does: a restartedAt annotation on the pod
// template, which its controller rolls out by its update strategy.
func (c *Client) Restart(ref ObjectRef, now time.Time) Mutation {
	return c.patchWorkload(ref, "rollout restart", func() ([]byte, error) {
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
	return c.patchWorkload(deploymentRef(ns, name), summary, func() ([]byte, error) {
		return json.Marshal(map[string]any{"spec": map[string]any{"paused": paused}})
	})
}

// SetImage returns the mutation that sets one container's image. The image reference
// must already have passed ValidateImage.
func (c *Client) SetImage(ns, name, container, from, to string) Mutation {
	return c.patchWorkload(deploymentRef(ns, name), fmt.Sprintf("container %s image %s → %s", container, from, to), func() ([]byte, error) {
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

// Revision is one entry of a rollout history: a deployment's replica set, or a daemon set's
// or stateful set's controller revision.
type Revision struct {
	Number      int64
	Name        string // the replica set's or controller revision's name
	Images      []string
	ChangeCause string
	Created     time.Time
	Replicas    int32 // pods the replica set runs now (a deployment's revisions only)
	Current     bool  // the revision the object runs
	template    corev1.PodTemplateSpec
	patch       []byte // a controller revision's data: the patch that restores its template
}

// History lists the revisions of ref (a deployment, daemon set or stateful set), newest
// first, as `kubectl rollout history` does: a deployment's replica sets, or the controller
// revisions a daemon set or stateful set owns.
func (c *Client) History(ctx context.Context, ref ObjectRef) ([]Revision, error) {
	if ref.GVR == GVRDeployments {
		return c.deploymentHistory(ctx, ref.Namespace, ref.Name)
	}
	_, revs, err := c.controllerHistory(ctx, ref)
	return revs, err
}

// deploymentHistory lists a deployment's revisions, newest first: one per replica set it
// controls.
func (c *Client) deploymentHistory(ctx context.Context, ns, name string) ([]Revision, error) {
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
		r := Revision{Number: n, Name: rs.Name, ChangeCause: rs.Annotations[changeCauseAnnotation],
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

// Undo returns the mutation that rolls ref (a deployment, daemon set or stateful set) back
// to rev, one of its History, as `kubectl rollout undo --to-revision` does; its controller
// then rolls.
func (c *Client) Undo(ref ObjectRef, rev Revision) Mutation {
	m := Mutation{Access: PatchAccess(ref.GVR)(ref.Namespace), Name: ref.Name,
		Summary: fmt.Sprintf("rollout undo to revision %d (%s)", rev.Number, strings.Join(rev.Images, ","))}
	if ref.GVR == GVRDeployments {
		m.Do = c.undoDeployment(ref.Namespace, ref.Name, rev)
	} else {
		m.Do = c.undoControllerRevision(ref, rev)
	}
	return m
}

// undoDeployment gives a deployment rev's replica set's pod template (without its
// pod-template-hash label), unless the deployment changed since it was read. A paused
// deployment is refused.
func (c *Client) undoDeployment(ns, name string, rev Revision) func(ctx context.Context) error {
	return func(ctx context.Context) error {
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
		return c.patchApps(ctx, deploymentRef(ns, name), types.JSONPatchType, patch)
	}
}

// RolloutProgress is one report on a rollout in flight.
type RolloutProgress struct {
	Text string // "rolling 2/5", "complete", "stalled: ProgressDeadlineExceeded"
	Done bool   // the rollout finished, stalled or paused: no more reports
	OK   bool   // it finished successfully
}

// FollowRollout watches ref (a deployment, daemon set or stateful set) and sends a report
// on every change until its rollout completes, stalls (a deployment's
// ProgressDeadlineExceeded), is paused, waits for pods to be deleted (OnDelete), or ctx
// ends; then it closes the channel.
func (c *Client) FollowRollout(ctx context.Context, ref ObjectRef) <-chan RolloutProgress {
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
		feed, err := c.rolloutFeed(ref)
		if err != nil {
			send(RolloutProgress{Text: "cannot follow the rollout: " + err.Error(), Done: true})
			return
		}
		rv := "" // the last version seen: a watch that ends is reopened from there
		for ctx.Err() == nil {
			w, err := feed.watch(ctx, metav1.ListOptions{ResourceVersion: rv,
				FieldSelector: fields.OneTermEqualSelector("metadata.name", ref.Name).String()})
			if err != nil {
				send(RolloutProgress{Text: "cannot follow the rollout: " + Classify(err, "watch", ref.GVR.Resource, ref.Namespace).Error(), Done: true})
				return
			}
			var done bool
			rv, done = followEvents(w, rv, feed, send)
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

// rolloutStatus is what a rollout's follower reads from an object's row.
type rolloutStatus struct {
	phase          RolloutPhase
	text           string
	ready, desired int32
}

// rolloutWatch is how one kind's rollout is followed: its watch, and the status of an
// object the watch brings (ok false for anything else).
type rolloutWatch struct {
	kind   string // "deployment", for "deployment deleted"
	watch  func(context.Context, metav1.ListOptions) (watch.Interface, error)
	status func(runtime.Object) (rv string, st rolloutStatus, ok bool)
}

// watchOf builds a rolloutWatch from a typed watch and a row's status.
func watchOf[T interface {
	runtime.Object
	GetResourceVersion() string
}](kind string, w func(context.Context, metav1.ListOptions) (watch.Interface, error), status func(T) rolloutStatus) rolloutWatch {
	return rolloutWatch{kind: kind, watch: w, status: func(o runtime.Object) (string, rolloutStatus, bool) {
		t, ok := o.(T)
		if !ok {
			return "", rolloutStatus{}, false
		}
		return t.GetResourceVersion(), status(t), true
	}}
}

// rolloutFeed is the rolloutWatch of ref's kind.
func (c *Client) rolloutFeed(ref ObjectRef) (rolloutWatch, error) {
	apps, ns := c.Clientset.AppsV1(), ref.Namespace
	switch ref.GVR {
	case GVRDeployments:
		return watchOf("deployment", apps.Deployments(ns).Watch, func(d *appsv1.Deployment) rolloutStatus {
			r := DeploymentRow(d)
			return rolloutStatus{r.Rollout, r.RolloutText, r.Ready, r.Desired}
		}), nil
	case GVRDaemonSets:
		return watchOf("daemonset", apps.DaemonSets(ns).Watch, func(d *appsv1.DaemonSet) rolloutStatus {
			r := DaemonSetRow(d)
			return rolloutStatus{r.Rollout, r.RolloutText, r.Ready, r.Desired}
		}), nil
	case GVRStatefulSets:
		return watchOf("statefulset", apps.StatefulSets(ns).Watch, func(s *appsv1.StatefulSet) rolloutStatus {
			r := StatefulSetRow(s)
			return rolloutStatus{r.Rollout, r.RolloutText, r.Ready, r.Desired}
		}), nil
	}
	return rolloutWatch{}, fmt.Errorf("%s have no rollout", ref.GVR.Resource)
}

// followEvents relays one watch's events as progress until the watch ends (done false:
// watch again from the returned version) or the rollout or the following is over. A
// watch error is not a deletion: an expired version makes the next watch start afresh.
func followEvents(w watch.Interface, rv string, feed rolloutWatch, send func(RolloutProgress) bool) (string, bool) {
	for ev := range w.ResultChan() {
		switch ev.Type {
		case watch.Deleted:
			send(RolloutProgress{Text: feed.kind + " deleted", Done: true})
			return rv, true
		case watch.Error:
			if st, ok := ev.Object.(*metav1.Status); ok && (st.Code == 410 || st.Reason == metav1.StatusReasonExpired || st.Reason == metav1.StatusReasonGone) {
				return "", false
			}
			return rv, false
		}
		v, st, ok := feed.status(ev.Object)
		if !ok {
			continue
		}
		rv = v
		if p := progressOf(st); !send(p) || p.Done {
			return rv, true
		}
	}
	return rv, false
}

func progressOf(st rolloutStatus) RolloutProgress {
	switch st.phase {
	case RolloutDone:
		text := fmt.Sprintf("rollout complete: %d/%d ready", st.ready, st.desired)
		if st.text != "" { // a stateful set's partitioned update: done to the partition
			text += " (" + st.text + ")"
		}
		return RolloutProgress{Text: text, Done: true, OK: true}
	case RolloutStalled:
		return RolloutProgress{Text: "rollout stalled: ProgressDeadlineExceeded", Done: true}
	case RolloutPaused:
		return RolloutProgress{Text: "rollout paused", Done: true, OK: true}
	case RolloutOnDelete:
		return RolloutProgress{Text: "rollout waits: " + st.text + " (OnDelete: pods update when deleted)", Done: true, OK: true}
	}
	return RolloutProgress{Text: "rollout " + st.text}
}
