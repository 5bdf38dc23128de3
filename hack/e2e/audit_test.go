//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A shell is in the audit log as soon as it starts (result "started"), while it runs,
// and again when it ends.
func TestAuditShellWhenItStarts(t *testing.T) {
	term, _ := openShell(t) // the shell is up and still running
	e := auditEntries(t, term)
	if len(e) != 1 || e[0]["result"] != "started" || e[0]["resource"] != "pods/exec" || e[0]["name"] != "box" || e[0]["summary"] != "shell in container main" {
		t.Fatalf("audit log while the shell runs: %v", e)
	}
	term.Send("exit", "Enter")
	term.WaitText("shell in box/main ended", 10*time.Second)
	if e := auditEntries(t, term); len(e) != 2 || e[1]["result"] != "ok" || e[1]["resource"] != "pods/exec" {
		t.Fatalf("audit log after the shell: %v", e)
	}
}

// An audit log that cannot be written is said in the status line, with its path and the
// error, until an entry is written again; the change still goes through.
func TestAuditFailureShown(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "web", 1)
	home := t.TempDir()
	path := filepath.Join(home, "kdeck", "audit.log")
	if err := os.MkdirAll(path, 0o700); err != nil { // a directory where the log should be
		t.Fatal(err)
	}
	term := StartKdeckHome(t, home, 220, 30, "-n", ns, "-c", "deploy")
	term.WaitLine(20*time.Second, "web ", " 1/1 ")
	term.Send("s")
	term.WaitText("Replicas now: 1", 10*time.Second)
	term.Send("C-u", "2", "Enter")
	term.WaitLine(10*time.Second, "audit log "+path+" could not be written: is a directory", "✓ update deployments "+ns+"/web")
	eventually(t, "spec.replicas 2", 10*time.Second, func() bool { return *deployment(t, ns, "web").Spec.Replicas == 2 })

	// the notice stays until an entry is written again, then says so and goes
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	term.Send("s")
	term.WaitText("Replicas now: 2", 10*time.Second)
	if !strings.Contains(term.Screen(), "could not be written") {
		t.Fatalf("the audit failure is no longer shown while nothing was written:\n%s", term.Screen())
	}
	term.Send("C-u", "3", "Enter")
	term.WaitText("audit log "+path+" is written again", 10*time.Second)
	term.WaitGone("could not be written", 10*time.Second)
	if e := auditEntries(t, term); len(e) != 1 || e[0]["summary"] == "" {
		t.Fatalf("audit log after it was writable again: %v", e)
	}
}

// Revealing (x) and copying (c) a secret value are each an audit line naming the key,
// never holding the value; read-only mode does not stop either.
func TestAuditRevealAndCopy(t *testing.T) {
	const plain = "e2e-audit-pw-0b7c"
	ns := newNamespace(t)
	createSecret(t, ns, "db-creds", map[string]string{"password": plain, "user": "admin"})
	term := openDBCreds(t, ns, StartKdeck(t, 140, 24, "-n", ns, "-c", "secrets", "--readonly"))
	term.Send("x")
	term.WaitText(plain, 5*time.Second)
	term.Send("c")
	term.WaitText("copied password", 5*time.Second)
	e := auditEntries(t, term)
	if len(e) != 2 || e[0]["verb"] != "reveal" || e[1]["verb"] != "copy" {
		t.Fatalf("audit log: %v", e)
	}
	auditLog(t, term, []string{`"resource":"secrets"`, `"name":"db-creds"`, "show the value of key password",
		"copy the value of key password to the clipboard", `"result":"ok"`}, plain)
}
