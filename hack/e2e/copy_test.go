//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"
)

// clipboard is what kdeck last put on the clipboard through OSC52: tmux, with
// set-clipboard on, keeps it as its newest paste buffer.
func (term *Term) clipboard(t *testing.T, want string) string {
	t.Helper()
	var got string
	eventually(t, "the clipboard to hold "+want, 5*time.Second, func() bool {
		got = term.tmux("show-buffer")
		return strings.Contains(got, want)
	})
	return got
}

// Y copies an object's name, c on its YAML page the YAML as shown: a secret's values masked.
func TestCopyNameAndYAML(t *testing.T) {
	const plain = "e2e-copy-pw-5d1e"
	ns := newNamespace(t)
	createSecret(t, ns, "db-creds", map[string]string{"password": plain})
	term := StartKdeck(t, 140, 24, "-n", ns, "-c", "secrets")
	term.tmux("set-option", "-s", "set-clipboard", "on")
	term.WaitText("db-creds", 10*time.Second)

	term.Send("Y")
	term.WaitText("copied the name db-creds to the clipboard", 5*time.Second)
	if got := term.clipboard(t, "db-creds"); got != "db-creds" {
		t.Fatalf("clipboard %q, want the name alone", got)
	}

	term.Send("y")
	term.WaitText("yaml secrets/"+ns+"/db-creds", 10*time.Second)
	term.WaitText("kind: Secret", 10*time.Second)
	term.Send("c")
	term.WaitText("to the clipboard through the terminal (OSC52)", 5*time.Second)
	got := term.clipboard(t, "kind: Secret")
	if strings.Contains(got, plain) || !strings.Contains(got, "name: db-creds") || !strings.Contains(got, "password:") {
		t.Fatalf("the copied YAML leaks the value or lacks the object:\n%s", got)
	}
}
