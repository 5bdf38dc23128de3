package kube

import (
	"context"
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// ScaleAccess is the request a scale makes.
func ScaleAccess(gvr schema.GroupVersionResource, ns string) Access {
	return Access{Verb: "update", GVR: gvr, Subresource: "scale", Namespace: ns}
}

// Scale returns the mutation that sets ref's replicas from `from` to `to` through its scale
// subresource (deployments, replica sets, stateful sets, any scalable custom resource).
// It refuses with a conflict when the count is no longer `from`: someone (or an HPA)
// changed it since the prompt showed it, and the person should look again.
func (c *Client) Scale(ref ObjectRef, from, to int32) Mutation {
	return Mutation{
		Access:  ScaleAccess(ref.GVR, ref.Namespace),
		Name:    ref.Name,
		Summary: fmt.Sprintf("replicas %d → %d", from, to),
		Do: func(ctx context.Context) error {
			o, err := c.objectClients()
			if err != nil {
				return err
			}
			res := o.dynamic.Resource(ref.GVR).Namespace(ref.Namespace)
			scale, err := res.Get(ctx, ref.Name, metav1.GetOptions{}, "scale")
			if err != nil {
				return err
			}
			now, _, _ := unstructured.NestedInt64(scale.Object, "spec", "replicas")
			if int32(now) != from {
				return &Error{Kind: KindConflict, Err: fmt.Errorf("replicas changed to %d since the prompt showed %d: nothing changed, look again", now, from)}
			}
			if err := unstructured.SetNestedField(scale.Object, int64(to), "spec", "replicas"); err != nil {
				return err
			}
			_, err = res.Update(ctx, scale, metav1.UpdateOptions{}, "scale") // resourceVersion guards the race
			return err
		},
	}
}

// Replicas reads ref's desired replica count from its scale subresource.
func (c *Client) Replicas(ctx context.Context, ref ObjectRef) (int32, error) {
	o, err := c.objectClients()
	if err != nil {
		return 0, err
	}
	scale, err := o.dynamic.Resource(ref.GVR).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}, "scale")
	if err != nil {
		return 0, Classify(err, "get", ref.GVR.Resource+"/scale", ref.Namespace)
	}
	n, _, _ := unstructured.NestedInt64(scale.Object, "spec", "replicas")
	return int32(n), nil
}

// HPAFor returns the HorizontalPodAutoscaler in ref's namespace whose scale target is ref,
// or nil when none drives it.
func (c *Client) HPAFor(ctx context.Context, ref ObjectRef, kind string) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	list, err := c.Clientset.AutoscalingV2().HorizontalPodAutoscalers(ref.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, Classify(err, "list", "horizontalpodautoscalers", ref.Namespace)
	}
	for i, h := range list.Items {
		t := h.Spec.ScaleTargetRef
		if t.Kind == kind && t.Name == ref.Name {
			return &list.Items[i], nil
		}
	}
	return nil, nil
}

// HPARange returns the mutation that sets an HPA's minReplicas and maxReplicas.
func (c *Client) HPARange(ns, name string, fromMin, fromMax, toMin, toMax int32) Mutation {
	return Mutation{
		Access:  Access{Verb: "patch", GVR: GVRHPAs, Namespace: ns},
		Name:    name,
		Summary: fmt.Sprintf("min/max %d/%d → %d/%d", fromMin, fromMax, toMin, toMax),
		Do: func(ctx context.Context) error {
			patch := fmt.Sprintf(`{"spec":{"minReplicas":%d,"maxReplicas":%d}}`, toMin, toMax)
			_, err := c.Clientset.AutoscalingV2().HorizontalPodAutoscalers(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
			return err
		},
	}
}

// Delete returns the mutation that deletes ref, its dependents in the background (as
// kubectl does). grace, when non-nil, overrides the grace period (0 kills a pod now).
func (c *Client) Delete(ref ObjectRef, grace *int64) Mutation {
	summary := "deleted"
	if grace != nil {
		summary = fmt.Sprintf("deleted with grace period %ds", *grace)
	}
	return Mutation{
		Access:  Access{Verb: "delete", GVR: ref.GVR, Namespace: ref.Namespace},
		Name:    ref.Name,
		Summary: summary,
		Do: func(ctx context.Context) error {
			o, err := c.objectClients()
			if err != nil {
				return err
			}
			bg := metav1.DeletePropagationBackground
			return o.dynamic.Resource(ref.GVR).Namespace(ref.Namespace).Delete(ctx, ref.Name,
				metav1.DeleteOptions{GracePeriodSeconds: grace, PropagationPolicy: &bg})
		},
	}
}
