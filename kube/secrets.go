package kube

import (
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
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
func (s *Secret) RowKey() Key { return Key{Namespace: s.Namespace, Name: s.Name} }

// SecretCache returns the secrets in ns ("" for all namespaces) matching the label
// selector ("" for all), without their values: every row comes from the server's printed
// Table (name, type, key count; metadata for the namespace and creation time), and only the
// TLS secrets are listed and watched whole (a field selector on their type), for their
// certificates' expiry. A TLS secret's private key crosses the wire with its certificate (the
// API has no narrower read); SecretRow drops both.
func (c *Client) SecretCache(ns, selector string) *Joined[*Secret, *Secret] {
	rows := tableSource(c, Resource{GVR: GVRSecrets, Kind: "Secret", Namespaced: true}, ns,
		metav1.IncludeMetadata, secretTableRow)
	rows.Selector = selector
	return NewJoined(rows, c.TLSSecretSource(ns, selector), JoinCerts)
}

// TLSSecretSource returns the Source for the kubernetes.io/tls secrets in ns ("" for all
// namespaces) matching the label selector ("" for all): a field selector on their type
// keeps every other secret off the wire. Rows keep the certificate's expiry, no value.
func (c *Client) TLSSecretSource(ns, selector string) Source[*Secret] {
	api := c.Clientset.CoreV1().Secrets(ns)
	list, watchTLS := FieldSelected(fields.OneTermEqualSelector("type", string(corev1.SecretTypeTLS)).String(),
		api.List, api.Watch)
	return TypedSource("secrets", ns, selector, list, watchTLS,
		func(l *corev1.SecretList) []corev1.Secret { return l.Items }, SecretRow)
}

// secretTableRow is the row of one secret from its Table row: the Type and Data (key
// count) cells the server printed, and the key and creation time from its metadata.
func secretTableRow(it *tableItem) (*Secret, bool) {
	r := it.row
	keys, _ := strconv.Atoi(r.Cell(r.Schema.Column("Data")))
	return &Secret{Namespace: r.Namespace, Name: r.Name, Type: r.Cell(r.Schema.Column("Type")),
		Keys: keys, Created: it.CreationTimestamp.Time}, true
}

// JoinCerts returns rows with each TLS secret's certificate expiry taken from its row in
// certs (the TLS secrets alone); both are in key order. A TLS secret not yet in certs keeps
// an empty expiry. Rows that change are copied, never modified.
func JoinCerts(rows, certs []*Secret) []*Secret {
	out := make([]*Secret, len(rows))
	j := 0
	for i, r := range rows {
		out[i] = r
		if r.Type != string(corev1.SecretTypeTLS) {
			continue
		}
		k := r.RowKey()
		for j < len(certs) && certs[j].RowKey().Compare(k) < 0 {
			j++
		}
		if j == len(certs) || certs[j].RowKey() != k {
			continue
		}
		if c := certs[j]; !c.Expires.Equal(r.Expires) || c.CertErr != r.CertErr {
			joined := *r
			joined.Expires, joined.CertErr = c.Expires, c.CertErr
			out[i] = &joined
		}
	}
	return out
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
