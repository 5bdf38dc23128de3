package ui

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

// countedCache is a scriptedCache that counts how often it was started and stopped.
type countedCache struct {
	scriptedCache
	runs, stops atomic.Int32
}

func (c *countedCache) Run(ctx context.Context, _ *kube.Link) {
	c.runs.Add(1)
	<-ctx.Done()
	c.stops.Add(1)
}

// warmPage is a list page whose spec is kept warm and whose store is cache.
func warmPage(env *Env, cache kube.Cache[*item]) *ListPage[*item] {
	spec := ListSpec[*item]{Noun: "items", Warm: "items",
		Columns: func(*Env, bool) []Column[*item] {
			return []Column[*item]{{Name: "NAME", Flex: true, Value: func(i *item) string { return i.name }}}
		},
		Cache: func(*Env, string, string) kube.Cache[*item] { return cache },
	}
	return NewListPage(env, spec, "ns")
}

// A live list closed and opened again keeps its one store: the second page shows every row
// in Init, before any message, and nothing was started again.
func TestWarmListReturnsAtOnce(t *testing.T) {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now, Warm: &Warm{}}
	first := &countedCache{scriptedCache: scriptedCache{changed: make(chan struct{}, 1)}}
	first.set(kube.PhaseLive, "a", "b", "c")
	p := warmPage(env, first)
	p.Init()
	p.Show(first.Snapshot())
	p.Close()
	if env.Warm.Len() != 1 {
		t.Fatalf("a live list was not kept: %d kept", env.Warm.Len())
	}
	second := &countedCache{scriptedCache: scriptedCache{changed: make(chan struct{}, 1)}}
	back := warmPage(env, second)
	back.Init()
	if back.table.Len() != 3 || back.Title() != "items(ns)[3]" {
		t.Fatalf("returned page shows %d rows (%s), want all 3 at once", back.table.Len(), back.Title())
	}
	waitUntil(t, "the first store running", func() bool { return first.runs.Load() == 1 })
	if second.runs.Load() != 0 || first.stops.Load() != 0 || env.Warm.Len() != 0 {
		t.Fatalf("runs %d/%d, stops %d, kept %d: the store was not taken over", first.runs.Load(), second.runs.Load(),
			first.stops.Load(), env.Warm.Len())
	}
	back.Close()
	env.Warm.Retain(&kube.Client{}) // another cluster now
	waitUntil(t, "the store stopped", func() bool { return first.stops.Load() == 1 })
}

// A list that is not live (loading, broken) is not kept: its rows would not be whole.
func TestWarmKeepsOnlyLiveLists(t *testing.T) {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now, Warm: &Warm{}}
	c := &countedCache{scriptedCache: scriptedCache{changed: make(chan struct{}, 1)}}
	c.set(kube.PhaseLoading, "a")
	p := warmPage(env, c)
	p.Init()
	p.Show(c.Snapshot())
	p.Close()
	if env.Warm.Len() != 0 {
		t.Fatal("a loading list was kept")
	}
	waitUntil(t, "the store stopped", func() bool { return c.stops.Load() == 1 })
}

// The bounds: at most WarmStores stores and WarmRows rows, the oldest dropped first; a
// store is dropped after its time; a store too big is never kept.
func TestWarmBounds(t *testing.T) {
	w := &Warm{ttl: 50 * time.Millisecond}
	var mu sync.Mutex
	stops := map[string]bool{} // written by the expiry timers too
	stopped := func(name string) bool {
		mu.Lock()
		defer mu.Unlock()
		return stops[name]
	}
	put := func(name string, rows int) {
		w.put(warmKey{source: name}, name, func() { mu.Lock(); stops[name] = true; mu.Unlock() }, rows)
	}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		put(n, 10)
	}
	if w.Len() != WarmStores || !stopped("a") || stopped("b") {
		t.Fatalf("kept %d, a stopped %v, b stopped %v", w.Len(), stopped("a"), stopped("b"))
	}
	put("big", WarmRows-25) // with b, c, d and e (40 rows) 15 too many: b and c go
	if !stopped("b") || !stopped("c") || stopped("d") || w.Len() != 3 {
		t.Fatalf("rows bound: kept %d, stopped b %v c %v d %v", w.Len(), stopped("b"), stopped("c"), stopped("d"))
	}
	put("huge", WarmRows+1)
	if !stopped("huge") {
		t.Fatal("a store over the rows bound was kept")
	}
	if _, _, ok := w.take(warmKey{source: "d"}); !ok || w.Len() != 2 {
		t.Fatalf("take d: ok %v, %d left", ok, w.Len())
	}
	waitUntil(t, "the rest to expire", func() bool { return w.Len() == 0 })
	if stopped("d") {
		t.Fatal("a store taken out was stopped by its timer")
	}
}

// waitUntil polls cond for up to 2 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(2 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
