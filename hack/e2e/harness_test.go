//go:build e2e

// Package e2e drives the real kdeck binary in a tmux pane against a real testbed cluster
// (kube-apiserver, controllers, scheduler, etcd and metrics-server; nodes emulated by kwok)
// and checks both the screen and the cluster's state.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// testbed is the cluster every test in this run shares.
var testbed struct {
	kubeconfig string
	clientset  kubernetes.Interface
	kdeck      string // path of the kdeck binary under test
	root       string // repository root
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain builds kdeck, starts a fresh testbed cluster (or reuses KDECK_E2E_CLUSTER when
// set, for quick local iterations), runs the tests and removes the cluster.
func runMain(m *testing.M) int {
	root, err := filepath.Abs("../..")
	if err != nil {
		return fail(err)
	}
	testbed.root = root
	tmp, err := os.MkdirTemp("", "kdeck-e2e-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)

	testbed.kdeck = filepath.Join(tmp, "kdeck")
	build := exec.Command("go", "build", "-race", "-o", testbed.kdeck, "./cmd/kdeck")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fail(fmt.Errorf("building kdeck: %w", err))
	}

	name := os.Getenv("KDECK_E2E_CLUSTER")
	if name == "" {
		name = fmt.Sprintf("kdeck-e2e-%d", os.Getpid())
		defer testbedCmd("down", name)
	}
	start := time.Now()
	out, err := testbedCmd("up", name)
	if err != nil {
		return fail(fmt.Errorf("starting testbed cluster %s: %w", name, err))
	}
	fmt.Fprintf(os.Stderr, "e2e: testbed cluster %s up in %s\n", name, time.Since(start).Round(time.Millisecond))
	testbed.kubeconfig = strings.TrimSpace(out)
	cfg, err := clientcmd.BuildConfigFromFlags("", testbed.kubeconfig)
	if err != nil {
		return fail(err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	testbed.clientset, err = kubernetes.NewForConfig(cfg)
	if err != nil {
		return fail(err)
	}
	// A tmux server exits with its last session, and a session started at that moment
	// fails: an idle session keeps the tests' server up until they end.
	if out, err := exec.Command("tmux", "-L", tmuxSocket(), "new-session", "-d", "-s", "keeper", "sleep 86400").CombinedOutput(); err != nil {
		return fail(fmt.Errorf("tmux: %v: %s", err, out))
	}
	defer exec.Command("tmux", "-L", tmuxSocket(), "kill-server").Run()
	return m.Run()
}

// tmuxSocket names the tmux server of this test process.
func tmuxSocket() string { return fmt.Sprintf("kdeck-e2e-%d", os.Getpid()) }

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "e2e:", err)
	return 1
}

// testbedCmd runs hack/testbed.sh with args and returns its stdout.
func testbedCmd(args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(testbed.root, "hack", "testbed.sh"), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	err := cmd.Run()
	return out.String(), err
}

// startCluster starts a throwaway testbed cluster for one test, removed when it ends, and
// returns its kubeconfig path and a clientset for it.
func startCluster(t *testing.T, name string) (string, kubernetes.Interface) {
	t.Helper()
	out, err := testbedCmd("up", name)
	if err != nil {
		t.Fatalf("starting cluster %s: %v", name, err)
	}
	t.Cleanup(func() { _, _ = testbedCmd("down", name) })
	kubeconfig := strings.TrimSpace(out)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// pods cannot be created until the controller-manager has made the namespace's
	// default service account, a moment after the cluster answers
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if _, err := cs.CoreV1().ServiceAccounts("default").Get(ctx(t), "default", metav1.GetOptions{}); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("cluster %s: no default service account after a minute (the controller-manager makes it): %v\n%s",
				name, err, diagnose(kubeconfig))
		}
	}
	return kubeconfig, cs
}

// componentPID is the process id of component ("kube-apiserver", …) of the testbed cluster
// whose kubeconfig is given, from the pid file kwokctl keeps beside it.
func componentPID(t *testing.T, kubeconfig, component string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(kubeconfig), "pids", component+".pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// diagnose says which components of the testbed cluster whose kubeconfig is given are not
// running, and shows the last error lines of each component's log (kwokctl keeps them under
// the cluster's directory), so a cluster that fails to come up names its culprit.
func diagnose(kubeconfig string) string {
	dir := filepath.Dir(kubeconfig)
	var b strings.Builder
	pids, _ := filepath.Glob(filepath.Join(dir, "pids", "*.pid"))
	for _, p := range pids {
		component := strings.TrimSuffix(filepath.Base(p), ".pid")
		raw, _ := os.ReadFile(p)
		pid := strings.TrimSpace(string(raw))
		state := "running"
		if _, err := os.Stat(filepath.Join("/proc", pid)); pid == "" || err != nil {
			state = "NOT RUNNING"
		}
		fmt.Fprintf(&b, "%s (pid %s): %s\n", component, pid, state)
		log, _ := os.ReadFile(filepath.Join(dir, "logs", component+".log"))
		var errs []string
		for _, l := range strings.Split(string(log), "\n") {
			if strings.HasPrefix(l, "E") || strings.HasPrefix(l, "F") || strings.Contains(l, `"level":"ERROR"`) {
				errs = append(errs, l)
			}
		}
		for _, l := range errs[max(0, len(errs)-5):] {
			fmt.Fprintf(&b, "    %s\n", l[:min(len(l), 300)])
		}
	}
	if b.Len() == 0 {
		return "no component pid files under " + dir
	}
	return b.String()
}

// Term is kdeck running in a tmux pane of a fixed size, as a person sees it.
type Term struct {
	t       *testing.T
	socket  string
	session string
	// Home is this kdeck's own XDG_CONFIG_HOME and XDG_STATE_HOME (config file, audit log
	// at Home/kdeck/audit.log), so tests never touch the machine's.
	Home string
}

// StartKdeck runs kdeck with args (and the testbed's kubeconfig) in a width × height pane.
func StartKdeck(t *testing.T, width, height int, args ...string) *Term {
	t.Helper()
	return StartKdeckHome(t, t.TempDir(), width, height, args...)
}

// StartKdeckHome is StartKdeck with home as XDG_CONFIG_HOME and XDG_STATE_HOME: write
// home/kdeck/config.yaml first to give kdeck a config file.
func StartKdeckHome(t *testing.T, home string, width, height int, args ...string) *Term {
	t.Helper()
	return StartKdeckEnv(t, home, nil, width, height, args...)
}

// StartKdeckEnv is StartKdeckHome with more environment variables ("KUBE_EDITOR=…").
func StartKdeckEnv(t *testing.T, home string, env []string, width, height int, args ...string) *Term {
	t.Helper()
	term := &Term{t: t, socket: tmuxSocket(), session: sanitize(t.Name()), Home: home}
	argv := append([]string{testbed.kdeck, "--kubeconfig", testbed.kubeconfig}, args...)
	envs := "TERM=xterm-256color XDG_CONFIG_HOME=" + home + " XDG_STATE_HOME=" + home + " "
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		envs += k + "=" + quoteAll([]string{v})[0] + " "
	}
	cmd := []string{"-L", term.socket, "new-session", "-d", "-s", term.session,
		"-x", fmt.Sprint(width), "-y", fmt.Sprint(height),
		envs + strings.Join(quoteAll(argv), " ") + "; sleep 600"}
	if out, err := exec.Command("tmux", cmd...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(term.Close)
	return term
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '.' || r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return out
}

func (term *Term) tmux(args ...string) string {
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// Send types keys (tmux key names: "q", "Enter", "Escape", "C-c", …). A lone Escape is
// followed by a pause, as a person's would be: an ESC immediately followed by another key
// reaches the program as alt+key.
func (term *Term) Send(keys ...string) {
	term.t.Helper()
	for len(keys) > 0 {
		n := 1
		for n <= len(keys) && keys[n-1] != "Escape" {
			n++
		}
		n = min(n, len(keys))
		term.tmux(append([]string{"send-keys", "-t", term.session}, keys[:n]...)...)
		if keys[n-1] == "Escape" {
			time.Sleep(100 * time.Millisecond)
		}
		keys = keys[n:]
	}
}

// Screen returns the pane's current text.
func (term *Term) Screen() string {
	return term.tmux("capture-pane", "-p", "-t", term.session)
}

// WaitFor waits until cond holds for the screen and returns the time it took; it fails
// the test with the last screen after timeout.
func (term *Term) WaitFor(what string, timeout time.Duration, cond func(screen string) bool) time.Duration {
	term.t.Helper()
	start := time.Now()
	var screen string
	for time.Since(start) < timeout {
		screen = term.Screen()
		if cond(screen) {
			return time.Since(start)
		}
		time.Sleep(25 * time.Millisecond)
	}
	term.t.Fatalf("timed out after %s waiting for %s; screen:\n%s", timeout, what, screen)
	return 0
}

// WaitText waits until text is on screen.
func (term *Term) WaitText(text string, timeout time.Duration) time.Duration {
	term.t.Helper()
	return term.WaitFor(fmt.Sprintf("%q on screen", text), timeout, func(s string) bool { return strings.Contains(s, text) })
}

// WaitLine waits until one screen line holds every one of words.
func (term *Term) WaitLine(timeout time.Duration, words ...string) time.Duration {
	term.t.Helper()
	return term.WaitFor(fmt.Sprintf("a line with %q", words), timeout, func(s string) bool { return lineWith(s, words...) != "" })
}

// WaitGone waits until text is no longer on screen.
func (term *Term) WaitGone(text string, timeout time.Duration) time.Duration {
	term.t.Helper()
	return term.WaitFor(fmt.Sprintf("%q gone from screen", text), timeout, func(s string) bool { return !strings.Contains(s, text) })
}

// Close ends the pane and kdeck with it.
func (term *Term) Close() {
	_ = exec.Command("tmux", "-L", term.socket, "kill-session", "-t", term.session).Run()
}

// ctx returns a context bounded for one cluster call.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
