package ui

import (
	"testing"
	"time"
)

// fakeSource is a LiveSource whose snapshots are set by the test.
type fakeSource struct {
	changed chan struct{}
	value   int
	closed  bool
}

func (f *fakeSource) Changed() <-chan struct{} { return f.changed }
func (f *fakeSource) Snapshot() int            { return f.value }
func (f *fakeSource) Close()                   { f.closed = true }

// A Live starts from its initial value, opens its source only at Init, takes its own
// messages (and no one else's), and closes the source with the page.
func TestLive(t *testing.T) {
	env := &Env{}
	src := &fakeSource{changed: make(chan struct{}, 1), value: 7}
	opened := 0
	l := NewLive(env, 3, func() LiveSource[int] { opened++; return src })
	other := NewLive(env, 0, func() LiveSource[int] { return src })
	if l.Value != 3 || opened != 0 {
		t.Fatalf("before Init: value %d, opened %d", l.Value, opened)
	}
	cmd := l.Init()
	if opened != 1 || cmd == nil {
		t.Fatalf("Init opened %d sources, cmd %v", opened, cmd)
	}
	src.changed <- struct{}{}
	msg := cmd()
	if _, ok := other.Accept(msg); ok {
		t.Fatalf("another Live took this Live's message")
	}
	next, ok := l.Accept(msg)
	if !ok || l.Value != 7 || next == nil {
		t.Fatalf("Accept: ok %v value %d", ok, l.Value)
	}
	l.Close()
	l.Close()
	if !src.closed {
		t.Fatalf("Close did not close the source")
	}
	done := make(chan any, 1)
	go func() { done <- next() }()
	select {
	case m := <-done:
		if m != nil {
			t.Fatalf("a closed Live delivered %v", m)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("a closed Live's pending command did not end")
	}
	if _, ok := l.Accept(msg); ok {
		t.Fatalf("a closed Live accepted a message")
	}
}

type noted string

func (n noted) Note() string { return string(n) }

func TestWithNote(t *testing.T) {
	f := Freshness{Text: "live · 3 pods"}
	if got := WithNote(f, noted("metrics API not installed")).Text; got != "live · 3 pods · metrics API not installed" {
		t.Errorf("got %q", got)
	}
	if got := WithNote(f, noted("")).Text; got != f.Text {
		t.Errorf("an empty note changed the text: %q", got)
	}
	if got := WithNote(f, nil).Text; got != f.Text {
		t.Errorf("nil changed the text: %q", got)
	}
}
