package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kdeck/kdeck/ui/uitest"

	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/theme"
)

func numbered(n int) string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %03d", i+1)
	}
	return strings.Join(lines, "\n")
}

// press sends keys to v (names as keyMsg takes them).
func press(t *testing.T, v *TextView, keys ...string) {
	t.Helper()
	st := theme.New(theme.Dark())
	for _, k := range keys {
		v.Update(st, uitest.Key(k))
	}
}

func screen(v *TextView, w, h int) []string {
	return strings.Split(ansi.Strip(v.View(theme.New(theme.Dark()), w, h)), "\n")
}

func TestTextViewScrollBounds(t *testing.T) {
	v := NewTextView(numbered(100))
	screen(v, 20, 10)
	press(t, v, "k")
	if got := screen(v, 20, 10)[0]; got != "line 001" {
		t.Errorf("k at the top moved to %q", got)
	}
	press(t, v, "j", "j")
	if got := screen(v, 20, 10)[0]; got != "line 003" {
		t.Errorf("jj: first line %q", got)
	}
	press(t, v, "G")
	s := screen(v, 20, 10)
	if s[0] != "line 091" || s[9] != "line 100" {
		t.Errorf("G shows %q … %q, want the last page", s[0], s[9])
	}
	press(t, v, "j", "pgdown")
	if got := screen(v, 20, 10)[9]; got != "line 100" {
		t.Errorf("scrolling past the end shows %q last", got)
	}
	press(t, v, "pgup")
	if got := screen(v, 20, 10)[0]; got != "line 082" {
		t.Errorf("pgup from the bottom: first line %q", got)
	}
	press(t, v, "g")
	if got := screen(v, 20, 10)[0]; got != "line 001" {
		t.Errorf("g: first line %q", got)
	}
	if got := v.Position(); got != "lines 1–10 of 100" {
		t.Errorf("Position = %q", got)
	}
	// a text shorter than the screen never scrolls
	short := NewTextView("a\nb")
	screen(short, 20, 10)
	press(t, short, "G", "j")
	if got := screen(short, 20, 10)[0]; got != "a" {
		t.Errorf("a short text scrolled: %q", got)
	}
}

func TestTextViewSearch(t *testing.T) {
	v := NewTextView(numbered(100) + "\nthe END")
	screen(v, 30, 10)
	press(t, v, "/", "0", "5")
	if !v.Capturing() {
		t.Fatalf("the search prompt is not open")
	}
	press(t, v, "enter")
	if v.Capturing() || v.Query() != "05" {
		t.Fatalf("after enter: capturing %v, query %q", v.Capturing(), v.Query())
	}
	// "05" is in lines 005, 050–059 (twice in none), 105 does not exist: 11 matches
	if got := len(v.matches); got != 11 {
		t.Errorf("%d matches of 05, want 11", got)
	}
	s := screen(v, 30, 10)
	if !strings.Contains(strings.Join(s, "\n"), "line 005") {
		t.Errorf("the first match is not on screen:\n%s", strings.Join(s, "\n"))
	}
	if !strings.Contains(s[9], "match 1 of 11") {
		t.Errorf("footer %q", s[9])
	}
	press(t, v, "n", "n")
	s = screen(v, 30, 10)
	if !strings.Contains(strings.Join(s, "\n"), "line 051") || !strings.Contains(s[9], "match 3 of 11") {
		t.Errorf("nn does not show the third match:\n%s", strings.Join(s, "\n"))
	}
	press(t, v, "N", "N", "N")
	s = screen(v, 30, 10)
	if !strings.Contains(strings.Join(s, "\n"), "line 059") || !strings.Contains(s[9], "match 11 of 11") {
		t.Errorf("N past the first match does not wrap to the last:\n%s", strings.Join(s, "\n"))
	}
	// the current match is drawn differently from the others
	st := theme.New(theme.Dark())
	raw := v.View(st, 30, 10)
	if !strings.Contains(raw, st.Selected.Render("05")) {
		t.Errorf("the current match is not highlighted")
	}
	// smart case: lower case matches any case, a capital only itself
	press(t, v, "/", "esc")
	if v.Query() != "" {
		t.Errorf("esc in the prompt keeps query %q", v.Query())
	}
	press(t, v, "/", "e", "n", "d", "enter")
	if len(v.matches) != 1 {
		t.Errorf("%d matches of end, want 1 (END)", len(v.matches))
	}
	press(t, v, "/", "E", "N", "D", "enter")
	if len(v.matches) != 1 {
		t.Errorf("%d matches of END, want 1", len(v.matches))
	}
	if !v.Escape() || v.Query() != "" || v.Escape() {
		t.Errorf("Escape clears the search once, then reports nothing to clear")
	}
	press(t, v, "/", "n", "o", "p", "e", "enter")
	if s := screen(v, 30, 10); !strings.Contains(s[9], "no match") {
		t.Errorf("footer %q", s[9])
	}
}

func TestTextViewWrap(t *testing.T) {
	long := strings.Repeat("abcdefghij", 5) // 50 cells
	v := NewTextView("short\n" + long + "\nlast")
	s := screen(v, 20, 6)
	if s[1] != "abcdefghijabcdefghi…" || s[2] != "last" {
		t.Errorf("unwrapped:\n%s", strings.Join(s, "\n"))
	}
	press(t, v, "l")
	if s := screen(v, 20, 6); s[1] != "ijabcdefghijabcdefg…" {
		t.Errorf("scrolled right: %q", s[1])
	}
	press(t, v, "w")
	s = screen(v, 20, 6)
	want := []string{"short", "abcdefghijabcdefghij", "abcdefghijabcdefghij", "abcdefghij", "last", ""}
	if strings.Join(s, "\n") != strings.Join(want, "\n") {
		t.Errorf("wrapped:\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
	// a match beyond the screen's width scrolls an unwrapped view sideways
	press(t, v, "w", "/", "j", "a", "b", "c", "enter")
	s = screen(v, 20, 6)
	if !strings.Contains(s[1], "jabc") {
		t.Errorf("the match is off screen: %q", s[1])
	}
}

func TestTextViewSanitizes(t *testing.T) {
	v := NewTextView("a\tb\x1b[31mred\x07\r\n")
	if got := screen(v, 30, 2)[0]; got != "a    b^[[31mred^G^M" {
		t.Errorf("got %q", got)
	}
}

// Every size renders exactly height lines none wider than width, with and without a search.
func TestTextViewEverySize(t *testing.T) {
	text := numbered(30) + "\n" + strings.Repeat("wide 世界 ", 20)
	for _, search := range []bool{false, true} {
		v := NewTextView(text)
		if search {
			press(t, v, "/", "1", "enter", "w")
		}
		for w := 1; w <= 120; w++ {
			for h := 1; h <= 12; h++ {
				for _, k := range []string{"j", "G", "n"} {
					press(t, v, k)
					out := screen(v, w, h)
					if len(out) != h {
						t.Fatalf("%dx%d: %d lines", w, h, len(out))
					}
					for i, l := range out {
						if lw := ansi.StringWidth(l); lw > w {
							t.Fatalf("%dx%d after %s: line %d is %d wide: %q", w, h, k, i, lw, l)
						}
					}
				}
			}
		}
	}
}
