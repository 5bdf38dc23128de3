//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// space marks rows; ctrl+d deletes every marked pod after their number is typed (a wrong
// number cannot be submitted), and r restarts every marked deployment after one
// confirmation; unmarked objects are untouched, and the audit log has one line each.
func TestMarkedRowsActTogether(t *testing.T) {
	ns := newNamespace(t)
	createPods(t, ns, "a", "b", "c")
	createDeployment(t, ns, "web1", 1)
	createDeployment(t, ns, "web2", 1)
	createDeployment(t, ns, "web3", 1)
	term := StartKdeck(t, 160, 30, "-n", ns)
	term.WaitText("pods("+ns+")[6]", 30*time.Second)
	term.WaitLine(10*time.Second, "a ", "Running")
	term.Send("Space", "Space") // a, b: the first rows by name
	term.WaitText("●2 marked", 5*time.Second)
	term.WaitLine(2*time.Second, "● a ")
	term.Send("C-d")
	term.WaitText("Delete 2 pods", 10*time.Second)
	term.WaitLine(2*time.Second, ns+"/a")
	term.WaitLine(2*time.Second, ns+"/b")
	term.Send("3", "Enter")
	time.Sleep(500 * time.Millisecond)
	if !strings.Contains(term.Screen(), "Delete 2 pods") {
		t.Fatal("a wrong count closed the dialog")
	}
	term.Send("BSpace", "2", "Enter")
	term.WaitText("✓ delete 2 pods", 10*time.Second)
	eventually(t, "a and b deleted", 30*time.Second, func() bool {
		_, errA := testbed.clientset.CoreV1().Pods(ns).Get(ctx(t), "a", metav1.GetOptions{})
		_, errB := testbed.clientset.CoreV1().Pods(ns).Get(ctx(t), "b", metav1.GetOptions{})
		return apierrors.IsNotFound(errA) && apierrors.IsNotFound(errB)
	})
	if _, err := testbed.clientset.CoreV1().Pods(ns).Get(ctx(t), "c", metav1.GetOptions{}); err != nil {
		t.Fatalf("the unmarked pod is gone: %v", err)
	}

	term.Send(":", "d", "e", "p", "l", "o", "y", "Enter")
	term.WaitLine(10*time.Second, "web3 ", " 1/1 ")
	if strings.Contains(lineWith(term.Screen(), "deployments("), "●") {
		t.Fatalf("marks outlived a change of view:\n%s", term.Screen())
	}
	term.Send("Space", "Space") // web1, web2
	term.WaitText("●2 marked", 5*time.Second)
	term.Send("r")
	term.WaitText("Restart 2 deployments", 10*time.Second)
	term.Send("Enter")
	term.WaitText("✓ rollout restart of 2 deployments", 10*time.Second)
	for name, want := range map[string]bool{"web1": true, "web2": true, "web3": false} {
		got := deployment(t, ns, name).Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] != ""
		if got != want {
			t.Errorf("%s restarted: %v, want %v", name, got, want)
		}
	}
	var lines []string
	for _, e := range auditEntries(t, term) {
		lines = append(lines, e["verb"]+" "+e["name"]+" "+e["result"])
	}
	if want := "delete a ok|delete b ok|patch web1 ok|patch web2 ok"; strings.Join(lines, "|") != want {
		t.Fatalf("audit log %v, want %s", lines, want)
	}
}
