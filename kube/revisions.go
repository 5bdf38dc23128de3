package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// A daemon set's or stateful set's rollout history is kept by its controller as
// ControllerRevisions it owns: each holds the strategic-merge patch
// {"spec":{"template":{…,"$patch":"replace"}}} that restores one pod template, a revision
// number, and the object's annotations (the change cause) when it was made. The controller
// gives a revision the next number when the template goes back to it, so the highest
// number is the template the object runs. kubectl reads and rolls back this way
// (k8s.io/kubectl/pkg/polymorphichelpers: history.go, rollback.go); its Rollbacker sends
// its requests with context.TODO(), which Client.Apply could neither bound nor cancel, so
// kdeck makes the same requests itself.

// templateOwner is a daemon set or stateful set as its rollout history needs it.
type templateOwner struct {
	meta     metav1.Object
	selector *metav1.LabelSelector
	template *corev1.PodTemplateSpec
}

// getTemplateOwner reads ref, a daemon set or stateful set.
func (c *Client) getTemplateOwner(ctx context.Context, ref ObjectRef) (templateOwner, error) {
	apps, ns := c.Clientset.AppsV1(), ref.Namespace
	switch ref.GVR {
	case GVRDaemonSets:
		ds, err := apps.DaemonSets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return templateOwner{}, Classify(err, "get", ref.GVR.Resource, ns)
		}
		return templateOwner{ds, ds.Spec.Selector, &ds.Spec.Template}, nil
	case GVRStatefulSets:
		s, err := apps.StatefulSets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return templateOwner{}, Classify(err, "get", ref.GVR.Resource, ns)
		}
		return templateOwner{s, s.Spec.Selector, &s.Spec.Template}, nil
	}
	return templateOwner{}, fmt.Errorf("%s keep no controller revisions", ref.GVR.Resource)
}

// controllerHistory reads ref (a daemon set or stateful set) and lists its revisions,
// newest first: the controller revisions matching its selector that it controls.
func (c *Client) controllerHistory(ctx context.Context, ref ObjectRef) (templateOwner, []Revision, error) {
	owner, err := c.getTemplateOwner(ctx, ref)
	if err != nil {
		return owner, nil, err
	}
	sel, err := metav1.LabelSelectorAsSelector(owner.selector)
	if err != nil {
		return owner, nil, err
	}
	crs, err := c.Clientset.AppsV1().ControllerRevisions(ref.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return owner, nil, Classify(err, "list", "controllerrevisions", ref.Namespace)
	}
	var revs []Revision
	for i := range crs.Items {
		cr := &crs.Items[i]
		if !metav1.IsControlledBy(cr, owner.meta) {
			continue
		}
		if r, err := RevisionOf(cr); err == nil {
			revs = append(revs, r)
		}
	}
	slices.SortFunc(revs, func(a, b Revision) int { return int(b.Number - a.Number) })
	if len(revs) > 0 {
		revs[0].Current = true
	}
	return owner, revs, nil
}

// RevisionOf reads one controller revision: its number, its pod template's images and its
// change cause. It fails when its data is not a pod template patch.
func RevisionOf(cr *appsv1.ControllerRevision) (Revision, error) {
	var data struct {
		Spec struct {
			Template *corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(cr.Data.Raw, &data); err != nil {
		return Revision{}, err
	}
	if data.Spec.Template == nil {
		return Revision{}, errors.New("controller revision " + cr.Name + " holds no pod template")
	}
	r := Revision{Number: cr.Revision, Name: cr.Name, ChangeCause: cr.Annotations[changeCauseAnnotation],
		Created: cr.CreationTimestamp.Time, template: *data.Spec.Template, patch: cr.Data.Raw}
	for _, ct := range r.template.Spec.Containers {
		r.Images = append(r.Images, ct.Image)
	}
	return r, nil
}

// undoControllerRevision rolls ref (a daemon set or stateful set) back to rev as kubectl
// does: it reads the object and its revisions again, finds rev by number, and sends the
// revision's data as a strategic-merge patch. It refuses, sending nothing, when rev is no
// longer that number (the history changed since the dialog) or is already the template.
func (c *Client) undoControllerRevision(ref ObjectRef, rev Revision) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		owner, revs, err := c.controllerHistory(ctx, ref)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(revs, func(r Revision) bool { return r.Number == rev.Number && r.Name == rev.Name })
		switch {
		case i < 0:
			return &Error{Kind: KindConflict, Err: fmt.Errorf("revision %d is no longer in the history: nothing changed, look again", rev.Number)}
		case revs[i].Current || apiequality.Semantic.DeepEqual(*owner.template, revs[i].template):
			return &Error{Kind: KindConflict, Err: fmt.Errorf("the template already matches revision %d: nothing changed", rev.Number)}
		}
		return c.patchApps(ctx, ref, types.StrategicMergePatchType, revs[i].patch)
	}
}
