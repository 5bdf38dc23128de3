package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Message is a static page that explains why there is nothing to show (a service without
// a selector has no pods to list); esc goes back.
type Message struct {
	env   *Env
	title string
	lines []string
}

// NewMessage returns a page titled title showing lines.
func NewMessage(env *Env, title string, lines ...string) *Message {
	return &Message{env: env, title: title, lines: lines}
}

// Init does nothing: the page has no background work.
func (m *Message) Init() tea.Cmd { return nil }

// Update ignores every message.
func (m *Message) Update(tea.Msg) (Page, tea.Cmd) { return m, nil }

// View renders the lines.
func (m *Message) View(width, height int) string {
	lines := make([]string, len(m.lines))
	for i, l := range m.lines {
		lines[i] = m.env.Styles.Text.Render(l)
	}
	return block(lines, width, height)
}

// Title names the page.
func (m *Message) Title() string { return m.title }

// Freshness reports nothing to refresh.
func (m *Message) Freshness() Freshness { return Freshness{Level: LevelInfo, Text: "esc: back"} }

// Bindings has no keys of its own.
func (m *Message) Bindings() []key.Binding { return nil }

// Close does nothing.
func (m *Message) Close() {}
