package theme

import (
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Every built-in skin loads; dark and light are today's palettes, prod adds a header band
// and ansi16 uses the 16 ANSI colours only.
func TestBuiltinSkins(t *testing.T) {
	names := SkinNames("")
	if want := []string{"ansi16", "dark", "light", "prod"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("built-in skins %v, want %v", names, want)
	}
	skins := map[string]Palette{}
	for _, name := range names {
		p, err := LoadSkin(name, "")
		if err != nil {
			t.Fatalf("skin %s: %v", name, err)
		}
		skins[name] = p
	}
	if !reflect.DeepEqual(skins["dark"], Dark()) {
		t.Errorf("dark skin %+v\nis not Dark() %+v", skins["dark"], Dark())
	}
	if !reflect.DeepEqual(skins["light"], Light()) {
		t.Errorf("light skin %+v\nis not Light() %+v", skins["light"], Light())
	}
	prod := skins["prod"]
	if prod.HeaderBand == nil || prod.HeaderFg == nil {
		t.Errorf("prod has no header band: %+v", prod)
	}
	prod.HeaderBand, prod.HeaderFg = nil, nil
	if !reflect.DeepEqual(prod, Dark()) {
		t.Errorf("prod is more than dark with a header band: %+v", prod)
	}
	v := reflect.ValueOf(skins["ansi16"])
	for i := range v.NumField() {
		c, _ := v.Field(i).Interface().(color.Color)
		switch c := c.(type) {
		case nil, lipgloss.NoColor:
		case ansi.BasicColor:
			if c > 15 {
				t.Errorf("ansi16 %s is %d", v.Type().Field(i).Name, c)
			}
		default:
			t.Errorf("ansi16 %s is %T %v, not one of the 16 colours", v.Type().Field(i).Name, c, c)
		}
	}
}

// A user skin shadows the built-in skin of its name and inherits what it leaves out from
// its base; user skins are listed beside the built-in ones.
func TestUserSkin(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "dark.yaml", "accent: \"#123\"\n")
	write(t, dir, "mine.yaml", "base: light\nbad: 196\ngood: \"28\"\ntext: default\nheaderBand: \"#AbCdEf\"\n")
	write(t, dir, "notes.txt", "not a skin")
	p, err := LoadSkin("dark", dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Dark()
	want.Accent = lipgloss.Color("#112233")
	if !reflect.DeepEqual(p, want) {
		t.Errorf("user dark: %+v, want %+v", p, want)
	}
	p, err = LoadSkin("mine", dir)
	if err != nil {
		t.Fatal(err)
	}
	want = Light()
	want.Bad, want.Good, want.Text = ansi.IndexedColor(196), ansi.IndexedColor(28), lipgloss.NoColor{}
	want.HeaderBand = lipgloss.Color("#abcdef")
	if !reflect.DeepEqual(p, want) {
		t.Errorf("mine: %+v, want %+v", p, want)
	}
	if got := SkinNames(dir); !reflect.DeepEqual(got, []string{"ansi16", "dark", "light", "mine", "prod"}) {
		t.Errorf("skin names %v", got)
	}
}

// Each mistake in a skin is reported as FILE:LINE: what was wrong, what was expected;
// every mistake of a file at once.
func TestSkinErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, text string
		want       []string // the error's lines, FILE being the skin's path
	}{
		{"field", "base: dark\ncolour: \"#fff\"\n", []string{
			`FILE:2: unknown field "colour" (expected one of base, text, muted, accent, good, warn, bad, info, selectFg, selectBg, headerBg, statusBar, headerFg, headerBand)`}},
		{"colour", "text: \"#d0d0d0\"\n\naccent: \"#12345\"\n", []string{
			`FILE:3: accent: "#12345" is not a colour (expected #rrggbb, #rgb, an ANSI number 0-255 or default)`}},
		{"every", "bad: 256\ngood: red\nselectBg: [1, 2]\nbase: solarized\nwarn: #ffd75f\nmuted: -1\n", []string{
			`FILE:1: bad: "256" is not a colour (expected #rrggbb, #rgb, an ANSI number 0-255 or default)`,
			`FILE:2: good: "red" is not a colour (expected #rrggbb, #rgb, an ANSI number 0-255 or default)`,
			`FILE:3: selectBg: a list is not a colour (expected #rrggbb, #rgb, an ANSI number 0-255 or default)`,
			`FILE:4: base: "solarized" is not a palette (expected dark or light)`,
			`FILE:5: warn: no colour given (expected #rrggbb, #rgb, an ANSI number 0-255 or default; in YAML a # starts a comment, so quote a hex colour: "#ff8700")`,
			`FILE:6: muted: "-1" is not a colour (expected #rrggbb, #rgb, an ANSI number 0-255 or default)`}},
		{"syntax", "text: \"#d0d0d0\"\naccent: \"#5fafff\n", []string{
			`FILE:2: not valid YAML: found unexpected end of stream (expected lines of "field: colour")`}},
		{"indent", "text: 1\n  accent: 2\n", []string{
			`FILE:2: not valid YAML: mapping values are not allowed in this context (expected lines of "field: colour")`}},
		{"list", "- text: 1\n", []string{
			`FILE:1: a skin is a mapping of field names to colours, not a list (expected fields base, text, muted, accent, good, warn, bad, info, selectFg, selectBg, headerBg, statusBar, headerFg, headerBand)`}},
		{"twice", "text: 1\ntext: 2\n", []string{
			`FILE:2: mapping key "text" already defined at line 1`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := write(t, dir, c.name+".yaml", c.text)
			_, err := LoadSkin(c.name, dir)
			if err == nil {
				t.Fatal("no error")
			}
			want := strings.ReplaceAll(strings.Join(c.want, "\n"), "FILE", path)
			if err.Error() != want {
				t.Errorf("error:\n%s\nwant:\n%s", err, want)
			}
		})
	}
}

// A name that is no skin lists the skins there are and where a new one goes; a name that
// is a path is no skin.
func TestUnknownSkin(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "mine.yaml", "")
	write(t, filepath.Dir(dir), "outside.yaml", "")
	for _, name := range []string{"solarized", "../outside", "", ".hidden"} {
		_, err := LoadSkin(name, dir)
		var unknown *UnknownSkinError
		if !errors.As(err, &unknown) {
			t.Fatalf("%q: %v, want an UnknownSkinError", name, err)
		}
		want := `unknown skin "` + name + `" (expected one of ansi16, dark, light, mine, prod; a skin of your own goes in ` + filepath.Join(dir, "NAME.yaml") + ")"
		if err.Error() != want {
			t.Errorf("error:\n%s\nwant:\n%s", err, want)
		}
	}
	if p, err := LoadSkin("mine", dir); err != nil || !reflect.DeepEqual(p, Dark()) {
		t.Errorf("an empty skin is its base: %+v, %v", p, err)
	}
}

// A skin file that cannot be read is an error naming it, not the built-in skin.
func TestUnreadableSkin(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "dark.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSkin("dark", dir); err == nil || !strings.Contains(err.Error(), "dark.yaml") {
		t.Errorf("a skin that is a directory: %v", err)
	}
}

// NO_COLOR set to anything but empty turns colour off, over any skin; a chosen skin's
// styles are marked chosen, the default's not.
func TestForEnvironment(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "NO_COLOR" {
				return v
			}
			return ""
		}
	}
	prod, _ := LoadSkin("prod", "")
	for _, c := range []struct {
		noColor string
		skin    *Palette
		chosen  bool
		banded  bool
		colour  bool
	}{
		{"", nil, false, false, true},
		{"", &prod, true, true, true},
		{"1", nil, true, false, false},
		{"0", &prod, true, false, false}, // any value, even 0 or false (no-color.org)
		{"false", nil, true, false, false},
	} {
		st := ForEnvironment(env(c.noColor), c.skin)
		hasColour := !isNone(st.Accent.GetForeground())
		if st.Chosen != c.chosen || st.HeaderBanded() != c.banded || hasColour != c.colour {
			t.Errorf("NO_COLOR=%q skin %v: chosen %v banded %v colour %v", c.noColor, c.skin != nil, st.Chosen, st.HeaderBanded(), hasColour)
		}
	}
}

// NoColor styles render no colour, yet the selected row is reversed and titles bold.
func TestNoColorStyles(t *testing.T) {
	st := NoColor()
	v := reflect.ValueOf(*st)
	for i := range v.NumField() {
		s, ok := v.Field(i).Interface().(lipgloss.Style)
		if !ok {
			continue
		}
		out := s.Render("x")
		if !isNone(s.GetForeground()) || !isNone(s.GetBackground()) || strings.Contains(out, "38;") || strings.Contains(out, "48;") {
			t.Errorf("%s has a colour: %q", v.Type().Field(i).Name, out)
		}
	}
	if !st.Selected.GetReverse() || !st.Title.GetBold() || !st.Stale.GetFaint() {
		t.Errorf("selected reverse %v, title bold %v, stale faint %v", st.Selected.GetReverse(), st.Title.GetBold(), st.Stale.GetFaint())
	}
}

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
