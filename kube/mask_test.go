package kube

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

const (
	plainPassword = "hunter2-very-secret-pw"
	plainToken    = "tok-0123456789abcdef"
)

var (
	b64Password = base64.StdEncoding.EncodeToString([]byte(plainPassword))
	b64Token    = base64.StdEncoding.EncodeToString([]byte(plainToken))
)

// secretFixture is a Secret as the API returns it, with the trap: kubectl apply's
// last-applied-configuration annotation holds a copy of the data.
func secretFixture(t *testing.T, typ string) map[string]any {
	t.Helper()
	lastApplied := `{"apiVersion":"v1","data":{"password":"` + b64Password + `"},"kind":"Secret","metadata":{"name":"db","namespace":"shop"},"stringData":{"token":"` + plainToken + `"}}`
	raw := map[string]any{
		"apiVersion": "v1",
		"kind":       "Secret",
		"type":       typ,
		"metadata": map[string]any{
			"name": "db", "namespace": "shop", "uid": "1234",
			"labels": map[string]any{"app": "shop"},
			"annotations": map[string]any{
				"kubectl.kubernetes.io/last-applied-configuration": lastApplied,
				"team": "payments",
			},
			"managedFields": []any{map[string]any{"manager": "kubectl", "fieldsV1": map[string]any{"f:data": map[string]any{"f:password": map[string]any{}}}}},
		},
		"data":       map[string]any{"password": b64Password, "token": b64Token},
		"stringData": map[string]any{"extra": plainToken},
	}
	// through JSON, so the values are what the dynamic client would hold
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// assertNoSecret fails when text holds any secret value of the fixture, plain or base64.
func assertNoSecret(t *testing.T, what, text string) {
	t.Helper()
	for _, v := range []string{plainPassword, b64Password, plainToken, b64Token} {
		if strings.Contains(text, v) {
			t.Errorf("%s shows the secret value %q:\n%s", what, v, text)
		}
	}
}

func TestMaskSecret(t *testing.T) {
	obj := secretFixture(t, "Opaque")
	MaskSecret(obj)
	data := obj["data"].(map[string]any)
	if got, want := data["password"], MaskedValue(len(plainPassword)); got != want {
		t.Errorf("data.password = %q, want %q (the decoded length)", got, want)
	}
	if got, want := obj["stringData"].(map[string]any)["extra"], MaskedValue(len(plainToken)); got != want {
		t.Errorf("stringData.extra = %q, want %q", got, want)
	}
	ann := obj["metadata"].(map[string]any)["annotations"].(map[string]any)
	if got := ann["kubectl.kubernetes.io/last-applied-configuration"].(string); !strings.HasPrefix(got, Mask) {
		t.Errorf("the last-applied annotation is not masked: %q", got)
	}
	if ann["team"] != "payments" {
		t.Errorf("an ordinary annotation was changed: %q", ann["team"])
	}
}

func TestMaskSecretLeavesOtherKindsAlone(t *testing.T) {
	cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "visible"}}
	MaskSecret(cm)
	if cm["data"].(map[string]any)["k"] != "visible" {
		t.Errorf("a ConfigMap was masked")
	}
	// a kind named Secret in another group is not a core Secret
	other := map[string]any{"apiVersion": "example.com/v1", "kind": "Secret", "data": map[string]any{"k": "visible"}}
	MaskSecret(other)
	if other["data"].(map[string]any)["k"] != "visible" {
		t.Errorf("a CRD named Secret was masked")
	}
}

func TestRenderYAMLSecret(t *testing.T) {
	obj := secretFixture(t, "Opaque")
	out, err := RenderYAML(obj)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "YAML", out)
	for _, want := range []string{"kind: Secret", "password: " + MaskedValue(len(plainPassword)), "team: payments"} {
		if !strings.Contains(out, want) {
			t.Errorf("YAML lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "managedFields") {
		t.Errorf("YAML shows managedFields:\n%s", out)
	}
	// the source object is untouched: masking works on a copy
	if obj["data"].(map[string]any)["password"] != b64Password {
		t.Errorf("RenderYAML changed its argument")
	}
}

func TestRenderYAMLKeepsOtherKinds(t *testing.T) {
	obj := map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "web", "managedFields": []any{"x"}},
		"spec":     map[string]any{"nodeName": "kwok-node-1"}}
	out, err := RenderYAML(obj)
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  nodeName: kwok-node-1\n"
	if out != want {
		t.Errorf("YAML =\n%s\nwant\n%s", out, want)
	}
}

func TestDescribeSecret(t *testing.T) {
	// kubectl prints a service account token in full; kdeck must not
	for _, typ := range []string{"Opaque", "kubernetes.io/service-account-token"} {
		obj := secretFixture(t, typ)
		out, err := DescribeSecret(obj)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, "describe of a "+typ+" secret", out)
		for _, want := range []string{"Name:", "db", "Type:", typ, "password:", "team:"} {
			if !strings.Contains(out, want) {
				t.Errorf("describe lacks %q:\n%s", want, out)
			}
		}
		if typ == "Opaque" && !strings.Contains(out, "22 bytes") {
			t.Errorf("describe does not give the password's length:\n%s", out)
		}
	}
}

func TestRedact(t *testing.T) {
	values := []string{"abc", "secret-value", "secret-value-longer"}
	got := Redact("a secret-value-longer and a secret-value, abc", values)
	want := "a " + Mask + " and a " + Mask + ", abc"
	if got != want {
		t.Errorf("Redact = %q, want %q (short values are left)", got, want)
	}
}

// An annotation other than last-applied that copies a value is still caught by the guard.
func TestRedactGuardsCopiedValues(t *testing.T) {
	obj := secretFixture(t, "Opaque")
	obj["metadata"].(map[string]any)["annotations"].(map[string]any)["note"] = "pw is " + plainPassword
	out, err := RenderYAML(obj)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "YAML", out)
	desc, err := DescribeSecret(obj)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "describe", desc)
}

func TestObjectRefString(t *testing.T) {
	if got := (ObjectRef{GVR: GVRPods, Namespace: "shop", Name: "web-123"}).String(); got != "pods/shop/web-123" {
		t.Errorf("got %q", got)
	}
	if got := (ObjectRef{GVR: GVRNodes, Name: "kwok-node-1"}).String(); got != "nodes/kwok-node-1" {
		t.Errorf("got %q", got)
	}
}
