//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube/canary"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/ptr"
)

// crdFile is one of the repository's testbed CRDs.
func crdFile(name string) string { return filepath.Join("..", "testbed", "crds", name) }

// kindEvents waits until there are n Events with reason about the object kind/name and
// returns their notes, oldest first.
func kindEvents(t *testing.T, ns, kind, name, reason string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs, err := testbed.clientset.EventsV1().Events(ns).List(ctx(t), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var notes []string
		for _, e := range evs.Items {
			if e.Reason == reason && e.Regarding.Kind == kind && e.Regarding.Name == name && e.Regarding.UID != "" {
				notes = append(notes, e.Note)
			}
		}
		if len(notes) >= n || time.Now().After(deadline) {
			return notes
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitObject waits until the object satisfies cond and returns it.
func waitObject(t *testing.T, res dynamic.ResourceInterface, name, what string, cond func(*unstructured.Unstructured) bool) *unstructured.Unstructured {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		u, err := res.Get(ctx(t), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cond(u) {
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %v", what, u.Object)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// record reads the canary record annotation of u.
func record(t *testing.T, u *unstructured.Unstructured) *canary.Record {
	t.Helper()
	rec, err := canary.ParseRecord(u.GetAnnotations()[canary.AnnoRecord])
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// trackDeployment creates a deployment of replicas kwok pods labelled app=web, track=track.
func trackDeployment(t *testing.T, ns, name, track string, replicas int32) {
	t.Helper()
	labels := map[string]string{"app": "web", "track": track}
	pod := kwokPod(ns, name)
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod.Spec}}}
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Create(ctx(t), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web-" + track},
		Spec: corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	if _, err := testbed.clientset.CoreV1().Services(ns).Create(ctx(t), svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// weights reads a TraefikService's weights by service name.
func weights(u *unstructured.Unstructured) map[string]int64 {
	out := map[string]int64{}
	list, _, _ := unstructured.NestedSlice(u.Object, "spec", "weighted", "services")
	for _, item := range list {
		m := item.(map[string]any)
		w, _ := m["weight"].(int64)
		out[m["name"].(string)] = w
	}
	return out
}

// A TraefikService with a -canary weighted service is a canary: kdeck steps its weights
// 10 → 25, aborts (canary 0, stable 100) and promotes (canary 100, stable 0); after every
// move the weights, the record annotation on the TraefikService and an Event say so. The
// gates read the pods of the Kubernetes Services named in the weighted list.
func TestCanaryTraefikWeights(t *testing.T) {
	gvr := canary.GVRTraefikServices
	dyn := installCRD(t, crdFile("traefikservices.traefik.io.yaml"), gvr)
	ns := newNamespace(t)
	trackDeployment(t, ns, "web", "stable", 2)
	trackDeployment(t, ns, "web-next", "canary", 1)
	res := dyn.Resource(gvr).Namespace(ns)
	ts := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService",
		"metadata": map[string]any{"name": "shop"},
		"spec": map[string]any{"weighted": map[string]any{"services": []any{
			map[string]any{"name": "web-stable", "port": int64(80), "weight": int64(90)},
			map[string]any{"name": "web-canary", "port": int64(80), "weight": int64(10)},
		}}},
	}}
	if _, err := res.Create(ctx(t), ts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	term := StartKdeck(t, 160, 45, "-n", ns, "-c", "canary")
	term.WaitText("web-stable", 15*time.Second)
	if l := lineWith(term.Screen(), "shop", "traefik", "web-stable"); !strings.Contains(l, "10%") {
		t.Fatalf("list row %q lacks the 10%% weight", l)
	}
	term.Send("Enter")
	term.WaitText("weights 90/10 of 100", 10*time.Second)
	term.WaitFor("the canary Service's pod ready", 30*time.Second, func(s string) bool {
		return lineWith(s, "ready/pods", "2/2", "1/1") != ""
	})

	step := func(key, title string, canary, stable int64, state string, weight int, reason string, events int) {
		t.Helper()
		term.Send(key)
		term.WaitText(title, 5*time.Second)
		term.Send("y")
		u := waitObject(t, res, "shop", title, func(u *unstructured.Unstructured) bool {
			r := record(t, u)
			return r != nil && r.State == state && r.Weight == weight
		})
		if w := weights(u); w["web-canary"] != canary || w["web-stable"] != stable {
			t.Fatalf("%s: weights %v, want canary %d stable %d", title, w, canary, stable)
		}
		if r := record(t, u); r.By == "" || r.Total != 100 {
			t.Fatalf("%s: record %+v", title, r)
		}
		if notes := kindEvents(t, ns, "TraefikService", "shop", reason, events); len(notes) != events {
			t.Fatalf("%s: %d %s events, want %d: %q", title, len(notes), reason, events, notes)
		}
	}
	step("n", "Move shop to step 1 (10%)?", 10, 90, canary.Stepping, 10, "CanaryStep", 1)
	term.WaitText("step 1 of 4", 5*time.Second)
	step("n", "Move shop to step 2 (25%)?", 25, 75, canary.Stepping, 25, "CanaryStep", 2)
	term.WaitText("weights 75/25 of 100", 5*time.Second)
	notes := kindEvents(t, ns, "TraefikService", "shop", "CanaryStep", 2)
	if !strings.Contains(notes[len(notes)-1], "web-canary weight 10 → 25, web-stable 90 → 75") {
		t.Fatalf("step event %q", notes)
	}
	step("a", "Abort canary shop?", 0, 100, canary.Aborted, 0, "CanaryAborted", 1)
	term.WaitText("aborted", 5*time.Second)
	step("p", "Promote shop to 100%?", 100, 0, canary.Promoted, 100, "CanaryPromoted", 1)
	term.WaitText("weights 0/100 of 100", 5*time.Second)

	// someone else changes the weights while the abort dialog is open: the tested patch
	// fails, kdeck says so, and neither the weights nor the record change
	term.Send("a")
	term.WaitText("Abort canary shop?", 5*time.Second)
	other := `[{"op":"replace","path":"/spec/weighted/services/0/weight","value":60},{"op":"replace","path":"/spec/weighted/services/1/weight","value":40}]`
	if _, err := res.Patch(ctx(t), "shop", types.JSONPatchType, []byte(other), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	term.Send("y")
	term.WaitText("changed meanwhile", 10*time.Second)
	u, err := res.Get(ctx(t), "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if w, r := weights(u), record(t, u); w["web-canary"] != 40 || w["web-stable"] != 60 || r.State != canary.Promoted {
		t.Fatalf("a refused abort changed the object: weights %v, record %+v", w, r)
	}
}

// rollout is an Argo Rollout with canary steps, paused at its pause step the way the
// controller leaves it (the status is written through the status subresource).
func rollout(t *testing.T, res dynamic.ResourceInterface, ns string) {
	t.Helper()
	pod := kwokPod(ns, "checkout")
	tmpl, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "checkout"}}, Spec: pod.Spec})
	if err != nil {
		t.Fatal(err)
	}
	ro := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
		"metadata": map[string]any{"name": "checkout"},
		"spec": map[string]any{"replicas": int64(5), "paused": true,
			"selector": map[string]any{"matchLabels": map[string]any{"app": "checkout"}},
			"template": tmpl,
			"strategy": map[string]any{"canary": map[string]any{"steps": []any{
				map[string]any{"setWeight": int64(20)}, map[string]any{"pause": map[string]any{}},
				map[string]any{"setWeight": int64(50)}, map[string]any{"pause": map[string]any{"duration": "30s"}},
				map[string]any{"setWeight": int64(100)},
			}}}},
	}}
	created, err := res.Create(ctx(t), ro, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Object["status"] = map[string]any{"phase": "Paused", "message": "CanaryPauseStep", "currentStepIndex": int64(1),
		"currentPodHash": "7d9c6b5f4", "stableRS": "5f8b7c6d9",
		"pauseConditions": []any{map[string]any{"reason": "CanaryPauseStep", "startTime": time.Now().UTC().Format(time.RFC3339)}}}
	if _, err := res.UpdateStatus(ctx(t), created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// An Argo Rollout with the canary strategy is a canary: n promotes the way
// `kubectl argo rollouts promote` does (clears the pause conditions and spec.paused;
// promoted again without a pause, it moves status.currentStepIndex on), p sets
// status.promoteFull, a sets status.abort and t clears it. After every key the fields,
// the record annotation and an Event about the Rollout say so.
func TestCanaryArgoRollout(t *testing.T) {
	gvr := canary.GVRRollouts
	dyn := installCRD(t, crdFile("rollouts.argoproj.io.yaml"), gvr)
	ns := newNamespace(t)
	res := dyn.Resource(gvr).Namespace(ns)
	rollout(t, res, ns)

	term := StartKdeck(t, 160, 45, "-n", ns, "-c", "canary")
	term.WaitText("checkout", 15*time.Second)
	if l := lineWith(term.Screen(), "checkout", "argo-rollout"); !strings.Contains(l, "1/5") || !strings.Contains(l, "20%") {
		t.Fatalf("list row %q lacks step 1/5 at 20%%", l)
	}
	term.Send("Enter")
	term.WaitText("step index 1 of 5", 10*time.Second)
	term.WaitText("▸pause◂", 5*time.Second)

	// act presses key, confirms, waits for the move's last stage (its nth Event with
	// reason) and returns the Rollout once cond holds
	act := func(key, title, reason string, n int, cond func(*unstructured.Unstructured) bool) *unstructured.Unstructured {
		t.Helper()
		term.Send(key)
		term.WaitText(title, 5*time.Second)
		term.Send("y")
		if notes := kindEvents(t, ns, "Rollout", "checkout", reason, n); len(notes) != n {
			t.Fatalf("%s: %d %s events, want %d", title, len(notes), reason, n)
		}
		return waitObject(t, res, "checkout", title, cond)
	}
	field := func(u *unstructured.Unstructured, path ...string) any {
		v, _, _ := unstructured.NestedFieldNoCopy(u.Object, path...)
		return v
	}
	u := act("n", "Promote rollout checkout?", "RolloutPromoted", 1, func(u *unstructured.Unstructured) bool {
		return field(u, "status", "pauseConditions") == nil && field(u, "spec", "paused") == false
	})
	if i := field(u, "status", "currentStepIndex"); i != int64(1) {
		t.Fatalf("promote over a pause condition moved the step index to %v", i)
	}
	if r := record(t, u); r == nil || r.By == "" || r.Step != 1 {
		t.Fatalf("record after promote: %+v", r)
	}
	term.WaitText("n promote: skip to step index 2", 5*time.Second)

	u = act("n", "Promote rollout checkout?", "RolloutPromoted", 2, func(u *unstructured.Unstructured) bool {
		return field(u, "status", "currentStepIndex") == int64(2)
	})
	if r := record(t, u); r.Step != 2 || r.Weight != 50 {
		t.Fatalf("record after the second promote: %+v", r)
	}
	term.WaitText("step index 2 of 5 · weight 50%", 5*time.Second)

	u = act("p", "Full promote rollout checkout?", "RolloutPromotedFull", 1, func(u *unstructured.Unstructured) bool {
		return field(u, "status", "promoteFull") == true
	})
	if r := record(t, u); r.State != canary.Promoted {
		t.Fatalf("record after full promote: %+v", r)
	}
	u = act("a", "Abort rollout checkout?", "RolloutAborted", 1, func(u *unstructured.Unstructured) bool {
		return field(u, "status", "abort") == true
	})
	if r := record(t, u); r.State != canary.Aborted || r.Weight != 0 {
		t.Fatalf("record after abort: %+v", r)
	}
	// the rollout's own line, not the status line's "✓ … aborted", which comes first: `t`
	// acts on the rollout kdeck shows, which must already be the aborted one
	term.WaitLine(5*time.Second, "step index", "aborted")
	act("t", "Retry rollout checkout?", "RolloutRetried", 1, func(u *unstructured.Unstructured) bool {
		return field(u, "status", "abort") == false
	})
}
