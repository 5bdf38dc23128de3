package ui

import (
	"strings"
	"testing"

	"github.com/kdeck/kdeck/theme"
)

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"reg.example/app:1":                   "reg.example/app:1",
		"reg.example/app:1\x1b[8mHIDDEN-TEXT": "reg.example/app:1^[[8mHIDDEN-TEXT",
		"\x1b[31mRED\x1b[0m":                  "^[[31mRED^[[0m",
		"a\rb":                                "a^Mb",
		"line\nnext\ttab":                     "line^Jnext^Itab",
		"osc52 \x1b]52;c;aGk=\x07":            "osc52 ^[]52;c;aGk=^G",
		"del\x7f":                             "del^?",
		"c1 \u009b31m and \u0090":             `c1 \u009b31m and \u0090`,
		"raw \x9b byte":                       `raw \x9b byte`,
		"bidi \u202eevil":                     `bidi \u202eevil`,
		"日本語 ✓ émoji 🚀":                       "日本語 ✓ émoji 🚀",
		"":                                    "",
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

// Safe allocates nothing for text that needs no change (every table cell goes through it).
func TestSafeNoAllocForPlainText(t *testing.T) {
	s := "web-6b7f9c8d7d-x7k2p Running 10.244.1.17 kwok-node-1 日本"
	if n := testing.AllocsPerRun(100, func() { _ = Safe(s) }); n != 0 {
		t.Errorf("Safe allocates %v times on plain text", n)
	}
}

// A frame made of kdeck's own styles passes untouched; anything else that could drive the
// terminal is made visible, and hiding or blinking attributes are dropped.
func TestSafeFrame(t *testing.T) {
	st := theme.New(theme.Dark())
	own := strings.Join([]string{
		st.Title.Render("kdeck") + " " + st.Good.Render("● connected") + " " + st.Warn.Bold(true).Reverse(true).Render(" READ-ONLY "),
		st.Bad.Render("red") + st.Muted.Render("muted") + st.Stale.Render("stale"),
		"plain 日本語 🚀",
	}, "\n")
	if got := SafeFrame(own); got != own {
		t.Errorf("kdeck's own frame changed:\n%q\n%q", own, got)
	}
	for in, want := range map[string]string{
		"a\x1b[8mhidden\x1b[0m":     "ahidden\x1b[0m",
		"a\x1b[5;31mblink":          "a" + "blink",
		"fg \x1b[38;5;8mgrey\x1b[m": "fg \x1b[38;5;8mgrey\x1b[m",
		"rgb \x1b[38;2;5;6;8mx":     "rgb \x1b[38;2;5;6;8mx",
		"move \x1b[2J\x1b[H":        "move ^[[2J^[[H",
		"title \x1b]0;pwned\x07":    "title ^[]0;pwned^G",
		"clip \x1b]52;c;aGk=\x1b\\": "clip ^[]52;c;aGk=^[\\",
		"cr\rover":                  "cr^Mover",
		"c1 \u009b2J":               `c1 \u009b2J`,
		"bad \xff byte\nnext":       "bad \\xff byte\nnext",
	} {
		if got := SafeFrame(in); got != want {
			t.Errorf("SafeFrame(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkSafeFrame(b *testing.B) {
	st := theme.New(theme.Dark())
	line := st.Text.Render("web-6b7f9c8d7d-x7k2p") + "  " + st.Good.Render("Running") + "  " + st.Muted.Render(strings.Repeat("x", 150))
	frame := strings.Repeat(line+"\n", 60)
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		_ = SafeFrame(frame)
	}
}
