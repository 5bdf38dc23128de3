package ui

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/kdeck/kdeck/kube"
)

// Warm bounds: a closed list's store keeps watching for WarmFor; at most WarmStores stores
// holding at most WarmRows rows together are kept (about 15 MB of pod rows at 50k), the
// least recently closed going first.
const (
	WarmFor    = 5 * time.Minute
	WarmStores = 4
	WarmRows   = 60_000
)

// Warm keeps the stores of recently closed list pages running, so going back to a view
// shows its whole list at once and asks the server for nothing new: no LIST, no
// WatchList, the watch goes on from where it was. One Warm serves a program; a context
// switch drops the other clients' stores (Retain).
type Warm struct {
	mu      sync.Mutex
	entries []*warmEntry  // least recently closed first
	ttl     time.Duration // WarmFor when 0; shorter in tests
}

// warmKey names what a store lists: the client, the view's source and its narrowing.
type warmKey struct {
	client                    *kube.Client
	source                    string // ListSpec.Warm
	ns, selector, fieldSelect string
}

type warmEntry struct {
	key   warmKey
	cache any // a kube.Cache[R] of the page that closed
	stop  context.CancelFunc
	rows  int
	timer *time.Timer
}

// put keeps cache (running until stop is called) for key, dropping older stores beyond the
// bounds. A nil Warm, or a store too big to keep, is stopped at once.
func (w *Warm) put(key warmKey, cache any, stop context.CancelFunc, rows int) {
	if w == nil || rows > WarmRows {
		stop()
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dropLocked(func(e *warmEntry) bool { return e.key == key })
	e := &warmEntry{key: key, cache: cache, stop: stop, rows: rows}
	e.timer = time.AfterFunc(cmp.Or(w.ttl, WarmFor), func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.dropLocked(func(x *warmEntry) bool { return x == e })
	})
	w.entries = append(w.entries, e)
	for total := w.rowsLocked(); len(w.entries) > WarmStores || total > WarmRows; total = w.rowsLocked() {
		first := w.entries[0]
		w.dropLocked(func(x *warmEntry) bool { return x == first })
	}
}

// take returns the running store kept for key, and the function that stops it, removing
// it from w; ok is false when there is none.
func (w *Warm) take(key warmKey) (cache any, stop context.CancelFunc, ok bool) {
	if w == nil {
		return nil, nil, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	i := slices.IndexFunc(w.entries, func(e *warmEntry) bool { return e.key == key })
	if i < 0 {
		return nil, nil, false
	}
	e := w.entries[i]
	e.timer.Stop()
	w.entries = slices.Delete(w.entries, i, i+1)
	return e.cache, e.stop, true
}

// Retain stops every store kept for a client other than c (after a context switch).
func (w *Warm) Retain(c *kube.Client) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dropLocked(func(e *warmEntry) bool { return e.key.client != c })
}

// Len is the number of stores kept.
func (w *Warm) Len() int {
	if w == nil {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.entries)
}

// dropLocked stops and removes the entries drop selects.
func (w *Warm) dropLocked(drop func(*warmEntry) bool) {
	w.entries = slices.DeleteFunc(w.entries, func(e *warmEntry) bool {
		if !drop(e) {
			return false
		}
		e.timer.Stop()
		e.stop()
		return true
	})
}

func (w *Warm) rowsLocked() int {
	n := 0
	for _, e := range w.entries {
		n += e.rows
	}
	return n
}
