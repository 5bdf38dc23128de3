package triage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// The cache runs its stores and joins them: a crash loop is found, comes and goes with the
// pod, keeps the time it was first seen, and nodes the user may not list are a row of
// their own while the list stays live.
func TestCacheLiveAndHonest(t *testing.T) {
	crash := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "crash", CreationTimestamp: metav1.Now()},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "app", RestartCount: 4,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}}}
	cs := fake.NewClientset(crash)
	forbidden := func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", nil)
	}
	cs.PrependReactor("list", "nodes", forbidden)
	cs.PrependWatchReactor("nodes", func(k8stesting.Action) (bool, watch.Interface, error) {
		_, _, err := forbidden(nil)
		return true, nil, err
	})
	cs.PrependWatchReactor("*", func(a k8stesting.Action) (bool, watch.Interface, error) {
		if w, ok := a.(k8stesting.WatchActionImpl); ok && w.ListOptions.SendInitialEvents != nil {
			return true, nil, apierrors.NewBadRequest("the fake serves no WatchList: the stores list") // as an old server says
		}
		return false, nil, nil
	})
	cache := NewCache(&kube.Client{Clientset: cs}, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cache.Run(ctx, nil)

	var snap kube.Snapshot[*Problem]
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; {
			select {
			case <-cache.Changed():
			case <-time.After(100 * time.Millisecond):
			}
			snap = cache.Snapshot()
			if cond() {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s; rows:\n%s\nstate %+v", what, lines(snap.Rows), snap.State)
			}
		}
	}
	has := func(words ...string) func() bool {
		return func() bool {
			for _, p := range snap.Rows {
				if l := line(p); strings.Contains(l, strings.Join(words, " ")) {
					return true
				}
			}
			return false
		}
	}
	wait("crash loop and forbidden nodes, live", func() bool {
		return has("critical pod/crash shop crashloop")() && has("unknown nodes")() && snap.State.Phase == kube.PhaseLive
	})
	first := snap.Rows[0].Since
	if first.IsZero() {
		t.Fatalf("a crash loop without a start in the cluster has no first-seen time: %s", lines(snap.Rows))
	}
	time.Sleep(10 * time.Millisecond)
	if again := cache.Snapshot().Rows[0].Since; !again.Equal(first) {
		t.Errorf("first seen %v, then %v", first, again)
	}
	if err := cs.CoreV1().Pods("shop").Delete(ctx, "crash", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	wait("crash loop gone", func() bool { return !has("pod/crash")() })
	if n := len(snap.Rows); n != 1 {
		t.Errorf("rows after the fix:\n%s", lines(snap.Rows))
	}
}
