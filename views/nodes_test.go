package views

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
)

func fixtureNodes() []*kube.Node {
	alloc := kube.Capacity{CPU: 8000, Mem: 32 << 30, Pods: 110}
	return []*kube.Node{
		{Name: "kwok-node-0", Status: "Ready", Ready: true, Roles: "control-plane", Taints: "node-role.kubernetes.io/control-plane:NoSchedule",
			Version: "v1.37.2", Created: ago(30 * 24 * time.Hour), Allocatable: alloc, Pods: 12,
			Requests: kube.ReqLim{CPUReq: 2400, MemReq: 6 << 30}, Used: kube.Capacity{CPU: 1100, Mem: 9 << 30}, HasUsage: true},
		{Name: "kwok-node-1", Status: "Ready,SchedulingDisabled", Ready: true, Unschedulable: true, Roles: "agent",
			Version: "v1.37.2", Created: ago(30 * 24 * time.Hour), Allocatable: alloc, Pods: 110,
			Requests: kube.ReqLim{CPUReq: 7600, MemReq: 30 << 30}, Used: kube.Capacity{CPU: 8200, Mem: 27 << 30}, HasUsage: true},
		{Name: "kwok-node-2", Status: "Ready,MemoryPressure", Ready: true, Troubled: true, Roles: "agent",
			Version: "v1.37.1", Created: ago(2 * time.Hour), Allocatable: alloc, Pods: 40,
			Requests: kube.ReqLim{CPUReq: 3000, MemReq: 20 << 30}},
		{Name: "kwok-node-3", Status: "NotReady", Version: "v1.37.2", Created: ago(10 * time.Minute), Allocatable: alloc},
	}
}

func TestNodesGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderList(NodesSpec, "", w, h, fixtureNodes(), live) })
}

// drainFixture is a drain halfway: one pod of each state.
func drainFixture(done bool) kube.DrainStatus {
	st := kube.DrainStatus{Node: "kwok-node-1", Started: ago(time.Minute), Pods: []kube.DrainPod{
		{Namespace: "shop", Name: "web-7c9d8-2xkqp", State: kube.DrainGone},
		{Namespace: "shop", Name: "web-7c9d8-8fj2m", State: kube.DrainBlocked, Why: "The disruption budget web needs 4 healthy pods and has 4 currently"},
		{Namespace: "shop", Name: "cache-0", State: kube.DrainTerminating},
		{Namespace: "payments", Name: "ledger-5d4f-x7", State: kube.DrainFailed, Why: "forbidden: cannot create pods/eviction in namespace payments"},
		{Namespace: "shop", Name: "scratch", State: kube.DrainLeft, Why: "not confirmed: emptyDir data is lost; no controller recreates it"},
	}}
	if done {
		st.Done, st.Err = true, errors.New("4 of 5 pods not evicted (cancelled), 1 failed; the node stays cordoned")
	}
	return st
}

// renderDrain draws the drain page showing st.
func renderDrain(st kube.DrainStatus, w, h int) string {
	env := testEnv("")
	_, d := env.Client.NewDrain(&kube.DrainPlan{Node: st.Node}, false)
	p := NewDrainPage(env, d)
	p.show(st)
	return renderPage(env, p, w, h)
}

func TestDrainGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderDrain(drainFixture(false), w, h) })
}

// The page says how the drain ended, and its title counts the pods gone.
func TestDrainPageEnds(t *testing.T) {
	out := renderDrain(drainFixture(true), 160, 20)
	for _, want := range []string{"drain(kwok-node-1)[1/5 gone]", "4 of 5 pods not evicted (cancelled), 1 failed; the node stays cordoned"} {
		if !strings.Contains(out, want) {
			t.Errorf("drain page lacks %q:\n%s", want, out)
		}
	}
}

func TestNodeViewsEverySize(t *testing.T) {
	t.Run("nodes", func(t *testing.T) {
		requireEverySize(t, func(w, h int) string { return renderList(NodesSpec, "", w, h, fixtureNodes(), live) })
	})
	t.Run("drain", func(t *testing.T) {
		requireEverySize(t, func(w, h int) string { return renderDrain(drainFixture(false), w, h) })
	})
}
