package ui

import (
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

// skinned returns the app around a list of items drawn with st, with the second row
// selected, marked rows and a read-only header, and its screen as sent to the terminal.
func skinned(t *testing.T, st *theme.Styles) (*App, func() string) {
	t.Helper()
	p := testPage("web-1", "web-2", "ledger", "worker")
	p.env.Styles = st
	p.env.Client = &kube.Client{Info: kube.Info{Context: "prod", Cluster: "prod-cluster", User: "alice"}, Policy: kube.Policy{ReadOnly: true}}
	p.env.Version = "dev"
	p.table.Columns = append(p.table.Columns, Column[*item]{Name: "STATUS",
		Value: func(i *item) string {
			return map[string]string{"web-1": "Running", "web-2": "Pending", "ledger": "Error"}[i.name]
		},
		Style: func(st *theme.Styles, i *item) lipgloss.Style {
			return st.ForStatus(map[string]string{"web-1": "Running", "web-2": "Pending", "ledger": "Error"}[i.name])
		}})
	typeKeys(p, "space") // marks web-1, the cursor goes to web-2
	a := New(p.env, nil, ViewSpec{Name: "items", New: func(*Env, string) Page { return p }})
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 10})
	return a, func() string { return a.View().Content }
}

// sgrs are the parameter lists of every SGR sequence in s.
func sgrs(s string) []string {
	var out []string
	for _, m := range regexp.MustCompile("\x1b\\[([0-9;:]*)m").FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// colours are the colour parameters of an SGR sequence's parameters: extended ones
// (38;5;N, 48;2;R;G;B …) whole, basic ones (30–37, 40–47, 90–97, 100–107, 39, 49) alone.
func colours(params string) []string {
	var out []string
	fields := strings.Split(params, ";")
	for i := 0; i < len(fields); i++ {
		switch n, _ := strconv.Atoi(fields[i]); {
		case n == 38 || n == 48 || n == 58:
			end := i + 3 // 38;5;N
			if i+1 < len(fields) && fields[i+1] == "2" {
				end = i + 5 // 38;2;R;G;B
			}
			end = min(end, len(fields))
			out = append(out, strings.Join(fields[i:end], ";"))
			i = end - 1
		case n >= 30 && n <= 49, n >= 90 && n <= 97, n >= 100 && n <= 107:
			out = append(out, fields[i])
		}
	}
	return out
}

// With NO_COLOR the screen has no colour at all, yet the selected row is reversed and the
// marked row bold.
func TestNoColorScreen(t *testing.T) {
	_, screen := skinned(t, theme.ForEnvironment(func(k string) string {
		return map[string]string{"NO_COLOR": "1"}[k]
	}, nil))
	out := screen()
	for _, p := range sgrs(out) {
		if c := colours(p); len(c) > 0 {
			t.Errorf("colour %v in SGR %q", c, p)
		}
	}
	var selected, marked string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(l, "web-2"):
			selected = l
		case strings.Contains(l, "web-1"):
			marked = l
		}
	}
	if !strings.HasPrefix(selected, "\x1b[7m") {
		t.Errorf("the selected row is not reversed: %q", selected)
	}
	if !strings.Contains(marked, "\x1b[1m") {
		t.Errorf("the marked row is not bold: %q", marked)
	}
	if len(sgrs(out)) == 0 {
		t.Error("no attributes at all")
	}
}

// The ansi16 skin draws with the 16 ANSI colours only.
func TestANSI16Screen(t *testing.T) {
	p, err := theme.LoadSkin("ansi16", "")
	if err != nil {
		t.Fatal(err)
	}
	_, screen := skinned(t, theme.ForEnvironment(func(string) string { return "" }, &p))
	seen := 0
	for _, params := range sgrs(screen()) {
		for _, c := range colours(params) {
			seen++
			if strings.Contains(c, ";") {
				t.Errorf("colour %s (in SGR %q) is not one of the 16", c, params)
			}
		}
	}
	if seen == 0 {
		t.Error("no colour at all")
	}
}

// The prod skin draws the header line on a band of its own colour, across the screen.
func TestHeaderBand(t *testing.T) {
	p, err := theme.LoadSkin("prod", "")
	if err != nil {
		t.Fatal(err)
	}
	_, screen := skinned(t, theme.ForEnvironment(func(string) string { return "" }, &p))
	header := strings.Split(screen(), "\n")[0]
	band := "48;2;175;0;0" // #af0000
	if ansi.StringWidth(header) != 100 {
		t.Errorf("the band is %d wide, want 100: %q", ansi.StringWidth(header), header)
	}
	for _, s := range regexp.MustCompile("\x1b\\[[0-9;]*m[^\x1b]+").FindAllString(header, -1) {
		if !strings.Contains(s, band) || !strings.Contains(s, "38;2;255;255;255") {
			t.Errorf("header text %q is not white on the band", s)
		}
	}
	_, plain := skinned(t, theme.New(theme.Dark()))
	if strings.Contains(strings.Split(plain(), "\n")[0], "48;") {
		t.Errorf("the dark palette has a header band: %q", strings.Split(plain(), "\n")[0])
	}
}

// The terminal's background picks dark or light unless styles were chosen; Env.Skin gives
// each context its own styles, at start and on a switch.
func TestBackgroundAndSkinChoice(t *testing.T) {
	lightBg := tea.BackgroundColorMsg{Color: color.White}
	accent := func(a *App) color.Color { return a.env.Styles.Accent.GetForeground() }

	a, _ := frame(&kube.Client{Info: kube.Info{Context: "dev"}})
	a.Update(lightBg)
	if accent(a) != theme.Light().Accent {
		t.Errorf("no skin, light background: accent %v", accent(a))
	}

	chosen := theme.NoColor()
	a, _ = frame(&kube.Client{Info: kube.Info{Context: "dev"}})
	a.env.Styles = chosen
	a.Update(lightBg)
	if a.env.Styles != chosen {
		t.Error("the background replaced chosen styles")
	}

	prod, _ := theme.LoadSkin("prod", "")
	skin := func(ctx string) *theme.Styles {
		if ctx == "prod" {
			return theme.ForEnvironment(func(string) string { return "" }, &prod)
		}
		return theme.ForEnvironment(func(string) string { return "" }, nil)
	}
	env := &Env{Client: &kube.Client{Info: kube.Info{Context: "prod"}}, Styles: theme.New(theme.Dark()), Skin: skin, Now: time.Now}
	a = New(env, nil, ViewSpec{Name: "blank", New: func(*Env, string) Page { return blankPage{} }})
	if !a.env.Styles.HeaderBanded() {
		t.Error("starting on prod: no header band")
	}
	a.Update(lightBg)
	if !a.env.Styles.HeaderBanded() {
		t.Error("the background replaced prod's skin")
	}
	a.Update(contextSwitchedMsg{clients: []*kube.Client{{Info: kube.Info{Context: "dev"}}}})
	if a.env.Styles.HeaderBanded() || accent(a) != theme.Light().Accent {
		t.Errorf("switched to dev: banded %v, accent %v; want the light palette", a.env.Styles.HeaderBanded(), accent(a))
	}
	a.Update(contextSwitchedMsg{clients: []*kube.Client{{Info: kube.Info{Context: "prod"}}}})
	if !a.env.Styles.HeaderBanded() {
		t.Error("back on prod: no header band")
	}
}
