package ui

import (
	"cmp"
	"image/color"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/theme"
)

// Align is a column's text alignment.
type Align int

// Column alignments.
const (
	Left Align = iota
	Right
)

// Column declares one table column: its header and how to read its cell from a row,
// together, so the two can never drift apart.
type Column[R any] struct {
	Name     string
	Align    Align
	Min, Max int  // width bounds; Max 0 means the header or content decides
	Flex     bool // takes the width left over by the other columns (NAME)
	Drop     int  // the order columns are dropped in when the terminal is narrow: higher first
	Value    func(R) string
	Style    func(*theme.Styles, R) lipgloss.Style // optional per-cell colour
	// SortKey is the key that sorts by this column, one of SortKeys ("N", "A"); empty: none.
	SortKey string
	// Compare orders rows for sorting; nil compares Value strings.
	Compare func(a, b R) int
	// Sorter, for columns whose values live outside the row (metrics), is called on the UI
	// goroutine when a sort starts and returns each row's sort value over the state it
	// captured then (rows sort by it, smallest first); the sort runs on another goroutine.
	Sorter func() func(R) int64
	// DescFirst makes the first sort descending (largest CPU or restarts first).
	DescFirst bool
}

// compare returns the sort order of the column, reversed when desc.
func (c Column[R]) compare(desc bool) func(a, b R) int {
	order := c.Compare
	if c.Sorter != nil {
		value := c.Sorter()
		order = func(a, b R) int { return cmp.Compare(value(a), value(b)) }
	}
	if order == nil {
		order = func(a, b R) int { return strings.Compare(c.Value(a), c.Value(b)) }
	}
	if desc {
		return func(a, b R) int { return order(b, a) }
	}
	return order
}

// Table is a virtualized table: it keeps a reference to the rows it is given and renders
// only the visible window, so 50,000 rows cost no more to draw than 50.
type Table[R any] struct {
	Columns  []Column[R]
	SortBy   string // the name of the column the rows are sorted by (marked in the header)
	SortDesc bool
	// Marked, when set, says which rows are marked: they get a "●" in a gutter before the
	// first column and the marked style. nil draws no gutter.
	Marked func(R) bool
	// Stale, when set, says which rows are stale on their own (a cluster that stopped
	// answering, in a list of several): they are dimmed as every row is when the view is.
	Stale  func(R) bool
	paint  painter
	rows   []R
	cursor int
	moved  bool // the cursor was moved by a person (else it stays on the first row)
	offset int
	height int        // rows visible at the last render
	click  tableClick // the last click on a row (see Mouse)
}

// SetRows replaces the rows; same reports whether r is the previously selected row, so a
// selection someone made follows its object when rows move (until then the cursor stays on
// the first row, as rows stream in). The slice must not be modified afterwards.
func (t *Table[R]) SetRows(rows []R, same func(a, b R) bool) {
	var sel R
	had := t.moved && t.cursor < len(t.rows)
	if had {
		sel = t.rows[t.cursor]
	}
	t.rows = rows
	if had && same != nil && (t.cursor >= len(rows) || !same(rows[t.cursor], sel)) {
		for i, r := range rows {
			if same(r, sel) {
				t.cursor = i
				break
			}
		}
	}
	t.clamp()
}

// SelectWhere puts the cursor on the first row match accepts, as if a person had moved it
// there, and reports whether there was one.
func (t *Table[R]) SelectWhere(match func(R) bool) bool {
	for i, r := range t.rows {
		if match(r) {
			t.cursor, t.moved = i, true
			t.clamp()
			return true
		}
	}
	return false
}

// Len is the number of rows.
func (t *Table[R]) Len() int { return len(t.rows) }

// Selected returns the row under the cursor.
func (t *Table[R]) Selected() (R, bool) {
	if t.cursor < len(t.rows) {
		return t.rows[t.cursor], true
	}
	var zero R
	return zero, false
}

// Cursor is the index of the selected row.
func (t *Table[R]) Cursor() int { return t.cursor }

// Move moves the cursor by delta rows (negative is up), clamped to the rows.
func (t *Table[R]) Move(delta int) { t.cursor += delta; t.moved = true; t.clamp() }

// Page moves the cursor by delta visible pages.
func (t *Table[R]) Page(delta int) { t.Move(delta * max(1, t.height-1)) }

// Top and Bottom jump to the first or last row.
func (t *Table[R]) Top()    { t.cursor, t.moved = 0, true; t.clamp() }
func (t *Table[R]) Bottom() { t.cursor, t.moved = len(t.rows)-1, true; t.clamp() }

func (t *Table[R]) clamp() {
	t.cursor = max(0, min(t.cursor, len(t.rows)-1))
	if t.height > 0 {
		if t.cursor < t.offset {
			t.offset = t.cursor
		}
		if t.cursor >= t.offset+t.height {
			t.offset = t.cursor - t.height + 1
		}
	}
	t.offset = max(0, min(t.offset, len(t.rows)-max(t.height, 1)))
}

// View renders the column header and the visible rows into exactly height lines of width
// cells. stale dims every row (data no longer known to be current).
func (t *Table[R]) View(st *theme.Styles, width, height int, stale bool) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	t.height = height - 1
	t.clamp()
	end := min(len(t.rows), t.offset+max(t.height, 0))
	visible := t.rows[t.offset:end]
	// every cell's text, read once and made safe: layout measures it and the rows below print it
	values := make([][]string, len(t.Columns))
	for j, c := range t.Columns {
		values[j] = make([]string, len(visible))
		for i, r := range visible {
			values[j][i] = Safe(c.Value(r))
		}
	}
	gutter := 0
	if t.Marked != nil && width > 4 {
		gutter = 2
	}
	cols, widths := t.layout(values, width-gutter)

	lines := make([]string, 0, height)
	var head strings.Builder
	head.WriteString(strings.Repeat(" ", gutter))
	for i, j := range cols {
		c := t.Columns[j]
		if i > 0 {
			head.WriteByte(' ')
		}
		name := c.Name
		if t.sortedBy(c) {
			name += sortArrow(t.SortDesc)
		}
		head.WriteString(pad(name, widths[i], c.Align))
	}
	lines = append(lines, st.ColumnHead.Render(pad(head.String(), width, Left)))

	for i, r := range visible {
		selected := t.offset+i == t.cursor
		marked := gutter > 0 && t.Marked(r)
		var b strings.Builder
		if gutter > 0 {
			if marked {
				b.WriteString("● ")
			} else {
				b.WriteString("  ")
			}
		}
		for k, j := range cols {
			c := t.Columns[j]
			if k > 0 {
				b.WriteByte(' ')
			}
			cell := pad(values[j][i], widths[k], c.Align)
			switch {
			case selected:
			case stale, t.Stale != nil && t.Stale(r):
				cell = t.paint.render(st.Stale, cell)
			case marked:
				cell = t.paint.render(st.Marked, cell)
			case c.Style != nil:
				cell = t.paint.render(c.Style(st, r), cell)
			}
			b.WriteString(cell)
		}
		line := b.String()
		if selected {
			line = st.Selected.Render(pad(line, width, Left))
		}
		lines = append(lines, line)
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// sortArrow marks the sorted column's header: ↓ descending, ↑ ascending.
func sortArrow(desc bool) string {
	if desc {
		return "↓"
	}
	return "↑"
}

// sortedBy reports whether the rows are sorted by c.
func (t *Table[R]) sortedBy(c Column[R]) bool {
	return t.SortBy != "" && t.SortBy == c.Name
}

// layout picks the columns that fit in width (their indexes in Columns) and their widths,
// sized to the header and the visible cells only (values[column][row]).
func (t *Table[R]) layout(values [][]string, width int) ([]int, []int) {
	natural := make([]int, len(t.Columns))
	for j, c := range t.Columns {
		w := max(cellWidth(c.Name), c.Min)
		for _, v := range values[j] {
			w = max(w, cellWidth(v))
		}
		if c.Max > 0 {
			w = min(w, c.Max)
		}
		natural[j] = w
	}
	cols := make([]int, len(t.Columns))
	for j := range cols {
		cols[j] = j
	}
	for {
		widths := make([]int, len(cols))
		total := len(cols) - 1 // separators
		flex := -1
		for i, j := range cols {
			c := t.Columns[j]
			widths[i] = natural[j]
			if c.Flex {
				// the flex column claims its natural width up to flexWant before other
				// columns are kept; beyond that it only takes what is spare
				flex = i
				widths[i] = max(c.Min, cellWidth(c.Name), min(widths[i], flexWant))
			}
			total += widths[i]
		}
		if total <= width || len(cols) == 1 {
			if flex >= 0 {
				// the flex column grows to its natural width, then the rest is spare
				grow := min(width-total, natural[cols[flex]]-widths[flex])
				widths[flex] += max(grow, 0)
			}
			if len(cols) == 1 {
				widths[0] = width
			}
			return cols, widths
		}
		drop := 0
		for i, j := range cols {
			if t.Columns[j].Drop >= t.Columns[cols[drop]].Drop {
				drop = i
			}
		}
		cols = append(cols[:drop], cols[drop+1:]...)
	}
}

// cellWidth is how many cells s takes on screen: its length when it is printable ASCII, as
// nearly every table cell is, else what ansi.StringWidth measures (far slower: graphemes).
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// flexWant is how wide the flex column may insist on being before narrower columns drop.
const flexWant = 40

// painter colours table cells cheaply: lipgloss's Render costs microseconds per call and a
// 220x60 table has about a thousand cells, redrawn up to ten times a second. Cell styles
// are plain colours, so each distinct one is rendered once and its escape codes reused.
type painter struct {
	cache map[paintKey][2]string // prefix and suffix around the text
}

type paintKey struct {
	fg, bg                 color.Color
	bold, faint, underline bool
}

func (p *painter) render(s lipgloss.Style, text string) string {
	k := paintKey{s.GetForeground(), s.GetBackground(), s.GetBold(), s.GetFaint(), s.GetUnderline()}
	codes, ok := p.cache[k]
	if !ok {
		if p.cache == nil {
			p.cache = map[paintKey][2]string{}
		}
		plain := lipgloss.NewStyle().Foreground(k.fg).Background(k.bg).Bold(k.bold).Faint(k.faint).Underline(k.underline)
		pre, suf, found := strings.Cut(plain.Render("\x00"), "\x00")
		if !found {
			return s.Render(text)
		}
		codes = [2]string{pre, suf}
		p.cache[k] = codes
	}
	return codes[0] + text + codes[1]
}

// pad fits s into exactly w cells, truncating with an ellipsis when it is too long.
func pad(s string, w int, a Align) string {
	if w <= 0 {
		return ""
	}
	sw := cellWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	space := strings.Repeat(" ", w-sw)
	if a == Right {
		return space + s
	}
	return s + space
}

// TableKeys are the navigation keys every table view shares.
var TableKeys = struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}{
	Up:       NewKey("moving", "up", "up", "k"),
	Down:     NewKey("moving", "down", "down", "j"),
	PageUp:   NewKey("moving", "page up", "pgup", "ctrl+b"),
	PageDown: NewKey("moving", "page down", "pgdown", "ctrl+f"),
	Top:      NewKey("moving", "first row", "g", "home"),
	Bottom:   NewKey("moving", "last row", "G", "end"),
}

// TableBindings lists TableKeys for help.
func TableBindings() []key.Binding {
	k := TableKeys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}

// Navigate moves the cursor for a navigation key and reports whether msg was one.
func (t *Table[R]) Navigate(msg tea.KeyPressMsg) bool {
	k := TableKeys
	switch {
	case key.Matches(msg, k.Up):
		t.Move(-1)
	case key.Matches(msg, k.Down):
		t.Move(1)
	case key.Matches(msg, k.PageUp):
		t.Page(-1)
	case key.Matches(msg, k.PageDown):
		t.Page(1)
	case key.Matches(msg, k.Top):
		t.Top()
	case key.Matches(msg, k.Bottom):
		t.Bottom()
	default:
		return false
	}
	return true
}
