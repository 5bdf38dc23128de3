//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
)

// startPod creates pod in the cluster and waits until the kubelet (kwok) runs it.
func startPod(t *testing.T, ns, name string, labels map[string]string, container string) {
	t.Helper()
	pod := kwokPod(ns, name)
	for k, v := range labels {
		pod.Labels[k] = v
	}
	if container != "" {
		pod.Spec.Containers[0].Name = container
	}
	runPod(t, pod)
}

// `l` on a pod follows its log; space pauses and resumes; `/` finds and highlights text;
// esc clears the search and q goes back to the pods.
func TestLogsFollowPauseSearch(t *testing.T) {
	ns := newNamespace(t)
	startPod(t, ns, "web-logs", nil, "")
	term := StartKdeck(t, 160, 30, "-n", ns)
	term.WaitText("web-logs", 10*time.Second)
	term.WaitText("Running", 30*time.Second)
	term.Send("l")
	took := term.WaitText("request served", 10*time.Second)
	t.Logf("first log lines on screen %s after l", took)
	term.WaitText("logs "+ns+"/web-logs [app] following", 2*time.Second)
	term.WaitText("streaming ·", 5*time.Second)

	term.Send("Space")
	term.WaitText("[app] paused", 2*time.Second)
	term.Send("Space")
	term.WaitText("[app] following", 2*time.Second)

	term.Send("/")
	term.Send("-l", "upstream timeout")
	term.Send("Enter")
	term.WaitText("paused /upstream timeout", 2*time.Second)
	term.WaitText(`msg="upstream timeout"`, 2*time.Second)
	term.Send("n")
	term.Send("/")
	term.Send("-l", "no such text anywhere")
	term.Send("Enter")
	term.WaitText(`no match for "no such text anywhere"`, 2*time.Second)
	term.Send("Escape")
	term.WaitGone("/no such text", 2*time.Second)
	term.Send("f")
	term.WaitText("[app] following", 2*time.Second)

	term.Send("t")
	term.WaitFor("timestamps shown", 2*time.Second, func(s string) bool {
		return strings.Contains(s, time.Now().UTC().Format("2006-01-02T")) && strings.Contains(s, "Z level=")
	})
	term.Send("q")
	term.WaitText("pods("+ns+")[1]", 2*time.Second)
}

// `p` on a crash-looping pod shows the previous instance's log, ending in its panic.
func TestLogsPreviousCrashLoop(t *testing.T) {
	ns := newNamespace(t)
	startPod(t, ns, "fraud-scorer-e2e", map[string]string{"kdeck.dev/chaos": "crashloop"}, "fraud-scorer")
	term := StartKdeck(t, 160, 30, "-n", ns)
	term.WaitText("CrashLoopBackOff", 30*time.Second)
	term.Send("p")
	term.WaitText("previous logs "+ns+"/fraud-scorer-e2e [fraud-scorer]", 5*time.Second)
	took := term.WaitText("panic: runtime error: invalid memory address", 10*time.Second)
	t.Logf("previous log's panic on screen %s after p", took)
	term.WaitText("stream ended: end of log", 5*time.Second)
	screen := term.Screen()
	if strings.Contains(screen, "following") {
		t.Errorf("previous logs claim to follow:\n%s", screen)
	}
}

// A selector stream (what a deployment's `l` opens) interleaves the logs of every
// matching pod and picks up a pod created after it started.
func TestSelectorLogsJoinOnCluster(t *testing.T) {
	ns := newNamespace(t)
	labels := map[string]string{"tier": "web"}
	startPod(t, ns, "web-a", labels, "")
	startPod(t, ns, "web-b", labels, "")
	startPod(t, ns, "other", nil, "")
	s := kube.NewClientFor(testbed.clientset, nil).StreamSelectorLogs(ns, "tier=web", kube.LogOptions{Follow: true, TailLines: 5, ListEvery: time.Second})
	defer s.Stop()
	seen := map[string]int{}
	wait := func(pod string, timeout time.Duration) {
		t.Helper()
		deadline := time.Now().Add(timeout)
		for seen[pod] == 0 && time.Now().Before(deadline) {
			b, ok := s.Next()
			if !ok {
				break
			}
			for _, l := range b.Lines {
				if l.Kind == kube.LogOutput {
					seen[l.Pod]++
				}
			}
		}
		if seen[pod] == 0 {
			t.Fatalf("no lines from %s; seen %v", pod, seen)
		}
	}
	wait("web-a", 10*time.Second)
	wait("web-b", 10*time.Second)
	startPod(t, ns, "web-c", labels, "")
	wait("web-c", 10*time.Second)
	if seen["other"] > 0 {
		t.Fatalf("a pod outside the selector was streamed: %v", seen)
	}
	if seen["web-a"] > 5 || seen["web-b"] > 5 {
		t.Logf("note: more lines than the tail of 5 (follow appends): %v", seen)
	}
	t.Logf("lines per pod: %v", seen)
}
