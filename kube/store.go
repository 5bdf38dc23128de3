package kube

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
)

// Key identifies an object inside one resource. Cluster is empty for the rows of one
// cluster; a list of several clusters' rows sets it to the row's context, so that the same
// namespace and name in two clusters are two rows.
type Key struct{ Cluster, Namespace, Name string }

// Compare orders keys by cluster, namespace, then name: within a cluster, the order the
// server lists them in.
func (k Key) Compare(o Key) int {
	if c := strings.Compare(k.Cluster, o.Cluster); c != 0 {
		return c
	}
	if c := strings.Compare(k.Namespace, o.Namespace); c != 0 {
		return c
	}
	return strings.Compare(k.Name, o.Name)
}

// Row is a compact, immutable summary of one object. Stores replace rows, never mutate them.
// A row type may also have a method Equal(R) bool: updates equal to the current row are
// then dropped without waking the view.
type Row interface {
	comparable
	RowKey() Key
}

// Phase says how far a store can be trusted.
type Phase int

// The phases of a store, in the order a healthy store moves through them.
const (
	PhaseLoading   Phase = iota // the first full load is under way: rows are partial
	PhaseLive                   // loaded and watching: rows are current
	PhaseResyncing              // reloading after a break: rows are being refreshed
	PhaseBroken                 // the watch failed and is being retried: rows are stale
)

// State is what a view needs to say how fresh its rows are.
type State struct {
	Phase     Phase
	Err       error     // the last failure, while Phase is PhaseBroken
	LiveSince time.Time // when rows were last known current (zero before the first sync)
	Retry     time.Time // when the next attempt starts, while broken
	// Partial, when set, is why some rows cannot be read, or are stale, while the others
	// are shown as Phase says: one of a cache's sources refused by RBAC, or one of several
	// clusters that stopped answering (its rows kept, dimmed; see IsStale).
	Partial error
}

// Snapshot is an immutable copy of a store's rows in namespace/name order and its state.
type Snapshot[R Row] struct {
	Rows  []R
	State State
}

// Source tells a Store how to list, watch and summarise one resource.
type Source[R Row] struct {
	Resource  string // plural resource name, for errors ("pods")
	Namespace string // "" for all namespaces
	Selector  string // label selector every List and Watch carries ("" for every object)
	// List returns one page of objects; opts carries Limit and Continue.
	List func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error)
	// Watch opens a watch; with SendInitialEvents set it streams the current state first.
	Watch func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
	// Convert summarises one object; ok is false for objects the store should skip.
	Convert func(obj runtime.Object) (row R, ok bool)
	// Items extracts the objects of one List page.
	Items func(list runtime.Object) []runtime.Object
}

// Store keeps the rows of one resource current with a list+watch loop and tells a
// listener when they change. It keeps no full objects: only the compact rows.
type Store[R Row] struct {
	src     Source[R]
	changed chan struct{}
	now     func() time.Time
	backoff time.Duration // first retry delay; doubles up to maxBackoff

	mu    sync.Mutex
	rows  []R // sorted by key
	state State
	dirty bool
}

// NewStore returns a store for src; call Run to start it.
func NewStore[R Row](src Source[R]) *Store[R] {
	return &Store[R]{src: src, changed: make(chan struct{}, 1), now: time.Now, backoff: time.Second}
}

// Changed receives a value (coalesced) whenever rows or state changed since the last Snapshot.
func (s *Store[R]) Changed() <-chan struct{} { return s.changed }

// Snapshot returns the current rows and state; the slice is never modified afterwards.
func (s *Store[R]) Snapshot() Snapshot[R] {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirty = false
	return Snapshot[R]{Rows: slices.Clone(s.rows), State: s.state}
}

// State returns the store's current state.
func (s *Store[R]) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *Store[R]) notify() {
	s.dirty = true
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *Store[R]) setState(st State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.LiveSince.IsZero() {
		st.LiveSince = s.state.LiveSince
	}
	s.state = st
	s.notify()
}

func (s *Store[R]) upsert(r R) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := r.RowKey()
	n := len(s.rows)
	if n == 0 || s.rows[n-1].RowKey().Compare(k) < 0 { // fast path: the server lists in order
		s.rows = append(s.rows, r)
	} else if i, found := s.search(k); found {
		if eq, ok := any(s.rows[i]).(interface{ Equal(R) bool }); ok && eq.Equal(r) {
			return // a change kdeck does not show (labels, annotations): no redraw
		}
		s.rows[i] = r
	} else {
		s.rows = slices.Insert(s.rows, i, r)
	}
	s.notify()
}

func (s *Store[R]) remove(k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, found := s.search(k); found {
		s.rows = slices.Delete(s.rows, i, i+1)
		s.notify()
	}
}

// prune drops every row whose key is not in keep, after a reload.
func (s *Store[R]) prune(keep map[Key]struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = slices.DeleteFunc(s.rows, func(r R) bool { _, ok := keep[r.RowKey()]; return !ok })
	s.notify()
}

func (s *Store[R]) search(k Key) (int, bool) {
	return slices.BinarySearchFunc(s.rows, k, func(r R, k Key) int { return r.RowKey().Compare(k) })
}

// Run loads and watches until ctx ends, reconnecting with backoff after failures.
// Rows are painted as they arrive on the first load; on a reload after a break the old
// rows stay (marked by the phase) until the new full state has arrived.
//
// link, when not nil, is the path to the server: while it is lost the store is broken
// with ErrLinkLost and waits, and when the server answers again it resumes at once from
// the last version it saw, so nothing that happened meanwhile is missed.
func (s *Store[R]) Run(ctx context.Context, link *Link) {
	defer link.Hold()()
	var rv string
	useWatchList := true
	backoff := s.backoff
	for ctx.Err() == nil {
		ls := link.State()
		if ls.Lost {
			s.setState(State{Phase: PhaseBroken, Err: ErrLinkLost})
			select {
			case <-ctx.Done():
				return
			case <-ls.Changed:
			}
			backoff = s.backoff
			continue
		}
		cctx, cancel := context.WithCancel(ctx)
		go func() { // the path lost: give up this cycle, its connection is being closed
			select {
			case <-ls.Changed:
				cancel()
			case <-cctx.Done():
			}
		}()
		began := time.Now()
		nextRV, nextWL, err := s.cycle(cctx, rv, useWatchList)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if link.State().Lost {
			if nextRV != "" {
				rv = nextRV // resume from the last version seen; the load it was in is redone
			}
			continue
		}
		rv, useWatchList = nextRV, nextWL
		if err == nil && time.Since(began) >= minWatchLife {
			backoff = s.backoff // a watch that ran a while and ended: reopen at once
			continue
		}
		if err == nil { // closed at once (a proxy that accepts and hangs up): no tight loop
			if !s.sleep(ctx, backoff, ls.Changed) {
				return
			}
			backoff = min(backoff*2, maxBackoff)
			continue
		}
		if errors.Is(err, errExpired) {
			rv = ""
			continue
		}
		retry := s.now().Add(backoff)
		s.setState(State{Phase: PhaseBroken, Err: err, Retry: retry})
		if !s.sleep(ctx, backoff, ls.Changed) {
			return
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// sleep waits d, or less when wake is closed; it reports false when ctx ended.
func (s *Store[R]) sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-time.After(d):
	}
	return true
}

// maxBackoff caps the wait between reconnection attempts.
const maxBackoff = 10 * time.Second

// minWatchLife is how long a watch must have run for its end, without error, to be
// reopened at once; one that ends sooner is reopened after the backoff.
const minWatchLife = time.Second

var errExpired = errors.New("resource version expired")

// cycle performs one load (when rv is empty) and watches until the watch ends.
// It returns the resource version to resume from and whether WatchList still seems supported.
func (s *Store[R]) cycle(ctx context.Context, rv string, useWatchList bool) (string, bool, error) {
	var err error
	if rv == "" {
		s.mu.Lock()
		first := len(s.rows) == 0 && s.state.LiveSince.IsZero()
		s.mu.Unlock()
		if !first {
			s.setState(State{Phase: PhaseResyncing})
		}
		if useWatchList {
			rv, err = s.watchList(ctx)
			if err != nil && !s.transient(err) {
				useWatchList = false // the server refuses WatchList: fall back to paged LIST
				err = nil
			}
		}
		if !useWatchList {
			rv, err = s.pagedList(ctx)
		}
		if err != nil {
			return "", useWatchList, s.classify(err, "list")
		}
		s.setState(State{Phase: PhaseLive, LiveSince: s.now()})
	}
	w, err := s.src.Watch(ctx, metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true, LabelSelector: s.src.Selector})
	if err != nil {
		if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
			return "", useWatchList, errExpired
		}
		return rv, useWatchList, s.classify(err, "watch")
	}
	if s.State().Phase != PhaseLive {
		s.setState(State{Phase: PhaseLive, LiveSince: s.now()})
	}
	defer w.Stop()
	rv, err = s.follow(ctx, w, rv, nil)
	return rv, useWatchList, err
}

// transient reports errors worth retrying with WatchList rather than falling back.
func (s *Store[R]) transient(err error) bool {
	k := kindOf(err)
	return k == KindUnreachable || k == KindForbidden || k == KindUnauthorized || errors.Is(err, context.Canceled)
}

func (s *Store[R]) classify(err error, verb string) error {
	return Classify(err, verb, s.src.Resource, s.src.Namespace)
}

// watchList streams the initial state through a watch and returns the resource version
// of the bookmark that ends the initial events.
//
// The stream is then closed and the caller watches on from that version with a plain
// watch: the server compresses a WatchList stream one flush at a time, so every later
// event on it would arrive as a gzip stream of its own, costing both ends a compressor
// for one pod. The initial state, sent in large flushes, keeps its compression.
func (s *Store[R]) watchList(ctx context.Context) (string, error) {
	w, err := s.src.Watch(ctx, metav1.ListOptions{
		SendInitialEvents:    ptr.To(true),
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
		AllowWatchBookmarks:  true,
		LabelSelector:        s.src.Selector,
	})
	if err != nil {
		return "", err
	}
	defer w.Stop()
	seen := map[Key]struct{}{}
	rv, err := s.follow(ctx, w, "", seen)
	if err != nil {
		return "", err
	}
	s.prune(seen)
	return rv, nil
}

// follow applies watch events until the watch closes, fails or (when seen is non-nil)
// the initial events end; seen collects the keys of the initial state.
func (s *Store[R]) follow(ctx context.Context, w watch.Interface, rv string, seen map[Key]struct{}) (string, error) {
	for {
		select {
		case <-ctx.Done():
			return rv, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				if seen != nil {
					return rv, errors.New("watch closed before the initial list completed")
				}
				return rv, nil
			}
			switch ev.Type {
			case watch.Error:
				err := apierrors.FromObject(ev.Object)
				if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
					return "", errExpired
				}
				return rv, err
			case watch.Bookmark:
				m, err := meta.Accessor(ev.Object)
				if err != nil {
					continue
				}
				rv = m.GetResourceVersion()
				if seen != nil && m.GetAnnotations()[metav1.InitialEventsAnnotationKey] == "true" {
					return rv, nil
				}
			case watch.Added, watch.Modified:
				row, ok := s.src.Convert(ev.Object)
				if m, err := meta.Accessor(ev.Object); err == nil {
					rv = m.GetResourceVersion()
				}
				if !ok {
					continue
				}
				if seen != nil {
					seen[row.RowKey()] = struct{}{}
				}
				s.upsert(row)
			case watch.Deleted:
				if m, err := meta.Accessor(ev.Object); err == nil {
					rv = m.GetResourceVersion()
					s.remove(Key{Namespace: m.GetNamespace(), Name: m.GetName()})
				}
			}
		}
	}
}

// pagedList loads the current state page by page (never with resourceVersion "0", which
// makes the watch cache ignore the limit) and returns the list's resource version.
func (s *Store[R]) pagedList(ctx context.Context) (string, error) {
	seen := map[Key]struct{}{}
	opts := metav1.ListOptions{Limit: 500, LabelSelector: s.src.Selector}
	for {
		list, err := s.src.List(ctx, opts)
		if err != nil {
			return "", err
		}
		for _, obj := range s.src.Items(list) {
			if row, ok := s.src.Convert(obj); ok {
				seen[row.RowKey()] = struct{}{}
				s.upsert(row)
			}
		}
		lm, err := meta.ListAccessor(list)
		if err != nil {
			return "", err
		}
		if lm.GetContinue() == "" {
			s.prune(seen)
			return lm.GetResourceVersion(), nil
		}
		opts.Continue = lm.GetContinue()
	}
}
