//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The apiserver stops mid-session: the header says disconnected, rows are marked stale and
// kept; when it comes back kdeck recovers on its own and shows changes made meanwhile.
// It runs on a cluster of its own, since it stops every component.
func TestAPIServerRestart(t *testing.T) {
	name := fmt.Sprintf("kdeck-e2e-fault-%d", os.Getpid())
	kubeconfig, cs := startCluster(t, name)
	if _, err := cs.CoreV1().Pods("default").Create(ctx(t), kwokPod("default", "before-outage"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	term := StartKdeck(t, 160, 24, "--kubeconfig", kubeconfig, "-n", "default")
	term.WaitText("before-outage", 10*time.Second)
	term.WaitText("live", 5*time.Second)

	if _, err := testbedCmd("stop", name); err != nil {
		t.Fatalf("stopping cluster: %v", err)
	}
	// first the watches break ("disconnected"); once nothing has been heard for
	// kube.LinkLostAfter the header counts the silence instead
	down := func(s string) bool {
		return strings.Contains(s, "disconnected") || strings.Contains(s, "no answer from the API server")
	}
	term.WaitFor("the header to say the server is gone", 20*time.Second, down)
	term.WaitText("STALE", 2*time.Second)
	screen := term.Screen()
	if !strings.Contains(screen, "before-outage") {
		t.Errorf("rows must stay visible (marked stale) while the server is down:\n%s", screen)
	}
	if !(strings.Contains(screen, "watch broken") || strings.Contains(screen, "connection to the API server lost")) ||
		!strings.Contains(screen, "retrying") {
		t.Errorf("status line must say the watch is broken and retrying:\n%s", screen)
	}

	if _, err := testbedCmd("start", name); err != nil {
		t.Fatalf("starting cluster again: %v", err)
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx(t), kwokPod("default", "after-outage"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod after restart: %v", err)
	}
	took := term.WaitText("after-outage", 30*time.Second)
	t.Logf("recovered and showed a new pod %s after the restart", took)
	term.WaitGone("STALE", 5*time.Second)
	term.WaitFor("the header to say connected", 5*time.Second, func(s string) bool { return !down(s) })
	term.WaitText("live", 5*time.Second)
}

// A testbed cluster survives its API server stalling for longer than a leader lease's renew
// deadline (10 s), as it may on a busy 2-core machine: the controller-manager and the
// scheduler keep running, so a namespace made afterwards gets its default service account
// and a pod is scheduled. With leader election on, both exited for good ("leaderelection
// lost") and a test cluster never got a default service account.
func TestControlPlaneSurvivesAStall(t *testing.T) {
	name := fmt.Sprintf("kdeck-e2e-stall-%d", os.Getpid())
	kubeconfig, cs := startCluster(t, name)
	pid := func(component string) int { return componentPID(t, kubeconfig, component) }
	api := pid("kube-apiserver")
	if err := syscall.Kill(api, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(15 * time.Second)
	if err := syscall.Kill(api, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // a process that lost its lease exits within a second or two
	for _, c := range []string{"kube-controller-manager", "kube-scheduler"} {
		if err := syscall.Kill(pid(c), 0); err != nil {
			t.Fatalf("%s exited after the API server stalled for 15 s:\n%s", c, diagnose(kubeconfig))
		}
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "after-stall"}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx(t), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new namespace's default service account", 30*time.Second, func() bool {
		_, err := cs.CoreV1().ServiceAccounts("after-stall").Get(ctx(t), "default", metav1.GetOptions{})
		return err == nil
	})
	if _, err := cs.CoreV1().Pods("after-stall").Create(ctx(t), kwokPod("after-stall", "scheduled"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pod scheduled on a node", 30*time.Second, func() bool {
		p, err := cs.CoreV1().Pods("after-stall").Get(ctx(t), "scheduled", metav1.GetOptions{})
		return err == nil && p.Spec.NodeName != ""
	})
}
