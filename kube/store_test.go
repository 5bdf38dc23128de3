package kube

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
)

// scriptedServer hands out watchers and list pages the test controls.
type scriptedServer struct {
	mu        sync.Mutex
	watchErr  error // returned by the next Watch call with SendInitialEvents
	watchers  chan *watch.FakeWatcher
	watchOpts chan metav1.ListOptions
	pages     []*corev1.PodList
	gate      chan struct{} // while set, Watch waits for it to close (see hold)
}

// hold makes the next Watch calls wait until release is called, so a state the store is
// in between two watches (broken, for its backoff) lasts until the test has seen it.
func (s *scriptedServer) hold() (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.gate = gate
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.gate = nil
		s.mu.Unlock()
		close(gate)
	}
}

func newScriptedServer() *scriptedServer {
	return &scriptedServer{watchers: make(chan *watch.FakeWatcher, 10), watchOpts: make(chan metav1.ListOptions, 10)}
}

func (s *scriptedServer) source() Source[*Pod] {
	src := PodSource(fake.NewClientset().CoreV1(), "")
	src.Watch = func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
		s.mu.Lock()
		gate := s.gate
		s.mu.Unlock()
		if gate != nil {
			<-gate
		}
		s.mu.Lock()
		err := s.watchErr
		if o.SendInitialEvents != nil {
			s.watchErr = nil
		}
		s.mu.Unlock()
		s.watchOpts <- o
		if err != nil && o.SendInitialEvents != nil {
			return nil, err
		}
		w := watch.NewFakeWithChanSize(100, false)
		s.watchers <- w
		return w, nil
	}
	src.List = func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		p := s.pages[0]
		s.pages = s.pages[1:]
		return p, nil
	}
	return src
}

func pod(ns, name, rv string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, ResourceVersion: rv},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
}

func endOfInitialEvents(rv string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: rv,
		Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}}
}

// waitFor polls the store until cond holds.
func waitFor(t *testing.T, s *Store[*Pod], what string, cond func(Snapshot[*Pod]) bool) Snapshot[*Pod] {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if snap := s.Snapshot(); cond(snap) {
			return snap
		}
		time.Sleep(2 * time.Millisecond)
	}
	snap := s.Snapshot()
	t.Fatalf("timed out waiting for %s; phase %d, %d rows, err %v", what, snap.State.Phase, len(snap.Rows), snap.State.Err)
	return snap
}

func names(snap Snapshot[*Pod]) []string {
	var out []string
	for _, r := range snap.Rows {
		out = append(out, r.Namespace+"/"+r.Name)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func startStore(t *testing.T, srv *scriptedServer) *Store[*Pod] {
	t.Helper()
	s := NewStore(srv.source())
	s.backoff = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go s.Run(ctx, nil)
	return s
}

// WatchList: rows appear as they stream in, the bookmark makes the store live, a plain
// watch from the bookmark's version follows the compressed initial stream, and later
// events keep it current, in namespace/name order.
func TestStoreWatchList(t *testing.T) {
	srv := newScriptedServer()
	s := startStore(t, srv)
	if o := <-srv.watchOpts; o.SendInitialEvents == nil || !*o.SendInitialEvents || !o.AllowWatchBookmarks {
		t.Fatalf("first request is not a WatchList: %+v", o)
	}
	w := <-srv.watchers
	w.Add(pod("a", "one", "1"))
	w.Add(pod("b", "two", "2"))
	snap := waitFor(t, s, "two streamed rows", func(s Snapshot[*Pod]) bool { return len(s.Rows) == 2 })
	if snap.State.Phase != PhaseLoading {
		t.Errorf("phase %d before the bookmark, want loading", snap.State.Phase)
	}
	w.Action(watch.Bookmark, endOfInitialEvents("2"))
	waitFor(t, s, "live", func(s Snapshot[*Pod]) bool { return s.State.Phase == PhaseLive })
	if o := <-srv.watchOpts; o.ResourceVersion != "2" || o.SendInitialEvents != nil {
		t.Fatalf("watch after the initial events: %+v, want a plain watch from resourceVersion 2", o)
	}
	if !w.IsStopped() {
		t.Errorf("the WatchList stream is still open beside the plain watch")
	}
	w = <-srv.watchers

	w.Add(pod("a", "zero", "3"))
	w.Delete(pod("b", "two", "4"))
	w.Modify(pod("a", "one", "5"))
	waitFor(t, s, "events applied in order", func(s Snapshot[*Pod]) bool {
		return equal(names(s), []string{"a/one", "a/zero"})
	})
}

// A server that refuses WatchList gets a paged LIST, then a watch from the list's version.
func TestStoreFallsBackToPagedList(t *testing.T) {
	srv := newScriptedServer()
	srv.watchErr = apierrors.NewInvalid(schema.GroupKind{Kind: "ListOptions"}, "", nil)
	p1 := &corev1.PodList{Items: []corev1.Pod{*pod("a", "one", "1")}, ListMeta: metav1.ListMeta{Continue: "next"}}
	p2 := &corev1.PodList{Items: []corev1.Pod{*pod("a", "two", "2")}, ListMeta: metav1.ListMeta{ResourceVersion: "7"}}
	srv.pages = []*corev1.PodList{p1, p2}
	s := startStore(t, srv)
	<-srv.watchOpts // the refused WatchList
	o := <-srv.watchOpts
	if o.ResourceVersion != "7" || o.SendInitialEvents != nil {
		t.Fatalf("watch after list: %+v, want resourceVersion 7 without initial events", o)
	}
	waitFor(t, s, "both pages live", func(s Snapshot[*Pod]) bool {
		return s.State.Phase == PhaseLive && equal(names(s), []string{"a/one", "a/two"})
	})
}

// A broken watch marks rows stale with the error, keeps them, and resumes from the last
// resource version; an expired version triggers a reload that drops vanished rows.
func TestStoreBreaksAndRecovers(t *testing.T) {
	srv := newScriptedServer()
	s := startStore(t, srv)
	<-srv.watchOpts
	w := <-srv.watchers
	w.Add(pod("a", "one", "1"))
	w.Add(pod("a", "two", "2"))
	w.Action(watch.Bookmark, endOfInitialEvents("2"))
	waitFor(t, s, "live", func(s Snapshot[*Pod]) bool { return s.State.Phase == PhaseLive })
	<-srv.watchOpts
	w = <-srv.watchers

	// The store is broken only for its backoff (5 ms here) before it watches again: hold
	// the next watch until the test has seen it broken, however slow the machine.
	release := srv.hold()
	w.Error(&apierrors.NewInternalError(errors.New("etcd went away")).ErrStatus)
	snap := waitFor(t, s, "broken", func(s Snapshot[*Pod]) bool { return s.State.Phase == PhaseBroken })
	release()
	if len(snap.Rows) != 2 || snap.State.Err == nil {
		t.Errorf("broken store: %d rows, err %v; want the 2 old rows and the error", len(snap.Rows), snap.State.Err)
	}
	if o := <-srv.watchOpts; o.ResourceVersion != "2" {
		t.Fatalf("resumed watch from %q, want 2", o.ResourceVersion)
	}
	w = <-srv.watchers
	waitFor(t, s, "live again", func(s Snapshot[*Pod]) bool { return s.State.Phase == PhaseLive })

	w.Error(&apierrors.NewResourceExpired("too old").ErrStatus)
	if o := <-srv.watchOpts; o.SendInitialEvents == nil {
		t.Fatalf("after 410 Gone the store must reload with WatchList, got %+v", o)
	}
	w = <-srv.watchers
	waitFor(t, s, "resyncing", func(s Snapshot[*Pod]) bool { return s.State.Phase == PhaseResyncing })
	w.Add(pod("a", "two", "9"))
	w.Action(watch.Bookmark, endOfInitialEvents("9"))
	waitFor(t, s, "reloaded without the vanished pod", func(s Snapshot[*Pod]) bool {
		return s.State.Phase == PhaseLive && equal(names(s), []string{"a/two"})
	})
}

// An update that changes nothing a row shows (a label patch) does not wake the view.
func TestStoreIgnoresInvisibleChanges(t *testing.T) {
	s := NewStore(newScriptedServer().source())
	s.upsert(PodRow(pod("a", "one", "1")))
	s.Snapshot()
	<-s.Changed()

	relabelled := pod("a", "one", "2")
	relabelled.Labels = map[string]string{"churn": "1"}
	s.upsert(PodRow(relabelled))
	select {
	case <-s.Changed():
		t.Fatalf("a label-only change woke the view")
	default:
	}

	failed := pod("a", "one", "3")
	failed.Status.Phase = corev1.PodFailed
	s.upsert(PodRow(failed))
	select {
	case <-s.Changed():
	default:
		t.Fatalf("a status change did not wake the view")
	}
	if got := s.Snapshot().Rows[0].Status; got != "Failed" {
		t.Fatalf("status %q, want Failed", got)
	}
}

// A watch that closes as soon as it opens, without an error (a proxy that accepts and hangs
// up), is reopened after a growing backoff, not in a tight loop.
func TestStoreShortWatchesBackOff(t *testing.T) {
	srv := newScriptedServer()
	src := srv.source()
	var watches atomic.Int64
	src.Watch = func(context.Context, metav1.ListOptions) (watch.Interface, error) {
		watches.Add(1)
		w := watch.NewFake()
		w.Stop() // closed before any event
		return w, nil
	}
	src.List = func(context.Context, metav1.ListOptions) (runtime.Object, error) { return &corev1.PodList{}, nil }
	s := NewStore(src)
	s.backoff = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx, nil)
	time.Sleep(300 * time.Millisecond)
	// 10, 20, 40, 80, 160 ms: at most 6 watches in 300 ms (a tight loop makes thousands)
	if n := watches.Load(); n > 8 {
		t.Fatalf("%d watches in 300 ms", n)
	}
}

// A lost link breaks the store at once with ErrLinkLost and ends its watch; when the
// server answers again the store resumes from the last version it saw (nothing missed),
// with no backoff wait, and a pod created meanwhile arrives.
func TestStoreFollowsItsLink(t *testing.T) {
	srv := newScriptedServer()
	s := NewStore(srv.source())
	s.backoff = time.Hour // a resume that waited for a backoff would never come
	link := newLink(func(context.Context) error { return nil }, defaultLinkTimes)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go s.Run(ctx, link)

	<-srv.watchOpts
	w := <-srv.watchers
	w.Add(pod("a", "one", "5"))
	w.Action(watch.Bookmark, endOfInitialEvents("7"))
	<-srv.watchOpts
	w = <-srv.watchers
	w.Add(pod("a", "two", "9"))
	waitFor(t, s, "live with two rows", func(s Snapshot[*Pod]) bool { return s.State.Phase == PhaseLive && len(s.Rows) == 2 })

	link.setLost(true)
	snap := waitFor(t, s, "broken by the lost link", func(s Snapshot[*Pod]) bool { return s.State.Phase == PhaseBroken })
	if !errors.Is(snap.State.Err, ErrLinkLost) || KindOf(snap.State.Err) != KindUnreachable {
		t.Fatalf("error %v (kind %d), want ErrLinkLost, unreachable", snap.State.Err, KindOf(snap.State.Err))
	}
	if len(snap.Rows) != 2 || snap.State.LiveSince.IsZero() {
		t.Fatalf("rows %v, live since %v: the last known rows and their time must stay", names(snap), snap.State.LiveSince)
	}
	for deadline := time.Now().Add(5 * time.Second); !w.IsStopped(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the watch on the lost link was not stopped")
		}
	}
	select {
	case o := <-srv.watchOpts:
		t.Fatalf("the store asked again while the link was lost: %+v", o)
	case <-time.After(50 * time.Millisecond):
	}

	link.setLost(false)
	o := <-srv.watchOpts
	if o.SendInitialEvents != nil || o.ResourceVersion != "9" {
		t.Fatalf("after the link returned: %+v, want a plain watch from version 9", o)
	}
	w = <-srv.watchers
	w.Add(pod("a", "three", "11")) // created while the path was down
	snap = waitFor(t, s, "live with the new pod", func(s Snapshot[*Pod]) bool { return s.State.Phase == PhaseLive && len(s.Rows) == 3 })
	if got := names(snap); !equal(got, []string{"a/one", "a/three", "a/two"}) {
		t.Fatalf("rows %v", got)
	}
}
