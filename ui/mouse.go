package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Mouse is a mouse event for the top page (with Env.Mouse on), in the page's own cells:
// (0, 0) is the top left cell of the area the page draws, below the header and title bar.
type Mouse struct {
	X, Y  int
	Wheel int       // rows to scroll, negative up, positive down (WheelStep a notch); 0 for a click
	Click bool      // the left button went down at (X, Y)
	At    time.Time // when, to tell a double click
}

// MouseTarget is implemented by pages that take the mouse: the wheel scrolls them, a click
// selects the row under it, a double click opens that row as enter would.
type MouseTarget interface {
	Mouse(m Mouse) tea.Cmd
}

// WheelStep is how many rows a notch of the wheel scrolls.
const WheelStep = 3

// DoubleClick is how soon a second click on the same row makes a double click.
const DoubleClick = 400 * time.Millisecond

// frameLines says which lines the frame around the page takes on a screen h lines high:
// the header and the title bar above the page, the status line below it.
func frameLines(h int) (header, title, status bool) { return h >= 6, h >= 4, h >= 3 }

// mouse hands a wheel notch or a left click to the help, or to the top page in its own
// cells. A click outside the page does nothing; the mouse waits while a dialog or the
// command prompt is open.
func (a *App) mouse(msg tea.MouseMsg) tea.Cmd {
	if !a.env.Mouse || a.dialog != nil || a.prompt != nil {
		return nil
	}
	m := msg.Mouse()
	header, title, status := frameLines(a.height)
	top, bottom := btoi(header)+btoi(title), btoi(status)
	ev := Mouse{X: m.X, Y: m.Y - top, At: a.env.Now()}
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch m.Button {
		case tea.MouseWheelUp:
			ev.Wheel = -WheelStep
		case tea.MouseWheelDown:
			ev.Wheel = WheelStep
		default:
			return nil
		}
	case tea.MouseClickMsg:
		if m.Button != tea.MouseLeft || ev.Y < 0 || ev.Y >= a.height-top-bottom {
			return nil
		}
		ev.Click = true
	default:
		return nil
	}
	if a.help {
		a.helpTop = max(0, a.helpTop+ev.Wheel) // helpView keeps it within the help
		return nil
	}
	if t, ok := a.top().(MouseTarget); ok {
		return t.Mouse(ev)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tableClick is the last click on a table's row, to tell a double click.
type tableClick struct {
	row int
	at  time.Time
}

// Mouse moves the cursor for m, in the cells of the table as last drawn (its column header
// on line 0): the wheel moves it WheelStep rows a notch, a click puts it on the row under
// the pointer; a click on the column header or below the rows does nothing. It reports
// whether m was the second click of a double click on the same row.
func (t *Table[R]) Mouse(m Mouse) (double bool) {
	if m.Wheel != 0 {
		t.Move(m.Wheel)
		return false
	}
	if !m.Click {
		return false
	}
	i := t.offset + m.Y - 1
	if m.Y < 1 || m.Y > t.height || i >= len(t.rows) {
		t.click = tableClick{}
		return false
	}
	last := t.click
	double = !last.at.IsZero() && last.row == i && !m.At.Before(last.at) && m.At.Sub(last.at) <= DoubleClick
	t.cursor, t.moved = i, true
	t.clamp()
	t.click = tableClick{i, m.At}
	if double {
		t.click = tableClick{} // a third click starts over
	}
	return double
}

// Mouse moves the cursor (see Table.Mouse); a double click opens the row as enter does,
// unless the filter is being typed.
func (p *ListPage[R]) Mouse(m Mouse) tea.Cmd {
	if !p.table.Mouse(m) || p.spec.Enter == nil || p.filter.input != nil {
		return nil
	}
	row, ok := p.table.Selected()
	if !ok {
		return nil
	}
	return Push(p.spec.Enter(p.env, row))
}

// Mouse scrolls the text WheelStep rows a notch of the wheel.
func (v *TextView) Mouse(m Mouse) tea.Cmd {
	if m.Wheel != 0 {
		v.scroll(m.Wheel)
	}
	return nil
}

// Mouse scrolls the text with the wheel.
func (p *TextPage) Mouse(m Mouse) tea.Cmd { return p.view.Mouse(m) }
