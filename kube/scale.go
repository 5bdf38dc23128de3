package kube

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ScaleAccess is what Scale needs: it updates the scale subresource (first, so a refusal
// names the change), after reading it.
func ScaleAccess(gvr schema.GroupVersionResource, ns string) []Access {
	return []Access{scaleUpdate(gvr, ns), {Verb: "get", GVR: gvr, Subresource: "scale", Namespace: ns}}
}

// scaleUpdate is the request that changes the count.
func scaleUpdate(gvr schema.GroupVersionResource, ns string) Access {
	return Access{Verb: "update", GVR: gvr, Subresource: "scale", Namespace: ns}
}

// Scale returns the mutation that sets ref's replicas from `from` to `to` through its scale
// subresource (deployments, replica sets, stateful sets, any scalable custom resource).
// It refuses with a conflict when the count is no longer `from`: someone (or an HPA)
// changed it since the prompt showed it, and the person should look again.
func (c *Client) Scale(ref ObjectRef, from, to int32) Mutation {
	return Mutation{
		Access:  scaleUpdate(ref.GVR, ref.Namespace),
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
