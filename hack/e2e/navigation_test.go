//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func createPods(t *testing.T, ns string, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := testbed.clientset.CoreV1().Pods(ns).Create(ctx(t), kwokPod(ns, n), metav1.CreateOptions{}); err != nil {
			t.Fatalf("create pod %s/%s: %v", ns, n, err)
		}
	}
}

// `/` filters fuzzily, esc clears; `:ns` switches namespace and never shows the previous
// namespace's rows; favourites 0 (all) and 1 (the last namespace) switch back and forth.
func TestFilterAndNamespaceSwitch(t *testing.T) {
	nsA, nsB := newNamespace(t), newNamespace(t)
	createPods(t, nsA, "alpha-web", "alpha-worker", "alpha-db")
	createPods(t, nsB, "beta-web")

	term := StartKdeck(t, 220, 30, "-n", nsA)
	term.WaitText("pods("+nsA+")[3]", 10*time.Second)

	term.Send("/", "w", "e", "b")
	term.WaitText("[1 of 3] /web", 2*time.Second)
	screen := term.Screen()
	if !strings.Contains(screen, "alpha-web") || strings.Contains(screen, "alpha-db") {
		t.Fatalf("filter /web shows the wrong rows:\n%s", screen)
	}
	term.Send("Enter")  // keep the filter, close the prompt
	term.Send("Escape") // clears the filter
	term.WaitText("pods("+nsA+")[3]", 2*time.Second)

	term.Send(":", "n", "s", " ")
	term.Send(strings.Split(nsB, "")...)
	term.Send("Enter")
	term.WaitText("pods("+nsB+")[1]", 5*time.Second)
	screen = term.Screen()
	if strings.Contains(screen, "alpha-") {
		t.Fatalf("namespace %s shows rows of %s:\n%s", nsB, nsA, screen)
	}
	if !strings.Contains(screen, "ns "+nsB) {
		t.Errorf("header does not name namespace %s:\n%s", nsB, screen)
	}

	// A label selector goes to the server: /-l opens the narrowed list, esc comes back.
	term.Send("/", "-", "l", " ", "a", "p", "p", "=", "b", "e", "t", "a", "-", "w", "e", "b", "Enter")
	term.WaitText("pods("+nsB+")[1] app=beta-web", 5*time.Second)
	term.Send("Escape")
	term.WaitGone("app=beta-web", 2*time.Second)
	term.WaitText("pods("+nsB+")[1]", 2*time.Second)
	term.Send("/", "-", "l", " ", "a", "p", "p", "=", "=", "=", "Enter")
	term.WaitText("bad label selector", 2*time.Second)
	term.Send("Escape")
	term.WaitGone("bad label selector", 2*time.Second)

	term.Send("0")
	term.WaitText("pods(all)", 5*time.Second)
	term.WaitText("alpha-web", 5*time.Second)
	term.Send("2") // favourites: 1 = nsB (latest), 2 = nsA
	term.WaitText("pods("+nsA+")[3]", 5*time.Second)
}

// A typo in command mode is an inline error that changes nothing; tab completes.
func TestCommandTypo(t *testing.T) {
	ns := newNamespace(t)
	createPods(t, ns, "gamma")
	term := StartKdeck(t, 120, 24, "-n", ns)
	term.WaitText("gamma", 10*time.Second)
	term.Send(":", "p", "d", "o", "s", "Enter")
	term.WaitText(`unknown command "pdos": did you mean "pods"?`, 2*time.Second)
	term.Send("Escape")
	term.WaitGone("unknown command", 2*time.Second)
	term.WaitText("gamma", time.Second)

	term.Send(":", "p", "o", "d", "Tab", "Enter") // "pod" completes to an entry and opens pods
	term.WaitText("pods("+ns+")[1]", 2*time.Second)
}

// `:ctx` switches to another context live; a context whose server is down is refused
// with a clear message and the current one stays.
func TestContextSwitch(t *testing.T) {
	ns := newNamespace(t)
	createPods(t, ns, "delta")
	cfg, err := clientcmd.LoadFromFile(testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	orig := cfg.Contexts[cfg.CurrentContext]
	cfg.Contexts["second"] = &clientcmdapi.Context{Cluster: orig.Cluster, AuthInfo: orig.AuthInfo, Namespace: ns}
	cfg.Clusters["nowhere"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
	cfg.Contexts["broken"] = &clientcmdapi.Context{Cluster: "nowhere", AuthInfo: orig.AuthInfo}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)

	term := StartKdeck(t, 140, 24, "--kubeconfig", path, "-n", "default")
	term.WaitText("pods(default)", 10*time.Second)
	term.Send(":", "c", "t", "x", " ", "b", "r", "o", "k", "e", "n", "Enter")
	term.WaitText("context switch failed: broken: cannot reach the API server", 12*time.Second)
	term.WaitText("pods(default)", time.Second)

	term.Send(":", "c", "t", "x", " ", "s", "e", "c", "o", "n", "d", "Enter")
	term.WaitText("pods("+ns+")[1]", 10*time.Second)
	screen := term.Screen()
	if !strings.Contains(screen, "ctx second") || !strings.Contains(screen, "delta") {
		t.Fatalf("after :ctx second:\n%s", screen)
	}
}
