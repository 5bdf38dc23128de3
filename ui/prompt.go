package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/theme"
)

// Prompt is a one-line text input with tab completion, shown in place of the status line.
type Prompt struct {
	input textinput.Model
	Err   string // shown after the input until the next keystroke
}

// NewPrompt returns a focused prompt that starts with symbol (":" or "/").
func NewPrompt(st *theme.Styles, symbol string, suggestions []string) *Prompt {
	in := textinput.New()
	in.Prompt = symbol
	in.ShowSuggestions = len(suggestions) > 0
	in.SetSuggestions(safeAll(suggestions))
	s := in.Styles()
	s.Focused.Prompt = st.Accent
	s.Focused.Text = st.Text
	s.Focused.Suggestion = st.Muted
	s.Cursor.Color = st.Text.GetForeground() // none under NO_COLOR: the cursor is reversed only
	in.SetStyles(s)
	in.Focus()
	return &Prompt{input: in}
}

// Value is the text typed so far, trimmed.
func (p *Prompt) Value() string { return strings.TrimSpace(p.input.Value()) }

// SetSuggestions replaces the completions (for instance once namespaces have loaded).
func (p *Prompt) SetSuggestions(s []string) {
	p.input.ShowSuggestions = len(s) > 0
	p.input.SetSuggestions(safeAll(s))
}

// safeAll makes completions safe to draw: context names come from the kubeconfig, so a
// hostile one completes to its visible form, which matches no context.
func safeAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = Safe(v)
	}
	return out
}

// Update feeds a message to the input.
func (p *Prompt) Update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		p.Err = ""
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// View renders the prompt and any error in width cells.
func (p *Prompt) View(st *theme.Styles, width int) string {
	errText := ""
	if p.Err != "" {
		errText = "  " + st.Bad.Render(Safe(p.Err))
	}
	inputW := width - lipgloss.Width(p.input.Prompt) - lipgloss.Width(errText) - 1
	p.input.SetWidth(max(1, inputW))
	return fit(p.input.View()+errText, width)
}

// SetValue replaces the text typed so far (a default the user may edit), cursor at its end.
func (p *Prompt) SetValue(s string) {
	p.input.SetValue(s)
	p.input.CursorEnd()
}
