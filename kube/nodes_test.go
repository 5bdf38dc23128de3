package kube

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestNodeRow(t *testing.T) {
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{
			"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/etcd": "true", "kubernetes.io/role": "etcd"}},
		Spec: corev1.NodeSpec{Unschedulable: true, Taints: []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))},
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionTrue},
				{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse},
			},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3500m"),
				corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")},
			NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.37.2"},
		},
	}
	r := NodeRow(n)
	if r.Status != "Ready,SchedulingDisabled,MemoryPressure" || !r.Ready || !r.Troubled || !r.Unschedulable {
		t.Errorf("status %q ready %v troubled %v", r.Status, r.Ready, r.Troubled)
	}
	if !r.ReadySince.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("ready since %v", r.ReadySince)
	}
	if r.Roles != "control-plane,etcd" || r.Taints != "dedicated=db:NoSchedule" || r.Version != "v1.37.2" {
		t.Errorf("roles %q taints %q version %q", r.Roles, r.Taints, r.Version)
	}
	if r.Allocatable != (Capacity{CPU: 3500, Mem: 8 << 30, Pods: 110}) {
		t.Errorf("allocatable %+v", r.Allocatable)
	}
	if got := NodeRow(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "new"}}).Status; got != "Unknown" {
		t.Errorf("a node with no Ready condition is %q", got)
	}
}

// Pods that finished hold nothing on their node; pods not yet scheduled count nowhere.
func TestJoinNodePods(t *testing.T) {
	nodes := []*Node{{Name: "a"}, {Name: "b"}}
	pods := []*Pod{
		{Name: "p1", Node: "a", ReqLim: ReqLim{CPUReq: 100, MemReq: 1 << 20}},
		{Name: "p2", Node: "a", ReqLim: ReqLim{CPUReq: 250}},
		{Name: "done", Node: "a", Finished: true, ReqLim: ReqLim{CPUReq: 1000}},
		{Name: "pending", ReqLim: ReqLim{CPUReq: 1000}},
	}
	out := JoinNodePods(nodes, pods)
	if out[0].Pods != 2 || out[0].Requests.CPUReq != 350 || out[0].Requests.MemReq != 1<<20 {
		t.Errorf("node a: %d pods, %+v", out[0].Pods, out[0].Requests)
	}
	if out[1].Pods != 0 || nodes[0].Pods != 0 {
		t.Errorf("node b has %d pods; the input row was changed: %d", out[1].Pods, nodes[0].Pods)
	}
}

// drainCluster is a node n1 running a replica set's pod, a DaemonSet's pod, a mirror pod
// and a bare pod with emptyDir data.
func drainCluster() *fake.Clientset {
	ctrl := func(kind, name string) []metav1.OwnerReference {
		return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, Controller: new(true)}}
	}
	pod := func(name string, owners []metav1.OwnerReference, mutate func(*corev1.Pod)) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: types.UID("uid-" + name), OwnerReferences: owners},
			Spec: corev1.PodSpec{NodeName: "n1"}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
		if mutate != nil {
			mutate(p)
		}
		return p
	}
	return fake.NewClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}},
		&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "agent"}},
		pod("web-1", ctrl("ReplicaSet", "web-5d"), nil),
		pod("agent-x", ctrl("DaemonSet", "agent"), nil),
		pod("static", nil, func(p *corev1.Pod) { p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"} }),
		pod("scratch", nil, func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
		}),
	)
}

func TestPlanDrain(t *testing.T) {
	c := NewClientFor(drainCluster(), nil)
	plan, err := c.PlanDrain(context.Background(), "n1")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Evict) != 1 || plan.Evict[0].Name != "web-1" {
		t.Errorf("evict %v", podNames(plan.Evict))
	}
	if len(plan.Risky) != 1 || plan.Risky[0].Pod.Name != "scratch" || plan.Risky[0].Why != "emptyDir data is lost; no controller recreates it" {
		t.Errorf("risky %+v", plan.Risky)
	}
	if plan.Ignored != "ignoring DaemonSet-managed Pods: shop/agent-x" {
		t.Errorf("ignored %q", plan.Ignored)
	}
}

func podNames(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

// budgetRefuses makes every eviction of pod name refuse as a disruption budget does until
// allow returns true; then the eviction deletes the pod, as the server would.
func budgetRefuses(cs *fake.Clientset, name string, allow func() bool) *atomic.Int32 {
	var refused atomic.Int32
	cs.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "eviction" {
			return false, nil, nil
		}
		ev := a.(k8stesting.CreateAction).GetObject().(interface{ GetName() string })
		if ev.GetName() == name && !allow() {
			refused.Add(1)
			err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
			err.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: "DisruptionBudget", Message: "The disruption budget web needs 1 healthy pods and has 1 currently"}}
			return true, nil, err
		}
		return true, nil, cs.Tracker().Delete(a.GetResource(), a.GetNamespace(), ev.GetName())
	})
	return &refused
}

// A drain cordons the node, keeps asking while the budget refuses (saying why), never
// deletes a pod itself, and leaves risky pods unless they were confirmed.
func TestDrainHonoursBudgetsAndConfirmation(t *testing.T) {
	for _, risky := range []bool{false, true} {
		cs := drainCluster()
		var allowed atomic.Bool
		refused := budgetRefuses(cs, "web-1", allowed.Load)
		c := NewClientFor(cs, nil)
		plan, err := c.PlanDrain(context.Background(), "n1")
		if err != nil {
			t.Fatal(err)
		}
		m, d := c.NewDrain(plan, risky)
		d.retry, d.poll = 5*time.Millisecond, time.Millisecond
		done := make(chan error, 1)
		go func() { done <- m.Do(context.Background()) }()
		waitDrain(t, "the budget's refusal, asked twice", func() bool {
			st := d.Status()
			return refused.Load() >= 2 && st.Pods[0].State == DrainBlocked && strings.Contains(st.Pods[0].Why, "needs 1 healthy pods")
		})
		if n, _ := cs.CoreV1().Nodes().Get(context.Background(), "n1", metav1.GetOptions{}); !n.Spec.Unschedulable {
			t.Fatal("the node is not cordoned while draining")
		}
		allowed.Store(true)
		err = <-done
		st := d.Status()
		if refused.Load() < 2 || st.Pods[0].State != DrainGone || !st.Done {
			t.Fatalf("refused %d times, then %+v", refused.Load(), st)
		}
		_, scratchErr := cs.CoreV1().Pods("shop").Get(context.Background(), "scratch", metav1.GetOptions{})
		switch {
		case risky && (err != nil || !apierrors.IsNotFound(scratchErr)):
			t.Errorf("confirmed risky pod: drain error %v, pod %v", err, scratchErr)
		case !risky && (err == nil || !strings.Contains(err.Error(), "1 of 2 pods not evicted") || scratchErr != nil ||
			st.Pods[1].State != DrainLeft):
			t.Errorf("unconfirmed risky pod: drain error %v, pod %v, state %+v", err, scratchErr, st.Pods)
		}
		for _, a := range cs.Actions() {
			if a.GetVerb() == "delete" {
				t.Errorf("the drain deleted something itself: %v", a)
			}
		}
	}
}

// Cancel stops asking: the blocked pod is left in place and the drain says it was cancelled.
func TestDrainCancel(t *testing.T) {
	cs := drainCluster()
	budgetRefuses(cs, "web-1", func() bool { return false })
	c := NewClientFor(cs, nil)
	plan, err := c.PlanDrain(context.Background(), "n1")
	if err != nil {
		t.Fatal(err)
	}
	m, d := c.NewDrain(plan, false)
	d.retry = 5 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- m.Do(context.Background()) }()
	waitDrain(t, "blocked", func() bool { st := d.Status(); return len(st.Pods) > 0 && st.Pods[0].State == DrainBlocked })
	d.Cancel()
	err = <-done
	st := d.Status()
	if err == nil || !strings.Contains(err.Error(), "(cancelled)") || st.Pods[0].State != DrainLeft ||
		!strings.HasSuffix(st.Pods[0].Why, "; cancelled") {
		t.Fatalf("cancelled drain: %v, %+v", err, st.Pods)
	}
	if _, err := cs.CoreV1().Pods("shop").Get(context.Background(), "web-1", metav1.GetOptions{}); err != nil {
		t.Fatalf("a cancelled drain removed the blocked pod: %v", err)
	}
}

// waitDrain polls cond for up to 5 s.
func waitDrain(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
