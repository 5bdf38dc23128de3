package canary

import (
	"testing"
	"time"
)

func TestCanaryGates(t *testing.T) {
	th := DefaultThresholds
	healthy := GateInput{StepAge: 5 * time.Minute, CanaryDesired: 2, CanaryReady: 2,
		CanaryCPU: []int64{200, 230}, StableCPU: []int64{140, 140, 140},
		CanaryMem: []int64{238 << 20}, StableMem: []int64{190 << 20}}
	want := map[string]string{
		"ready":    "pass: canary 2/2 ready",
		"restarts": "pass: 0 since the step began ≤ 1",
		"cpu":      "pass: canary 215m/pod ≤ stable 140m × 2 = 280m",
		"mem":      "pass: canary 238Mi/pod ≤ stable 190Mi × 1.5 = 285Mi",
		"events":   "pass: 0 warnings on canary pods since the step began ≤ 0",
	}
	check := func(name string, in GateInput, want map[string]string) {
		t.Helper()
		for _, g := range Gates(in, th) {
			if w, ok := want[g.Name]; ok && g.String() != w {
				t.Errorf("%s: gate %s = %q, want %q", name, g.Name, g.String(), w)
			}
		}
	}
	check("healthy", healthy, want)
	if s := GateSummary(Gates(healthy, th)); s != "pass" {
		t.Errorf("healthy summary %q", s)
	}

	crashing := healthy
	crashing.CanaryReady, crashing.Restarts, crashing.Warnings, crashing.LastWarning = 0, 4, 3, "BackOff"
	check("crashing", crashing, map[string]string{
		"ready":    "fail: canary 0/2 ready after 5m0s (limit 2m0s)",
		"restarts": "fail: 4 since the step began > 1",
		"events":   "fail: 3 warnings on canary pods since the step began > 0 (latest BackOff)",
	})
	if s := GateSummary(Gates(crashing, th)); s != "fail ready,restarts,events" {
		t.Errorf("crashing summary %q", s)
	}
	if f := Failing(Gates(crashing, th)); len(f) != 3 {
		t.Errorf("%d failing gates", len(f))
	}

	hot := healthy
	hot.CanaryCPU = []int64{600}
	check("hot", hot, map[string]string{"cpu": "fail: canary 600m/pod > stable 140m × 2 = 280m"})

	young := healthy
	young.StepAge, young.CanaryReady = 20*time.Second, 1
	young.CanaryCPU, young.StableMem = nil, nil
	check("young", young, map[string]string{
		"ready": "wait: canary 1/2 ready, waiting up to 2m0s",
		"cpu":   "wait: no metrics for canary pods yet",
		"mem":   "wait: no metrics for stable pods yet",
	})
	if s := GateSummary(Gates(young, th)); s != "wait ready,cpu,mem" {
		t.Errorf("young summary %q", s)
	}
	empty := GateInput{}
	check("no canary replicas", empty, map[string]string{"ready": "wait: canary has no replicas"})
}

func TestAverage(t *testing.T) {
	if a := Average([]int64{1, 2}); a != 2 {
		t.Errorf("Average(1,2) = %d (rounds half up)", a)
	}
	if a := Average(nil); a != 0 {
		t.Errorf("Average() = %d", a)
	}
}
