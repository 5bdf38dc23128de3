package canary

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
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
	c := FindPairs(deploys, svcs, nil)[0]
	c.Record = &Record{State: Stepping, Step: 1, Weight: 10, Total: 5, StartedAt: time.Unix(0, 0)}
	cs := fake.NewClientset(fakeDeployment("web", 4, "web:1"), fakeDeployment("web-canary", 1, "web:2"))
	audit := kube.NewAuditLog(filepath.Join(t.TempDir(), "audit.log"))
	client := &kube.Client{Clientset: cs, Audit: audit}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

	// up: the canary grows first, then the stable shrinks
	m := PlanMove(c, 2)
	rec := NextRecord(c, m, "ann", at, []Gate{{Name: "ready", Detail: "canary 1/1 ready"}}, false, nil)
	if err := RunStages(context.Background(), client, Stages(client, c, m, rec)); err != nil {
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
	r, err := ParseRecord(d.Annotations[AnnoRecord])
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
	a := PlanMove(c, 0)
	if err := RunStages(context.Background(), client, Stages(client, c, a, NextRecord(c, a, "ann", at, nil, false, nil))); err != nil {
		t.Fatal(err)
	}
	got = patches(cs)
	if got[0] != `patch deployments/scale web {"spec":{"replicas":5}}` || got[1] != `patch deployments/scale web-canary {"spec":{"replicas":0}}` {
		t.Fatalf("abort stages:\n%s", strings.Join(got, "\n"))
	}
}

func TestCanaryPromote(t *testing.T) {
	deploys, svcs := pairFixture()
	c := FindPairs(deploys, svcs, nil)[0]
	c.Record = &Record{State: Stepping, Step: 3, Weight: 50, Total: 5}
	c.Canary.Replicas, c.Stable.Replicas = 3, 2
	cs := fake.NewClientset(fakeDeployment("web", 2, "web:1"), fakeDeployment("web-canary", 3, "web:2"))
	client := &kube.Client{Clientset: cs}
	m := PlanMove(c, 4)
	rec := NextRecord(c, m, "ann", time.Now(), nil, false, nil)
	if err := RunStages(context.Background(), client, Stages(client, c, m, rec)); err != nil {
		t.Fatal(err)
	}
	web, _ := cs.AppsV1().Deployments("shop").Get(context.Background(), "web", metav1.GetOptions{})
	canary, _ := cs.AppsV1().Deployments("shop").Get(context.Background(), "web-canary", metav1.GetOptions{})
	if web.Spec.Template.Spec.Containers[0].Image != "web:2" || *web.Spec.Replicas != 5 || *canary.Spec.Replicas != 0 {
		t.Fatalf("after promote: web %s ×%d, canary ×%d", web.Spec.Template.Spec.Containers[0].Image, *web.Spec.Replicas, *canary.Spec.Replicas)
	}
	r, _ := ParseRecord(canary.Annotations[AnnoRecord])
	if r.State != Promoted || r.Weight != 100 {
		t.Fatalf("record %+v", r)
	}
}

func TestCanaryStagesReadOnly(t *testing.T) {
	deploys, svcs := pairFixture()
	c := FindPairs(deploys, svcs, nil)[0]
	cs := fake.NewClientset(fakeDeployment("web", 4, "web:1"), fakeDeployment("web-canary", 1, "web:2"))
	client := &kube.Client{Clientset: cs, Policy: kube.Policy{ReadOnly: true}}
	m := PlanMove(c, 2)
	err := RunStages(context.Background(), client, Stages(client, c, m, NextRecord(c, m, "ann", time.Now(), nil, false, nil)))
	if kube.KindOf(err) != kube.KindReadOnly || len(cs.Actions()) != 0 {
		t.Fatalf("read-only: %v, %d requests", err, len(cs.Actions()))
	}
}
