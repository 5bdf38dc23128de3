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

// readAudit returns the entries of the audit log at path.
func readAudit(t *testing.T, path string) []AuditEntry {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []AuditEntry
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e AuditEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		out = append(out, e)
	}
	return out
}

// The audit line names whom the server acted for (the --as user), whose credentials asked
// (the --user entry), and the server in effect.
func TestAuditNamesTheIdentityInEffect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	c := &Client{Info: Info{Context: "prod", Cluster: "", User: "alice", As: "bob", Server: "https://10.0.0.9:6443"}, Audit: NewAuditLog(path)}
	m := Mutation{Access: RolloutAccess("shop"), Name: "cart", Summary: "restart", Do: func(context.Context) error { return nil }}
	if err := c.Apply(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	c.Info.As = ""
	if err := c.Apply(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	e := readAudit(t, path)
	if e[0].User != "bob" || e[0].Impersonator != "alice" || e[0].Server != "https://10.0.0.9:6443" {
		t.Errorf("impersonating: %+v", e[0])
	}
	if e[1].User != "alice" || e[1].Impersonator != "" || e[1].Server != "https://10.0.0.9:6443" {
		t.Errorf("not impersonating: %+v", e[1])
	}
}

// A long mutation (a shell) is in the audit log while it runs, and again when it ends.
func TestApplyAuditsALongMutationWhenItStarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	c := &Client{Info: Info{Context: "prod", User: "alice"}, Audit: NewAuditLog(path)}
	var during []AuditEntry
	m := Mutation{Access: ExecAccess("shop"), Name: "web-1", Summary: "shell in container app", Long: true,
		Do: func(context.Context) error { during = readAudit(t, path); return nil }}
	if err := c.Apply(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(during) != 1 || during[0].Result != "started" || during[0].Resource != "pods/exec" || during[0].Name != "web-1" {
		t.Fatalf("while the shell ran, the audit log held %+v; want one started line", during)
	}
	if after := readAudit(t, path); len(after) != 2 || after[1].Result != "ok" {
		t.Fatalf("after the shell: %+v", after)
	}
}

// An audit log that cannot be written does not stop the action: Append says why, and
// Failures carries it to whoever shows it, without ever blocking.
func TestAuditFailureIsReportedNotBlocking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.Mkdir(path, 0o700); err != nil { // a directory where the file should be
		t.Fatal(err)
	}
	c := &Client{Info: Info{Context: "prod", User: "alice"}, Audit: NewAuditLog(path)}
	ran := 0
	m := Mutation{Access: RolloutAccess("shop"), Name: "cart", Summary: "restart", Do: func(context.Context) error { ran++; return nil }}
	for range 3 { // more failures than anyone reads: none blocks
		if err := c.Apply(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if ran != 3 {
		t.Fatalf("the mutation ran %d times, want 3", ran)
	}
	want := "audit log " + path + " could not be written: is a directory"
	select {
	case err := <-c.Audit.Failures():
		var ae *AuditError
		if !errors.As(err, &ae) || err.Error() != want {
			t.Errorf("failure %v, want %q", err, want)
		}
	default:
		t.Fatal("no failure reported")
	}
	if err := c.Audit.Append(AuditEntry{}); err == nil || err.Error() != want {
		t.Errorf("Append: %v, want %q", err, want)
	}
	// the path becomes writable: the next append succeeds and says the failure is over
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := c.Audit.Append(AuditEntry{Summary: "works"}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.Audit.Failures():
		if err != nil {
			t.Errorf("after a good append: %v, want nil (the failure is over)", err)
		}
	default:
		t.Fatal("the end of the failure was not reported")
	}
	if err := c.Audit.Append(AuditEntry{Summary: "again"}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.Audit.Failures():
		t.Errorf("a good append after a good one reported %v", err)
	default:
	}
}
