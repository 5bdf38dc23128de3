package clusters

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/triage"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// One context already connected is used as it is and counted; one that does not answer
// is tried, says why, and is tried again; one connected later is counted too. Rows stay in
// the order given.
func TestCacheCountsAndRetries(t *testing.T) {
	ready := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue}
	notReady := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionFalse}
	pod := func(name string, ready bool, phase corev1.PodPhase) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, CreationTimestamp: metav1.Now()},
			Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}},
			Status: corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: ready}}}}
	}
	a := fake.NewClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{ready}}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n2"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{notReady}}},
		pod("web-1", true, corev1.PodRunning), pod("web-2", false, corev1.PodRunning), pod("done", false, corev1.PodSucceeded),
	)
	noWatchList(a)
	known := &kube.Client{Clientset: a, Info: kube.Info{Context: "a", ServerVersion: "v1.35.0"}}

	var tries atomic.Int32
	down := errors.New("cannot reach the API server")
	b := fake.NewClientset()
	noWatchList(b)
	connect := func(_ context.Context, name string) (*kube.Client, error) {
		switch {
		case name == "b" && tries.Add(1) == 1:
			return nil, down
		case name == "b":
			return &kube.Client{Clientset: b, Info: kube.Info{Context: "b", ServerVersion: "v1.34.2"}}, nil
		}
		return nil, errors.New("no such context " + name)
	}
	c := New([]string{"a", "b"}, map[string]string{"a": "https://127.0.0.1:1"}, []*kube.Client{known}, connect)
	retry := 100 * time.Millisecond
	c.retryAfter = retry
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx, nil)

	var snap kube.Snapshot[*Cluster]
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; {
			select {
			case <-c.Changed():
			case <-time.After(50 * time.Millisecond):
			}
			snap = c.Snapshot()
			if cond() {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: rows %+v, state %+v", what, rowsOf(snap), snap.State)
			}
		}
	}
	wait("a counted, b failed", func() bool {
		ra, rb := snap.Rows[0], snap.Rows[1]
		return ra.Context == "a" && ra.State.Phase == kube.PhaseLive && ra.Nodes == 2 && rb.Err != nil
	})
	ra, rb := snap.Rows[0], snap.Rows[1]
	if ra.Client != known || ra.Server != "https://127.0.0.1:1" || ra.Version() != "v1.35.0" {
		t.Errorf("a: client %p (known %p), server %q, version %q", ra.Client, known, ra.Server, ra.Version())
	}
	if ra.NodesReady != 1 || ra.Pods != 2 || ra.PodsNotReady != 1 {
		t.Errorf("a: nodes %d/%d, pods not ready %d of %d; want 1/2, 1 of 2 (a finished pod is not counted)",
			ra.NodesReady, ra.Nodes, ra.PodsNotReady, ra.Pods)
	}
	if ra.Problems[triage.Critical] == 0 {
		t.Errorf("a: a NotReady node is no critical problem: %v", ra.Problems)
	}
	if !errors.Is(rb.Err, down) || rb.Client != nil || snap.State.Partial == nil {
		t.Errorf("b: err %v, client %v; partial %v", rb.Err, rb.Client, snap.State.Partial)
	}
	wait("b connected on a retry", func() bool { return snap.Rows[1].Client != nil && snap.Rows[1].State.Phase == kube.PhaseLive })
	if rb := snap.Rows[1]; rb.Err != nil || rb.Version() != "v1.34.2" || rb.Nodes != 0 || snap.State.Partial != nil {
		t.Errorf("b after the retry: err %v, version %q, nodes %d, partial %v", rb.Err, rb.Version(), rb.Nodes, snap.State.Partial)
	}
	if n := tries.Load(); n != 2 {
		t.Errorf("b was tried %d times, want 2", n)
	}
}

// noWatchList makes cs refuse WatchList, as an old server does: the stores list instead.
func noWatchList(cs *fake.Clientset) {
	cs.PrependWatchReactor("*", func(a k8stesting.Action) (bool, watch.Interface, error) {
		if w, ok := a.(k8stesting.WatchActionImpl); ok && w.ListOptions.SendInitialEvents != nil {
			return true, nil, apierrors.NewBadRequest("the fake serves no WatchList")
		}
		return false, nil, nil
	})
}

// rowsOf is snap's rows as values, for failure messages.
func rowsOf(snap kube.Snapshot[*Cluster]) []Cluster {
	out := make([]Cluster, len(snap.Rows))
	for i, r := range snap.Rows {
		out[i] = *r
	}
	return out
}
