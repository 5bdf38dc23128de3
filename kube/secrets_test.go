package kube

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	clienttesting "k8s.io/client-go/testing"
)

// A secret's row counts its keys and holds none of its values.
func TestSecretRow(t *testing.T) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db"},
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"password": []byte(plainPassword), "user": []byte("admin")}}
	row := SecretRow(s)
	if row.Keys != 2 || row.Type != "Opaque" || row.RowKey() != (Key{Namespace: "shop", Name: "db"}) {
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

// A secrets Table page with includeObject=Metadata, as kube-apiserver v1.37 prints it: the
// Data cell is the key count, and no value is in it.
const secretsPage = `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"245"},
"columnDefinitions":[
 {"name":"Name","type":"string","format":"name","description":"","priority":0},
 {"name":"Type","type":"string","format":"","description":"","priority":0},
 {"name":"Data","type":"string","format":"","description":"","priority":0},
 {"name":"Age","type":"string","format":"","description":"","priority":0}],
"rows":[
 {"cells":["db","Opaque",2,"5s"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
   "metadata":{"name":"db","namespace":"shop","resourceVersion":"244","creationTimestamp":"2026-12-05T10:25:51Z",
   "managedFields":[{"manager":"kubectl","fieldsV1":{"f:data":{"f:password":{},"f:user":{}}}}]}}},
 {"cells":["web-tls","kubernetes.io/tls",3,"2d"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
   "metadata":{"name":"web-tls","namespace":"shop","resourceVersion":"240","creationTimestamp":"2026-12-03T08:00:00Z"}}}]}`

// A secret's row from the server's Table: type and key count from the printed cells, key
// and creation time from the metadata.
func TestSecretTableRow(t *testing.T) {
	var sch atomic.Pointer[TableSchema]
	var rows []*Secret
	for _, it := range tableItems(decodeTable(t, secretsPage), &sch, "") {
		r, ok := secretTableRow(it.(*tableItem))
		if !ok {
			t.Fatal("row refused")
		}
		rows = append(rows, r)
	}
	want := []Secret{
		{Namespace: "shop", Name: "db", Type: "Opaque", Keys: 2, Created: time.Date(2026, 12, 5, 10, 25, 51, 0, time.UTC)},
		{Namespace: "shop", Name: "web-tls", Type: "kubernetes.io/tls", Keys: 3, Created: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if r.RowKey() != want[i].RowKey() || r.Type != want[i].Type || r.Keys != want[i].Keys || !r.Created.Equal(want[i].Created) {
			t.Errorf("row %d: %+v, want %+v", i, *r, want[i])
		}
	}
}

// Each TLS row takes its certificate's expiry (or error) from the TLS secrets' rows; other
// rows, and a TLS row whose certificate has not arrived, are passed as they are; nothing
// given is modified.
func TestJoinCerts(t *testing.T) {
	end := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	tls := string(corev1.SecretTypeTLS)
	rows := []*Secret{
		{Namespace: "a", Name: "api-tls", Type: tls, Keys: 2},
		{Namespace: "a", Name: "db", Type: "Opaque", Keys: 1},
		{Namespace: "b", Name: "bad-tls", Type: tls, Keys: 2},
		{Namespace: "b", Name: "new-tls", Type: tls, Keys: 2},
		{Namespace: "c", Name: "same-tls", Type: tls, Keys: 2, Expires: end},
	}
	certs := []*Secret{
		{Namespace: "a", Name: "api-tls", Type: tls, Expires: end},
		{Namespace: "a", Name: "gone-tls", Type: tls, Expires: end},
		{Namespace: "b", Name: "bad-tls", Type: tls, CertErr: "no PEM certificate"},
		{Namespace: "c", Name: "same-tls", Type: tls, Expires: end},
	}
	before := make([]Secret, len(rows))
	for i, r := range rows {
		before[i] = *r
	}
	out := JoinCerts(rows, certs)
	if len(out) != len(rows) {
		t.Fatalf("%d rows", len(out))
	}
	if !out[0].Expires.Equal(end) || out[0].Keys != 2 || out[0] == rows[0] {
		t.Errorf("api-tls: %+v", *out[0])
	}
	if out[1] != rows[1] || out[3] != rows[3] || out[4] != rows[4] {
		t.Error("rows without a new expiry must be passed as they are")
	}
	if out[2].CertErr == "" || !out[2].Expires.IsZero() {
		t.Errorf("bad-tls: %+v", *out[2])
	}
	for i, r := range rows {
		if *r != before[i] {
			t.Errorf("row %d modified: %+v", i, *r)
		}
	}
}

// Only TLS secrets are listed and watched whole: the second source's requests carry the
// field selector on their type.
func TestSecretCacheWatchesTLSOnly(t *testing.T) {
	requireTLSOnly(t, func(c *Client) Source[*Secret] { return c.SecretCache("shop", "").secondary.src })
}

// requireTLSOnly checks that the secrets source made of a client lists and watches with
// the field selector on the TLS type.
func requireTLSOnly(t *testing.T, source func(*Client) Source[*Secret]) {
	t.Helper()
	cs := fake.NewClientset()
	var seen []string
	cs.PrependReactor("list", "secrets", func(a clienttesting.Action) (bool, runtime.Object, error) {
		seen = append(seen, "list "+a.(clienttesting.ListAction).GetListRestrictions().Fields.String())
		return false, nil, nil
	})
	cs.PrependWatchReactor("secrets", func(a clienttesting.Action) (bool, watch.Interface, error) {
		seen = append(seen, "watch "+a.(clienttesting.WatchAction).GetWatchRestrictions().Fields.String())
		return false, nil, nil
	})
	src := source(&Client{Clientset: cs, Config: &rest.Config{Host: "http://127.0.0.1:1"}})
	if _, err := src.List(t.Context(), metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	w, err := src.Watch(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
	if want := []string{"list type=kubernetes.io/tls", "watch type=kubernetes.io/tls"}; !slices.Equal(seen, want) {
		t.Errorf("requests %q, want %q", seen, want)
	}
}
