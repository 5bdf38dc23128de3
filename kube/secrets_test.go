package kube

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A secret's row counts its keys and holds none of its values.
func TestSecretRow(t *testing.T) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db"},
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"password": []byte(plainPassword), "user": []byte("admin")}}
	row := SecretRow(s)
	if row.Keys != 2 || row.Type != "Opaque" || row.RowKey() != (Key{"shop", "db"}) {
		t.Errorf("row %+v", row)
	}
	if strings.Contains(fmt.Sprintf("%#v", row), plainPassword) {
		t.Errorf("the row holds a value: %#v", row)
	}
}

// A TLS secret's row keeps its certificate's expiry and nothing of the certificate or key;
// one whose tls.crt does not parse says why.
func TestSecretRowTLS(t *testing.T) {
	end := time.Date(2026, 12, 13, 10, 0, 0, 0, time.UTC)
	cert, key := testPair(t, "payments.example.com", end)
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "payments-tls"},
		Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": cert, "tls.key": key}}
	row := SecretRow(s)
	if !row.Expires.Equal(end) || row.CertErr != "" || row.Keys != 2 {
		t.Errorf("row %+v", row)
	}
	dump := fmt.Sprintf("%#v", row)
	for _, v := range [][]byte{cert, key} {
		if strings.Contains(dump, string(v[40:80])) {
			t.Errorf("the row holds certificate or key bytes: %s", dump)
		}
	}
	s.Data["tls.crt"] = []byte("garbage")
	if row := SecretRow(s); !row.Expires.IsZero() || row.CertErr == "" {
		t.Errorf("a bad certificate: %+v", row)
	}
}

// A secret's detail row lists its keys with sizes, sorted, and its certificate, never a value.
func TestSecretDetailRow(t *testing.T) {
	end := time.Date(2026, 12, 13, 10, 0, 0, 0, time.UTC)
	cert, key := testPair(t, "payments.example.com", end)
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "payments-tls", ResourceVersion: "42"},
		Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.key": key, "tls.crt": cert, "ca.crt": []byte(plainPassword)}}
	d := SecretDetailRow(s)
	want := []SecretKey{{"ca.crt", len(plainPassword)}, {"tls.crt", len(cert)}, {"tls.key", len(key)}}
	if !slices.Equal(d.Keys, want) || d.ResourceVersion != "42" || d.Cert == nil || !d.Cert.NotAfter.Equal(end) {
		t.Errorf("detail %+v, keys %v", d, d.Keys)
	}
	dump := fmt.Sprintf("%#v %#v", d, *d.Cert)
	if strings.Contains(dump, plainPassword) || strings.Contains(dump, string(key[40:80])) {
		t.Errorf("the detail holds a value: %s", dump)
	}
}
