package canary

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
)

// withDynamic makes a Client whose dynamic client holds objs.
func withDynamic(objs ...runtime.Object) (*kube.Client, *dynamicfake.FakeDynamicClient) {
	dyn := dynamicfake.NewSimpleDynamicClient(runtime.NewScheme(), objs...)
	return kube.NewClientFor(fake.NewClientset(), dyn), dyn
}

func traefikObject(stable, canary int64) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService",
		"metadata": map[string]any{"namespace": "shop", "name": "web", "uid": "u-1"},
		"spec": map[string]any{"weighted": map[string]any{"services": []any{
			map[string]any{"name": "web", "port": int64(80), "weight": stable},
			map[string]any{"name": "web-canary", "port": int64(80), "weight": canary},
		}}},
	}}
}

func traefikCanary(t *testing.T, u *unstructured.Unstructured) *Canary {
	t.Helper()
	row, _ := TraefikServiceRow(u)
	got := FindTraefik([]*TraefikService{row}, []*kube.Service{{Namespace: "shop", Name: "web-canary", Selector: "track=canary"}})
	if len(got) != 1 {
		t.Fatalf("found %d traefik canaries", len(got))
	}
	return got[0]
}

// The canary of a TraefikService is the -canary entry, or the one the annotation names;
// a third entry, or two candidates, is no canary. The Kubernetes Service's selector
// finds its pods.
func TestFindTraefikCanaries(t *testing.T) {
	c := traefikCanary(t, traefikObject(90, 10))
	if c.Kind != KindTraefik || c.Stable.Name != "web" || c.Canary.Name != "web-canary" || c.Canary.Selector != "track=canary" ||
		c.Stable.Selector != "" || c.Weight() != 10 || c.NextStep() != 1 {
		t.Fatalf("canary %+v, weight %d, next %d", c, c.Weight(), c.NextStep())
	}
	named := traefikObject(70, 30)
	named.SetAnnotations(map[string]string{AnnoService: "web"})
	if c := traefikCanary(t, named); c.Canary.Name != "web" || c.Weight() != 70 || c.NextStep() != 4 {
		t.Fatalf("named canary %+v weight %d next %d", c.Canary, c.Weight(), c.NextStep())
	}
	three := traefikObject(1, 1)
	services := three.Object["spec"].(map[string]any)["weighted"].(map[string]any)
	services["services"] = append(services["services"].([]any), map[string]any{"name": "other"})
	row, _ := TraefikServiceRow(three)
	if got := FindTraefik([]*TraefikService{row}, nil); len(got) != 0 {
		t.Fatalf("three services made a canary")
	}
}

// Weights keep their total: 100 moves in percent, 10 scales (25% of 10 rounds to 3 and
// says so); abort and promote set 0/total and total/0.
func TestPlanTraefikMove(t *testing.T) {
	c := traefikCanary(t, traefikObject(90, 10))
	m := PlanMove(c, 2)
	if w := m.Weights; w.CanaryTo != 25 || w.StableTo != 75 || m.Describe() != "web-canary weight 10 → 25, web 90 → 75" {
		t.Fatalf("step 2: %+v %q", w, m.Describe())
	}
	c = traefikCanary(t, traefikObject(9, 1))
	m = PlanMove(c, 2)
	if w := m.Weights; w.CanaryTo != 3 || w.StableTo != 7 || !strings.Contains(m.Describe(), "the weights total 10: 25% scaled to it") {
		t.Fatalf("scaled: %+v %q", w, m.Describe())
	}
	if a := PlanMove(c, 0); a.Weights.CanaryTo != 0 || a.Weights.StableTo != 10 || a.Kind != MoveAbort {
		t.Fatalf("abort %+v", a.Weights)
	}
	if p := PlanMove(c, 4); p.Weights.CanaryTo != 10 || p.Weights.StableTo != 0 || !strings.Contains(p.Describe(), "weights only") {
		t.Fatalf("promote %+v %q", p.Weights, p.Describe())
	}
	for _, tc := range [][3]int{{100, 10, 10}, {100, 0, 0}, {3, 50, 2}, {1, 10, 0}, {7, 100, 7}} {
		if got, rest := StepWeights(tc[0], tc[1]); got != tc[2] || got+rest != tc[0] {
			t.Errorf("StepWeights(%d, %d) = %d, %d", tc[0], tc[1], got, rest)
		}
	}
}

// The weights patch tests the weights it was planned from: a change made meanwhile
// fails it with a clear error and nothing is recorded.
func TestTraefikStagesTestWeights(t *testing.T) {
	c := traefikCanary(t, traefikObject(90, 10))
	m := PlanMove(c, 2)
	rec := NextRecord(c, m, "ann", time.Unix(0, 0), nil, false, nil)

	client, dyn := withDynamic(traefikObject(90, 10))
	if err := RunStages(context.Background(), client, TraefikStages(client, c, m, rec)); err != nil {
		t.Fatal(err)
	}
	u, _ := dyn.Resource(GVRTraefikServices).Namespace("shop").Get(context.Background(), "web", metav1.GetOptions{})
	row, _ := TraefikServiceRow(u)
	if row.Routes[0].Weight != 75 || row.Routes[1].Weight != 25 || !strings.Contains(row.Record, `"weight":25`) {
		t.Fatalf("after the step: %+v", row)
	}

	client, dyn = withDynamic(traefikObject(50, 50))
	err := RunStages(context.Background(), client, TraefikStages(client, c, m, rec))
	if err == nil || !strings.Contains(err.Error(), "changed meanwhile") {
		t.Fatalf("a concurrent change gave %v", err)
	}
	u, _ = dyn.Resource(GVRTraefikServices).Namespace("shop").Get(context.Background(), "web", metav1.GetOptions{})
	if row, _ := TraefikServiceRow(u); row.Routes[1].Weight != 50 || row.Record != "" {
		t.Fatalf("a failed test changed the object: %+v", row)
	}
}

func rolloutObject(status map[string]any, paused bool) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
		"metadata": map[string]any{"namespace": "shop", "name": "checkout", "uid": "u-2"},
		"spec": map[string]any{"replicas": int64(5), "paused": paused,
			"selector": map[string]any{"matchLabels": map[string]any{"app": "checkout"}},
			"strategy": map[string]any{"canary": map[string]any{"steps": []any{
				map[string]any{"setWeight": int64(20)}, map[string]any{"pause": map[string]any{}},
				map[string]any{"setWeight": int64(50)}, map[string]any{"pause": map[string]any{"duration": "30s"}},
			}}}},
		"status": status,
	}}
}

// A Rollout's steps, index, pause and hashes are read; promote clears pause conditions
// (and spec.paused), or without them moves the step index on; full promote, abort and
// retry patch the status as the argo plugin does.
func TestArgoRollout(t *testing.T) {
	status := map[string]any{"phase": "Paused", "currentStepIndex": int64(1), "currentPodHash": "aaa", "stableRS": "bbb",
		"pauseConditions": []any{map[string]any{"reason": "CanaryPauseStep"}}}
	r, _ := RolloutRow(rolloutObject(status, true))
	c := FindArgo([]*ArgoRollout{r})[0]
	if len(r.Steps) != 4 || r.Steps[3].String() != "pause 30s" || r.Weight() != 20 || !r.Paused() ||
		c.Canary.Selector != "app=checkout,rollouts-pod-template-hash=aaa" || c.Stable.Name != "checkout-bbb" {
		t.Fatalf("row %+v canary %+v", r, c.Canary)
	}
	p, err := PlanArgo(r, ArgoPromote)
	if err != nil || string(p.StatusPatch) != `{"status":{"pauseConditions":null}}` || string(p.SpecPatch) != `{"spec":{"paused":false}}` {
		t.Fatalf("promote %s %s %v", p.StatusPatch, p.SpecPatch, err)
	}
	delete(status, "pauseConditions")
	r, _ = RolloutRow(rolloutObject(status, false))
	p, _ = PlanArgo(r, ArgoPromote)
	if string(p.StatusPatch) != `{"status":{"pauseConditions":null,"currentStepIndex":2}}` || p.SpecPatch != nil || p.StepIndex != 2 {
		t.Fatalf("promote without a pause: %s %s", p.StatusPatch, p.SpecPatch)
	}
	if _, err := PlanArgo(r, ArgoRetry); err == nil {
		t.Fatal("retry of a rollout that is not aborted")
	}

	client, dyn := withDynamic(rolloutObject(status, false))
	c = FindArgo([]*ArgoRollout{r})[0]
	for _, a := range []ArgoAction{ArgoPromoteFull, ArgoAbort} {
		p, err := PlanArgo(r, a)
		if err != nil {
			t.Fatal(err)
		}
		rec := ArgoRecord(c, p, "ann", time.Unix(0, 0), nil, false)
		if err := RunStages(context.Background(), client, ArgoStages(client, c, p, rec)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, a := range dyn.Actions() {
		if pa, ok := a.(interface {
			GetPatch() []byte
			GetSubresource() string
		}); ok {
			got = append(got, pa.GetSubresource()+" "+string(pa.GetPatch()))
		}
	}
	if len(got) != 4 || got[0] != `status {"status":{"promoteFull":true}}` || got[2] != `status {"status":{"abort":true}}` ||
		!strings.Contains(got[3], `\"state\":\"aborted\"`) {
		t.Fatalf("patches:\n%s", strings.Join(got, "\n"))
	}
	evs, _ := client.Clientset.EventsV1().Events("shop").List(context.Background(), metav1.ListOptions{})
	if len(evs.Items) != 2 || evs.Items[1].Reason != "RolloutAborted" || evs.Items[1].Regarding.Kind != "Rollout" || evs.Items[1].Regarding.UID != "u-2" {
		t.Fatalf("events %+v", evs.Items)
	}
	r.Abort = true
	if p, err := PlanArgo(r, ArgoRetry); err != nil || string(p.StatusPatch) != `{"status":{"abort":false}}` || r.Weight() != 0 {
		t.Fatalf("retry %s %v", p.StatusPatch, err)
	}
}
