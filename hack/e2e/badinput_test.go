//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runKdeck runs kdeck outside tmux and returns its stderr, exit code and duration.
func runKdeck(t *testing.T, env []string, args ...string) (string, int, time.Duration) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(c, testbed.kdeck, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running kdeck: %v", err)
	}
	return stderr.String(), code, took
}

// Every bad input gives one human line on stderr within 10 s and a non-zero exit, no stack trace.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	malformed := write("malformed.yaml", "apiVersion: v1\nclusters: [oops\n")

	// A server that accepts connections and never answers: the probe must time out.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	// A port nothing listens on: connection refused at once.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := closed.Addr().String()
	closed.Close()

	kubeconfig := func(name, server string) string {
		return write(name, `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://`+server+`", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: not-a-real-token}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
`)
	}

	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"missing kubeconfig", nil, []string{"--kubeconfig", "/nonexistent"}, "kubeconfig /nonexistent does not exist"},
		{"malformed kubeconfig", nil, []string{"--kubeconfig", malformed}, "is malformed"},
		{"no kubeconfig at all", []string{"KUBECONFIG=" + filepath.Join(dir, "absent"), "HOME=" + dir}, nil, "no cluster configured"},
		{"unknown context", nil, []string{"--kubeconfig", testbed.kubeconfig, "--context", "no-such-context"}, `context "no-such-context" not found`},
		{"connection refused", nil, []string{"--kubeconfig", kubeconfig("refused.yaml", refused)}, "cannot reach the API server"},
		{"server never answers", nil, []string{"--kubeconfig", kubeconfig("silent.yaml", silent.Addr().String())}, "did not answer in time"},
		{"unknown flag", nil, []string{"--no-such-flag"}, "unknown flag: --no-such-flag"},
		{"unknown view", nil, []string{"--kubeconfig", testbed.kubeconfig, "-c", "nosuchthing"}, `the server has no resource "nosuchthing"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stderr, code, took := runKdeck(t, tc.env, tc.args...)
			t.Logf("%s in %s: %s", tc.name, took.Round(time.Millisecond), strings.TrimSpace(stderr))
			if code == 0 {
				t.Errorf("exit code 0, want non-zero")
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", stderr, tc.want)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", stderr)
			}
			if took > 10*time.Second {
				t.Errorf("took %s, want under 10 s", took)
			}
		})
	}
}
