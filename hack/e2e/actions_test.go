//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// eventually polls cond every 100 ms until it holds, or fails the test with what.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// deployment reads ns/name from the cluster.
func deployment(t *testing.T, ns, name string) *appsv1.Deployment {
	t.Helper()
	d, err := testbed.clientset.AppsV1().Deployments(ns).Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// createDeployment creates a kwok deployment and waits until all its pods are ready.
func createDeployment(t *testing.T, ns, name string, replicas int32) {
	t.Helper()
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Create(ctx(t), kwokDeployment(ns, name, replicas), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, name+" ready", 60*time.Second, func() bool {
		return deployment(t, ns, name).Status.ReadyReplicas == replicas
	})
}

// auditEntries reads the audit log kdeck wrote under the term's home.
func auditEntries(t *testing.T, term *Term) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(term.Home, "kdeck", "audit.log"))
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	var out []map[string]string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e map[string]string
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// `s` on a deployment scales it after the count is typed; a typo is an inline error
// and sends nothing; the audit log records the change.
func TestScaleDeployment(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "web", 2)
	term := StartKdeck(t, 140, 30, "-n", ns, "-c", "deploy")
	term.WaitLine(20*time.Second, "web ", " 2/2 ")
	term.Send("s")
	term.WaitText("Replicas now: 2", 5*time.Second)
	term.Send("C-u", "x", "Enter")
	term.WaitText(`"x" is not a whole number`, 10*time.Second)
	term.Send("C-u", "4", "Enter")
	term.WaitGone("Replicas now", 3*time.Second)
	eventually(t, "spec.replicas 4", 10*time.Second, func() bool { return *deployment(t, ns, "web").Spec.Replicas == 4 })
	term.WaitLine(60*time.Second, "web ", " 4/4 ")
	e := auditEntries(t, term)
	if len(e) != 1 || e[0]["resource"] != "deployments/scale" || e[0]["summary"] != "replicas 2 → 4" || e[0]["result"] != "ok" {
		t.Fatalf("audit log: %v", e)
	}
}

// When an HPA drives the deployment, `s` says so and offers the HPA's range instead;
// taking it changes the HPA, not the deployment.
func TestScaleOffersTheHPARange(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "api", 2)
	hpa := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "api"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](2), MaxReplicas: 5,
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "api"}}}
	hpas := testbed.clientset.AutoscalingV2().HorizontalPodAutoscalers(ns)
	if _, err := hpas.Create(ctx(t), hpa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	term := StartKdeck(t, 140, 30, "-n", ns, "-c", "deploy")
	term.WaitLine(20*time.Second, "api ", " 2/2 ")
	term.Send("s")
	term.WaitText("HPA api drives this deployment: min 2, max 5", 5*time.Second)
	term.Send("Enter") // the first choice: the HPA's range
	term.WaitText("New MIN MAX", 3*time.Second)
	term.Send("C-u", "6 3", "Enter")
	term.WaitText("max must be at least min", 10*time.Second)
	term.Send("C-u", "3 8", "Enter")
	eventually(t, "HPA min 3 max 8", 10*time.Second, func() bool {
		h, err := hpas.Get(ctx(t), "api", metav1.GetOptions{})
		return err == nil && *h.Spec.MinReplicas == 3 && h.Spec.MaxReplicas == 8
	})
	e := auditEntries(t, term)
	if len(e) != 1 || e[0]["resource"] != "horizontalpodautoscalers" || e[0]["summary"] != "min/max 2/5 → 3/8" {
		t.Fatalf("want only the HPA changed, audit log: %v", e)
	}
}

// Set image, history, undo, restart, pause and resume, each from its key, each checked
// in the cluster; the progress line follows the rollout to its end.
func TestRolloutKeys(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "shop", 2)
	term := StartKdeck(t, 160, 30, "-n", ns, "-c", "deploy")
	term.WaitLine(20*time.Second, "shop ", " 2/2 ")
	image := func() string { return deployment(t, ns, "shop").Spec.Template.Spec.Containers[0].Image }

	term.Send("i")
	term.WaitText("Now: registry.example.com/app:1.0", 5*time.Second)
	term.Send("C-u", "registry.example.com/app: 2.0")
	term.WaitText("image reference contains spaces", 10*time.Second)
	term.Send("C-u", "registry.example.com/app:2.0", "Enter")
	eventually(t, "image 2.0", 10*time.Second, func() bool { return image() == "registry.example.com/app:2.0" })
	term.WaitText("shop: rollout complete: 2/2 ready", 60*time.Second)

	term.Send("h")
	term.WaitText("history deployments/"+ns+"/shop", 5*time.Second)
	term.WaitFor("two revisions", 5*time.Second, func(s string) bool {
		return lineWith(s, "2 (current)", "app:2.0") != "" && lineWith(s, "1 ", "app:1.0") != ""
	})
	term.Send("Escape")
	term.Send("u")
	term.WaitText("to revision", 5*time.Second)
	term.Send("Enter")
	eventually(t, "image back to 1.0", 10*time.Second, func() bool { return image() == "registry.example.com/app:1.0" })
	term.WaitText("shop: rollout complete", 60*time.Second)

	term.Send("r")
	term.WaitText("Restart deployment "+ns+"/shop", 5*time.Second)
	term.Send("y")
	eventually(t, "restartedAt annotation", 10*time.Second, func() bool {
		return deployment(t, ns, "shop").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] != ""
	})

	term.Send("z")
	term.WaitText("Pause rollout of deployment", 5*time.Second)
	term.Send("y")
	eventually(t, "paused", 10*time.Second, func() bool { return deployment(t, ns, "shop").Spec.Paused })
	term.WaitLine(10*time.Second, "shop ", "paused")
	term.Send("z")
	term.WaitText("Resume rollout of deployment", 5*time.Second)
	term.Send("y")
	eventually(t, "resumed", 10*time.Second, func() bool { return !deployment(t, ns, "shop").Spec.Paused })

	want := []string{"container app image registry.example.com/app:1.0 → registry.example.com/app:2.0",
		"rollout undo to revision 1 (registry.example.com/app:1.0)", "rollout restart", "rollout paused", "rollout resumed"}
	var summaries []string
	// the entry is written when the server's answer reaches kdeck, a moment after the cluster shows the change
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		summaries = summaries[:0]
		for _, e := range auditEntries(t, term) {
			summaries = append(summaries, e["summary"])
		}
		if len(summaries) >= len(want) || time.Now().After(deadline) {
			break
		}
	}
	if strings.Join(summaries, "|") != strings.Join(want, "|") {
		t.Fatalf("audit summaries\n got %q\nwant %q", summaries, want)
	}
}

// ctrl+d deletes only after the exact name is typed; ctrl+k kills a pod at once (grace 0)
// after `y`, and its deployment replaces it.
func TestDeleteAndKill(t *testing.T) {
	ns := newNamespace(t)
	startPod(t, ns, "lonely", nil, "")
	term := StartKdeck(t, 140, 30, "-n", ns)
	term.WaitText("lonely", 20*time.Second)
	term.Send("C-d")
	term.WaitText("Delete pods/"+ns+"/lonely", 5*time.Second)
	term.Send("l", "o", "n", "Enter")
	term.WaitText("type lonely exactly to confirm", 3*time.Second)
	time.Sleep(500 * time.Millisecond)
	pods := testbed.clientset.CoreV1().Pods(ns)
	if _, err := pods.Get(ctx(t), "lonely", metav1.GetOptions{}); err != nil {
		t.Fatalf("a partial name deleted the pod: %v", err)
	}
	term.Send("e", "l", "y", "Enter")
	eventually(t, "pod lonely deleted", 30*time.Second, func() bool {
		_, err := pods.Get(ctx(t), "lonely", metav1.GetOptions{})
		return err != nil
	})

	createDeployment(t, ns, "worker", 1)
	list, err := pods.List(ctx(t), metav1.ListOptions{LabelSelector: "app=worker"})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("worker pods: %v %v", list, err)
	}
	victim := list.Items[0].Name
	term.WaitText(victim, 20*time.Second)
	term.WaitGone("lonely", 20*time.Second)
	term.Send("C-k")
	term.WaitText("Kill pod "+ns+"/"+victim, 5*time.Second)
	term.Send("Enter") // not enough for a dangerous action
	time.Sleep(300 * time.Millisecond)
	term.WaitText("Kill pod", time.Second)
	term.Send("y")
	eventually(t, "victim gone", 10*time.Second, func() bool {
		_, err := pods.Get(ctx(t), victim, metav1.GetOptions{})
		return err != nil
	})
	eventually(t, "a replacement pod", 30*time.Second, func() bool {
		l, err := pods.List(ctx(t), metav1.ListOptions{LabelSelector: "app=worker"})
		return err == nil && len(l.Items) == 1 && l.Items[0].Name != victim
	})
	for _, e := range auditEntries(t, term) {
		if e["verb"] != "delete" || e["result"] != "ok" {
			t.Errorf("audit entry %v", e)
		}
	}
}

// openShell starts pod box (container main) in a new namespace, runs kdeck on it and
// opens a shell in the container with `s`; it returns once the shell has answered.
func openShell(t *testing.T) (*Term, string) {
	t.Helper()
	ns := newNamespace(t)
	startPod(t, ns, "box", nil, "main")
	term := StartKdeck(t, 120, 25, "-n", ns)
	term.WaitText("box", 20*time.Second)
	term.Send("Enter")
	term.WaitText("containers("+ns+"/box)", 5*time.Second)
	term.WaitLine(10*time.Second, "main", "running")
	term.Send("s")
	term.WaitGone("containers(", 10*time.Second)
	term.Send("echo from-$KWOK_TESTBED-shell", "Enter")
	term.WaitText("from-true-shell", 10*time.Second)
	return term, ns
}

// `s` on a running container opens a shell through exec (kwok runs it locally), and
// leaving the shell brings kdeck back.
func TestShell(t *testing.T) {
	term, ns := openShell(t)
	term.Send("exit", "Enter")
	term.WaitText("containers("+ns+"/box)", 10*time.Second)
	term.WaitText("shell in box/main ended", 5*time.Second)
}

// `s` scales a stateful set from the stateful sets view.
func TestScaleStatefulSet(t *testing.T) {
	ns := newNamespace(t)
	d := kwokDeployment(ns, "db", 1)
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "db"},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](1), Selector: d.Spec.Selector, Template: d.Spec.Template}}
	sets := testbed.clientset.AppsV1().StatefulSets(ns)
	if _, err := sets.Create(ctx(t), sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	term := StartKdeck(t, 140, 30, "-n", ns, "-c", "statefulsets")
	term.WaitLine(20*time.Second, "db ", "1/1")
	scaleStatefulSet(t, term, ns, "db", 1, 3)
}
