package kube

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// DeleteAccess is the request Delete makes.
func DeleteAccess(gvr schema.GroupVersionResource, ns string) Access {
	return Access{Verb: "delete", GVR: gvr, Namespace: ns}
}

// Delete returns the mutation that deletes ref, its dependents in the background (as
// kubectl does). grace, when non-nil, overrides the grace period (0 kills a pod now).
func (c *Client) Delete(ref ObjectRef, grace *int64) Mutation {
	summary := "deleted"
	if grace != nil {
		summary = fmt.Sprintf("deleted with grace period %ds", *grace)
	}
	return Mutation{
		Access:  DeleteAccess(ref.GVR, ref.Namespace),
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
