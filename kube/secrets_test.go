package kube

import (
	"fmt"
	"strings"
	"testing"

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
