package kube

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A Source's label selector goes with every request: the WatchList, the paged LIST that
// replaces it and the watch that follows.
func TestStoreSendsSelector(t *testing.T) {
	srv := newScriptedServer()
	srv.watchErr = apierrors.NewInvalid(schema.GroupKind{Kind: "ListOptions"}, "", nil)
	srv.pages = []*corev1.PodList{{ListMeta: metav1.ListMeta{ResourceVersion: "3"}}}
	src := srv.source()
	src.Selector = "app=web"
	listed := make(chan metav1.ListOptions, 1)
	list := src.List
	src.List = func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		listed <- o
		return list(ctx, o)
	}
	s := NewStore(src)
	s.backoff = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx, nil)
	for i, o := range []metav1.ListOptions{<-srv.watchOpts, <-listed, <-srv.watchOpts} {
		if o.LabelSelector != "app=web" {
			t.Errorf("request %d has label selector %q, want app=web", i, o.LabelSelector)
		}
	}
}

// A joined cache is as trustworthy as its weaker store.
func TestWorseState(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	live := State{Phase: PhaseLive, LiveSince: t0}
	broken := State{Phase: PhaseBroken, LiveSince: t0.Add(-time.Minute), Err: context.DeadlineExceeded}
	if got := WorseState(live, broken); got.Phase != PhaseBroken || got.Err == nil || !got.LiveSince.Equal(t0.Add(-time.Minute)) {
		t.Errorf("live+broken = %+v", got)
	}
	if got := WorseState(State{Phase: PhaseLoading}, live); got.Phase != PhaseLoading || !got.LiveSince.IsZero() {
		t.Errorf("loading+live = %+v", got)
	}
}
