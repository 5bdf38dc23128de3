package kube

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// A rollout's follower reports a watch error as what it is, not as a deletion, and watches
// again, from the last version it saw, when a watch ends: it still sees the rollout finish.
func TestFollowRolloutSurvivesWatchErrorsAndEnds(t *testing.T) {
	cs := fake.NewClientset()
	watchers := make(chan *watch.FakeWatcher, 4)
	versions := make(chan string, 4)
	cs.PrependWatchReactor("deployments", func(a k8stesting.Action) (bool, watch.Interface, error) {
		w := watch.NewFakeWithChanSize(4, false)
		watchers <- w
		versions <- a.(k8stesting.WatchActionImpl).GetWatchRestrictions().ResourceVersion
		return true, w, nil
	})
	dep := func(rv string, updated, available int32) *appsv1.Deployment {
		r := int32(2)
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", ResourceVersion: rv, Generation: 2},
			Spec:   appsv1.DeploymentSpec{Replicas: &r},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 2, UpdatedReplicas: updated, AvailableReplicas: available, ReadyReplicas: available}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := (&Client{Clientset: cs}).FollowRollout(ctx, ObjectRef{GVR: GVRDeployments, Namespace: "shop", Name: "web"})
	next := func() RolloutProgress {
		t.Helper()
		select {
		case p := <-ch:
			return p
		case <-ctx.Done():
			t.Fatal("no progress")
		}
		return RolloutProgress{}
	}
	watcher := func() *watch.FakeWatcher {
		t.Helper()
		select {
		case w := <-watchers:
			return w
		case <-ctx.Done():
			t.Fatal("the follower did not watch (again)")
		}
		return nil
	}
	w := watcher()
	w.Modify(dep("5", 1, 1))
	if p := next(); p.Done {
		t.Fatalf("half-way rollout reported done: %+v", p)
	}
	w.Error(&metav1.Status{Status: metav1.StatusFailure, Message: "internal error"})
	select {
	case p := <-ch:
		t.Fatalf("a watch error was reported as %+v", p)
	case <-time.After(100 * time.Millisecond):
	}
	w.Stop()
	w = watcher() // watched again
	<-versions
	if v := <-versions; v != "5" {
		t.Fatalf("watched again from version %q, want 5", v)
	}
	w.Modify(dep("6", 2, 2))
	if p := next(); !p.Done || !p.OK {
		t.Fatalf("the finished rollout was reported as %+v", p)
	}
}
