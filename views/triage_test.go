package views

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/triage"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/uitest"
)

// fixtureProblems are what kube/triage finds in a cluster with a bit of everything wrong.
func fixtureProblems() []*triage.Problem {
	n := fixedNow
	return triage.Detect(triage.Input{
		Now: n,
		Pods: []*kube.Pod{
			{Namespace: "payments", Name: "ledger-7c9d5b8f6-9fj2w", Status: "CrashLoopBackOff", Containers: 1, Restarts: 14,
				LastRestart: ago(40 * time.Second), LastExit: "OOMKilled", Created: ago(3 * time.Hour)},
			{Namespace: "shop", Name: "checkout-5d8f7c6b9-abcde", Status: "Pending", Containers: 1, Created: ago(12 * time.Minute),
				Unscheduled: "0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available"},
			{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p", Status: "Running", Ready: 1, Containers: 1, Created: ago(time.Hour)},
		},
		Deployments: []*kube.Deployment{{Namespace: "shop", Name: "web", Desired: 3, UpToDate: 1, Available: 3, Rollout: kube.RolloutStalled}},
		HPAs: []*kube.HPA{{Namespace: "shop", Name: "web", RefKind: "Deployment", RefName: "web", Min: 1, Max: 3, Current: 3, Desired: 3,
			TolUp: 0.1, TolDown: 0.1, Metrics: []kube.HPAMetric{{Type: "Resource", Name: "cpu", TargetType: kube.TargetUtilization,
				Known: true, Target: kube.Amount{Value: 60, Text: "60%"}, Current: kube.Amount{Value: 92, Text: "92%"}}},
			Conditions: []kube.HPACondition{{Type: "ScalingLimited", Status: "True", Reason: "TooManyReplicas", Since: ago(25 * time.Minute)}}}},
		Nodes: []*kube.Node{{Name: "kwok-node-2", Status: "Ready,SchedulingDisabled", Ready: true, Unschedulable: true}},
		Certs: []*kube.Secret{{Namespace: "shop", Name: "shop-tls", Expires: n.Add(5 * 24 * time.Hour)}},
		Events: []*kube.Event{{Namespace: "payments", Name: "ledger.1", Type: "Warning", Reason: "BackOff", Object: "pod/ledger-7c9d5b8f6-9fj2w",
			Message: "Back-off restarting failed container app", Count: 9, LastSeen: ago(4 * time.Second)}},
		Unseen: []triage.Unseen{{Resource: "persistentvolumeclaims", Err: &kube.Error{Kind: kube.KindForbidden, Verb: "list", Resource: "persistentvolumeclaims"}}},
	})
}

// withFirstSeen gives the problems the cluster records no start for the time the cache
// first saw them, as triage.Cache does.
func withFirstSeen(ps []*triage.Problem) []*triage.Problem {
	for _, p := range ps {
		if p.Since.IsZero() {
			p.Since = ago(2 * time.Minute)
		}
	}
	return ps
}

func renderTriage(ns string, w, h int) string {
	return renderList(TriageSpec, ns, w, h, withFirstSeen(fixtureProblems()), live)
}

func TestTriageGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderTriage("", w, h) })
}

func TestTriageEverySize(t *testing.T) {
	requireEverySize(t, func(w, h int) string { return renderTriage("", w, h) })
}

// Most urgent first, critical in the bad colour; the numbers follow the reason.
func TestTriageRankAndColour(t *testing.T) {
	out := renderTriage("", 200, 50)
	plain := ansi.Strip(out)
	order := []string{"deployment/web", "pod/ledger-7c9d5b8f6-9fj2w", "hpa/web", "pod/checkout", "secret/shop-tls",
		"persistentvolumeclaims", "node/kwok-node-2", "BackOff: Back-off"}
	for i := 1; i < len(order); i++ {
		if a, b := strings.Index(plain, order[i-1]), strings.Index(plain, order[i]); a < 0 || b < a {
			t.Errorf("%q is not listed after %q:\n%s", order[i], order[i-1], plain)
		}
	}
	if !strings.Contains(plain, "crash-looping: killed for running out of memory (OOMKilled) · 14 restarts, last 40s ago") {
		t.Errorf("no reason with its numbers:\n%s", plain)
	}
	bad := testEnv("").Styles.Bad.Render("critical")
	if !strings.Contains(out, strings.TrimSuffix(bad, "\x1b[m")) {
		t.Error("critical is not drawn in the bad colour")
	}
}

// enter opens the view of the problem's kind with the cursor on its object; a source
// kdeck cannot read has nothing to open and says so.
func TestTriageEnterOpensTheObject(t *testing.T) {
	env := testEnv("")
	p := NewTriage(env, "")
	rows := withFirstSeen(fixtureProblems())
	p.Show(kube.Snapshot[*triage.Problem]{Rows: rows, State: live})
	p.View(200, 50)
	_, cmd := p.Update(uitest.Key("enter")) // the stalled deployment
	var open ui.OpenMsg
	for _, m := range uitest.Messages(cmd, time.Second) {
		if o, ok := m.(ui.OpenMsg); ok {
			open = o
		}
	}
	if want := (kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: "shop", Name: "web"}); open.Ref != want {
		t.Fatalf("enter opened %+v, want %+v", open.Ref, want)
	}
	if v, ok := ui.Lookup(Registry, "tri"); !ok || v.Name != "triage" {
		t.Errorf(":tri opens %+v", v)
	}
	var unseen *triage.Problem
	for _, r := range rows {
		if r.Severity == triage.Unknown {
			unseen = r
		}
	}
	if msgs := uitest.Messages(openProblem(env, unseen), time.Second); len(msgs) != 1 {
		t.Fatalf("enter on an unseen source: %v", msgs)
	} else if _, isOpen := msgs[0].(ui.OpenMsg); isOpen {
		t.Errorf("enter on an unseen source opened %+v", msgs[0])
	}
}
