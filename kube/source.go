package kube

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// TypedSource builds a Source from a typed client's List and Watch methods: items returns
// a list's objects and convert summarises one. T is the object type (corev1.Pod), PT its
// pointer (*corev1.Pod) and L the list type (*corev1.PodList).
func TypedSource[T any, PT interface {
	*T
	runtime.Object
}, L runtime.Object, R Row](
	resource, ns, selector string,
	list func(context.Context, metav1.ListOptions) (L, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error),
	items func(L) []T,
	convert func(PT) R,
) Source[R] {
	return Source[R]{
		Resource:  resource,
		Namespace: ns,
		Selector:  selector,
		List: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return list(ctx, o)
		},
		Watch: watchFn,
		Convert: func(obj runtime.Object) (R, bool) {
			o, ok := obj.(PT)
			if !ok {
				var zero R
				return zero, false
			}
			return convert(o), true
		},
		Items: func(l runtime.Object) []runtime.Object {
			typed, ok := l.(L)
			if !ok {
				return nil
			}
			in := items(typed)
			out := make([]runtime.Object, len(in))
			for i := range in {
				out[i] = PT(&in[i])
			}
			return out
		},
	}
}
