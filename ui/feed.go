package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
)

// FeedInterval is the shortest time between two snapshots of changed rows delivered to a
// page (4 Hz): every delivered snapshot redraws the screen, and under churn most of them
// change only a count. A change of phase (loaded, broken, reloading) is delivered at once.
const FeedInterval = 250 * time.Millisecond

// SnapshotMsg carries a store snapshot to the page whose feed has the same ID.
type SnapshotMsg[R kube.Row] struct {
	ID       uint64
	Snapshot kube.Snapshot[R]
}

// Feed runs one store for one page and delivers its snapshots as messages, coalesced to
// at most one per FeedInterval unless the phase changed. A stopped feed's messages are
// recognised and dropped.
type Feed[R kube.Row] struct {
	id        uint64
	store     kube.Cache[R]
	ctx       context.Context    // the feed's: ends its Next
	cancel    context.CancelFunc // ends the feed
	stopStore context.CancelFunc // ends the store's Run
	last      time.Time          // when the page took the last snapshot
	phase     kube.Phase         // the phase of that snapshot
	less      func(a, b R) int   // display order applied to each snapshot; nil keeps key order
}

// StartFeed runs cache (a kube.Store, or stores joined) in the background.
func StartFeed[R kube.Row](env *Env, cache kube.Cache[R]) *Feed[R] {
	runCtx, stop := context.WithCancel(context.Background())
	var link *kube.Link
	if env.Client != nil {
		link = env.Client.Link
	}
	go cache.Run(runCtx, link)
	return AdoptFeed(env, cache, stop)
}

// AdoptFeed feeds a page from cache, already running until stop is called (a store kept
// warm, see Warm).
func AdoptFeed[R kube.Row](env *Env, cache kube.Cache[R], stop context.CancelFunc) *Feed[R] {
	ctx, cancel := context.WithCancel(context.Background())
	return &Feed[R]{id: env.NextID(), store: cache, ctx: ctx, cancel: cancel, stopStore: stop}
}

// Next waits for the store's next change and returns it as a SnapshotMsg: at once when
// the phase changed or FeedInterval has passed since the last one, else when it has.
func (f *Feed[R]) Next() tea.Cmd {
	due, phase, less := f.last.Add(FeedInterval), f.phase, f.less
	return func() tea.Msg {
		select {
		case <-f.ctx.Done():
			return nil
		case <-f.store.Changed():
		}
		for wait := time.Until(due); wait > 0 && f.store.State().Phase == phase; wait = time.Until(due) {
			select {
			case <-f.ctx.Done():
				return nil
			case <-time.After(wait):
			case <-f.store.Changed(): // more changes: look at the phase again
			}
		}
		snap := f.store.Snapshot()
		if less != nil {
			slices.SortStableFunc(snap.Rows, less) // the snapshot's own copy
		}
		return SnapshotMsg[R]{ID: f.id, Snapshot: snap}
	}
}

// Accept returns the snapshot in msg when msg belongs to this feed, and the command that
// waits for the following one.
func (f *Feed[R]) Accept(msg tea.Msg) (kube.Snapshot[R], tea.Cmd, bool) {
	m, ok := msg.(SnapshotMsg[R])
	if !ok || m.ID != f.id || f.ctx.Err() != nil {
		return kube.Snapshot[R]{}, nil, false
	}
	f.last, f.phase = time.Now(), m.Snapshot.State.Phase
	return m.Snapshot, f.Next(), true
}

// Stop ends the store's watch; pending messages from it are dropped by Accept.
func (f *Feed[R]) Stop() {
	f.cancel()
	f.stopStore()
}

// Detach ends the feed but not its store, and returns the store with the function that
// stops it: for a page that closes and keeps its store warm.
func (f *Feed[R]) Detach() (kube.Cache[R], context.CancelFunc) {
	f.cancel()
	return f.store, f.stopStore
}

// StaleTitle marks title STALE while the watch behind it is broken, so rows that may be
// out of date never read as current.
func StaleTitle(title string, st kube.State) string {
	switch {
	case st.Phase == kube.PhaseBroken:
		return title + " STALE"
	case kube.IsStale(st.Partial):
		return title + " PARTLY STALE"
	}
	return title
}

// FreshnessOf describes a store's state for the status line; noun names its rows ("pods").
// Live rows with a Partial state are a warning that says what is not shown.
func FreshnessOf(st kube.State, rows int, noun string, now time.Time) Freshness {
	switch st.Phase {
	case kube.PhaseLoading:
		return Freshness{Level: LevelInfo, Text: fmt.Sprintf("loading %s… %s so far", noun, Count(rows))}
	case kube.PhaseResyncing:
		return Freshness{Level: LevelWarn, Text: fmt.Sprintf("reconnected, reloading %s…", noun)}
	case kube.PhaseBroken:
		text := "watch broken: " + st.Err.Error()
		if kube.KindOf(st.Err) == kube.KindForbidden {
			text = st.Err.Error() // says which verb on which resource where
		}
		if errors.Is(st.Err, kube.ErrLinkLost) {
			text = st.Err.Error() // plainly: not the server's fault
		}
		if !st.LiveSince.IsZero() {
			text += "; rows from " + Ago(now.Sub(st.LiveSince))
		}
		if wait := st.Retry.Sub(now); wait > 0 {
			text += fmt.Sprintf("; retrying in %ds", int(wait.Seconds()+0.999))
		} else {
			text += "; retrying"
		}
		return Freshness{Level: LevelError, Text: text, Disconnected: kube.KindOf(st.Err) == kube.KindUnreachable}
	}
	if st.Partial != nil { // a source refused, or a cluster of several not answering
		return Freshness{Level: LevelWarn, Text: fmt.Sprintf("live · %s %s · %v", Count(rows), noun, st.Partial)}
	}
	return Freshness{Level: LevelOK, Text: fmt.Sprintf("live · %s %s", Count(rows), noun)}
}

// Ago renders a past duration as "40s ago", "3m ago", "2h ago".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh ago", int(d.Hours()))
}

// Count renders n with thousands separators: 50000 → "50,000".
func Count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
