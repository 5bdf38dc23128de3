//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

// writeConfig writes text as kdeck's config file under a new scratch home and returns
// the home, for StartKdeckHome.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "kdeck"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "kdeck", "config.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

// testbedContext is the name of the testbed kubeconfig's current context.
func testbedContext(t *testing.T) string {
	t.Helper()
	kc, err := clientcmd.LoadFromFile(testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	return kc.CurrentContext
}

// A context's entry in the config file overrides only the fields it sets: a top-level
// readonly still holds on a context whose entry sets only neverReveal.
func TestPolicyContextEntryInherits(t *testing.T) {
	const plain = "e2e-inherit-pw-6e21"
	ns := newNamespace(t)
	createSecret(t, ns, "db-creds", map[string]string{"password": plain})
	home := writeConfig(t, "readonly: true\ncontexts:\n  "+testbedContext(t)+": {neverReveal: true}\n")
	term := StartKdeckHome(t, home, 140, 24, "-n", ns, "-c", "secrets")
	term.WaitText("db-creds", 10*time.Second)
	term.WaitText("READ-ONLY", time.Second)
	term.Send("n")
	term.WaitText("refused, kdeck is read-only on this context", 5*time.Second)
	term.Send("Enter")
	term.WaitText("secret("+ns+"/db-creds)[1]", 5*time.Second)
	term.Send("x")
	term.WaitText("secret values are never revealed on this context", 5*time.Second)
	assertNotShown(t, term.Screen(), plain)
}

// A config file named with --config must exist and parse: otherwise one line on stderr
// and a non-zero exit, before any screen.
func TestPolicyExplicitConfigMustExist(t *testing.T) {
	malformed := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(malformed, []byte("contexts: {prod: {readonly: maybe}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/nonexistent/typo.yaml": "kdeck: config: /nonexistent/typo.yaml does not exist",
		malformed:                "kdeck: config: " + malformed + ": ",
	} {
		stderr, code, took := runKdeck(t, nil, "--kubeconfig", testbed.kubeconfig, "--config", path)
		t.Logf("--config %s: exit %d in %s: %s", path, code, took.Round(time.Millisecond), strings.TrimSpace(stderr))
		if code == 0 || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("--config %s: exit %d, stderr %q; want non-zero and one line starting %q", path, code, stderr, want)
		}
	}
}
