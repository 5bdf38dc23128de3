package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A config file named with --config must exist and parse: otherwise kdeck says so in one
// line and exits before it connects (the kubeconfig here does not exist either, so a
// run that went on would fail on that instead).
func TestExplicitConfigMustExist(t *testing.T) {
	malformed := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(malformed, []byte("readonly: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"/nonexistent/typo.yaml": "kdeck: config: /nonexistent/typo.yaml: does not exist\n",
		malformed:                "kdeck: config: " + malformed + ":1: ",
	}
	for path, want := range cases {
		var stderr bytes.Buffer
		code := run([]string{"--config", path, "--kubeconfig", "/nonexistent/kubeconfig"}, &stderr)
		if code != 1 || !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("--config %s: exit %d, stderr %q; want 1 and one line starting %q", path, code, stderr.String(), want)
		}
	}
}
