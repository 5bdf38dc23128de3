package kube

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestValidSecretKey(t *testing.T) {
	for _, ok := range []string{"password", "tls.crt", ".dockerconfigjson", "API_KEY", "a-b_c.d", "x"} {
		if err := ValidSecretKey(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "a b", "key=", "ключ", "a:b", "..a", strings.Repeat("k", 254)} {
		if err := ValidSecretKey(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestValidSecretName(t *testing.T) {
	for _, ok := range []string{"api-keys", "a", "payments.tls", "x1"} {
		if err := ValidSecretName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "API", "-a", "a-", "a_b", "a b", strings.Repeat("a", 254)} {
		if err := ValidSecretName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseSecretInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("t0k"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text string
		want SecretInput
	}{
		{"user=admin", SecretInput{Key: "user", Value: "admin"}},
		{"url=a=b", SecretInput{Key: "url", Value: "a=b"}},
		{"empty=", SecretInput{Key: "empty"}},
		{"password", SecretInput{Key: "password", Ask: true}},
		{"token=@" + file, SecretInput{Key: "token", Path: file}},
	} {
		got, err := ParseSecretInput(c.text)
		if err != nil || got != c.want {
			t.Errorf("%q: %+v, %v; want %+v", c.text, got, err, c.want)
		}
	}
	for text, want := range map[string]string{
		"":                                 "a key name is required",
		"=x":                               "a key name is required",
		"bad key=x":                        `key "bad key"`,
		"k=@":                              "a file path is required",
		"k=@" + filepath.Join(dir, "none"): "no such file",
		"k=@" + dir:                        "not a regular file",
	} {
		if _, err := ParseSecretInput(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", text, err, want)
		}
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxSecretSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSecretFile(big); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("a file over 1 MiB: %v", err)
	}
}

// The create mutation sends the secret; its summary counts keys and holds no value.
func TestCreateSecret(t *testing.T) {
	cs := fake.NewClientset()
	s := NewGenericSecret("shop", "api-keys", map[string][]byte{"user": []byte("admin"), "password": []byte(plainPassword)})
	m := (&Client{Clientset: cs}).CreateSecret(s)
	if m.Summary != "create secret shop/api-keys (2 keys)" || m.Verb != "create" || m.GVR != GVRSecrets || m.Namespace != "shop" {
		t.Errorf("mutation %+v", m)
	}
	if err := m.Do(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := cs.CoreV1().Secrets("shop").Get(context.Background(), "api-keys", metav1.GetOptions{})
	if err != nil || string(got.Data["password"]) != plainPassword || got.Type != corev1.SecretTypeOpaque {
		t.Errorf("created %+v, %v", got, err)
	}
	tls := (&Client{Clientset: cs}).CreateSecret(NewTLSSecret("shop", "web-tls", []byte("c"), []byte("k")))
	if tls.Summary != "create tls secret shop/web-tls (2 keys)" {
		t.Errorf("summary %q", tls.Summary)
	}
}

// Setting a key writes it when the secret is unchanged, and refuses with a conflict,
// writing nothing, when it changed since it was shown.
func TestSetSecretKey(t *testing.T) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db", ResourceVersion: "7"},
		Data: map[string][]byte{"password": []byte("old"), "user": []byte("admin")}}
	cs := fake.NewClientset(s)
	ctx := context.Background()
	m := (&Client{Clientset: cs}).SetSecretKey("shop", "db", "6", "password", []byte(plainPassword))
	if strings.Contains(m.Summary, plainPassword) || m.Summary != "set key password of secret shop/db" || m.Verb != "update" {
		t.Errorf("mutation %+v", m)
	}
	err := m.Do(ctx)
	if KindOf(err) != KindConflict || !strings.Contains(err.Error(), "changed since it was shown") {
		t.Errorf("stale version: %v", err)
	}
	if v, _ := (&Client{Clientset: cs}).SecretValue(ctx, "shop", "db", "password"); string(v) != "old" {
		t.Errorf("a conflicting edit wrote %q", v)
	}
	if err := (&Client{Clientset: cs}).SetSecretKey("shop", "db", "7", "password", []byte(plainPassword)).Do(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := (&Client{Clientset: cs}).SecretValue(ctx, "shop", "db", "password"); string(v) != plainPassword {
		t.Errorf("password is %q", v)
	}
	if v, _ := (&Client{Clientset: cs}).SecretValue(ctx, "shop", "db", "user"); string(v) != "admin" {
		t.Errorf("another key changed: %q", v)
	}
	if _, err := (&Client{Clientset: cs}).SecretValue(ctx, "shop", "db", "nope"); KindOf(err) != KindNotFound {
		t.Errorf("missing key: %v", err)
	}
}

// Revealing and copying a value are in the audit log, by key name, never with the value;
// a failed fetch too.
func TestRevealSecretValueIsAudited(t *testing.T) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db"}, Data: map[string][]byte{"password": []byte(plainPassword)}}
	path := filepath.Join(t.TempDir(), "audit.log")
	c := &Client{Clientset: fake.NewClientset(s), Info: Info{Context: "prod", User: "alice"}, Audit: NewAuditLog(path)}
	c.Policy.ReadOnly = true // reading a value is not a change
	ctx := context.Background()
	for _, why := range []Reveal{RevealShow, RevealCopy} {
		if v, err := c.RevealSecretValue(ctx, why, "shop", "db", "password"); err != nil || string(v) != plainPassword {
			t.Fatalf("%s: %q, %v", why, v, err)
		}
	}
	if _, err := c.RevealSecretValue(ctx, RevealShow, "shop", "db", "nope"); KindOf(err) != KindNotFound {
		t.Fatalf("missing key: %v", err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), plainPassword) || strings.Contains(string(data), base64.StdEncoding.EncodeToString([]byte(plainPassword))) {
		t.Fatalf("the audit log holds the value:\n%s", data)
	}
	want := []AuditEntry{
		{Verb: "reveal", Summary: "show the value of key password", Result: "ok"},
		{Verb: "copy", Summary: "copy the value of key password to the clipboard", Result: "ok"},
		{Verb: "reveal", Summary: "show the value of key nope", Result: "error"},
	}
	got := readAudit(t, path)
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), data)
	}
	for i, w := range want {
		g := got[i]
		if g.Verb != w.Verb || g.Summary != w.Summary || g.Result != w.Result || g.Resource != "secrets" || g.Namespace != "shop" || g.Name != "db" || g.User != "alice" {
			t.Errorf("line %d: %+v, want %+v", i, g, w)
		}
	}
}

// ParseSecretSyntax reads what is typed and touches no file: a missing file passes it,
// and only ParseSecretInput's stat refuses it.
func TestParseSecretSyntaxTouchesNoFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	in, err := ParseSecretSyntax("token=@" + missing)
	if err != nil || in != (SecretInput{Key: "token", Path: missing}) {
		t.Errorf("%+v, %v", in, err)
	}
	for text, want := range map[string]string{"k=@": "a file path is required", "bad key=x": `key "bad key"`} {
		if _, err := ParseSecretSyntax(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", text, err, want)
		}
	}
	if _, err := ParseSecretInput("token=@" + missing); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("ParseSecretInput of a missing file: %v", err)
	}
	if err := ValidSecretPath(""); err == nil {
		t.Error("an empty path passed")
	}
}
