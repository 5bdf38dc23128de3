package triage

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
)

var now = time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)

// line renders a problem as "severity kind/name ns check: reason · numbers · since".
func line(p *Problem) string {
	since := "-"
	if !p.Since.IsZero() {
		since = now.Sub(p.Since).String()
	}
	return fmt.Sprintf("%s %s %s %s: %s · %s · %s", p.Severity, p.Object(), p.Namespace, p.Check, p.Reason, p.Numbers, since)
}

func lines(ps []*Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, line(p))
	}
	return strings.Join(out, "\n")
}

func check(t *testing.T, what string, got []*Problem, want ...string) {
	t.Helper()
	if g, w := lines(got), strings.Join(want, "\n"); g != w {
		t.Errorf("%s:\n got\n%s\nwant\n%s", what, g, w)
	}
}

func TestPods(t *testing.T) {
	created := now.Add(-20 * time.Minute)
	pod := func(name, status string, f func(*kube.Pod)) *kube.Pod {
		p := &kube.Pod{Namespace: "shop", Name: name, Status: status, Created: created, Containers: 1}
		if f != nil {
			f(p)
		}
		return p
	}
	restarted := func(n int32, ago time.Duration, exit string) func(*kube.Pod) {
		return func(p *kube.Pod) { p.Restarts, p.LastRestart, p.LastExit = n, now.Add(-ago), exit }
	}
	pods := []*kube.Pod{
		pod("healthy", "Running", func(p *kube.Pod) { p.Ready = 1 }),
		pod("old-restart", "Running", restarted(2, 3*time.Hour, "Error")),
		pod("done", "Completed", func(p *kube.Pod) { p.Finished = true }),
		pod("crash", "CrashLoopBackOff", restarted(14, 20*time.Second, "Error")),
		pod("oom-loop", "CrashLoopBackOff", restarted(3, time.Minute, "OOMKilled")),
		pod("oom", "Running", restarted(1, 10*time.Minute, "OOMKilled")),
		pod("pull", "ImagePullBackOff", nil),
		pod("init-pull", "Init:ErrImagePull", nil),
		pod("config", "CreateContainerConfigError", nil),
		pod("pending", "Pending", func(p *kube.Pod) { p.Unscheduled = "0/4 nodes are available: 4 Insufficient cpu." }),
		pod("creating", "ContainerCreating", nil),
		pod("just-created", "ContainerCreating", func(p *kube.Pod) { p.Created = now.Add(-time.Minute) }),
		pod("stuck", "Terminating", func(p *kube.Pod) { p.Deleted = now.Add(-10 * time.Minute) }),
		pod("leaving", "Terminating", func(p *kube.Pod) { p.Deleted = now.Add(-10 * time.Second) }),
		pod("evicted", "Evicted", func(p *kube.Pod) { p.Finished = true }),
		pod("flaky", "Running", restarted(2, 30*time.Minute, "Error")),
	}
	got := Pods(pods, now)
	Rank(got)
	check(t, "pods", got,
		"critical pod/crash shop crashloop: crash-looping: the last run ended with Error · 14 restarts, last 20s ago · -",
		"critical pod/oom shop oomkilled: killed for running out of memory (OOMKilled) · 1 restart, last 10m ago · 10m0s",
		"critical pod/oom-loop shop crashloop: crash-looping: killed for running out of memory (OOMKilled) · 3 restarts, last 60s ago · -",
		"warning pod/config shop start: cannot create its container: a config map, secret or key it names is missing (CreateContainerConfigError) · 0/1 ready · 20m0s",
		"warning pod/creating shop starting: not started (ContainerCreating) · created 20m ago · 20m0s",
		"warning pod/evicted shop evicted: evicted by its node's kubelet ·  · -",
		"warning pod/flaky shop restarts: restarting: the last run ended with Error · 2 restarts, last 30m ago · 30m0s",
		"warning pod/init-pull shop start: cannot pull its image (ErrImagePull) · 0/1 ready · 20m0s",
		"warning pod/pending shop unschedulable: cannot be scheduled: 0/4 nodes are available: 4 Insufficient cpu. · pending 20m · 20m0s",
		"warning pod/pull shop start: cannot pull its image (ImagePullBackOff) · 0/1 ready · 20m0s",
		"warning pod/stuck shop terminating: stuck terminating · deleted 10m ago · 10m0s",
	)
}

func TestWorkloads(t *testing.T) {
	deps := []*kube.Deployment{
		{Namespace: "shop", Name: "fine", Desired: 3, UpToDate: 3, Available: 3},
		{Namespace: "shop", Name: "rolling", Desired: 3, UpToDate: 1, Available: 2, Rollout: kube.RolloutProgressing},
		{Namespace: "shop", Name: "stalled", Desired: 2, UpToDate: 1, Available: 2, Rollout: kube.RolloutStalled},
		{Namespace: "shop", Name: "paused", Desired: 4, UpToDate: 2, Available: 4, Paused: true, Rollout: kube.RolloutPaused},
		{Namespace: "shop", Name: "down", Desired: 2, UpToDate: 2},
		{Namespace: "shop", Name: "short", Desired: 3, UpToDate: 3, Available: 2},
		{Namespace: "shop", Name: "zero", Desired: 0},
	}
	sets := []*kube.StatefulSet{
		{Namespace: "data", Name: "db", Desired: 3, Updated: 3, Ready: 1},
		{Namespace: "data", Name: "rolling", Desired: 3, Updated: 1, Ready: 2},
	}
	daemons := []*kube.DaemonSet{{Namespace: "kube-system", Name: "agent", Desired: 4, UpToDate: 4, Available: 0}}
	got := Workloads(deps, sets, daemons)
	Rank(got)
	check(t, "workloads", got,
		"critical daemonset/agent kube-system available: down: no replica available · 0/4 available · -",
		"critical deployment/down shop available: down: no replica available · 0/2 available · -",
		"critical deployment/stalled shop rollout: rollout stalled: no progress within its deadline (ProgressDeadlineExceeded) · 1/2 updated, 2 available · -",
		"warning statefulset/db data available: 2 replicas not ready · 1/3 ready · -",
		"warning deployment/paused shop rollout: rollout paused half way · 2/4 updated · -",
		"warning deployment/short shop available: 1 replica not available · 2/3 available · -",
	)
}

func TestHPAs(t *testing.T) {
	limited := now.Add(-7 * time.Minute)
	cpu := func(cur float64) []kube.HPAMetric {
		return []kube.HPAMetric{{Type: "Resource", Name: "cpu", TargetType: kube.TargetUtilization, Known: true,
			Target: kube.Amount{Value: 50, Text: "50%"}, Current: kube.Amount{Value: cur, Text: fmt.Sprintf("%.0f%%", cur)}}}
	}
	hpa := func(name string, cur, max int32, util float64, conds ...kube.HPACondition) *kube.HPA {
		return &kube.HPA{Namespace: "shop", Name: name, RefKind: "Deployment", RefName: name, Min: 1, Max: max,
			Current: cur, Desired: cur, Metrics: cpu(util), Conditions: conds, TolUp: 0.1, TolDown: 0.1, DownWindow: 5 * time.Minute}
	}
	got := HPAs([]*kube.HPA{
		hpa("steady", 2, 5, 50),
		hpa("pinned", 3, 3, 90, kube.HPACondition{Type: "ScalingLimited", Status: "True", Reason: "TooManyReplicas", Since: limited}),
		hpa("growing", 2, 3, 90), // wants 4, will be held at 3, but it is still scaling
		hpa("blind", 2, 5, 0, kube.HPACondition{Type: "AbleToScale", Status: "False", Reason: "FailedGetScale", Since: limited}),
	})
	check(t, "hpas", got,
		"warning horizontalpodautoscaler/pinned shop max: At max: cpu at 90% of request vs target 50% wants 6 replicas; max is 3, so pinned at 3 (ScalingLimited: TooManyReplicas) · 3 replicas, min 1, max 3 · 7m0s",
		"warning horizontalpodautoscaler/blind shop stuck: Not scaling: the HPA cannot read or change Deployment/blind's scale (AbleToScale False: FailedGetScale) · 2 replicas, min 1, max 5 · 7m0s",
	)
}

func TestNodesClaimsJobsCertsServices(t *testing.T) {
	nodes := []*kube.Node{
		{Name: "a", Status: "Ready", Ready: true},
		{Name: "b", Status: "NotReady", ReadySince: now.Add(-3 * time.Minute)},
		{Name: "c", Status: "Ready,SchedulingDisabled,MemoryPressure", Ready: true, Unschedulable: true, Troubled: true},
	}
	pods := []*kube.Pod{{Name: "x", Node: "b"}, {Name: "y", Node: "b"}, {Name: "z", Node: "b", Finished: true}, {Name: "w", Node: "c"}}
	check(t, "nodes", Nodes(nodes, pods),
		"critical node/b  ready: not ready: the kubelet reports it unhealthy · 2 pods on it · 3m0s",
		"warning node/c  pressure: under pressure: MemoryPressure · 1 pod on it · -",
		"notice node/c  cordoned: cordoned: no new pods are scheduled on it · 1 pod on it · -",
	)
	check(t, "claims", Claims([]*kube.PVC{
		{Namespace: "data", Name: "bound", Status: "Bound"},
		{Namespace: "data", Name: "waiting", Status: "Pending", StorageClass: "fast", Created: now.Add(-time.Hour)},
	}), "warning persistentvolumeclaim/waiting data bound: pending: not bound to a volume · storage class fast · 1h0m0s")
	check(t, "jobs", Jobs([]*kube.Job{
		{Namespace: "batch", Name: "ok", Phase: kube.JobComplete, Status: "Complete"},
		{Namespace: "batch", Name: "report", Phase: kube.JobFailed, Status: "Failed: BackoffLimitExceeded", Completions: "0/1"},
	}), "warning job/report batch failed: failed (BackoffLimitExceeded) · 0/1 completed · -")
	got := Certs([]*kube.Secret{
		{Namespace: "web", Name: "far", Expires: now.Add(60 * 24 * time.Hour)},
		{Namespace: "web", Name: "soon", Expires: now.Add(5 * 24 * time.Hour)},
		{Namespace: "web", Name: "gone", Expires: now.Add(-2 * time.Hour)},
		{Namespace: "web", Name: "broken", CertErr: "no PEM certificate found"},
	}, now)
	Rank(got)
	check(t, "certs", got,
		"critical secret/gone web certificate: certificate expired · expired 120m ago (2026-12-06 01:00:00 UTC) · 2h0m0s",
		"warning secret/broken web certificate: its certificate cannot be read: no PEM certificate found ·  · -",
		"warning secret/soon web certificate: certificate expires soon · expires in 5d (2026-12-11 03:00:00 UTC) · 216h0m0s",
	)
	check(t, "services", Services([]*kube.Service{
		{Namespace: "web", Name: "ok", Selector: "app=ok", Ready: 2, Total: 2, Sliced: true},
		{Namespace: "web", Name: "headless-manual", Ready: 0},
		{Namespace: "web", Name: "down", Selector: "app=down", Ready: 0, Total: 3, Sliced: true},
		{Namespace: "web", Name: "empty", Selector: "app=none"},
	}), "critical service/down web endpoints: no ready endpoints: traffic to it fails · 0/3 ready · -",
		"warning service/empty web endpoints: no endpoints: no pod matches its selector · selector app=none · -")
}

func TestEventsGrouped(t *testing.T) {
	ev := func(name, typ, obj, reason string, count int32, ago time.Duration) *kube.Event {
		return &kube.Event{Namespace: "shop", Name: name, Type: typ, Object: obj, Reason: reason, Count: count,
			Message: "message of " + name, LastSeen: now.Add(-ago)}
	}
	check(t, "events", Events([]*kube.Event{
		ev("a", "Warning", "pod/web-1", "BackOff", 5, time.Minute),
		ev("b", "Warning", "pod/web-1", "BackOff", 2, 10*time.Second),
		ev("c", "Normal", "pod/web-1", "Pulled", 9, time.Second),
		ev("d", "Warning", "pod/web-2", "FailedMount", 1, 2*time.Hour), // too old
		ev("e", "Warning", "deployment/web", "FailedCreate", 1, 30*time.Second),
	}, now),
		"notice deployment/web shop event FailedCreate: FailedCreate: message of e · 1 event, last 30s ago · 30s",
		"notice pod/web-1 shop event BackOff: BackOff: message of b · 7 events, last 10s ago · 10s",
	)
}

// A forbidden source is a row of its own; an error every source shares is one row.
func TestUnseenAndCounts(t *testing.T) {
	forbidden := &kube.Error{Kind: kube.KindForbidden, Verb: "list", Resource: "nodes"}
	got := Detect(Input{Now: now, Unseen: []Unseen{{Resource: "nodes", Err: forbidden}},
		Nodes: []*kube.Node{{Name: "a", Status: "Ready,SchedulingDisabled", Ready: true, Unschedulable: true}},
		Pods:  []*kube.Pod{{Namespace: "shop", Name: "crash", Status: "CrashLoopBackOff", Restarts: 3, LastRestart: now.Add(-time.Minute)}}})
	check(t, "detect", got,
		"critical pod/crash shop crashloop: crash-looping · 3 restarts, last 60s ago · -",
		"unknown nodes  unseen: "+forbidden.Error()+" ·  · -",
		"notice node/a  cordoned: cordoned: no new pods are scheduled on it · 0 pods on it · -",
	)
	if c := Counts(got); len(c) != 3 || c[Critical] != 1 || c[Unknown] != 1 || c[Notice] != 1 {
		t.Errorf("counts %v", c)
	}
	lost := errors.New("connection to the API server lost")
	check(t, "lost", unseenProblems([]Unseen{{"pods", lost}, {"nodes", lost}}),
		"unknown every source  unseen: connection to the API server lost ·  · -")
	check(t, "some", unseenProblems([]Unseen{{"pods", lost}, {"nodes", lost}, {"events", forbidden}}),
		"unknown pods,nodes  unseen: connection to the API server lost ·  · -",
		"unknown events  unseen: "+forbidden.Error()+" ·  · -")
}

// BenchmarkDetect is one snapshot's checks on a 50k-pod cluster: 50,000 pods (one in a
// hundred crash-looping), 2,000 deployments, 100 nodes and 5,000 warning events.
func BenchmarkDetect(b *testing.B) {
	in := Input{Now: now}
	for i := range 50_000 {
		p := &kube.Pod{Namespace: fmt.Sprintf("ns-%03d", i%200), Name: fmt.Sprintf("pod-%05d", i), Status: "Running",
			Ready: 1, Containers: 1, Node: fmt.Sprintf("node-%03d", i%100), Created: now.Add(-time.Hour)}
		if i%100 == 0 {
			p.Status, p.Restarts, p.LastRestart, p.LastExit = "CrashLoopBackOff", 7, now.Add(-time.Minute), "Error"
		}
		in.Pods = append(in.Pods, p)
	}
	for i := range 2_000 {
		in.Deployments = append(in.Deployments, &kube.Deployment{Namespace: fmt.Sprintf("ns-%03d", i%200), Name: fmt.Sprintf("d-%04d", i),
			Desired: 3, UpToDate: 3, Available: 3})
	}
	for i := range 100 {
		in.Nodes = append(in.Nodes, &kube.Node{Name: fmt.Sprintf("node-%03d", i), Status: "Ready", Ready: true, Unschedulable: i == 7})
	}
	for i := range 5_000 {
		in.Events = append(in.Events, &kube.Event{Namespace: fmt.Sprintf("ns-%03d", i%200), Name: fmt.Sprintf("e-%04d", i),
			Type: "Warning", Reason: "BackOff", Object: fmt.Sprintf("pod/pod-%05d", (i%500)*100), Count: 3, LastSeen: now.Add(-time.Minute)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if n := len(Detect(in)); n != 1501 { // 500 crash loops, 1 cordoned node, 1,000 event groups
			b.Fatalf("%d problems", n)
		}
	}
}
