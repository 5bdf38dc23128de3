package theme

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"go.yaml.in/yaml/v3"
)

// builtin holds the skins shipped with kdeck; a user skin of the same name shadows one.
//
//go:embed skins/*.yaml
var builtin embed.FS

// skinName is what a skin may be called: a file name in the skins folder, no path.
var skinName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// SkinNames lists the skins there are, built in and in dir (user skins, NAME.yaml), sorted
// and each once.
func SkinNames(dir string) []string {
	var names []string
	add := func(files []fs.DirEntry) {
		for _, f := range files {
			if name, ok := strings.CutSuffix(f.Name(), ".yaml"); ok && !f.IsDir() && skinName.MatchString(name) && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	files, _ := builtin.ReadDir("skins")
	add(files)
	if dir != "" {
		files, _ = os.ReadDir(dir)
		add(files)
	}
	sort.Strings(names)
	return names
}

// UnknownSkinError is a skin name that is neither built in nor a file in the skins folder.
// It names no file and line: the caller knows where the name was given (the config file).
type UnknownSkinError struct {
	Name  string
	Known []string // the skins there are
	Dir   string   // the user skins' folder
}

func (e *UnknownSkinError) Error() string {
	where := ""
	if e.Dir != "" {
		where = "; a skin of your own goes in " + filepath.Join(e.Dir, "NAME.yaml")
	}
	return fmt.Sprintf("unknown skin %q (expected one of %s%s)", e.Name, strings.Join(e.Known, ", "), where)
}

// LoadSkin reads the skin called name: dir/NAME.yaml when there is one (dir is the user
// skins' folder, skins/ next to the config file; "" for none), else the built-in skin of that name. Every
// mistake in the file is reported, each as "FILE:LINE: what was wrong (what was expected)",
// joined by newlines; a name that is no skin is an *UnknownSkinError.
func LoadSkin(name, dir string) (Palette, error) {
	if !skinName.MatchString(name) {
		return Palette{}, &UnknownSkinError{Name: name, Known: SkinNames(dir), Dir: dir}
	}
	if dir != "" {
		path := filepath.Join(dir, name+".yaml")
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			return ParseSkin(path, data)
		case !errors.Is(err, fs.ErrNotExist):
			return Palette{}, fmt.Errorf("skin %s: %w", name, err)
		}
	}
	path := "skins/" + name + ".yaml"
	data, err := builtin.ReadFile(path)
	if err != nil {
		return Palette{}, &UnknownSkinError{Name: name, Known: SkinNames(dir), Dir: dir}
	}
	return ParseSkin(path, data)
}

// skinFile is a skin as written: one field per colour of Palette, lowerCamel, plus the
// palette it starts from. Fields are kept as nodes, to say on which line a value is wrong.
type skinFile struct {
	Base       yaml.Node `yaml:"base"`
	Text       yaml.Node `yaml:"text"`
	Muted      yaml.Node `yaml:"muted"`
	Accent     yaml.Node `yaml:"accent"`
	Good       yaml.Node `yaml:"good"`
	Warn       yaml.Node `yaml:"warn"`
	Bad        yaml.Node `yaml:"bad"`
	Info       yaml.Node `yaml:"info"`
	SelectFg   yaml.Node `yaml:"selectFg"`
	SelectBg   yaml.Node `yaml:"selectBg"`
	HeaderBg   yaml.Node `yaml:"headerBg"`
	StatusBar  yaml.Node `yaml:"statusBar"`
	HeaderFg   yaml.Node `yaml:"headerFg"`
	HeaderBand yaml.Node `yaml:"headerBand"`
}

// colours pairs each field of f with the palette colour it sets.
func (f *skinFile) colours(p *Palette) []struct {
	name string
	node *yaml.Node
	dst  *color.Color
} {
	type field = struct {
		name string
		node *yaml.Node
		dst  *color.Color
	}
	return []field{
		{"text", &f.Text, &p.Text}, {"muted", &f.Muted, &p.Muted}, {"accent", &f.Accent, &p.Accent},
		{"good", &f.Good, &p.Good}, {"warn", &f.Warn, &p.Warn}, {"bad", &f.Bad, &p.Bad}, {"info", &f.Info, &p.Info},
		{"selectFg", &f.SelectFg, &p.SelectFg}, {"selectBg", &f.SelectBg, &p.SelectBg},
		{"headerBg", &f.HeaderBg, &p.HeaderBg}, {"statusBar", &f.StatusBar, &p.StatusBar},
		{"headerFg", &f.HeaderFg, &p.HeaderFg}, {"headerBand", &f.HeaderBand, &p.HeaderBand},
	}
}

// skinFields are the fields a skin may set, for messages.
const skinFields = "base, text, muted, accent, good, warn, bad, info, selectFg, selectBg, headerBg, statusBar, headerFg, headerBand"

// colourExpected is what a colour may be.
const colourExpected = "expected #rrggbb, #rgb, an ANSI number 0-255 or default"

// ParseSkin reads a skin from data, the contents of the file at path (named in errors).
// Colours it does not set are those of its base palette (base: dark or light; dark when
// not given).
func ParseSkin(path string, data []byte) (Palette, error) {
	var f skinFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var errs []lineError
	err := dec.Decode(&f)
	var typeErr *yaml.TypeError
	switch {
	case err == nil, errors.Is(err, io.EOF): // an empty file is its base as it is
	case errors.As(err, &typeErr):
		for _, e := range typeErr.Errors {
			errs = append(errs, yamlProblem(e))
		}
	default:
		return Palette{}, errorAt(path, []lineError{yamlSyntax(err.Error())})
	}

	p := Dark()
	if n := &f.Base; n.Kind != 0 {
		switch v := n.Value; {
		case n.Kind == yaml.ScalarNode && v == "dark":
		case n.Kind == yaml.ScalarNode && v == "light":
			p = Light()
		default:
			errs = append(errs, lineError{n.Line, fmt.Sprintf("base: %s is not a palette (expected dark or light)", describe(n))})
		}
	}
	for _, c := range f.colours(&p) {
		if c.node.Kind == 0 {
			continue // not set: the base's colour
		}
		col, problem := parseColour(c.node)
		if problem != "" {
			errs = append(errs, lineError{c.node.Line, c.name + ": " + problem})
			continue
		}
		*c.dst = col
	}
	if len(errs) > 0 {
		return Palette{}, errorAt(path, errs)
	}
	return p, nil
}

// parseColour reads a colour value; problem says what is wrong with it, "" when nothing is.
func parseColour(n *yaml.Node) (color.Color, string) {
	if n.Kind != yaml.ScalarNode {
		return nil, describe(n) + " is not a colour (" + colourExpected + ")"
	}
	v := strings.TrimSpace(n.Value)
	switch {
	case n.Tag == "!!null":
		return nil, "no colour given (" + colourExpected + `; in YAML a # starts a comment, so quote a hex colour: "#ff8700")`
	case strings.EqualFold(v, "default"):
		return lipgloss.NoColor{}, ""
	case isHexColour(v):
		return lipgloss.Color(strings.ToLower(v)), ""
	}
	if i, err := strconv.Atoi(v); err == nil && i >= 0 && i <= 255 && v == strconv.Itoa(i) {
		return lipgloss.Color(v), ""
	}
	return nil, describe(n) + " is not a colour (" + colourExpected + ")"
}

// isHexColour reports whether s is #rgb or #rrggbb.
func isHexColour(s string) bool {
	if len(s) != 4 && len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range s[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// describe names a value as a person wrote it, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return strconv.Quote(n.Value)
}

// lineError is one mistake in a skin file, at a line (0 when the parser did not say).
type lineError struct {
	line int
	text string
}

// errorAt turns the mistakes of the file at path into one error, a line each, in the
// order of the file: "FILE:LINE: what".
func errorAt(path string, errs []lineError) error {
	slices.SortStableFunc(errs, func(a, b lineError) int { return a.line - b.line })
	out := make([]error, len(errs))
	for i, e := range errs {
		if e.line > 0 {
			out[i] = fmt.Errorf("%s:%d: %s", path, e.line, e.text)
		} else {
			out[i] = fmt.Errorf("%s: %s", path, e.text)
		}
	}
	return errors.Join(out...)
}

var (
	yamlLine     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlNotField = regexp.MustCompile(`^field (.+) not found in type `)
	yamlNotMap   = regexp.MustCompile(`^cannot unmarshal !!(\w+)`)
)

// yamlProblem rewords one of the YAML decoder's complaints about the document's shape.
func yamlProblem(e string) lineError {
	m := yamlLine.FindStringSubmatch(e)
	if m == nil {
		return lineError{0, e}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if f := yamlNotField.FindStringSubmatch(text); f != nil {
		text = fmt.Sprintf("unknown field %q (expected one of %s)", f[1], skinFields)
	} else if t := yamlNotMap.FindStringSubmatch(text); t != nil {
		text = fmt.Sprintf("a skin is a mapping of field names to colours, not a %s (expected fields %s)", yamlKind(t[1]), skinFields)
	}
	return lineError{line, text}
}

// yamlKind names a YAML tag for people.
func yamlKind(tag string) string {
	switch tag {
	case "seq":
		return "list"
	case "str":
		return "string"
	case "int", "float":
		return "number"
	}
	return tag
}

// yamlSyntax rewords a YAML syntax error.
func yamlSyntax(e string) lineError {
	e = strings.TrimPrefix(e, "yaml: ")
	if m := yamlLine.FindStringSubmatch(e); m != nil {
		line, _ := strconv.Atoi(m[1])
		return lineError{line, "not valid YAML: " + m[2] + ` (expected lines of "field: colour")`}
	}
	return lineError{0, "not valid YAML: " + e + ` (expected lines of "field: colour")`}
}

// NoColorRequested reports whether the environment asks for no colour: NO_COLOR set and not
// empty, whatever its value (https://no-color.org). getenv is os.Getenv.
func NoColorRequested(getenv func(string) string) bool { return getenv("NO_COLOR") != "" }

// ForEnvironment returns the styles to draw with: none coloured when the environment sets
// NO_COLOR (see NoColorRequested), else those of skin, a palette a person chose (LoadSkin),
// else the dark palette, which the terminal's background colour may later replace with the
// light one. The styles of NO_COLOR and of a chosen skin are Chosen: the background does
// not replace them.
func ForEnvironment(getenv func(string) string, skin *Palette) *Styles {
	switch {
	case NoColorRequested(getenv):
		return NoColor()
	case skin != nil:
		st := New(*skin)
		st.Chosen = true
		return st
	}
	return New(Dark())
}
