package kube

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplyAuditsEveryOutcome(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "audit.log")
	c := &Client{Info: Info{Context: "kind-dev", User: "alice"}, Audit: NewAuditLog(path)}
	m := Mutation{Access: Access{Verb: "patch", GVR: GVRDeployments, Subresource: "scale", Namespace: "shop"},
		Name: "cart", Summary: "replicas 2 → 5", Do: func(context.Context) error { return nil }}
	if err := c.Apply(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	m.Do = func(context.Context) error { return errors.New("boom") }
	if err := c.Apply(context.Background(), m); err == nil {
		t.Fatal("want the error of Do")
	}
	c.Policy.ReadOnly = true
	ran := false
	m.Do = func(context.Context) error { ran = true; return nil }
	if err := c.Apply(context.Background(), m); KindOf(err) != KindReadOnly || ran {
		t.Fatalf("read-only: err %v, ran %v", err, ran)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v, want 0600", fi.Mode().Perm())
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	want := []string{"ok", "error", "refused"}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), data)
	}
	for i, l := range lines {
		var e AuditEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		if e.Result != want[i] || e.Resource != "deployments/scale" || e.Name != "cart" || e.User != "alice" || e.Summary != "replicas 2 → 5" {
			t.Errorf("line %d: %+v", i, e)
		}
	}
}
