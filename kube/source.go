package kube

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// ListWatcher is what a typed client-go resource client offers, e.g.
// clientset.CoreV1().Pods(ns), returning lists of type L.
type ListWatcher[L runtime.Object] interface {
	List(ctx context.Context, opts metav1.ListOptions) (L, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// TypedSource returns the Source of resource in ns ("" for all namespaces) listed and
// watched through client, summarising each object of type O with row.
func TypedSource[R Row, O runtime.Object, L runtime.Object](resource, ns string, client ListWatcher[L], row func(O) R) Source[R] {
	return Source[R]{
		Resource:  resource,
		Namespace: ns,
		List: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return client.List(ctx, o)
		},
		Watch: client.Watch,
		Convert: func(obj runtime.Object) (R, bool) {
			o, ok := obj.(O)
			if !ok {
				var zero R
				return zero, false
			}
			return row(o), true
		},
		Items: func(list runtime.Object) []runtime.Object {
			items, _ := meta.ExtractList(list)
			return items
		},
	}
}
