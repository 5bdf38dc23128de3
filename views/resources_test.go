package views

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

func fixtureDeployments() []*kube.Deployment {
	return []*kube.Deployment{
		{Namespace: "payments", Name: "ledger", Desired: 2, Ready: 1, UpToDate: 2, Available: 1, Images: "registry.example.com/ledger:4.2",
			Strategy: "Recreate", Selector: "app=ledger", Created: ago(26 * time.Hour), Rollout: kube.RolloutStalled, RolloutText: "stalled"},
		{Namespace: "shop", Name: "checkout", Desired: 3, Ready: 3, UpToDate: 3, Available: 3, Images: "registry.example.com/checkout:1.9,envoyproxy/envoy:v1.31",
			Strategy: "RollingUpdate 25%/25%", Selector: "app=checkout", Created: ago(3 * 24 * time.Hour)},
		{Namespace: "shop", Name: "web", Desired: 5, Ready: 4, UpToDate: 3, Available: 4, Images: "registry.example.com/web:2.1",
			Strategy: "RollingUpdate 1/0", Selector: "app=web", Created: ago(40 * time.Minute), Rollout: kube.RolloutProgressing, RolloutText: "rolling 3/5"},
		{Namespace: "shop", Name: "web-canary", Desired: 1, Ready: 1, UpToDate: 1, Available: 1, Images: "registry.example.com/web:2.2",
			Strategy: "RollingUpdate 25%/25%", Selector: "app=web,track=canary", Created: ago(5 * time.Minute), Rollout: kube.RolloutPaused, RolloutText: "paused"},
	}
}

func fixtureServices() []*kube.Service {
	services := []*kube.Service{
		{Namespace: "payments", Name: "ledger", Type: "ClusterIP", ClusterIP: "10.96.4.11", External: "<none>", Ports: "8080/TCP", Selector: "app=ledger", Created: ago(26 * time.Hour)},
		{Namespace: "shop", Name: "db", Type: "ExternalName", ClusterIP: "<none>", External: "db.example.com", Ports: "<none>", Created: ago(9 * 24 * time.Hour)},
		{Namespace: "shop", Name: "web", Type: "LoadBalancer", ClusterIP: "10.96.12.7", External: "203.0.113.10", Ports: "80:31080/TCP,443:30443/TCP", Selector: "app=web", Created: ago(40 * time.Minute)},
		{Namespace: "shop", Name: "web-headless", Type: "ClusterIP", ClusterIP: "None", External: "<none>", Ports: "80/TCP", Selector: "app=web", Created: ago(40 * time.Minute)},
	}
	slices := []*kube.EndpointSlice{
		{Namespace: "payments", Name: "ledger-x1", Service: "ledger", AddressType: "IPv4", Ready: 0, Total: 2},
		{Namespace: "shop", Name: "web-a1", Service: "web", AddressType: "IPv4", Ready: 4, Total: 5},
		{Namespace: "shop", Name: "web-headless-b2", Service: "web-headless", AddressType: "IPv4", Ready: 5, Total: 5},
	}
	return kube.JoinEndpoints(services, slices)
}

// pinnedHPA is the explainer's main example: cpu at 92% of a 60% target wants 5, max is 4.
func pinnedHPA() *kube.HPA {
	return &kube.HPA{Namespace: "shop", Name: "web", RefKind: "Deployment", RefName: "web", Min: 2, Max: 4, Current: 3, Desired: 4,
		Created: ago(2 * time.Hour), LastScale: ago(4 * time.Minute), TolUp: 0.1, TolDown: 0.1, DownWindow: 5 * time.Minute,
		Metrics: []kube.HPAMetric{
			{Type: "Resource", Name: "cpu", TargetType: kube.TargetUtilization, Target: kube.Amount{Value: 60, Text: "60%"}, Current: kube.Amount{Value: 92, Text: "92%"}, Known: true},
			{Type: "Resource", Name: "memory", TargetType: kube.TargetAverage, Target: kube.Amount{Value: 500 << 20, Text: "500Mi"}, Current: kube.Amount{Value: 470 << 20, Text: "470Mi"}, Known: true},
		},
		Conditions: []kube.HPACondition{
			{Type: "AbleToScale", Status: "True", Reason: "SucceededRescale", Message: "the HPA controller was able to update the target scale to 4", Since: ago(4 * time.Minute)},
			{Type: "ScalingActive", Status: "True", Reason: "ValidMetricFound", Message: "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)", Since: ago(2 * time.Hour)},
			{Type: "ScalingLimited", Status: "True", Reason: "TooManyReplicas", Message: "the desired replica count is more than the maximum replica count", Since: ago(4 * time.Minute)},
		}}
}

// unavailableHPA cannot read its metrics.
func unavailableHPA() *kube.HPA {
	return &kube.HPA{Namespace: "payments", Name: "ledger", RefKind: "Deployment", RefName: "ledger", Min: 1, Max: 10, Current: 2, Desired: 2,
		Created: ago(26 * time.Hour), TolUp: 0.1, TolDown: 0.1, DownWindow: 5 * time.Minute,
		Metrics: []kube.HPAMetric{{Type: "Resource", Name: "cpu", TargetType: kube.TargetUtilization, Target: kube.Amount{Value: 50, Text: "50%"}}},
		Conditions: []kube.HPACondition{
			{Type: "AbleToScale", Status: "True", Reason: "SucceededGetScale", Message: "the HPA controller was able to get the target's current scale", Since: ago(26 * time.Hour)},
			{Type: "ScalingActive", Status: "False", Reason: "FailedGetResourceMetric", Message: "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod ledger-7c9d5b8f6-2xkqp", Since: ago(26 * time.Hour)},
		}}
}

// steadyHPA is within its tolerance.
func steadyHPA() *kube.HPA {
	return &kube.HPA{Namespace: "shop", Name: "checkout", RefKind: "Deployment", RefName: "checkout", Min: 2, Max: 8, Current: 3, Desired: 3,
		Created: ago(3 * 24 * time.Hour), LastScale: ago(3 * time.Hour), TolUp: 0.1, TolDown: 0.1, DownWindow: 5 * time.Minute,
		Metrics: []kube.HPAMetric{{Type: "Resource", Name: "cpu", TargetType: kube.TargetUtilization, Target: kube.Amount{Value: 60, Text: "60%"}, Current: kube.Amount{Value: 58, Text: "58%"}, Known: true}},
		Conditions: []kube.HPACondition{
			{Type: "AbleToScale", Status: "True", Reason: "ReadyForNewScale", Message: "recommended size matches current size", Since: ago(3 * time.Hour)},
			{Type: "ScalingActive", Status: "True", Reason: "ValidMetricFound", Message: "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)", Since: ago(3 * 24 * time.Hour)},
			{Type: "ScalingLimited", Status: "False", Reason: "DesiredWithinRange", Message: "the desired count is within the acceptable range", Since: ago(3 * time.Hour)},
		}}
}

func fixtureHPAs() []*kube.HPA { return []*kube.HPA{unavailableHPA(), steadyHPA(), pinnedHPA()} }

func TestDeploymentsGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderList(DeploymentsSpec, "", w, h, fixtureDeployments(), live) })
}

func TestServicesGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderList(ServicesSpec, "", w, h, fixtureServices(), live) })
}

func TestHPAGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderList(HPASpec, "", w, h, fixtureHPAs(), live) })
}

// renderExplainer draws the explainer of row's HPA fed a snapshot holding rows.
func renderExplainer(k kube.Key, w, h int, rows []*kube.HPA, state kube.State) string {
	env := testEnv(k.Namespace)
	e := NewHPAExplainer(env, k)
	e.Show(kube.Snapshot[*kube.HPA]{Rows: rows, State: state})
	return renderPage(env, e, w, h)
}

func TestHPAExplainerGolden(t *testing.T) {
	pinned := pinnedHPA()
	requireGoldenSizes(t, func(w, h int) string {
		return renderExplainer(pinned.RowKey(), w, h, []*kube.HPA{steadyHPA(), pinned}, live)
	})
	for name, h := range map[string]*kube.HPA{"unavailable": unavailableHPA(), "steady": steadyHPA()} {
		t.Run(name, func(t *testing.T) {
			golden.RequireEqual(t, ansi.Strip(renderExplainer(h.RowKey(), 120, 30, []*kube.HPA{h}, live)))
		})
	}
	t.Run("deleted", func(t *testing.T) {
		env := testEnv("shop")
		e := NewHPAExplainer(env, pinned.RowKey())
		e.Show(kube.Snapshot[*kube.HPA]{Rows: []*kube.HPA{pinned}, State: live})
		e.Show(kube.Snapshot[*kube.HPA]{State: live})
		if out := ansi.Strip(renderPage(env, e, 80, 10)); !strings.Contains(out, "HPA shop/web was deleted.") {
			t.Errorf("a deleted HPA must say so:\n%s", out)
		}
	})
}

// The explainer's numbers are the live ones: a new snapshot redoes the arithmetic.
func TestHPAExplainerFollowsRow(t *testing.T) {
	env := testEnv("shop")
	h := pinnedHPA()
	e := NewHPAExplainer(env, h.RowKey())
	e.Show(kube.Snapshot[*kube.HPA]{Rows: []*kube.HPA{h}, State: live})
	if out := ansi.Strip(e.View(120, 40)); !strings.Contains(out, "ceil(3 × 92% / 60%) = ceil(4.6) = 5") {
		t.Fatalf("first numbers missing:\n%s", out)
	}
	next := pinnedHPA()
	next.Current, next.Metrics[0].Current = 4, kube.Amount{Value: 70, Text: "70%"}
	e.Show(kube.Snapshot[*kube.HPA]{Rows: []*kube.HPA{next}, State: live})
	out := ansi.Strip(e.View(120, 40))
	for _, want := range []string{"ceil(4 × 70% / 60%) = ceil(4.67) = 5", "5 → 4 by max 4"} {
		if !strings.Contains(out, want) {
			t.Errorf("updated explainer lacks %q:\n%s", want, out)
		}
	}
}

func TestHeadline(t *testing.T) {
	within := pinnedHPA()
	within.Metrics = within.Metrics[:1]
	within.Metrics[0].Current = kube.Amount{Value: 63, Text: "63%"}
	within.Conditions = steadyHPA().Conditions
	down := steadyHPA()
	down.Current, down.Desired = 6, 6
	down.Metrics[0].Current = kube.Amount{Value: 20, Text: "20%"}
	zero := steadyHPA()
	zero.Current = 0
	blocked := steadyHPA()
	blocked.Conditions[0] = kube.HPACondition{Type: "AbleToScale", Status: "False", Reason: "FailedGetScale"}
	cases := []struct {
		h     *kube.HPA
		want  string
		level ui.Level
	}{
		{pinnedHPA(), "Scaling up: cpu at 92% of request vs target 60% wants 5 replicas; max is 4, so pinned at 4 (ScalingLimited: TooManyReplicas)", ui.LevelWarn},
		{unavailableHPA(), "Not scaling: metrics unavailable (ScalingActive False: FailedGetResourceMetric)", ui.LevelError},
		{steadyHPA(), "Not scaling: cpu at 58% of request vs target 60% is within the 10% tolerance; stays at 3", ui.LevelOK},
		{within, "Not scaling: cpu at 63% of request vs target 60% is within the 10% tolerance; stays at 3", ui.LevelOK},
		{down, "Scaling down: cpu at 20% of request vs target 60% wants 2 replicas; the 5m0s stabilization window holds it at 6 for now", ui.LevelWarn},
		{zero, "Not scaling: Deployment/checkout is scaled to 0, which turns autoscaling off until it has replicas", ui.LevelWarn},
		{blocked, "Not scaling: the HPA cannot read or change Deployment/checkout's scale (AbleToScale False: FailedGetScale)", ui.LevelError},
	}
	for _, c := range cases {
		got, level := Headline(c.h, kube.PlanScale(c.h))
		if got != c.want || level != c.level {
			t.Errorf("headline\n got %q (%d)\nwant %q (%d)", got, level, c.want, c.level)
		}
	}
}

// Enter on a deployment lists its pods by selector; on a service without a selector it
// says so instead of listing every pod.
func TestDrillDown(t *testing.T) {
	env := testEnv("")
	d := fixtureDeployments()[2]
	if got := DeploymentsSpec.Enter(env, d).Title(); got != "pods(shop)[0] app=web" {
		t.Errorf("deployment drill-down title %q", got)
	}
	svcs := fixtureServices()
	if got := ServicesSpec.Enter(env, svcs[2]).Title(); got != "pods(shop)[0] app=web" {
		t.Errorf("service drill-down title %q", got)
	}
	msg := ServicesSpec.Enter(env, svcs[1])
	if _, ok := msg.(*ui.Message); !ok {
		t.Fatalf("service without selector opened %T", msg)
	}
	if out := ansi.Strip(renderPage(env, msg, 100, 12)); !strings.Contains(out, "has no selector") {
		t.Errorf("no-selector page:\n%s", out)
	}
	if _, ok := HPASpec.Enter(env, pinnedHPA()).(*HPAExplainer); !ok {
		t.Errorf("enter on an HPA does not open the explainer")
	}
}

func TestRegistryLookup(t *testing.T) {
	for name, want := range map[string]string{"deploy": "deployments", "dp": "deployments", "svc": "services", "hpa": "hpa", "po": "pods"} {
		if v, ok := ui.Lookup(Registry, name); !ok || v.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, v.Name, ok, want)
		}
	}
	if _, ok := ui.Lookup(Registry, "nope"); ok {
		t.Errorf("Lookup found a view that does not exist")
	}
}

// Every view renders at every size without panicking or overflowing.
func TestViewsEverySize(t *testing.T) {
	t.Run("deployments", func(t *testing.T) {
		requireEverySize(t, func(w, h int) string { return renderList(DeploymentsSpec, "", w, h, fixtureDeployments(), live) })
	})
	t.Run("services", func(t *testing.T) {
		requireEverySize(t, func(w, h int) string { return renderList(ServicesSpec, "", w, h, fixtureServices(), live) })
	})
	t.Run("hpa", func(t *testing.T) {
		requireEverySize(t, func(w, h int) string { return renderList(HPASpec, "", w, h, fixtureHPAs(), live) })
	})
	t.Run("explainer", func(t *testing.T) {
		p := pinnedHPA()
		requireEverySize(t, func(w, h int) string { return renderExplainer(p.RowKey(), w, h, []*kube.HPA{p}, live) })
	})
}
