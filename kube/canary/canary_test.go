package canary

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
)

func TestStepReplicas(t *testing.T) {
	cases := []struct {
		total          int32
		weight         int
		canary, stable int32
	}{
		// rounding: the canary always gets at least one replica once the weight is above 0
		{5, 10, 1, 4}, {5, 25, 2, 3}, {5, 50, 3, 2}, {5, 100, 5, 0},
		{1, 10, 1, 0}, {1, 25, 1, 0}, {1, 50, 1, 0}, {1, 100, 1, 0},
		{3, 10, 1, 2}, {3, 25, 1, 2}, {3, 50, 2, 1}, {3, 100, 3, 0},
		{10, 10, 1, 9}, {10, 25, 3, 7}, {10, 50, 5, 5}, {20, 5, 1, 19}, {20, 10, 2, 18},
		{4, 0, 0, 4}, {4, -5, 0, 4}, {4, 150, 4, 0}, {0, 50, 0, 0},
	}
	for _, c := range cases {
		canary, stable := StepReplicas(c.total, c.weight)
		if canary != c.canary || stable != c.stable {
			t.Errorf("StepReplicas(%d, %d%%) = %d canary, %d stable; want %d, %d", c.total, c.weight, canary, stable, c.canary, c.stable)
		}
	}
}

func TestCanaryTotal(t *testing.T) {
	rec := &Record{State: Stepping, Total: 5}
	for _, c := range []struct {
		name                string
		rec                 *Record
		stable, canary, hpa int32
		hasHPA              bool
		want                int32
	}{
		{"fresh pair: both deployments", nil, 4, 1, 0, false, 5},
		{"recorded total wins over the replicas mid-step", rec, 3, 3, 0, false, 5},
		{"after promotion the replicas count again", &Record{State: Promoted, Total: 5}, 7, 0, 0, false, 7},
		{"an HPA on the stable decides", rec, 3, 2, 8, true, 8},
		{"an HPA without a decision yet falls back", nil, 3, 1, 0, true, 4},
	} {
		if got := Total(c.rec, c.stable, c.canary, c.hpa, c.hasHPA); got != c.want {
			t.Errorf("%s: total %d, want %d", c.name, got, c.want)
		}
	}
}

func TestParseCanarySteps(t *testing.T) {
	for in, want := range map[string]string{
		"": "[10 25 50 100]", "5,10,50,100": "[5 10 50 100]", " 5%, 20 ": "[5 20 100]", "100": "[100]",
		"10,5":  "error: steps must increase (5 after 10)",
		"0,50":  `error: "0" is not a percentage from 1 to 100`,
		"x":     `error: "x" is not a percentage from 1 to 100`,
		"5,101": `error: "101" is not a percentage from 1 to 100`,
	} {
		steps, err := ParseSteps(in)
		got := fmt.Sprint(steps)
		if err != nil {
			got = "error: " + strings.TrimPrefix(err.Error(), AnnoSteps+": ")
		}
		if got != want {
			t.Errorf("ParseSteps(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseCanaryThresholds(t *testing.T) {
	th, err := ParseThresholds("restarts=3, cpu=1.2,warnings=2,ready=30s")
	if err != nil {
		t.Fatal(err)
	}
	want := Thresholds{Restarts: 3, CPUFactor: 1.2, MemFactor: DefaultThresholds.MemFactor, Warnings: 2, ReadyWithin: 30 * time.Second}
	if th != want {
		t.Errorf("got %+v, want %+v", th, want)
	}
	for _, bad := range []string{"cpu=0", "restarts=-1", "ready=soon", "latency=5", "cpu"} {
		if _, err := ParseThresholds(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestCanaryRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	r := Record{State: Stepping, Step: 2, Weight: 25, Steps: []int{10, 25, 50, 100}, Total: 5, By: "ann",
		At: at, StartedAt: at.Add(-time.Hour), Gates: map[string]string{"ready": "pass: canary 2/2 ready"}}
	got, err := ParseRecord(r.JSON())
	if err != nil || got.Step != 2 || got.Weight != 25 || !got.At.Equal(at) || got.Gates["ready"] != r.Gates["ready"] {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if _, err := ParseRecord("{"); err == nil {
		t.Error("malformed record: no error")
	}
	if r, err := ParseRecord(""); r != nil || err != nil {
		t.Errorf("empty annotation: %v, %v", r, err)
	}
}

// pairFixture is web (stable, 4) and web-canary (canary, 1) behind Service web.
func pairFixture() ([]*Deploy, []*kube.Service) {
	deploys := []*Deploy{
		{Namespace: "shop", Name: "api", Replicas: 2, Template: map[string]string{"app": "api"}},
		{Namespace: "shop", Name: "web", Replicas: 4, Track: "stable", Template: map[string]string{"app": "web", "track": "stable"}},
		{Namespace: "shop", Name: "web-canary", Replicas: 1, Track: "canary", Template: map[string]string{"app": "web", "track": "canary"}},
	}
	svcs := []*kube.Service{{Namespace: "shop", Name: "api", Selector: "app=api"}, {Namespace: "shop", Name: "web", Selector: "app=web"}}
	return deploys, svcs
}

func TestFindCanaryPairs(t *testing.T) {
	deploys, svcs := pairFixture()
	pairs := FindPairs(deploys, svcs, []*kube.HPA{{Namespace: "shop", Name: "web", RefKind: "Deployment", RefName: "web", Desired: 6}})
	if len(pairs) != 1 {
		t.Fatalf("%d pairs, want 1", len(pairs))
	}
	p := pairs[0]
	if p.Name != "web-canary" || p.Stable.Name != "web" || p.Service != "web" || p.HPA != "web" || p.Total() != 6 {
		t.Errorf("pair %+v", p)
	}
	if !slices.Equal(p.Steps, DefaultSteps) {
		t.Errorf("steps %v", p.Steps)
	}

	// no Service in front of both: no pair
	if got := FindPairs(deploys, svcs[:1], nil); len(got) != 0 {
		t.Errorf("without the service: %d pairs", len(got))
	}
	// by name alone (no track labels), with steps and gates from annotations
	byName := []*Deploy{
		{Namespace: "a", Name: "cart", Replicas: 3, Template: map[string]string{"app": "cart"}},
		{Namespace: "a", Name: "cart-canary", Replicas: 0, Template: map[string]string{"app": "cart", "v": "2"},
			Steps: "5,10,50,100", Gates: "restarts=0"},
	}
	got := FindPairs(byName, []*kube.Service{{Namespace: "a", Name: "cart", Selector: "app=cart"}}, nil)
	if len(got) != 1 || got[0].Stable.Name != "cart" || !slices.Equal(got[0].Steps, []int{5, 10, 50, 100}) || got[0].Thresholds.Restarts != 0 {
		t.Fatalf("by name: %+v", got)
	}
	// a malformed annotation is reported and the defaults used
	byName[1].Steps = "50,10"
	got = FindPairs(byName, []*kube.Service{{Namespace: "a", Name: "cart", Selector: "app=cart"}}, nil)
	if len(got) != 1 || !strings.Contains(got[0].Problem, "must increase") || !slices.Equal(got[0].Steps, DefaultSteps) {
		t.Fatalf("malformed steps: %+v", got)
	}
}

func TestNextStepAndPlan(t *testing.T) {
	deploys, svcs := pairFixture()
	c := FindPairs(deploys, svcs, nil)[0]
	// not started: canary 1 of 5 is already what 10% asks, so next is step 1
	if n := c.NextStep(); n != 1 {
		t.Fatalf("next step %d, want 1", n)
	}
	m := PlanMove(c, 1)
	if m.Describe() != "web-canary 1 → 1 replicas, web 4 → 4" {
		t.Errorf("step 1: %s", m.Describe())
	}
	c.Record = &Record{State: Stepping, Step: 1, Weight: 10, Total: 5}
	m = PlanMove(c, c.NextStep())
	if m.Kind != MoveStep || m.Weight != 25 || m.Describe() != "web-canary 1 → 2 replicas, web 4 → 3" {
		t.Errorf("step 2: %+v %s", m, m.Describe())
	}
	c.Record.Step = 3
	m = PlanMove(c, c.NextStep())
	if m.Kind != MovePromote || m.StableTo != 5 || m.CanaryTo != 0 || !strings.Contains(m.Describe(), "web takes web-canary's containers") {
		t.Errorf("promote: %+v %s", m, m.Describe())
	}
	c.Record.Step = 4
	if n := c.NextStep(); n != 0 {
		t.Errorf("after the last step, next is %d", n)
	}
	a := PlanMove(c, 0)
	if a.Kind != MoveAbort || a.CanaryTo != 0 || a.StableTo != 5 || a.Reason() != "CanaryAborted" {
		t.Errorf("abort: %+v", a)
	}
	// after an abort, next starts again at the first step
	c.Record = &Record{State: Aborted, Total: 5}
	c.Canary.Replicas, c.Stable.Replicas = 0, 5
	if n := c.NextStep(); n != 1 {
		t.Errorf("after abort, next step %d", n)
	}
	if w := c.Weight(); w != 0 {
		t.Errorf("after abort, weight %d", w)
	}
}

// Thresholds that would break a gate's arithmetic are refused: NaN (every comparison
// false: the gate could never fail), infinities, counts past int32 (wrapping negative),
// and values too large to mean anything. The bounds themselves are accepted.
func TestParseThresholdsRejectsNaNAndOverflow(t *testing.T) {
	for _, bad := range []string{"cpu=NaN", "mem=nan", "cpu=-NaN", "cpu=Inf", "mem=+Inf", "cpu=-Inf", "cpu=1e309",
		"mem=1e300", "cpu=1000.5", "restarts=2147483648", "restarts=4294967297", "warnings=9223372036854775808",
		"restarts=1000001", "warnings=99999999", "ready=25h", "ready=9999999h", "restarts=0x10", "cpu=0x1p-2000"} {
		if th, err := ParseThresholds(bad); err == nil {
			t.Errorf("%q accepted: %+v", bad, th)
		}
	}
	th, err := ParseThresholds("restarts=1000000,warnings=1000000,cpu=1000,mem=0.001,ready=24h")
	want := Thresholds{Restarts: 1000000, Warnings: 1000000, CPUFactor: 1000, MemFactor: 0.001, ReadyWithin: 24 * time.Hour}
	if err != nil || th != want {
		t.Errorf("the bounds: %+v, %v; want %+v", th, err, want)
	}
}
