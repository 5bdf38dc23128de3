package kube

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// Dynamic returns the client for objects of any kind (custom resources), built on first use.
func (c *Client) Dynamic() (dynamic.Interface, error) {
	o, err := c.objectClients()
	if err != nil {
		return nil, err
	}
	return o.dynamic, nil
}

// NewClientFor returns a Client over clients made elsewhere (fakes in tests), with no
// connection, policy or audit log; dyn serves objects of any kind.
func NewClientFor(cs kubernetes.Interface, dyn dynamic.Interface) *Client {
	c := &Client{Clientset: cs}
	c.objects.once.Do(func() { c.objects.dynamic = dyn })
	return c
}

// DynamicSource returns the Source for objects of gvr in ns through the dynamic client,
// summarised by convert (which may skip objects).
func DynamicSource[R Row](dyn dynamic.Interface, gvr schema.GroupVersionResource, ns string, convert func(*unstructured.Unstructured) (R, bool)) Source[R] {
	c := dyn.Resource(gvr).Namespace(ns)
	return Source[R]{
		Resource:  gvr.Resource,
		Namespace: ns,
		List: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.List(ctx, o)
		},
		Watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return c.Watch(ctx, o) },
		Convert: func(obj runtime.Object) (R, bool) {
			u, ok := obj.(*unstructured.Unstructured)
			if !ok {
				var zero R
				return zero, false
			}
			return convert(u)
		},
		Items: func(l runtime.Object) []runtime.Object {
			ul, ok := l.(*unstructured.UnstructuredList)
			if !ok {
				return nil
			}
			out := make([]runtime.Object, len(ul.Items))
			for i := range ul.Items {
				out[i] = &ul.Items[i]
			}
			return out
		},
	}
}
