package views

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/canary"
)

// fixtureCanary is shop/web-canary at step 2 (25%) of 10/25/50/100, 90 s into the step.
func fixtureCanary() *canary.Canary {
	return &canary.Canary{Namespace: "shop", Name: "web-canary", Kind: canary.KindReplicaRatio, Service: "web",
		Stable: &canary.Deploy{Namespace: "shop", Name: "web", Replicas: 3, Ready: 3, Images: "shop/web:1.4.2", Selector: "app=web,track=stable"},
		Canary: &canary.Deploy{Namespace: "shop", Name: "web-canary", Replicas: 2, Ready: 1, Images: "shop/web:1.5.0-rc1", Selector: "app=web,track=canary"},
		Record: &canary.Record{State: canary.Stepping, Step: 2, Weight: 25, Steps: canary.DefaultSteps, Total: 5,
			By: "ann", At: ago(90 * time.Second), StartedAt: ago(20 * time.Minute), Restarts: map[string]int32{"web-canary-84c6d9f5b-q2w3e": 1}},
		Steps: canary.DefaultSteps, Thresholds: canary.DefaultThresholds}
}

// fixtureCanaryScreen is the screen of fixtureCanary with pods, a warning and metrics
// (stable 205m/99Mi per pod, canary 120m/300Mi: the memory gate fails).
func fixtureCanaryScreen() *CanaryScreen {
	env := withMetrics(testEnv("shop"))
	s := NewCanaryScreen(env, kube.Key{Namespace: "shop", Name: "web-canary"})
	s.ShowPair(kube.Snapshot[*canary.Canary]{Rows: []*canary.Canary{fixtureCanary()}, State: live})
	s.stable.rows = []*kube.Pod{{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p", Created: ago(time.Hour)}}
	s.canary.rows = []*kube.Pod{
		{Namespace: "shop", Name: "web-canary-84c6d9f5b-q2w3e", Restarts: 3, Created: ago(time.Hour)},
		{Namespace: "shop", Name: "web-canary-84c6d9f5b-zz9x1", Created: ago(80 * time.Second)},
	}
	s.evRows = []*kube.Event{
		{Namespace: "shop", Name: "e1", Type: "Warning", Reason: "BackOff", Object: "pod/web-canary-84c6d9f5b-q2w3e", Message: "Back-off restarting failed container", LastSeen: ago(30 * time.Second)},
		{Namespace: "shop", Name: "e2", Type: "Warning", Reason: "Unhealthy", Object: "pod/web-canary-84c6d9f5b-q2w3e", Message: "before the step", LastSeen: ago(10 * time.Minute)},
		{Namespace: "shop", Name: "e3", Type: "Warning", Reason: "BackOff", Object: "pod/web-6b7f9c8d7d-x7k2p", Message: "a stable pod", LastSeen: ago(5 * time.Second)},
	}
	return s
}

func TestCanaryScreenGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string {
		s := fixtureCanaryScreen()
		return renderPage(s.env, s, w, h)
	})
}

func TestCanaryScreenEverySize(t *testing.T) {
	s := fixtureCanaryScreen()
	requireEverySize(t, func(w, h int) string { return s.View(w, h) })
}

// The facts count restarts since the step (minus the recorded baseline), only canary
// pods' warnings seen since the step began, and gate the numbers.
func TestCanaryFacts(t *testing.T) {
	s := fixtureCanaryScreen()
	f := s.facts()
	if f.Canary.RestartsSince != 2 || f.Stable.RestartsSince != 0 {
		t.Errorf("restarts since the step: canary %d, stable %d; want 2, 0", f.Canary.RestartsSince, f.Stable.RestartsSince)
	}
	if len(f.Warnings) != 1 || f.Warnings[0].Name != "e1" {
		t.Errorf("warnings %+v", f.Warnings)
	}
	if got := canary.GateSummary(f.Gates); got != "fail restarts,mem,events" {
		t.Errorf("gates %q", got)
	}
	if f.Restarts["web-canary-84c6d9f5b-q2w3e"] != 3 {
		t.Errorf("baseline for the next step %v", f.Restarts)
	}
	out := ansi.Strip(s.View(200, 50))
	for _, want := range []string{"▸25%◂", "✗ mem", "canary 300Mi/pod > stable 99Mi × 1.5 = 149Mi", "n → 50%: web-canary 2 → 3 replicas, web 3 → 2", "step running 1m30s"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
}

func TestCanariesListGolden(t *testing.T) {
	fresh := fixtureCanary()
	fresh.Name, fresh.Record = "cart-canary", nil
	fresh.Canary = &canary.Deploy{Namespace: "shop", Name: "cart-canary", Replicas: 1, Ready: 0, Created: ago(3 * time.Hour)}
	fresh.Stable = &canary.Deploy{Namespace: "shop", Name: "cart", Replicas: 4, Ready: 4}
	rows := []*canary.Canary{fixtureArgo(), fresh, fixtureCanary(), fixtureTraefik()}
	requireGoldenSizes(t, func(w, h int) string { return renderList(CanariesSpec, "shop", w, h, rows, live) })
}

// fixtureTraefik is shop/web, a TraefikService weighting web 75 and web-canary 25, at step 2.
func fixtureTraefik() *canary.Canary {
	return &canary.Canary{Namespace: "shop", Name: "web", Kind: canary.KindTraefik, Service: "web",
		Stable:  &canary.Deploy{Namespace: "shop", Name: "web-stable", Selector: "app=web,track=stable"},
		Canary:  &canary.Deploy{Namespace: "shop", Name: "web-canary", Selector: "app=web,track=canary"},
		Traefik: &canary.TraefikWeights{Object: "web", StableIndex: 0, CanaryIndex: 1, StableWeight: 75, CanaryWeight: 25, Typed: true},
		Record: &canary.Record{State: canary.Stepping, Step: 2, Weight: 25, Steps: canary.DefaultSteps, Total: 100,
			By: "ann", At: ago(3 * time.Minute), StartedAt: ago(time.Hour)},
		Steps: canary.DefaultSteps, Thresholds: canary.DefaultThresholds}
}

// fixtureArgo is shop/checkout, a Rollout paused at its pause step (index 1 of 4).
func fixtureArgo() *canary.Canary {
	r := &canary.ArgoRollout{Namespace: "shop", Name: "checkout", Canary: true, StepIndex: 1, HasIndex: true, Phase: "Paused",
		Message: "CanaryPauseStep", PauseReasons: []string{"CanaryPauseStep"}, CurrentPodHash: "7d9c6b5f4", StableRS: "5f8b7c6d9",
		Selector: "app=checkout", Replicas: 5, Created: ago(2 * time.Hour),
		Steps: []canary.ArgoStep{{SetWeight: 20}, {SetWeight: -1, Pause: true}, {SetWeight: 50}, {SetWeight: -1, Pause: true, Duration: "30s"}}}
	c := canary.FindArgo([]*canary.ArgoRollout{r})[0]
	return c
}

// kindScreen is the canary screen of c with one ready pod on each side.
func kindScreen(c *canary.Canary) *CanaryScreen {
	env := testEnv("shop")
	s := NewCanaryScreen(env, c.RowKey())
	s.ShowPair(kube.Snapshot[*canary.Canary]{Rows: []*canary.Canary{c}, State: live})
	s.stable.rows = []*kube.Pod{{Namespace: "shop", Name: "stable-1", Ready: 1, Containers: 1, Created: ago(time.Hour)}}
	s.canary.rows = []*kube.Pod{{Namespace: "shop", Name: "canary-1", Ready: 1, Containers: 1, Created: ago(time.Hour)}}
	return s
}

func TestCanaryTraefikScreenGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string {
		s := kindScreen(fixtureTraefik())
		return renderPage(s.env, s, w, h)
	})
}

func TestCanaryArgoScreenGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string {
		s := kindScreen(fixtureArgo())
		return renderPage(s.env, s, w, h)
	})
}

func TestCanaryKindsEverySize(t *testing.T) {
	for _, c := range []*canary.Canary{fixtureTraefik(), fixtureArgo()} {
		s := kindScreen(c)
		requireEverySize(t, func(w, h int) string { return s.View(w, h) })
	}
}

// The Traefik screen shows the weights and what n does to them; the Argo screen its own
// steps with the current one marked, its pause, and the keys of the argo plugin; the
// gates judge the pods found for each side.
func TestCanaryKindsScreens(t *testing.T) {
	out := ansi.Strip(kindScreen(fixtureTraefik()).View(200, 50))
	for _, want := range []string{"weights 75/25 of 100", "n → 50%: web-canary weight 25 → 50, web-stable 75 → 50", "ready/pods", "canary 1/1 ready"} {
		if !strings.Contains(out, want) {
			t.Errorf("traefik screen lacks %q:\n%s", want, out)
		}
	}
	s := kindScreen(fixtureArgo())
	out = ansi.Strip(s.View(200, 50))
	for _, want := range []string{"step index 1 of 4 · weight 20% · Paused (CanaryPauseStep)", "▸pause◂", "pause 30s",
		"n promote: clear the pause (\"CanaryPauseStep\") at step 2 of 4 · p full promote · a abort · t retry"} {
		if !strings.Contains(out, want) {
			t.Errorf("argo screen lacks %q:\n%s", want, out)
		}
	}
	var keys []string
	for _, b := range s.Bindings() {
		keys = append(keys, b.Help().Key)
	}
	if !strings.HasPrefix(strings.Join(keys, " "), "n p a t ") {
		t.Errorf("argo keys %v", keys)
	}
}
