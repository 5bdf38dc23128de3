package kube

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Secret is the compact row kdeck keeps per secret. It holds no value: only how many keys
// the secret has and, for a TLS secret, when its certificate expires.
type Secret struct {
	Namespace string
	Name      string
	Type      string
	Keys      int // entries in data
	Created   time.Time
	// Expires is the NotAfter of a kubernetes.io/tls secret's certificate; zero for other
	// types and for a tls.crt that does not parse (CertErr says why).
	Expires time.Time
	CertErr string
}

// RowKey implements Row.
func (s *Secret) RowKey() Key { return Key{s.Namespace, s.Name} }

// SecretSource returns the Source for secrets in ns ("" for all namespaces). The values
// arrive with each object but are dropped by SecretRow; rows never hold them.
func (c *Client) SecretSource(ns string) Source[*Secret] {
	api := c.Clientset.CoreV1().Secrets(ns)
	return TypedSource("secrets", ns, "", api.List, api.Watch,
		func(l *corev1.SecretList) []corev1.Secret { return l.Items }, SecretRow)
}

// SecretRow summarises s without its values; a TLS secret's certificate is parsed here,
// once per change, and only its expiry kept.
func SecretRow(s *corev1.Secret) *Secret {
	row := &Secret{Namespace: s.Namespace, Name: s.Name, Type: string(s.Type),
		Keys: len(s.Data), Created: s.CreationTimestamp.Time}
	if s.Type == corev1.SecretTypeTLS {
		if c, err := ParseCert(s.Data[corev1.TLSCertKey]); err != nil {
			row.CertErr = err.Error()
		} else {
			row.Expires = c.NotAfter
		}
	}
	return row
}
