package kube

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
)

// Secret is the compact row kdeck keeps per secret. It holds no value: only how many keys
// the secret has.
type Secret struct {
	Namespace string
	Name      string
	Type      string
	Keys      int // entries in data
	Created   time.Time
}

// RowKey implements Row.
func (s *Secret) RowKey() Key { return Key{s.Namespace, s.Name} }

// SecretSource returns the Source for secrets in ns ("" for all namespaces). The values
// arrive with each object but are dropped by SecretRow; rows never hold them.
// (After merging main: typedSource("secrets", ns, "", c.List, c.Watch, items, SecretRow).)
func SecretSource(cs kubernetes.Interface, ns string) Source[*Secret] {
	c := cs.CoreV1().Secrets(ns)
	return typedSource("secrets", ns, "", c.List, c.Watch,
		func(l *corev1.SecretList) []corev1.Secret { return l.Items }, SecretRow)
}

// SecretRow summarises s without its values.
func SecretRow(s *corev1.Secret) *Secret {
	return &Secret{Namespace: s.Namespace, Name: s.Name, Type: string(s.Type),
		Keys: len(s.Data), Created: s.CreationTimestamp.Time}
}
