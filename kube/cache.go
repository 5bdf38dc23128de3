package kube

import "context"

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

// Run runs both stores until ctx ends.
func (j *Joined[R, S]) Run(ctx context.Context, link *Link) {
	go j.secondary.Run(ctx, link)
	go j.primary.Run(ctx, link)
	for {
		select {
		case <-ctx.Done():
			return
		case <-j.primary.Changed():
		case <-j.secondary.Changed():
		}
		select {
		case j.changed <- struct{}{}:
		default:
		}
	}
}

// Changed receives a value when either store changed.
func (j *Joined[R, S]) Changed() <-chan struct{} { return j.changed }

// Snapshot joins the two stores' current rows; its state is the less trustworthy of theirs.
func (j *Joined[R, S]) Snapshot() Snapshot[R] {
	p, s := j.primary.Snapshot(), j.secondary.Snapshot()
	return Snapshot[R]{Rows: j.join(p.Rows, s.Rows, !s.State.LiveSince.IsZero()), State: WorseState(p.State, s.State)}
}

// State is the less trustworthy of the two stores' states.
func (j *Joined[R, S]) State() State { return WorseState(j.primary.State(), j.secondary.State()) }

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
