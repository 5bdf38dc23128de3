//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

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
	term.WaitText("disconnected", 20*time.Second)
	term.WaitText("STALE", 2*time.Second)
	screen := term.Screen()
	if !strings.Contains(screen, "before-outage") {
		t.Errorf("rows must stay visible (marked stale) while the server is down:\n%s", screen)
	}
	if !strings.Contains(screen, "watch broken") || !strings.Contains(screen, "retrying") {
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
	term.WaitGone("disconnected", 5*time.Second)
	term.WaitText("live", 5*time.Second)
}
