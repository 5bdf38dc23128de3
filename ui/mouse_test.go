package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/ui/uitest"
)

// mouseApp is an app 60x12 with Env.Mouse on around a list of n items whose enter opens a
// page named after the row; the clock is now. The header is line 0, the title bar line 1,
// the column header line 2, the rows from line 3, the status line 11.
func mouseApp(n int, now *time.Time) (*App, *ListPage[*item]) {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("pod-%02d", i)
	}
	p := testPage(names...)
	p.env.Mouse = true
	p.env.Now = func() time.Time { return *now }
	p.spec.Enter = func(_ *Env, r *item) Page { return &Message{title: "opened " + r.name} }
	a := New(p.env, nil, ViewSpec{Name: "items", New: func(*Env, string) Page { return p }})
	a.Update(tea.WindowSizeMsg{Width: 60, Height: 12})
	a.View()
	return a, p
}

func click(x, y int) tea.MouseClickMsg {
	return tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}
}

func wheel(up bool, y int) tea.MouseWheelMsg {
	if up {
		return tea.MouseWheelMsg{X: 5, Y: y, Button: tea.MouseWheelUp}
	}
	return tea.MouseWheelMsg{X: 5, Y: y, Button: tea.MouseWheelDown}
}

// opened is the title of the page msg's command pushes, "" when it pushes none.
func opened(cmd tea.Cmd) string {
	if cmd == nil {
		return ""
	}
	if push, ok := cmd().(PushMsg); ok {
		return push.Page.Title()
	}
	return ""
}

// A click on a row puts the cursor on it; a click on the header, the title bar, the column
// header, the status line or below the last row does nothing.
func TestMouseClickSelectsRow(t *testing.T) {
	now := time.Now()
	a, p := mouseApp(5, &now)
	for _, y := range []int{0, 1, 2, 8, 11} { // header, title, column header, below the rows, status
		now = now.Add(time.Second)
		a.Update(click(3, y))
		if p.table.Cursor() != 0 || p.table.moved {
			t.Errorf("a click on line %d moved the cursor to %d", y, p.table.Cursor())
		}
	}
	now = now.Add(time.Second)
	_, cmd := a.Update(click(3, 5))
	if got, _ := p.table.Selected(); got.name != "pod-02" || opened(cmd) != "" {
		t.Errorf("a click on line 5 selected %s (and opened %q), want pod-02", got.name, opened(cmd))
	}
	for _, msg := range []tea.Msg{
		tea.MouseClickMsg{X: 3, Y: 6, Button: tea.MouseRight},
		tea.MouseReleaseMsg{X: 3, Y: 6, Button: tea.MouseLeft},
		tea.MouseMotionMsg{X: 3, Y: 6, Button: tea.MouseLeft},
	} {
		a.Update(msg)
		if p.table.Cursor() != 2 {
			t.Errorf("%T %v moved the cursor to %d", msg, msg, p.table.Cursor())
		}
	}
}

// Two clicks on the same row within DoubleClick open it as enter does, once; clicks
// further apart in time or on two rows do not.
func TestMouseDoubleClickOpens(t *testing.T) {
	now := time.Now()
	a, p := mouseApp(5, &now)
	a.Update(click(3, 4))
	now = now.Add(300 * time.Millisecond)
	_, cmd := a.Update(click(10, 4))
	if got := opened(cmd); got != "opened pod-01" {
		t.Errorf("double click opened %q, want pod-01", got)
	}
	now = now.Add(100 * time.Millisecond)
	if _, cmd = a.Update(click(10, 4)); opened(cmd) != "" {
		t.Errorf("a third click opened %q again", opened(cmd))
	}

	now = now.Add(time.Second)
	a.Update(click(3, 4))
	now = now.Add(DoubleClick + time.Millisecond)
	if _, cmd = a.Update(click(3, 4)); opened(cmd) != "" {
		t.Errorf("two slow clicks opened %q", opened(cmd))
	}
	now = now.Add(time.Second)
	a.Update(click(3, 4))
	now = now.Add(100 * time.Millisecond)
	if _, cmd = a.Update(click(3, 5)); opened(cmd) != "" {
		t.Errorf("clicks on two rows opened %q", opened(cmd))
	}
	if got, _ := p.table.Selected(); got.name != "pod-02" {
		t.Errorf("selected %s, want pod-02", got.name)
	}
	// a double click on the column header opens nothing
	now = now.Add(time.Second)
	a.Update(click(3, 2))
	now = now.Add(100 * time.Millisecond)
	if _, cmd = a.Update(click(3, 2)); opened(cmd) != "" {
		t.Errorf("a double click on the column header opened %q", opened(cmd))
	}
}

// The wheel moves the cursor WheelStep rows a notch, scrolling the table with it.
func TestMouseWheelScrollsTable(t *testing.T) {
	now := time.Now()
	a, p := mouseApp(30, &now)
	for range 4 {
		a.Update(wheel(false, 6))
	}
	if p.table.Cursor() != 4*WheelStep {
		t.Errorf("4 notches down: cursor %d, want %d", p.table.Cursor(), 4*WheelStep)
	}
	screen := ansi.Strip(a.View().Content)
	if !strings.Contains(screen, "pod-12") || strings.Contains(screen, "pod-04") {
		t.Errorf("the table did not scroll with the cursor:\n%s", screen)
	}
	a.Update(wheel(true, 0)) // the wheel scrolls wherever the pointer is
	if p.table.Cursor() != 3*WheelStep {
		t.Errorf("a notch up: cursor %d, want %d", p.table.Cursor(), 3*WheelStep)
	}
	// the click after a scroll maps to the row drawn under it
	a.View()
	a.Update(click(3, 3))
	if got, _ := p.table.Selected(); got.name != fmt.Sprintf("pod-%02d", p.table.offset) || p.table.offset == 0 {
		t.Errorf("a click on the first row drawn selected %s (offset %d)", got.name, p.table.offset)
	}
}

// Text pages scroll with the wheel; the help too, within its lines.
func TestMouseWheelScrollsTextAndHelp(t *testing.T) {
	now := time.Now()
	env := testPage().env
	env.Now, env.Mouse = func() time.Time { return now }, true
	lines := make([]string, 100)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i+1)
	}
	tp := NewTextPage(env, "describe", func(context.Context) (string, error) { return "", nil })
	tp.SetResult(strings.Join(lines, "\n"), nil, now)
	a := New(env, nil, ViewSpec{Name: "text", New: func(*Env, string) Page { return tp }})
	a.Update(tea.WindowSizeMsg{Width: 60, Height: 12})
	a.View()
	a.Update(wheel(false, 5))
	a.Update(wheel(false, 5))
	a.View()
	if got := tp.view.Position(); got != "lines 7–15 of 100" {
		t.Errorf("two notches down: %s, want lines 7–15", got)
	}

	a.Update(uitest.Key("?"))
	first := func() string { return strings.Split(ansi.Strip(a.View().Content), "\n")[2] }
	top := first()
	a.Update(wheel(false, 5))
	if got := first(); got == top {
		t.Errorf("the wheel did not scroll the help: first line still %q", got)
	}
	for range 50 {
		a.Update(wheel(false, 5))
	}
	if got := ansi.Strip(a.View().Content); !strings.Contains(got, "? or esc closes this help") {
		t.Errorf("the help scrolled past its end:\n%s", got)
	}
	a.Update(wheel(true, 5))
	for range 50 {
		a.Update(wheel(true, 5))
	}
	if got := first(); got != top {
		t.Errorf("back up: first line %q, want %q", got, top)
	}
	if tp.view.Position() != "lines 7–15 of 100" {
		t.Errorf("scrolling the help scrolled the page: %s", tp.view.Position())
	}
}

// Without Env.Mouse the terminal is not asked for the mouse and mouse events change
// nothing; with it, cell motion is asked for. A dialog or the prompt holds the mouse off.
func TestMouseOff(t *testing.T) {
	now := time.Now()
	a, p := mouseApp(10, &now)
	if a.View().MouseMode != tea.MouseModeCellMotion {
		t.Errorf("mouse on: mode %v", a.View().MouseMode)
	}
	p.env.Mouse = false
	if a.View().MouseMode != tea.MouseModeNone {
		t.Errorf("mouse off: mode %v", a.View().MouseMode)
	}
	a.Update(click(3, 5))
	a.Update(wheel(false, 5))
	if p.table.Cursor() != 0 {
		t.Errorf("mouse off: the cursor moved to %d", p.table.Cursor())
	}
	p.env.Mouse = true
	a.Update(uitest.Key(":"))
	a.Update(click(3, 5))
	a.Update(wheel(false, 5))
	if p.table.Cursor() != 0 {
		t.Errorf("prompt open: the cursor moved to %d", p.table.Cursor())
	}
}
