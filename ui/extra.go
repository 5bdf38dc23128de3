package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Extra is a second live data source a list page shows beside its rows (pod metrics
// beside pods). The page starts it in Init, offers it every message in Update and closes
// it with the page; its columns read what it holds, on the UI goroutine.
type Extra interface {
	// Init returns the command that waits for the source's first change.
	Init() tea.Cmd
	// Accept takes msg when it is the source's own, returning the command for the next one.
	Accept(msg tea.Msg) (tea.Cmd, bool)
	// Close stops the source; its pending messages are dropped.
	Close()
}

// LiveSource is what a Live follows: something that signals changes and hands out
// immutable snapshots (a kube.MetricsSub), and that is closed when no longer wanted.
type LiveSource[X any] interface {
	Changed() <-chan struct{}
	Snapshot() X
	Close()
}

// LiveMsg carries a new value to the Live with the same ID.
type LiveMsg[X any] struct {
	ID    uint64
	Value X
}

// Live keeps the latest snapshot of a LiveSource for a page, delivered as messages at most
// once per FeedInterval. It is an Extra. Its Value is only read and written on the UI
// goroutine.
type Live[X any] struct {
	Value  X
	id     uint64
	open   func() LiveSource[X]
	src    LiveSource[X] // nil until Init
	done   chan struct{}
	closed bool
	last   time.Time
}

// NewLive starts from initial (a snapshot taken without I/O, so a page opened over a running
// source paints its data at once) and follows the source that open returns, from Init until
// Close. A nil open gives a Live that keeps initial.
func NewLive[X any](env *Env, initial X, open func() LiveSource[X]) *Live[X] {
	return &Live[X]{Value: initial, id: env.NextID(), open: open, done: make(chan struct{})}
}

// Init implements Extra: it opens the source.
func (l *Live[X]) Init() tea.Cmd {
	if l.open != nil && l.src == nil && !l.closed {
		l.src = l.open()
	}
	return l.next()
}

func (l *Live[X]) next() tea.Cmd {
	if l.src == nil || l.closed {
		return nil
	}
	wait := time.Until(l.last.Add(FeedInterval))
	src, done, id := l.src, l.done, l.id
	return func() tea.Msg {
		if wait > 0 {
			select {
			case <-done:
				return nil
			case <-time.After(wait):
			}
		}
		select {
		case <-done:
			return nil
		case <-src.Changed():
			return LiveMsg[X]{ID: id, Value: src.Snapshot()}
		}
	}
}

// Accept implements Extra.
func (l *Live[X]) Accept(msg tea.Msg) (tea.Cmd, bool) {
	m, ok := msg.(LiveMsg[X])
	if !ok || m.ID != l.id || l.closed {
		return nil, false
	}
	l.Value = m.Value
	l.last = time.Now()
	return l.next(), true
}

// Close implements Extra.
func (l *Live[X]) Close() {
	if l.closed {
		return
	}
	l.closed = true
	close(l.done)
	if l.src != nil {
		l.src.Close()
	}
}

// Noter is an Extra with something to say in the status line ("metrics API not installed").
type Noter interface {
	Note() string
}

// WithNote appends x's note to f's text when x is a Noter with a note.
func WithNote(f Freshness, x any) Freshness {
	if n, ok := x.(Noter); ok {
		if note := n.Note(); note != "" {
			f.Text += " · " + note
		}
	}
	return f
}
