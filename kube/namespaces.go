package kube

import (
	"context"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NamespaceNames lists the cluster's namespaces (names only, from metadata), sorted.
func (c *Client) NamespaceNames(ctx context.Context) ([]string, error) {
	list, err := c.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, Classify(err, "list", "namespaces", "")
	}
	names := make([]string, len(list.Items))
	for i, ns := range list.Items {
		names[i] = ns.Name
	}
	slices.Sort(names)
	return names, nil
}
