package ui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/theme"
)

// TextKeys are the keys of a TextView beyond the navigation keys it shares with tables.
var TextKeys = struct {
	Search, Next, Prev, Wrap, Left, Right key.Binding
}{
	Search: NewKey("text pages", "search; enter keeps it, esc clears", "/"),
	Next:   NewKey("text pages", "next match", "n"),
	Prev:   NewKey("text pages", "previous match", "N"),
	Wrap:   NewKey("text pages", "wrap long lines on/off", "w"),
	Left:   NewKey("text pages", "scroll left", "left", "h"),
	Right:  NewKey("text pages", "scroll right", "right", "l"),
}

// hStep is how many cells one left/right key scrolls an unwrapped text.
const hStep = 8

// TextView is a scrollable block of text (describe output, YAML) with incremental search,
// highlighted matches and line wrapping. It is a component, not a page: the page that
// owns it feeds it keys and draws it.
type TextView struct {
	lines   []string // the text's lines, tabs expanded and control characters removed
	wrap    bool
	offset  int // first visible row
	left    int // first visible cell of unwrapped lines
	query   string
	matches []textMatch // in text order
	current int         // index into matches; -1 when there are none
	input   *Prompt     // the search prompt, while typing
	reveal  bool        // scroll to the current match at the next render

	rows     []textRow // the lines cut into screen rows for rowsW cells
	rowsW    int
	rowsWrap bool
	height   int // rows of text visible at the last render
	width    int // cells visible at the last render

	// LineStyle, when set, styles each line by its content (a diff's added and removed
	// lines); a line with search matches shows the matches instead.
	LineStyle func(st *theme.Styles, line string) lipgloss.Style
}

// textRow is one screen row: cells [start, end) of a line; end is -1 for the line's end.
type textRow struct{ line, start, end int }

// textMatch is one occurrence of the query: bytes [start, end) of a line.
type textMatch struct{ line, start, end int }

// NewTextView returns a view of text, unwrapped and scrolled to the top.
func NewTextView(text string) *TextView {
	v := &TextView{current: -1}
	v.SetText(text)
	return v
}

// SetText replaces the text, keeping the scroll position and the search (a refresh).
func (v *TextView) SetText(text string) {
	v.lines = SafeLines(strings.TrimRight(text, "\n"))
	v.rows = nil
	v.search(false)
}

// Capturing is true while the search prompt is open: every key goes to it.
func (v *TextView) Capturing() bool { return v.input != nil }

// Escape clears the search; it reports false when there is none.
func (v *TextView) Escape() bool {
	if v.query == "" && v.input == nil {
		return false
	}
	v.input = nil
	v.query = ""
	v.search(false)
	return true
}

// Wrapped reports whether long lines are wrapped.
func (v *TextView) Wrapped() bool { return v.wrap }

// Query is the search in effect ("" when none).
func (v *TextView) Query() string { return v.query }

// Bindings lists the view's keys for help.
func (v *TextView) Bindings() []key.Binding {
	k := TextKeys
	return append(TableBindings(), k.Left, k.Right, k.Search, k.Next, k.Prev, k.Wrap)
}

// Update handles a key and reports whether it was the view's; st styles the search prompt.
func (v *TextView) Update(st *theme.Styles, msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if v.input != nil {
		return v.searchKey(msg), true
	}
	k, t := TextKeys, TableKeys
	page := max(1, v.height-1)
	switch {
	case key.Matches(msg, t.Up):
		v.scroll(-1)
	case key.Matches(msg, t.Down):
		v.scroll(1)
	case key.Matches(msg, t.PageUp):
		v.scroll(-page)
	case key.Matches(msg, t.PageDown):
		v.scroll(page)
	case key.Matches(msg, t.Top):
		v.offset = 0
	case key.Matches(msg, t.Bottom):
		v.offset = len(v.lines) * v.rowsPerLineBound()
		v.clamp()
	case key.Matches(msg, k.Left):
		v.left = max(0, v.left-hStep)
	case key.Matches(msg, k.Right):
		if !v.wrap {
			v.left += hStep
		}
	case key.Matches(msg, k.Wrap):
		v.toggleWrap()
	case key.Matches(msg, k.Search):
		v.input = NewPrompt(st, "/", nil)
	case key.Matches(msg, k.Next):
		v.step(1)
	case key.Matches(msg, k.Prev):
		v.step(-1)
	default:
		return nil, false
	}
	return nil, true
}

// rowsPerLineBound is an upper bound of screen rows per line, for jumping to the end.
func (v *TextView) rowsPerLineBound() int {
	if !v.wrap || v.width <= 0 {
		return 1
	}
	longest := 0
	for _, l := range v.lines {
		longest = max(longest, ansi.StringWidth(l))
	}
	return longest/v.width + 1
}

func (v *TextView) scroll(delta int) {
	v.offset += delta
	v.clamp()
}

// clamp keeps the offset within the rows laid out at the last render (before the first
// render, within the lines).
func (v *TextView) clamp() {
	n := len(v.rows)
	if v.rows == nil || v.rowsW != v.width || v.rowsWrap != v.wrap {
		n = len(v.lines) * v.rowsPerLineBound()
	}
	v.offset = max(0, min(v.offset, n-max(v.height, 1)))
}

// toggleWrap switches wrapping, keeping the first visible line on screen.
func (v *TextView) toggleWrap() {
	line := 0
	if v.offset < len(v.rows) {
		line = v.rows[v.offset].line
	}
	v.wrap = !v.wrap
	v.left = 0
	v.layout(v.width)
	v.offset = v.rowOf(line, 0)
}

func (v *TextView) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		v.Escape()
		return nil
	case "enter":
		v.input = nil
		return nil
	}
	cmd := v.input.Update(msg)
	if q := v.input.Value(); q != v.query {
		v.query = q
		v.search(true)
	}
	return cmd
}

// search finds every match of the query; with jump, it shows the first match at or
// after the top of the screen.
func (v *TextView) search(jump bool) {
	prev := v.current
	v.matches, v.current = nil, -1
	if v.query == "" {
		return
	}
	q := v.query
	fold := strings.ToLower(q) == q // smart case: a capital letter makes it exact
	for i, line := range v.lines {
		hay := line
		if fold {
			if lower := strings.ToLower(line); len(lower) == len(line) {
				hay = lower
			}
		}
		for from := 0; ; {
			j := strings.Index(hay[from:], q)
			if j < 0 {
				break
			}
			v.matches = append(v.matches, textMatch{i, from + j, from + j + len(q)})
			from += j + max(1, len(q))
		}
	}
	if len(v.matches) == 0 {
		return
	}
	if !jump {
		v.current = min(max(prev, 0), len(v.matches)-1)
		return
	}
	top := 0
	if v.offset < len(v.rows) {
		top = v.rows[v.offset].line
	}
	v.current = sort.Search(len(v.matches), func(i int) bool { return v.matches[i].line >= top })
	if v.current == len(v.matches) {
		v.current = 0
	}
	v.reveal = true
}

// step moves to the next (1) or previous (-1) match, wrapping around.
func (v *TextView) step(dir int) {
	if len(v.matches) == 0 {
		return
	}
	v.current = (v.current + dir + len(v.matches)) % len(v.matches)
	v.reveal = true
}

// showCurrent scrolls so that the current match is on screen, a third of the way down;
// it runs at render time, once the lines are laid out for the screen.
func (v *TextView) showCurrent() {
	v.reveal = false
	if v.current < 0 || v.current >= len(v.matches) {
		return
	}
	m := v.matches[v.current]
	line := v.lines[m.line]
	startCell := ansi.StringWidth(line[:m.start])
	endCell := ansi.StringWidth(line[:m.end])
	if !v.wrap && v.width > 0 && (startCell < v.left || endCell > v.left+v.width) {
		v.left = max(0, startCell-v.width/4)
	}
	row := v.rowOf(m.line, startCell)
	if row < v.offset || row >= v.offset+v.height {
		v.offset = max(0, row-v.height/3)
	}
}

// rowOf is the screen row holding cell of line.
func (v *TextView) rowOf(line, cell int) int {
	i := sort.Search(len(v.rows), func(i int) bool { return v.rows[i].line >= line })
	for i+1 < len(v.rows) && v.rows[i+1].line == line && v.rows[i+1].start <= cell {
		i++
	}
	return i
}

// layout cuts the lines into rows for width cells.
func (v *TextView) layout(width int) {
	if v.rows != nil && v.rowsW == width && v.rowsWrap == v.wrap {
		return
	}
	v.rows, v.rowsW, v.rowsWrap = v.rows[:0], width, v.wrap
	for i, l := range v.lines {
		if !v.wrap || width <= 0 || ansi.StringWidth(l) <= width {
			v.rows = append(v.rows, textRow{i, 0, -1})
			continue
		}
		// break between characters, never inside a wide one
		start, col := 0, 0
		for _, r := range l {
			rw := ansi.StringWidth(string(r))
			if col+rw-start > width && col > start {
				v.rows = append(v.rows, textRow{i, start, col})
				start = col
			}
			col += rw
		}
		v.rows = append(v.rows, textRow{i, start, -1})
	}
}

// Position describes the visible part, e.g. "lines 1–20 of 143".
func (v *TextView) Position() string {
	if len(v.rows) == 0 || v.height <= 0 || v.offset >= len(v.rows) {
		return fmt.Sprintf("%d lines", len(v.lines))
	}
	first := v.rows[v.offset].line + 1
	last := v.rows[min(len(v.rows), v.offset+v.height)-1].line + 1
	return fmt.Sprintf("lines %d–%d of %d", first, last, len(v.lines))
}

// View renders the text into exactly width × height cells, with the search prompt or
// the search's state on the last line while there is one.
func (v *TextView) View(st *theme.Styles, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	footer := ""
	if v.input != nil || v.query != "" {
		if height > 1 {
			footer = v.footer(st, width)
			height--
		}
	}
	v.width, v.height = width, height
	v.layout(width)
	if v.reveal {
		v.showCurrent()
	}
	v.clamp()
	if v.wrap {
		v.left = 0
	}
	out := make([]string, 0, height+1)
	for i := v.offset; i < len(v.rows) && len(out) < height; i++ {
		r := v.rows[i]
		line := v.highlight(st, r.line)
		if v.LineStyle != nil && line == v.lines[r.line] {
			line = v.LineStyle(st, line).Render(line)
		}
		from := r.start + v.left
		if v.wrap {
			end := r.end
			if end < 0 {
				end = from + width
			}
			out = append(out, ansi.Truncate(ansi.Cut(line, from, end), width, "")) // a wide character wider than the screen
		} else {
			out = append(out, ansi.Truncate(ansi.Cut(line, from, from+width+1), width, "…"))
		}
	}
	for len(out) < height {
		out = append(out, "")
	}
	if footer != "" {
		out = append(out, footer)
	}
	return strings.Join(out, "\n")
}

// highlight styles the matches in line i, the current one apart from the others.
func (v *TextView) highlight(st *theme.Styles, i int) string {
	line := v.lines[i]
	first := sort.Search(len(v.matches), func(j int) bool { return v.matches[j].line >= i })
	if first == len(v.matches) || v.matches[first].line != i {
		return line
	}
	var b strings.Builder
	at := 0
	for j := first; j < len(v.matches) && v.matches[j].line == i; j++ {
		m := v.matches[j]
		style := st.Warn.Reverse(true)
		if j == v.current {
			style = st.Selected
		}
		b.WriteString(line[at:m.start])
		b.WriteString(style.Render(line[m.start:m.end]))
		at = m.end
	}
	b.WriteString(line[at:])
	return b.String()
}

func (v *TextView) footer(st *theme.Styles, width int) string {
	if v.input != nil {
		return v.input.View(st, width)
	}
	state := st.Bad.Render("no match")
	if len(v.matches) > 0 {
		state = st.Text.Render(fmt.Sprintf("match %d of %d", v.current+1, len(v.matches)))
	}
	return fit(st.Accent.Render("/"+v.query)+"  "+state+"  "+st.Muted.Render("n/N next/previous  esc clears"), width)
}
