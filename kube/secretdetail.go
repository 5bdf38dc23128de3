package kube

import (
	"context"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
)

// SecretDetail is the compact row of one secret for its own page: its keys with their
// sizes and, for a TLS secret, its certificate's details. It holds no value.
type SecretDetail struct {
	Namespace       string
	Name            string
	Type            string
	ResourceVersion string // what an edit is conditioned on
	Created         time.Time
	Keys            []SecretKey // sorted by name
	Cert            *CertInfo   // parsed from tls.crt of a TLS secret; nil otherwise
	CertErr         string      // why tls.crt did not parse
}

// SecretKey is one key of a secret and the size of its value.
type SecretKey struct {
	Name string
	Size int
}

// RowKey implements Row.
func (d *SecretDetail) RowKey() Key { return Key{Namespace: d.Namespace, Name: d.Name} }

// SecretDetailSource watches the single secret ns/name (a field selector), so its page
// stays live; SecretDetailRow drops the values as each object arrives.
func (c *Client) SecretDetailSource(ns, name string) Source[*SecretDetail] {
	secrets := c.Clientset.CoreV1().Secrets(ns)
	list, watchOne := named(name, secrets.List, secrets.Watch)
	return TypedSource("secrets", ns, "", list, watchOne,
		func(l *corev1.SecretList) []corev1.Secret { return l.Items }, SecretDetailRow)
}

// named narrows list and watch to the single object called name (a field selector).
func named[L any](name string, list func(context.Context, metav1.ListOptions) (L, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error),
) (func(context.Context, metav1.ListOptions) (L, error), func(context.Context, metav1.ListOptions) (watch.Interface, error)) {
	return FieldSelected(fields.OneTermEqualSelector("metadata.name", name).String(), list, watchFn)
}

// FieldSelected narrows list and watch to the objects matching the field selector sel.
func FieldSelected[L any](sel string, list func(context.Context, metav1.ListOptions) (L, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error),
) (func(context.Context, metav1.ListOptions) (L, error), func(context.Context, metav1.ListOptions) (watch.Interface, error)) {
	return func(ctx context.Context, o metav1.ListOptions) (L, error) {
			o.FieldSelector = sel
			return list(ctx, o)
		}, func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return watchFn(ctx, o)
		}
}

// SecretDetailRow summarises s: key names and sizes, and the certificate of a TLS secret.
func SecretDetailRow(s *corev1.Secret) *SecretDetail {
	d := &SecretDetail{Namespace: s.Namespace, Name: s.Name, Type: string(s.Type),
		ResourceVersion: s.ResourceVersion, Created: s.CreationTimestamp.Time}
	for k, v := range s.Data {
		d.Keys = append(d.Keys, SecretKey{Name: k, Size: len(v)})
	}
	slices.SortFunc(d.Keys, func(a, b SecretKey) int { return strings.Compare(a.Name, b.Name) })
	if s.Type == corev1.SecretTypeTLS {
		if c, err := ParseCert(s.Data[corev1.TLSCertKey]); err != nil {
			d.CertErr = err.Error()
		} else {
			d.Cert = c
		}
	}
	return d
}
