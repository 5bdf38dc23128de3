package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"k8s.io/apimachinery/pkg/util/duration"
)

// TextRefreshInterval is how often a TextPage fetches its text again on its own.
const TextRefreshInterval = 5 * time.Second

// textFetchTimeout bounds one fetch of a TextPage.
const textFetchTimeout = 30 * time.Second

// refreshKey fetches a TextPage's text again now.
var refreshKey = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh now (also every 5s)"))

// TextPage shows a text fetched from the cluster (an object's describe or YAML) in a
// TextView, fetching it again every TextRefreshInterval and on `r`. Fetches run in
// commands; their results carry the page's ID and are dropped once stale.
type TextPage struct {
	env   *Env
	title string
	fetch func(ctx context.Context) (string, error)
	id    uint64
	ctx   context.Context
	stop  context.CancelFunc

	view     *TextView
	loaded   bool      // a text has arrived
	fetched  time.Time // when the text shown was fetched
	err      error     // the last fetch's error, nil when it succeeded
	inflight bool
	tickGen  uint64 // only the refresh tick of this generation fetches
}

// textResultMsg is one fetch's result, for the page with ID id.
type textResultMsg struct {
	id   uint64
	text string
	err  error
	at   time.Time
}

// textTickMsg asks the page with ID id to refresh, if gen is still its tick generation.
type textTickMsg struct{ id, gen uint64 }

// NewTextPage returns a page titled title showing what fetch returns; fetch runs off the
// UI goroutine and must honour its context.
func NewTextPage(env *Env, title string, fetch func(ctx context.Context) (string, error)) *TextPage {
	ctx, stop := context.WithCancel(context.Background())
	return &TextPage{env: env, title: title, fetch: fetch, id: env.NextID(), ctx: ctx, stop: stop,
		view: NewTextView("")}
}

// SetLineStyle styles each line of the text by its content (see TextView.LineStyle).
func (p *TextPage) SetLineStyle(f func(st *theme.Styles, line string) lipgloss.Style) {
	p.view.LineStyle = f
}

// Init starts the first fetch.
func (p *TextPage) Init() tea.Cmd { return p.Refresh() }

// Refresh returns the command that fetches the text again now (nothing while a fetch runs).
func (p *TextPage) Refresh() tea.Cmd {
	if p.inflight || p.ctx.Err() != nil {
		return nil
	}
	p.inflight = true
	ctx, fetch, id, now := p.ctx, p.fetch, p.id, p.env.Now
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, textFetchTimeout)
		defer cancel()
		text, err := fetch(ctx)
		return textResultMsg{id: id, text: text, err: err, at: now()}
	}
}

// SetResult shows the result of a fetch made at time at: the text, or err with the
// previous text kept.
func (p *TextPage) SetResult(text string, err error, at time.Time) {
	p.err = err
	if err != nil {
		return
	}
	p.loaded, p.fetched = true, at
	p.view.SetText(text)
}

// Update takes the page's fetch results and refresh ticks, and keys.
func (p *TextPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case textResultMsg:
		if msg.id != p.id || p.ctx.Err() != nil {
			return p, nil
		}
		p.inflight = false
		p.SetResult(msg.text, msg.err, msg.at)
		p.tickGen++
		id, gen := p.id, p.tickGen
		return p, tea.Tick(TextRefreshInterval, func(time.Time) tea.Msg { return textTickMsg{id, gen} })
	case textTickMsg:
		if msg.id != p.id || msg.gen != p.tickGen {
			return p, nil
		}
		return p, p.Refresh()
	case tea.KeyPressMsg:
		if !p.view.Capturing() && key.Matches(msg, refreshKey) {
			return p, p.Refresh()
		}
		cmd, _ := p.view.Update(p.env.Styles, msg)
		return p, cmd
	}
	return p, nil
}

// View renders the text, or the error when there is no text to show.
func (p *TextPage) View(width, height int) string {
	if !p.loaded {
		msg := p.env.Styles.Muted.Render("loading…")
		if p.err != nil {
			msg = p.env.Styles.Bad.Render(ansi.Wrap(p.err.Error(), max(width, 1), " ")) +
				"\n\n" + p.env.Styles.Muted.Render("r retries")
		}
		return block(strings.Split(msg, "\n"), width, height)
	}
	return p.view.View(p.env.Styles, width, height)
}

// Title is the page's title, e.g. "describe pods/shop/web-123".
func (p *TextPage) Title() string { return p.title }

// Freshness says when the text was fetched and which part of it is on screen, or why the
// last fetch failed.
func (p *TextPage) Freshness() Freshness {
	disconnected := kube.KindOf(p.err) == kube.KindUnreachable
	switch {
	case p.err != nil && p.loaded:
		return Freshness{Level: LevelError, Disconnected: disconnected,
			Text: fmt.Sprintf("refresh failed: %v; showing text from %s ago", p.err, p.age())}
	case p.err != nil:
		return Freshness{Level: LevelError, Disconnected: disconnected, Text: p.err.Error()}
	case !p.loaded:
		return Freshness{Level: LevelInfo, Text: "loading…"}
	}
	return Freshness{Level: LevelOK, Text: fmt.Sprintf("fetched %s ago · %s", p.age(), p.view.Position())}
}

func (p *TextPage) age() string {
	return duration.HumanDuration(max(p.env.Now().Sub(p.fetched), 0))
}

// Bindings lists the text view's keys and refresh.
func (p *TextPage) Bindings() []key.Binding { return append(p.view.Bindings(), refreshKey) }

// Capturing is true while the search prompt is open.
func (p *TextPage) Capturing() bool { return p.view.Capturing() }

// Escape clears the search before esc goes back.
func (p *TextPage) Escape() bool { return p.view.Escape() }

// Close cancels a running fetch and stops the refreshes.
func (p *TextPage) Close() { p.stop() }
