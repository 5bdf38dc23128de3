//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// mergedKubeconfig writes one kubeconfig holding the contexts of both files (their names
// differ: kwokctl names them after the cluster) and returns its path and the two names.
func mergedKubeconfig(t *testing.T, first, second string) (path, a, b string) {
	t.Helper()
	ca, err := clientcmd.LoadFromFile(first)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := clientcmd.LoadFromFile(second)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range cb.Clusters {
		ca.Clusters[k] = v
	}
	for k, v := range cb.AuthInfos {
		ca.AuthInfos[k] = v
	}
	for k, v := range cb.Contexts {
		ca.Contexts[k] = v
	}
	path = filepath.Join(t.TempDir(), "kubeconfig.yaml")
	if err := clientcmd.WriteToFile(*ca, path); err != nil {
		t.Fatal(err)
	}
	return path, ca.CurrentContext, cb.CurrentContext
}

// freeze stops the API server of the testbed cluster whose kubeconfig is given, and returns
// the function that lets it go on (also run when the test ends).
func freeze(t *testing.T, kubeconfig string) (thaw func()) {
	t.Helper()
	pid := componentPID(t, kubeconfig, "kube-apiserver")
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	thaw = func() { _ = syscall.Kill(pid, syscall.SIGCONT) }
	t.Cleanup(thaw)
	return thaw
}

// An action is bound to the cluster it was opened on: `s` on a deployment of context A,
// whose reads are slow (A's API server stalls), then `:ctx B` before the scale dialog comes.
// The dialog is dropped with a word, and keys typed afterwards change nothing: the
// deployment of the same name on B keeps its replicas, as B itself says.
func TestActionIsBoundToItsContext(t *testing.T) {
	kubeconfigB, csB := startCluster(t, fmt.Sprintf("kdeck-e2e-ctxb-%d", os.Getpid()))
	ns := newNamespace(t)
	if _, err := csB.CoreV1().Namespaces().Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, cs := range []kubernetes.Interface{testbed.clientset, csB} {
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx(t), kwokDeployment(ns, "web", 1), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	merged, ctxA, ctxB := mergedKubeconfig(t, testbed.kubeconfig, kubeconfigB)

	term := StartKdeck(t, 200, 30, "--kubeconfig", merged, "--context", ctxA, "-n", ns, "-c", "deploy")
	term.WaitLine(15*time.Second, "web", "1/1")
	time.Sleep(2 * time.Second) // RBAC answers prefetched: `s` goes straight to its reads

	thaw := freeze(t, testbed.kubeconfig)
	term.Send("s")
	term.command("ctx " + ctxB)
	term.WaitText("switched to "+ctxB, 15*time.Second)
	thaw()
	took := term.WaitText("came after the switch to "+ctxB, 20*time.Second)
	t.Logf("the dialog for %s was dropped %s after the switch", ctxA, took)
	if s := term.Screen(); strings.Contains(s, "Scale deployment") {
		t.Fatalf("a scale dialog for %s is open on %s:\n%s", ctxA, ctxB, s)
	}
	term.Send("BSpace", "3", "Enter") // what would have confirmed a dialog left open
	time.Sleep(2 * time.Second)
	for name, cs := range map[string]kubernetes.Interface{ctxA: testbed.clientset, ctxB: csB} {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx(t), "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if *d.Spec.Replicas != 1 {
			t.Errorf("web on %s was scaled to %d", name, *d.Spec.Replicas)
		}
	}
}
