package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"k8s.io/apimachinery/pkg/util/duration"
)

// TextRefreshInterval is how often a fetched value (a TextPage's text) is fetched again on
// its own.
const TextRefreshInterval = 5 * time.Second

// textFetchTimeout bounds one fetch.
const textFetchTimeout = 30 * time.Second

// Fetched keeps a value read from the cluster (an object's describe, an owner tree) fresh:
// it fetches it again every TextRefreshInterval and on Refresh, in commands; results carry
// the owner's ID and are dropped once stale. A failed fetch keeps the previous value and
// says how old it is, so the page never shows old state as current.
type Fetched[T any] struct {
	env   *Env
	fetch func(ctx context.Context) (T, error)
	id    uint64
	ctx   context.Context
	stop  context.CancelFunc

	Value    T
	Loaded   bool      // a value has arrived
	At       time.Time // when Value was fetched
	Err      error     // the last fetch's error, nil when it succeeded
	inflight bool
	tickGen  uint64 // only the refresh tick of this generation fetches
}

// fetchedMsg is one fetch's result, for the Fetched with ID id.
type fetchedMsg[T any] struct {
	id    uint64
	value T
	err   error
	at    time.Time
}

// fetchTickMsg asks the Fetched with ID id to fetch again, if gen is still its generation.
type fetchTickMsg struct{ id, gen uint64 }

// NewFetched returns a Fetched of what fetch returns; fetch runs off the UI goroutine and
// must honour its context.
func NewFetched[T any](env *Env, fetch func(ctx context.Context) (T, error)) *Fetched[T] {
	ctx, stop := context.WithCancel(context.Background())
	return &Fetched[T]{env: env, fetch: fetch, id: env.NextID(), ctx: ctx, stop: stop}
}

// Refresh returns the command that fetches the value again now (nothing while a fetch runs).
func (f *Fetched[T]) Refresh() tea.Cmd {
	if f.inflight || f.ctx.Err() != nil {
		return nil
	}
	f.inflight = true
	ctx, fetch, id, now := f.ctx, f.fetch, f.id, f.env.Now
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, textFetchTimeout)
		defer cancel()
		v, err := fetch(ctx)
		return fetchedMsg[T]{id: id, value: v, err: err, at: now()}
	}
}

// Set records the result of a fetch made at time at: the value, or err with the previous
// value kept.
func (f *Fetched[T]) Set(v T, err error, at time.Time) {
	f.Err = err
	if err == nil {
		f.Value, f.Loaded, f.At = v, true, at
	}
}

// Accept takes f's results and refresh ticks: ok reports whether msg was f's, changed
// whether Value was replaced; cmd schedules what comes next.
func (f *Fetched[T]) Accept(msg tea.Msg) (changed, ok bool, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case fetchedMsg[T]:
		if msg.id != f.id || f.ctx.Err() != nil {
			return false, msg.id == f.id, nil
		}
		f.inflight = false
		f.Set(msg.value, msg.err, msg.at)
		f.tickGen++
		id, gen := f.id, f.tickGen
		return msg.err == nil, true, tea.Tick(TextRefreshInterval, func(time.Time) tea.Msg { return fetchTickMsg{id, gen} })
	case fetchTickMsg:
		if msg.id != f.id {
			return false, false, nil
		}
		if msg.gen != f.tickGen {
			return false, true, nil
		}
		return false, true, f.Refresh()
	}
	return false, false, nil
}

// Placeholder is what a page shows before the first value: "loading…", or the error with
// how to retry.
func (f *Fetched[T]) Placeholder(width, height int) string {
	msg := f.env.Styles.Muted.Render("loading…")
	if f.Err != nil {
		msg = f.env.Styles.Bad.Render(ansi.Wrap(f.Err.Error(), max(width, 1), " ")) +
			"\n\n" + f.env.Styles.Muted.Render("r retries")
	}
	return block(strings.Split(msg, "\n"), width, height)
}

// Freshness says when the value was fetched (and where, in position, the view of it is),
// or why the last fetch failed and how old the value shown is.
func (f *Fetched[T]) Freshness(position string) Freshness {
	disconnected := kube.KindOf(f.Err) == kube.KindUnreachable
	switch {
	case f.Err != nil && f.Loaded:
		return Freshness{Level: LevelError, Disconnected: disconnected,
			Text: fmt.Sprintf("refresh failed: %v; showing what was fetched %s ago", f.Err, f.age())}
	case f.Err != nil:
		return Freshness{Level: LevelError, Disconnected: disconnected, Text: f.Err.Error()}
	case !f.Loaded:
		return Freshness{Level: LevelInfo, Text: "loading…"}
	}
	text := "fetched " + f.age() + " ago"
	if position != "" {
		text += " · " + position
	}
	return Freshness{Level: LevelOK, Text: text}
}

func (f *Fetched[T]) age() string {
	return duration.HumanDuration(max(f.env.Now().Sub(f.At), 0))
}

// Close cancels a running fetch and stops the refreshes.
func (f *Fetched[T]) Close() { f.stop() }
