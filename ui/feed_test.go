package ui

import (
	"context"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
)

// scriptedCache is a kube.Cache whose rows and phase the test sets.
type scriptedCache struct {
	mu      sync.Mutex
	rows    []*item
	phase   kube.Phase
	changed chan struct{}
}

func (c *scriptedCache) Run(ctx context.Context, _ *kube.Link) { <-ctx.Done() }
func (c *scriptedCache) Changed() <-chan struct{}              { return c.changed }
func (c *scriptedCache) State() kube.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return kube.State{Phase: c.phase}
}
func (c *scriptedCache) Snapshot() kube.Snapshot[*item] {
	c.mu.Lock()
	defer c.mu.Unlock()
	return kube.Snapshot[*item]{Rows: c.rows, State: kube.State{Phase: c.phase}}
}

func (c *scriptedCache) set(phase kube.Phase, names ...string) {
	c.mu.Lock()
	c.phase, c.rows = phase, nil
	for _, n := range names {
		c.rows = append(c.rows, &item{"ns", n})
	}
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// take runs cmd, accepts its snapshot and returns it, with how long the command took and
// the command for the next one.
func take(t *testing.T, f *Feed[*item], cmd tea.Cmd) (kube.Snapshot[*item], time.Duration, tea.Cmd) {
	t.Helper()
	start := time.Now()
	snap, next, ok := f.Accept(cmd())
	if !ok {
		t.Fatalf("the feed's own message was not accepted")
	}
	return snap, time.Since(start), next
}

// Changes of rows are coalesced to one snapshot per FeedInterval, holding the newest rows;
// a change of phase (here: loaded) is delivered at once.
func TestFeedCoalescesRowsButNotPhases(t *testing.T) {
	c := &scriptedCache{changed: make(chan struct{}, 1)}
	f := StartFeed(&Env{}, kube.Cache[*item](c))
	defer f.Stop()
	c.set(kube.PhaseLoading, "a")
	next := f.Next()
	snap, took, next := take(t, f, next)
	if len(snap.Rows) != 1 || took > FeedInterval/2 {
		t.Fatalf("first snapshot: %d rows after %s, want 1 at once", len(snap.Rows), took)
	}

	go func() {
		c.set(kube.PhaseLoading, "a", "b")
		time.Sleep(FeedInterval / 5)
		c.set(kube.PhaseLoading, "a", "b", "c")
	}()
	snap, took, next = take(t, f, next)
	if took < FeedInterval*8/10 || len(snap.Rows) != 3 {
		t.Fatalf("rows changed twice: snapshot of %d rows after %s, want the 3 newest after about %s", len(snap.Rows), took, FeedInterval)
	}

	c.set(kube.PhaseLoading, "a", "b", "c", "d")
	go func() {
		time.Sleep(FeedInterval / 5)
		c.set(kube.PhaseLive, "a", "b", "c", "d", "e")
	}()
	snap, took, _ = take(t, f, next)
	if snap.State.Phase != kube.PhaseLive || len(snap.Rows) != 5 || took > FeedInterval*7/10 {
		t.Fatalf("phase changed: snapshot %v with %d rows after %s, want live with 5 well before %s", snap.State.Phase, len(snap.Rows), took, FeedInterval)
	}
}
