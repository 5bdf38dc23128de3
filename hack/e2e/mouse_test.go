//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// mouseReport is the SGR mouse report (xterm mode 1006) a terminal sends for button at cell
// (x, y), counted from 0 as bubbletea does; press is M, release m.
func mouseReport(button, x, y int, press bool) string {
	final := 'm'
	if press {
		final = 'M'
	}
	return fmt.Sprintf("\x1b[<%d;%d;%d%c", button, x+1, y+1, final)
}

// sendRaw writes bytes into the pane as a terminal would, in one tmux command: tmux passes
// them to kdeck unchanged (a real mouse in tmux needs a real client).
func (term *Term) sendRaw(s string) {
	term.t.Helper()
	args := []string{"send-keys", "-t", term.session, "-H"}
	for _, b := range []byte(s) {
		args = append(args, fmt.Sprintf("%02x", b))
	}
	term.tmux(args...)
}

// Click presses and releases the left button at cell (x, y).
func (term *Term) Click(x, y int) {
	term.t.Helper()
	term.sendRaw(mouseReport(0, x, y, true) + mouseReport(0, x, y, false))
}

// DoubleClick clicks twice at cell (x, y), as fast as a hand does.
func (term *Term) DoubleClick(x, y int) {
	term.t.Helper()
	click := mouseReport(0, x, y, true) + mouseReport(0, x, y, false)
	term.sendRaw(click + click)
}

// Wheel turns the wheel n notches, up or down, with the pointer at cell (x, y).
func (term *Term) Wheel(up bool, n, x, y int) {
	term.t.Helper()
	button := 65
	if up {
		button = 64
	}
	term.sendRaw(strings.Repeat(mouseReport(button, x, y, true), n))
}

// MouseRequested reports whether the program in the pane asked for button-event mouse
// reports in SGR encoding (tmux tracks what the pane's program asked for).
func (term *Term) MouseRequested() bool {
	term.t.Helper()
	return strings.TrimSpace(term.tmux("display-message", "-p", "-t", term.session, "#{mouse_button_flag}#{mouse_sgr_flag}")) == "11"
}

// selectedPod is the pod under the cursor of a pods view, read from the title of its
// describe page (d, then esc back).
func (term *Term) selectedPod(ns string) string {
	term.t.Helper()
	term.Send("d")
	prefix := "describe pods/" + ns + "/"
	term.WaitText(prefix, 5*time.Second)
	line := lineWith(term.Screen(), prefix)
	name, _, _ := strings.Cut(line[strings.Index(line, prefix)+len(prefix):], " ")
	term.Send("Escape")
	term.WaitText("pods("+ns+")", 5*time.Second)
	return name
}

// testMouse drives the pods view with the mouse: kdeck asks the terminal for mouse reports,
// the wheel moves the cursor three rows a notch and scrolls the table with it, a click
// selects the row under the pointer (the column header does nothing), a double click opens
// the pod's containers. start runs kdeck with the mouse on, in a 120x30 pane, with args.
// The screen: header on line 0, title bar on 1, column header on 2, rows from 3.
func testMouse(t *testing.T, start func(t *testing.T, args ...string) *Term) {
	ns := newNamespace(t)
	names := make([]string, 60)
	for i := range names {
		names[i] = fmt.Sprintf("mouse-%02d", i)
	}
	createPods(t, ns, names...)
	term := start(t, "-n", ns)
	term.WaitText("pods("+ns+")[60]", 20*time.Second)
	term.WaitLine(5*time.Second, "mouse-00")
	if !term.MouseRequested() {
		t.Fatal("kdeck did not ask the terminal for mouse reports")
	}

	term.Click(20, 3+5)
	if got := term.selectedPod(ns); got != "mouse-05" {
		t.Fatalf("a click on the sixth row selected %s", got)
	}
	term.Click(20, 2) // the column header
	if got := term.selectedPod(ns); got != "mouse-05" {
		t.Fatalf("a click on the column header moved the cursor to %s", got)
	}

	term.Wheel(false, 10, 20, 10)
	term.WaitFor("the table scrolled to mouse-35", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "mouse-35") && !strings.Contains(s, "mouse-05")
	})
	if got := term.selectedPod(ns); got != "mouse-35" {
		t.Fatalf("10 notches down from mouse-05 selected %s, want mouse-35", got)
	}
	term.Wheel(true, 2, 20, 10)
	if got := term.selectedPod(ns); got != "mouse-29" {
		t.Fatalf("2 notches up from mouse-35 selected %s, want mouse-29", got)
	}

	term.Wheel(true, 20, 20, 10) // back to the top
	term.WaitLine(5*time.Second, "mouse-00")
	term.DoubleClick(20, 3+7)
	term.WaitText("containers("+ns+"/mouse-07)", 5*time.Second)
	term.Send("Escape")
	term.WaitText("pods("+ns+")", 5*time.Second)
}

// Without the mouse turned on kdeck asks the terminal for no mouse reports (its own text
// selection keeps working), and reports that arrive anyway change nothing.
func TestMouseOffByDefault(t *testing.T) {
	ns := newNamespace(t)
	createPods(t, ns, "still-a", "still-b", "still-c")
	term := StartKdeck(t, 120, 30, "-n", ns)
	term.WaitText("pods("+ns+")[3]", 20*time.Second)
	term.WaitLine(5*time.Second, "still-a")
	if term.MouseRequested() {
		t.Fatal("kdeck asked for mouse reports with the mouse off")
	}
	term.Click(20, 3+2)
	term.DoubleClick(20, 3+1)
	term.Wheel(false, 2, 20, 5)
	if got := term.selectedPod(ns); got != "still-a" {
		t.Fatalf("mouse reports moved the cursor to %s with the mouse off", got)
	}
}

// The mouse, turned on in the config: the wheel, a click and a double click on the pods view.
func TestMouse(t *testing.T) {
	testMouse(t, func(t *testing.T, args ...string) *Term {
		return StartKdeckHome(t, writeConfig(t, "mouse: true\n"), 120, 30, args...)
	})
}
