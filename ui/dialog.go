package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/theme"
)

// Dialog asks before kdeck acts. With none of Input, Expect or Choices it is a yes/no
// confirmation; Input asks for a value, Expect for a typed confirmation (a delete's
// object name), Choices for one item of a list. Nothing happens until OK runs.
type Dialog struct {
	Title  string   // "Scale deployment shop/cart"
	Body   []string // what will change, one line each
	Danger bool     // drawn in red, and a plain confirmation needs `y`, not enter
	// Input, when set, is the initial text of a one-line value; Validate, when set,
	// checks it on every keystroke and an invalid value cannot be submitted. Validate runs
	// on the UI goroutine: syntax only, never a file or the network.
	Input    *string
	Validate func(string) error
	// Check, when set, is the slow part of checking a typed value that Validate passed (a
	// file's content, a port's availability). It runs in a command, never in Update: after
	// the value changes (its error shows inline) and again on enter, when the dialog says
	// that it is checking, stays open with the error if the check fails, and runs OK only
	// with the value that passed. A result for an older value or a closed dialog is dropped.
	Check func(string) error
	// Password masks the typed value (a secret's) and gives it to OK untrimmed.
	Password bool
	// Expect, when set, must be typed exactly to confirm.
	Expect string
	// Choices, when set, are picked with ↑/↓ and enter; Selected is the initial one.
	Choices  []string
	Selected int
	// OK runs with the typed value or the chosen item ("" for a confirmation) and returns
	// the command that acts. It runs on the UI goroutine: it must not block.
	OK func(value string) tea.Cmd
	// Cancel, when set, returns the command that cleans up when the dialog closes without
	// OK (esc, n, or a context switch): a temporary file to remove.
	Cancel func() tea.Cmd
	// Wait, when set, makes the dialog a notice that stays open while Wait runs in a
	// command (a debug container starting): esc or n cancels Wait's context and closes it,
	// and it closes by itself when Wait returns, running the command Wait returned. It
	// has no OK.
	Wait func(ctx context.Context) tea.Cmd

	input    textinput.Model
	err      string
	checking bool // a Check is running
	recheck  bool // the value needs a Check (it changed, or enter was pressed)
	submit   bool // enter was pressed: OK runs once the value's Check passes
	env      *Env // the Env (so the cluster) it was opened for; see Env.Ask

	stop context.CancelFunc // cancels Wait's context
}

// dialogMsg opens a dialog over the current page.
type dialogMsg struct{ d *Dialog }

// waitedMsg is the end of dialog d's Wait, with the command it returned.
type waitedMsg struct {
	d    *Dialog
	then tea.Cmd
}

// checkedMsg is the result of dialog d's Check of value.
type checkedMsg struct {
	d     *Dialog
	value string
	err   error
}

// Ask returns the command that opens d for e's cluster: its title names e's context, and
// a dialog that arrives after a context switch is dropped, never shown, so nothing is
// confirmed for one cluster and sent to another.
func (e *Env) Ask(d *Dialog) tea.Cmd {
	d.env = e
	return func() tea.Msg { return dialogMsg{d} }
}

func (d *Dialog) open() tea.Cmd {
	if d.Wait != nil {
		ctx, cancel := context.WithCancel(context.Background())
		d.stop = cancel
		return func() tea.Msg { return waitedMsg{d: d, then: d.Wait(ctx)} }
	}
	if d.Input == nil && d.Expect == "" {
		return nil
	}
	d.input = textinput.New()
	d.input.Prompt = "> "
	if d.Password {
		d.input.EchoMode = textinput.EchoPassword
		d.input.EchoCharacter = '•'
	}
	if d.Input != nil {
		d.input.SetValue(*d.Input)
		d.input.CursorEnd()
	}
	return tea.Batch(d.revalidate(), d.input.Focus())
}

func (d *Dialog) typed() bool { return d.Input != nil || d.Expect != "" }

// check validates the typed value and keeps its error for display.
func (d *Dialog) check() bool {
	d.err = ""
	v := d.value()
	switch {
	case d.Expect != "" && v != d.Expect:
		if v != "" {
			d.err = "type " + d.Expect + " exactly to confirm"
		}
		return false
	case d.Validate != nil:
		if err := d.Validate(v); err != nil {
			d.err = err.Error()
			return false
		}
	}
	return true
}

// revalidate checks the value as it is now with Validate and, when it passes, returns the
// command that runs Check on it.
func (d *Dialog) revalidate() tea.Cmd {
	d.recheck = d.check() && d.Check != nil
	return d.startCheck()
}

// startCheck returns the command that runs Check on the current value when it needs one
// and no Check is running; else nil (a running Check's result starts the next one).
func (d *Dialog) startCheck() tea.Cmd {
	if !d.recheck || d.checking {
		return nil
	}
	d.checking, d.recheck = true, false
	check, v := d.Check, d.value()
	return func() tea.Msg { return checkedMsg{d: d, value: v, err: check(v)} }
}

// checked takes the result of a Check. For an older value it starts the check of the
// current one; otherwise it shows the error, or, when enter waits for it and it passed,
// runs OK. done reports that the dialog closed.
func (d *Dialog) checked(m checkedMsg) (cmd tea.Cmd, done bool) {
	d.checking = false
	switch {
	case d.recheck || m.value != d.value():
		return d.startCheck(), false
	case m.err != nil:
		d.err, d.submit = m.err.Error(), false
	case d.submit:
		return d.OK(m.value), true
	}
	return nil, false
}

// value is the typed text, trimmed unless it is a password.
func (d *Dialog) value() string {
	if d.Password {
		return d.input.Value()
	}
	return strings.TrimSpace(d.input.Value())
}

// key handles a keystroke; done reports that the dialog closed (confirmed or cancelled).
// cancelled is the command to run when the dialog closes without OK.
func (d *Dialog) cancelled() tea.Cmd {
	if d.stop != nil {
		d.stop()
	}
	if d.Cancel == nil {
		return nil
	}
	return d.Cancel()
}

func (d *Dialog) key(msg tea.KeyPressMsg) (cmd tea.Cmd, done bool) {
	k := msg.String()
	if k == "esc" || (k == "n" && !d.typed()) {
		return d.cancelled(), true
	}
	switch {
	case d.Wait != nil:
		return nil, false // only esc or n: it closes by itself
	case len(d.Choices) > 0:
		d.Selected = d.selected()
		switch k {
		case "up", "k":
			d.Selected = max(0, d.Selected-1)
		case "down", "j":
			d.Selected = min(len(d.Choices)-1, d.Selected+1)
		case "enter":
			return d.OK(d.Choices[d.Selected]), true
		}
		return nil, false
	case d.typed():
		if k == "enter" {
			if !d.check() {
				if d.err == "" {
					d.err = "type " + d.Expect + " to confirm, or esc to cancel"
				}
				return nil, false
			}
			if d.Check == nil {
				return d.OK(d.value()), true
			}
			d.submit, d.recheck = true, true
			return d.startCheck(), false
		}
		before := d.value()
		var c tea.Cmd
		d.input, c = d.input.Update(msg)
		if d.value() == before {
			return c, false
		}
		d.submit = false
		return tea.Batch(c, d.revalidate()), false
	case k == "y" || (k == "enter" && !d.Danger):
		return d.OK(""), true
	}
	return nil, false
}

// title is the dialog's title followed by the context it acts on, as the header names it.
func (d *Dialog) title() string {
	if ctx := d.context(); ctx != "" {
		return d.Title + " · " + ctx
	}
	return d.Title
}

// context names the context the dialog acts on ("ctx NAME"); "" when it has none.
func (d *Dialog) context() string {
	if d.env == nil || d.env.Client == nil || d.env.Client.Info.Context == "" {
		return ""
	}
	return "ctx " + d.env.Client.Info.Context
}

// hint is the dialog's last line: which keys do what.
func (d *Dialog) hint() string {
	switch {
	case d.Wait != nil:
		return "esc stop waiting"
	case len(d.Choices) > 0:
		return "↑/↓ choose · enter confirm · esc cancel"
	case d.typed():
		return "enter confirm · esc cancel"
	case d.Danger:
		return "y confirm · n/esc cancel"
	}
	return "y/enter confirm · n/esc cancel"
}

// view renders the dialog as a framed box at most w cells wide and h lines high. When the
// full box does not fit, the body goes first; on a tiny terminal the frame goes too, and
// what remains is, by priority, the value being typed or chosen, its error, the title and
// the keys.
func (d *Dialog) view(st *theme.Styles, w, h int) []string {
	inner := max(1, min(w-4, 76)) // border and padding take four cells
	frame := st.Accent
	if d.Danger {
		frame = st.Bad
	}
	title := frame.Bold(true).Render(Safe(d.title()))
	hint := st.Muted.Render(d.hint())
	var body, value []string
	for _, b := range d.Body {
		for _, l := range strings.Split(ansi.Wrap(Safe(b), inner, ""), "\n") {
			body = append(body, st.Text.Render(l))
		}
	}
	if len(d.Choices) > 0 {
		value = d.choiceLines(st, maxChoiceRows)
	}
	errLine := ""
	if d.typed() {
		d.input.SetWidth(max(1, inner-3))
		value = []string{d.input.View()}
		switch {
		case d.err != "":
			errLine = st.Bad.Render(d.err)
		case d.submit:
			errLine = st.Muted.Render("checking…")
		}
	}
	boxed := func(lines []string) []string {
		for i, l := range lines {
			lines[i] = fit(l, inner)
		}
		box := st.Box.BorderForeground(frame.GetForeground()).Width(inner + 4).Render(strings.Join(lines, "\n"))
		return strings.Split(box, "\n")
	}
	heading := []string{title}
	if ansi.StringWidth(d.title()) > inner && d.context() != "" { // the context on a line of its own, never cut first
		heading = []string{frame.Bold(true).Render(Safe(d.Title)), frame.Bold(true).Render(Safe(d.context()))}
	}
	full := append(append(heading, ""), body...)
	if len(value) > 0 {
		full = append(append(full, ""), value...)
	}
	if errLine != "" {
		full = append(full, errLine)
	}
	full = append(full, "", hint)
	if len(full)+2 <= h {
		return boxed(full)
	}
	fixed := 4 // the frame, the title and the keys
	if errLine != "" {
		fixed++
	}
	if len(d.Choices) > 0 {
		// fewer choices rather than no frame, always with the selected one among them
		value = d.choiceLines(st, max(1, min(len(value), h-fixed)))
	}
	if len(value)+fixed <= h {
		compact := append([]string{title}, value...)
		if errLine != "" {
			compact = append(compact, errLine)
		}
		return boxed(append(compact, hint))
	}
	return d.tiny(title, value, errLine, hint, w, h)
}

// maxChoiceRows is how many choices a dialog shows at most; a longer list scrolls.
const maxChoiceRows = 8

// selected is the index of the selected choice, within the list whatever Selected says.
func (d *Dialog) selected() int { return max(0, min(d.Selected, len(d.Choices)-1)) }

// choiceLines renders at most rows choices: a window of the list that holds the selected
// one (marked ›), which is the one enter applies.
func (d *Dialog) choiceLines(st *theme.Styles, rows int) []string {
	sel := d.selected()
	first, last := choiceWindow(len(d.Choices), sel, rows)
	lines := make([]string, 0, last-first)
	for i := first; i < last; i++ {
		line := "  " + d.Choices[i]
		if i == sel {
			line = st.Selected.Render("› " + d.Choices[i])
		}
		lines = append(lines, line)
	}
	return lines
}

// choiceWindow is the range [first, last) of at most rows of n items that holds selected,
// which sits as near the middle as the ends of the list allow.
func choiceWindow(n, selected, rows int) (first, last int) {
	rows = max(1, min(rows, n))
	first = max(0, min(selected-rows/2, n-rows))
	return first, first + rows
}

// tiny is the dialog on a terminal too small for a frame: the most important lines that
// fit, in their usual order. value is the value being typed, or the selected choice alone.
func (d *Dialog) tiny(title string, value []string, errLine, hint string, w, h int) []string {
	current := ""
	if len(value) > 0 {
		current = value[0]
	}
	keep := map[string]bool{}
	for _, l := range []string{current, errLine, title, hint} {
		if l != "" && len(keep) < h {
			keep[l] = true
		}
	}
	var out []string
	for _, l := range []string{title, current, errLine, hint} {
		if keep[l] {
			l = fit(l, w)
			out = append(out, l+strings.Repeat(" ", max(0, w-lipgloss.Width(l)))) // covers the page
			delete(keep, l)
		}
	}
	return out
}

// overlay draws box centred over body, a block of exactly w × h cells.
func overlay(body string, box []string, w int) string {
	rows := strings.Split(body, "\n")
	top := max(0, (len(rows)-len(box))/2)
	for i, b := range box {
		if top+i >= len(rows) {
			break
		}
		bw := lipgloss.Width(b)
		left := max(0, (w-bw)/2)
		row := rows[top+i]
		if rw := lipgloss.Width(row); rw < w {
			row += strings.Repeat(" ", w-rw)
		}
		right := ansi.TruncateLeft(row, left+bw, "")
		rows[top+i] = fit(ansi.Truncate(row, left, "")+b+right, w)
	}
	return strings.Join(rows, "\n")
}
