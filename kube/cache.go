package kube

import (
	"context"
	"errors"
	"fmt"
)

// Cache is what a view reads rows from: one Store, or several stores joined into one row
// type (services with their endpoint counts).
type Cache[R Row] interface {
	// Run keeps the rows current until ctx ends; link, when not nil, is the path to the
	// server the rows come from (see Store.Run).
	Run(ctx context.Context, link *Link)
	// Changed receives a value (coalesced) whenever rows or state changed.
	Changed() <-chan struct{}
	// Snapshot returns the current rows and state.
	Snapshot() Snapshot[R]
	// State returns the current state alone, without copying rows.
	State() State
}

// Joined is a Cache whose rows are a primary store's rows completed from a secondary
// store's rows by a pure join function, run on each snapshot (off the UI goroutine's
// hot path: at most one per feed interval).
type Joined[R, S Row] struct {
	primary   *Store[R]
	secondary *Store[S]
	join      func(rows []R, aux []S, loaded bool) []R
	changed   chan struct{}
	optional  bool // see Optional
}

// NewJoined returns a cache of primary's rows completed by join from secondary's rows.
// join must not modify its arguments: it returns new rows where it changes one.
func NewJoined[R, S Row](primary Source[R], secondary Source[S], join func(rows []R, aux []S) []R) *Joined[R, S] {
	return NewJoinedLoaded(primary, secondary, func(rows []R, aux []S, _ bool) []R { return join(rows, aux) })
}

// NewJoinedLoaded is NewJoined for a join that tells a row absent from secondary (a missing
// secret) from one not listed yet: loaded is false until secondary's first full load.
func NewJoinedLoaded[R, S Row](primary Source[R], secondary Source[S], join func(rows []R, aux []S, loaded bool) []R) *Joined[R, S] {
	return &Joined[R, S]{primary: NewStore(primary), secondary: NewStore(secondary), join: join,
		changed: make(chan struct{}, 1)}
}

// Optional marks the secondary store as something the rows can do without (the TLS
// secrets an ingress names): while RBAC refuses to list it, the cache's state is the
// primary's alone and rows are joined as not loaded, rather than the whole list shown as
// broken to a user who may read the primary resource but not the secondary. It returns j.
func (j *Joined[R, S]) Optional() *Joined[R, S] {
	j.optional = true
	return j
}

// combined is the cache's state from the primary's (p) and the secondary's (s), and
// whether the secondary's rows have been fully listed.
func (j *Joined[R, S]) combined(p, s State) (st State, loaded bool) {
	if j.optional && s.Phase == PhaseBroken && KindOf(s.Err) == KindForbidden {
		return p, false
	}
	return WorseState(p, s), !s.LiveSince.IsZero()
}

// Run runs both stores until ctx ends.
func (j *Joined[R, S]) Run(ctx context.Context, link *Link) {
	runAll(ctx, link, j.changed, j.secondary, j.primary)
}

// Changed receives a value when either store changed.
func (j *Joined[R, S]) Changed() <-chan struct{} { return j.changed }

// Snapshot joins the two stores' current rows; its state is the less trustworthy of theirs.
func (j *Joined[R, S]) Snapshot() Snapshot[R] {
	p, s := j.primary.Snapshot(), j.secondary.Snapshot()
	st, loaded := j.combined(p.State, s.State)
	return Snapshot[R]{Rows: j.join(p.Rows, s.Rows, loaded), State: st}
}

// State is the less trustworthy of the two stores' states.
func (j *Joined[R, S]) State() State {
	st, _ := j.combined(j.primary.State(), j.secondary.State())
	return st
}

// WorseState returns the less trustworthy of two states: broken before resyncing before
// loading before live; LiveSince is the older of the two.
func WorseState(a, b State) State {
	rank := func(p Phase) int {
		switch p {
		case PhaseBroken:
			return 3
		case PhaseResyncing:
			return 2
		case PhaseLoading:
			return 1
		}
		return 0
	}
	w := a
	if rank(b.Phase) > rank(a.Phase) {
		w = b
	}
	w.LiveSince = a.LiveSince
	if b.LiveSince.Before(a.LiveSince) {
		w.LiveSince = b.LiveSince
	}
	return w
}

// runner is a Store or a Cache, as runAll runs it.
type runner interface {
	Run(ctx context.Context, link *Link)
	Changed() <-chan struct{}
}

// runAll runs every part until ctx ends and signals changed (coalesced) whenever one of
// them changed.
func runAll(ctx context.Context, link *Link, changed chan struct{}, parts ...runner) {
	for _, p := range parts {
		go p.Run(ctx, link)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-p.Changed():
				}
				select {
				case changed <- struct{}{}:
				default:
				}
			}
		}()
	}
	<-ctx.Done()
}

// Merged is one Cache of the rows of several caches of one row type: a list of several
// namespaces, or of several clusters. Parts are given in key order (namespaces sorted,
// clusters sorted), so their rows one after the other are in key order too.
type Merged[R Row] struct {
	parts   []Cache[R]
	names   []string // see Independent; nil when the parts stand or fall together
	changed chan struct{}
}

// NewMerged returns a cache of the parts' rows, in the parts' order. Its state is the
// least trustworthy of theirs.
func NewMerged[R Row](parts ...Cache[R]) *Merged[R] {
	return &Merged[R]{parts: parts, changed: make(chan struct{}, 1)}
}

// Independent marks the parts as sources that fail alone, named by names (the clusters of
// a list of several): while some but not all of them are broken, the cache's state is the
// others', with Partial saying which are stale and why, so the rows of a cluster that still
// answers are not shown as stale with the rest. It returns m.
func (m *Merged[R]) Independent(names []string) *Merged[R] {
	m.names = names
	return m
}

// Run runs every part until ctx ends.
func (m *Merged[R]) Run(ctx context.Context, link *Link) {
	parts := make([]runner, len(m.parts))
	for i, p := range m.parts {
		parts[i] = p
	}
	runAll(ctx, link, m.changed, parts...)
}

// Changed receives a value when any part changed.
func (m *Merged[R]) Changed() <-chan struct{} { return m.changed }

// Snapshot is every part's rows, one part after the other.
func (m *Merged[R]) Snapshot() Snapshot[R] {
	snaps := make([]Snapshot[R], len(m.parts))
	n := 0
	for i, p := range m.parts {
		snaps[i] = p.Snapshot()
		n += len(snaps[i].Rows)
	}
	rows := make([]R, 0, n)
	states := make([]State, len(snaps))
	for i, s := range snaps {
		rows = append(rows, s.Rows...)
		states[i] = s.State
	}
	return Snapshot[R]{Rows: rows, State: m.combine(states)}
}

// State is the parts' states combined (see NewMerged and Independent).
func (m *Merged[R]) State() State {
	states := make([]State, len(m.parts))
	for i, p := range m.parts {
		states[i] = p.State()
	}
	return m.combine(states)
}

func (m *Merged[R]) combine(states []State) State {
	worst := states[0]
	for _, st := range states[1:] {
		worst = WorseState(worst, st)
	}
	if m.names == nil {
		return worst
	}
	var others *State
	var stale []error
	for i, st := range states {
		if st.Phase == PhaseBroken {
			stale = append(stale, fmt.Errorf("%s: %w", m.names[i], st.Err))
			continue
		}
		if others == nil {
			others = &st
		} else {
			*others = WorseState(*others, st)
		}
	}
	if others == nil || len(stale) == 0 {
		return worst
	}
	others.Partial = staleParts{errors.Join(stale...)}
	return *others
}

// staleParts is the Partial of a Merged whose independent parts are broken: their rows are
// stale.
type staleParts struct{ error }

func (s staleParts) Unwrap() error { return s.error }

// IsStale says whether a State's Partial is about stale rows (a cluster of several that
// stopped answering) rather than rows that cannot be read at all.
func IsStale(partial error) bool {
	var s staleParts
	return errors.As(partial, &s)
}
