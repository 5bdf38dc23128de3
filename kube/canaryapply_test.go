package kube

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

func fakeDeployment(name string, replicas int32, image string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: image}}}}},
		Status: appsv1.DeploymentStatus{Replicas: 5, UpdatedReplicas: 5, AvailableReplicas: 5},
	}
}

// patches lists the fake clientset's patches and creates as "verb resource[/sub] name".
func patches(cs *fake.Clientset) []string {
	var out []string
	for _, a := range cs.Actions() {
		switch a := a.(type) {
		case k8stesting.PatchAction:
			r := a.GetResource().Resource
			if a.GetSubresource() != "" {
				r += "/" + a.GetSubresource()
			}
			out = append(out, "patch "+r+" "+a.GetName()+" "+string(a.GetPatch()))
		case k8stesting.CreateAction:
			out = append(out, "create "+a.GetResource().Resource)
		}
	}
	return out
}

func TestCanaryStagesOrder(t *testing.T) {
	deploys, svcs := pairFixture()
	c := FindCanaryPairs(deploys, svcs, nil)[0]
	c.Record = &CanaryRecord{State: CanaryStepping, Step: 1, Weight: 10, Total: 5, StartedAt: time.Unix(0, 0)}
	cs := fake.NewClientset(fakeDeployment("web", 4, "web:1"), fakeDeployment("web-canary", 1, "web:2"))
	audit := NewAuditLog(filepath.Join(t.TempDir(), "audit.log"))
	client := &Client{Clientset: cs, Audit: audit}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

	// up: the canary grows first, then the stable shrinks
	m := PlanCanaryMove(c, 2)
	rec := NextCanaryRecord(c, m, "ann", at, []Gate{{Name: "ready", Detail: "canary 1/1 ready"}}, false, nil)
	if err := RunCanaryStages(context.Background(), client, CanaryStages(cs, c, m, rec)); err != nil {
		t.Fatal(err)
	}
	got := patches(cs)
	want := []string{
		`patch deployments/scale web-canary {"spec":{"replicas":2}}`,
		`patch deployments/scale web {"spec":{"replicas":3}}`,
	}
	if len(got) != 4 || got[0] != want[0] || got[1] != want[1] || !strings.Contains(got[2], `kdeck.dev/canary`) || got[3] != "create events" {
		t.Fatalf("stages:\n%s", strings.Join(got, "\n"))
	}
	d, _ := cs.AppsV1().Deployments("shop").Get(context.Background(), "web-canary", metav1.GetOptions{})
	r, err := ParseCanaryRecord(d.Annotations[AnnoCanary])
	if err != nil || r.Step != 2 || r.Weight != 25 || r.By != "ann" || !r.StartedAt.Equal(time.Unix(0, 0)) || r.Gates["ready"] != "pass: canary 1/1 ready" {
		t.Fatalf("record %+v %v", r, err)
	}
	evs, _ := cs.EventsV1().Events("shop").List(context.Background(), metav1.ListOptions{})
	if len(evs.Items) != 1 || evs.Items[0].Reason != "CanaryStep" || evs.Items[0].Regarding.Name != "web-canary" ||
		evs.Items[0].Note != "step 2/4 weight 25% by ann: web-canary 1 → 2 replicas, web 4 → 3; gates: ready pass: canary 1/1 ready" {
		t.Fatalf("events %+v", evs.Items)
	}
	raw, err := os.ReadFile(audit.Path())
	if lines := strings.Split(strings.TrimSpace(string(raw)), "\n"); err != nil || len(lines) != 4 || !strings.Contains(lines[0], `"deployments/scale"`) {
		t.Fatalf("audit log: %s %v", raw, err)
	}

	// down (abort): the stable grows back first, then the canary goes to 0
	cs.ClearActions()
	c.Canary.Replicas, c.Stable.Replicas = 2, 3
	a := PlanCanaryMove(c, 0)
	if err := RunCanaryStages(context.Background(), client, CanaryStages(cs, c, a, NextCanaryRecord(c, a, "ann", at, nil, false, nil))); err != nil {
		t.Fatal(err)
	}
	got = patches(cs)
	if got[0] != `patch deployments/scale web {"spec":{"replicas":5}}` || got[1] != `patch deployments/scale web-canary {"spec":{"replicas":0}}` {
		t.Fatalf("abort stages:\n%s", strings.Join(got, "\n"))
	}
}

func TestCanaryPromote(t *testing.T) {
	deploys, svcs := pairFixture()
	c := FindCanaryPairs(deploys, svcs, nil)[0]
	c.Record = &CanaryRecord{State: CanaryStepping, Step: 3, Weight: 50, Total: 5}
	c.Canary.Replicas, c.Stable.Replicas = 3, 2
	cs := fake.NewClientset(fakeDeployment("web", 2, "web:1"), fakeDeployment("web-canary", 3, "web:2"))
	client := &Client{Clientset: cs}
	m := PlanCanaryMove(c, 4)
	rec := NextCanaryRecord(c, m, "ann", time.Now(), nil, false, nil)
	if err := RunCanaryStages(context.Background(), client, CanaryStages(cs, c, m, rec)); err != nil {
		t.Fatal(err)
	}
	web, _ := cs.AppsV1().Deployments("shop").Get(context.Background(), "web", metav1.GetOptions{})
	canary, _ := cs.AppsV1().Deployments("shop").Get(context.Background(), "web-canary", metav1.GetOptions{})
	if web.Spec.Template.Spec.Containers[0].Image != "web:2" || *web.Spec.Replicas != 5 || *canary.Spec.Replicas != 0 {
		t.Fatalf("after promote: web %s ×%d, canary ×%d", web.Spec.Template.Spec.Containers[0].Image, *web.Spec.Replicas, *canary.Spec.Replicas)
	}
	r, _ := ParseCanaryRecord(canary.Annotations[AnnoCanary])
	if r.State != CanaryPromoted || r.Weight != 100 {
		t.Fatalf("record %+v", r)
	}
}

func TestCanaryStagesReadOnly(t *testing.T) {
	deploys, svcs := pairFixture()
	c := FindCanaryPairs(deploys, svcs, nil)[0]
	cs := fake.NewClientset(fakeDeployment("web", 4, "web:1"), fakeDeployment("web-canary", 1, "web:2"))
	client := &Client{Clientset: cs, Policy: Policy{ReadOnly: true}}
	m := PlanCanaryMove(c, 2)
	err := RunCanaryStages(context.Background(), client, CanaryStages(cs, c, m, NextCanaryRecord(c, m, "ann", time.Now(), nil, false, nil)))
	if KindOf(err) != KindReadOnly || len(cs.Actions()) != 0 {
		t.Fatalf("read-only: %v, %d requests", err, len(cs.Actions()))
	}
}
