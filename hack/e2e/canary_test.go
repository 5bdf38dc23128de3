//go:build e2e

package e2e

import (
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube/canary"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// canaryPair creates web (track=stable, image web:1) and web-canary (track=canary, image
// web:2, extra pod labels canaryLabels) behind Service web (app=web), with annotations on
// the canary deployment.
func canaryPair(t *testing.T, ns string, stable, canary int32, canaryLabels, annotations map[string]string) {
	t.Helper()
	deploy := func(name, track, image string, replicas int32, extra, annos map[string]string) *appsv1.Deployment {
		pod := kwokPod(ns, name)
		pod.Spec.Containers[0].Image = image
		sel := map[string]string{"app": "web", "track": track}
		labels := maps.Clone(sel)
		maps.Copy(labels, extra)
		return &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: annos},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas),
				Selector: &metav1.LabelSelector{MatchLabels: sel},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod.Spec}},
		}
	}
	apps := testbed.clientset.AppsV1().Deployments(ns)
	for _, d := range []*appsv1.Deployment{deploy("web", "stable", "registry.example.com/web:1", stable, nil, nil),
		deploy("web-canary", "canary", "registry.example.com/web:2", canary, canaryLabels, annotations)} {
		if _, err := apps.Create(ctx(t), d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	if _, err := testbed.clientset.CoreV1().Services(ns).Create(ctx(t), svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// canaryState is what the cluster says of the pair.
type canaryState struct {
	stable, canary int32
	stableImage    string
	record         *canary.Record
}

func readCanary(t *testing.T, ns string) canaryState {
	t.Helper()
	apps := testbed.clientset.AppsV1().Deployments(ns)
	s, err := apps.Get(ctx(t), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := apps.Get(ctx(t), "web-canary", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := canary.ParseRecord(c.Annotations[canary.AnnoRecord])
	if err != nil {
		t.Fatal(err)
	}
	return canaryState{stable: *s.Spec.Replicas, canary: *c.Spec.Replicas, stableImage: s.Spec.Template.Spec.Containers[0].Image, record: rec}
}

// waitCanary waits until the cluster's pair satisfies cond and returns its state.
func waitCanary(t *testing.T, ns, what string, cond func(canaryState) bool) canaryState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := readCanary(t, ns)
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: stable %d, canary %d, record %+v", what, s.stable, s.canary, s.record)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// canaryNotes waits until there are n Events with reason on web-canary (the Event is
// the last stage of a move) and returns their notes, oldest first.
func canaryNotes(t *testing.T, ns, reason string, n int) []string {
	t.Helper()
	return kindEvents(t, ns, "Deployment", "web-canary", reason, n)
}

// web → web-canary goes 10 → 25 → 50 → 100 from the keyboard; after every step the
// replicas, the record annotation and an Event say so, and 100% promotes.
func TestCanaryStepsToPromotion(t *testing.T) {
	ns := newNamespace(t)
	canaryPair(t, ns, 4, 1, nil, nil)
	term := StartKdeck(t, 160, 45, "-n", ns, "-c", "canary")
	term.WaitText("web-canary", 15*time.Second)
	if l := lineWith(term.Screen(), "web-canary", "replica-ratio", "web"); !strings.Contains(l, "20%") {
		t.Fatalf("list row %q lacks the 20%% weight of 1 of 5", l)
	}
	term.Send("Enter")
	term.WaitText("STABLE web", 10*time.Second)
	term.WaitText("not started", 5*time.Second)

	for i, want := range []struct {
		weight         int
		canary, stable int32
		title          string
	}{
		{10, 1, 4, "Move web-canary to step 1 (10%)?"},
		{25, 2, 3, "Move web-canary to step 2 (25%)?"},
		{50, 3, 2, "Move web-canary to step 3 (50%)?"},
	} {
		step := i + 1
		term.Send("n")
		term.WaitText(want.title, 5*time.Second)
		term.Send("y")
		s := waitCanary(t, ns, want.title, func(s canaryState) bool {
			return s.record != nil && s.record.Step == step
		})
		if s.canary != want.canary || s.stable != want.stable || s.record.Weight != want.weight || s.record.Total != 5 ||
			s.record.State != canary.Stepping || s.record.By == "" || len(s.record.Gates) != 5 {
			t.Fatalf("step %d: %+v, record %+v", step, s, s.record)
		}
		notes := canaryNotes(t, ns, "CanaryStep", step)
		if len(notes) != step || !strings.Contains(notes[len(notes)-1], "weight "+strconv.Itoa(want.weight)+"%") {
			t.Fatalf("step %d: events %q", step, notes)
		}
		term.WaitText("step "+strconv.Itoa(step)+" of 4", 5*time.Second)
	}

	term.Send("n")
	term.WaitText("Promote web-canary to 100%?", 5*time.Second)
	term.Send("y")
	s := waitCanary(t, ns, "promotion", func(s canaryState) bool { return s.record != nil && s.record.State == canary.Promoted })
	if s.stable != 5 || s.canary != 0 || s.stableImage != "registry.example.com/web:2" || s.record.Weight != 100 {
		t.Fatalf("promoted: %+v", s)
	}
	if notes := canaryNotes(t, ns, "CanaryPromoted", 1); len(notes) != 1 || !strings.Contains(notes[0], "promoted to 100%") {
		t.Fatalf("promote events %q", notes)
	}
	term.WaitText("promoted", 5*time.Second)
}

// A crash-looping canary fails its restarts gate: the next step is refused with the gate
// named, goes ahead only when forced by typing the canary's name, and one key (a, then y)
// aborts: canary 0, stable back to the total.
func TestCanaryBlockedAndAborted(t *testing.T) {
	ns := newNamespace(t)
	canaryPair(t, ns, 4, 1, map[string]string{"kdeck.dev/chaos": "crashloop"}, map[string]string{canary.AnnoSteps: "50,100"})
	term := StartKdeck(t, 160, 45, "-n", ns, "-c", "canary")
	term.WaitText("web-canary", 15*time.Second)
	term.Send("Enter")
	term.WaitText("STABLE web", 10*time.Second)
	term.WaitFor("the restarts gate failing", 60*time.Second, func(s string) bool {
		return lineWith(s, "restarts", "fail", "since the step began >") != ""
	})

	term.Send("n")
	term.WaitText("Blocked:", 5*time.Second)
	if l := lineWith(term.Screen(), "✗ restarts:"); l == "" {
		t.Fatalf("blocked dialog does not name the restarts gate:\n%s", term.Screen())
	}
	term.Send("y") // a plain yes does not force it
	time.Sleep(300 * time.Millisecond)
	term.Send("Escape")
	term.WaitGone("Blocked:", 5*time.Second)
	if s := readCanary(t, ns); s.canary != 1 || s.stable != 4 || s.record != nil {
		t.Fatalf("a refused step changed the cluster: %+v", s)
	}

	term.Send("n")
	term.WaitText("Blocked:", 5*time.Second)
	term.Send("web-canary", "Enter")
	s := waitCanary(t, ns, "forced step 1", func(s canaryState) bool { return s.record != nil && s.record.Step == 1 })
	if s.canary != 3 || s.stable != 2 || !s.record.Forced || !strings.HasPrefix(s.record.Gates["restarts"], "fail") {
		t.Fatalf("forced step: %+v, record %+v", s, s.record)
	}
	if notes := canaryNotes(t, ns, "CanaryStep", 1); len(notes) != 1 || !strings.Contains(notes[0], "FORCED") {
		t.Fatalf("forced step events %q", notes)
	}
	term.WaitText("step 1 of 2", 5*time.Second)

	term.Send("a")
	term.WaitText("Abort canary web-canary?", 5*time.Second)
	term.Send("y")
	s = waitCanary(t, ns, "abort", func(s canaryState) bool { return s.record != nil && s.record.State == canary.Aborted })
	if s.canary != 0 || s.stable != 5 || s.record.Weight != 0 {
		t.Fatalf("aborted: %+v", s)
	}
	if notes := canaryNotes(t, ns, "CanaryAborted", 1); len(notes) != 1 || !strings.Contains(notes[0], "web-canary 3 → 0 replicas, web 2 → 5") {
		t.Fatalf("abort events %q", notes)
	}
	term.WaitText("aborted", 5*time.Second)
}
