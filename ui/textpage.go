package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/theme"
)

// RefreshKey fetches a fetched page (text, tree) again now.
var RefreshKey = NewKey("text pages", "refresh now (also every 5s)", "r")

// CopyKey copies a text page's text to the clipboard.
var CopyKey = NewKey("text pages", "copy the text, as shown (secrets masked), to the clipboard (OSC52)", "c")

// Copy returns the command that puts text on the clipboard through the terminal (OSC52;
// nothing is written to disk), cleaned by the one sanitiser line by line so a paste cannot
// carry escape sequences, and says so in the status line, naming what.
func Copy(text, what string) tea.Cmd {
	return tea.Batch(tea.SetClipboard(strings.Join(SafeLines(text), "\n")),
		Notify(LevelOK, fmt.Sprintf("copied %s to the clipboard through the terminal (OSC52)", what)))
}

// TextPage shows a text fetched from the cluster (an object's describe or YAML) in a
// TextView, kept fresh by a Fetched: again every TextRefreshInterval and on `r`.
type TextPage struct {
	env     *Env
	title   string
	fetched *Fetched[string]
	view    *TextView
}

// NewTextPage returns a page titled title showing what fetch returns; fetch runs off the
// UI goroutine and must honour its context.
func NewTextPage(env *Env, title string, fetch func(ctx context.Context) (string, error)) *TextPage {
	return &TextPage{env: env, title: title, fetched: NewFetched(env, fetch), view: NewTextView("")}
}

// SetLineStyle styles each line of the text by its content (see TextView.LineStyle).
func (p *TextPage) SetLineStyle(f func(st *theme.Styles, line string) lipgloss.Style) {
	p.view.LineStyle = f
}

// Init starts the first fetch.
func (p *TextPage) Init() tea.Cmd { return p.Refresh() }

// Refresh returns the command that fetches the text again now (nothing while a fetch runs).
func (p *TextPage) Refresh() tea.Cmd { return p.fetched.Refresh() }

// SetResult shows the result of a fetch made at time at: the text, or err with the
// previous text kept.
func (p *TextPage) SetResult(text string, err error, at time.Time) {
	p.fetched.Set(text, err, at)
	if err == nil {
		p.view.SetText(text)
	}
}

// Update takes the page's fetch results and refresh ticks, and keys.
func (p *TextPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	if changed, ok, cmd := p.fetched.Accept(msg); ok {
		if changed {
			p.view.SetText(p.fetched.Value)
		}
		return p, cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case p.view.Capturing():
		case key.Matches(k, RefreshKey):
			return p, p.Refresh()
		case key.Matches(k, CopyKey) && p.fetched.Loaded:
			return p, Copy(p.fetched.Value, fmt.Sprintf("%d lines of %s", strings.Count(p.fetched.Value, "\n")+1, p.title))
		}
		cmd, _ := p.view.Update(p.env.Styles, k)
		return p, cmd
	}
	return p, nil
}

// View renders the text, or the error when there is no text to show.
func (p *TextPage) View(width, height int) string {
	if !p.fetched.Loaded {
		return p.fetched.Placeholder(width, height)
	}
	return p.view.View(p.env.Styles, width, height)
}

// Title is the page's title, e.g. "describe pods/shop/web-123".
func (p *TextPage) Title() string { return p.title }

// Freshness says when the text was fetched and which part of it is on screen, or why the
// last fetch failed.
func (p *TextPage) Freshness() Freshness { return p.fetched.Freshness(p.view.Position()) }

// Bindings lists the text view's keys, refresh and copy.
func (p *TextPage) Bindings() []key.Binding { return append(p.view.Bindings(), RefreshKey, CopyKey) }

// Capturing is true while the search prompt is open.
func (p *TextPage) Capturing() bool { return p.view.Capturing() }

// Escape clears the search before esc goes back.
func (p *TextPage) Escape() bool { return p.view.Escape() }

// Close cancels a running fetch and stops the refreshes.
func (p *TextPage) Close() { p.fetched.Close() }
