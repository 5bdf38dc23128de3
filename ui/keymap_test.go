package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui/config"
	"github.com/kdeck/kdeck/ui/uitest"
)

// readConfig writes text to a config file and reads it.
func readConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// viewKeys stand for keys the views package declares, which this package's tests lack.
var viewKeys = []key.Binding{NewKey("object lists", "describe (with events)", "d"), NewKey("object lists", "YAML", "y"),
	NewKey("object lists", "delete", "ctrl+d"), NewKey("pods", "kill", "ctrl+k"), NewKey("pods", "logs", "l")}

// testRegistry is a registry of two views, for config checks.
var testRegistry = []ViewSpec{{Name: "pods", Aliases: []string{"po"}}, {Name: "deployments", Aliases: []string{"deploy", "dp"}}}

// Every key kdeck declares reads back as itself, so the config can name any of them.
func TestParseKeyReadsEveryBuiltinKey(t *testing.T) {
	for _, b := range BuiltinKeys() {
		for _, k := range b.Keys {
			got, err := ParseKey(k)
			if err != nil || got.String() != k {
				t.Errorf("%s (%s): %q, %v", k, b.Group, got.String(), err)
			}
		}
	}
	for name, want := range map[string]string{"shift+d": `did you mean "D"`, "ctrl+D": `did you mean "ctrl+d"`,
		"ctrl+": "is not a key", "foo": "is not a key", "": "is not a key"} {
		if _, err := ParseKey(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %s", name, err, want)
		}
	}
}

func TestKeymapRemapsUnbindsAndSwaps(t *testing.T) {
	cfg := readConfig(t, "keys:\n  D: ctrl+d\n  ctrl+k: none\n  j: k\n  k: j\n")
	m, err := NewKeymap(cfg, cfg.For("").Keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	press := func(k string) string {
		got, ok := m.translate(uitest.Key(k))
		if !ok {
			return "nothing"
		}
		return got.String()
	}
	for k, want := range map[string]string{"D": "ctrl+d", "ctrl+d": "nothing", "ctrl+k": "nothing", "j": "k", "k": "j", "d": "d", "?": "?"} {
		if got := press(k); got != want {
			t.Errorf("%s acts as %s, want %s", k, got, want)
		}
	}
	del := key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete"))
	if b, ok := m.Apply(del); !ok || b.Help().Key != "D" || !slices.Equal(b.Keys(), []string{"D"}) {
		t.Errorf("delete in help: %v %q %v", ok, b.Help().Key, b.Keys())
	}
	if _, ok := m.Apply(key.NewBinding(key.WithKeys("ctrl+k"))); ok {
		t.Error("an unbound key must leave help")
	}
	if b, _ := m.Apply(TableKeys.Down); b.Help().Key != "↓/k" {
		t.Errorf("down after the swap: %q", b.Help().Key)
	}
	if b, _ := m.Apply(TableKeys.Top); b.Help().Key != "g/home" {
		t.Errorf("an untouched binding keeps its label: %q", b.Help().Key)
	}
}

// Each kind of mistake in keys, aliases and plugins is an error with its line, naming
// both sides of a clash.
func TestConfigureErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"clash with a built-in key", "keys:\n  d: ctrl+d\n",
			`:2: keys: d: d is already kdeck's key for "describe (with events)" (object lists)`},
		{"a remap to no key", "keys:\n  D: ctrl+z\n", `:2: keys: D: kdeck has no key ctrl+z to remap`},
		{"a key kdeck cannot read", "keys:\n  shift+x: none\n", `:2: keys: "shift+x" is not a key as kdeck writes it (did you mean "X"?)`},
		{"ctrl+c", "keys:\n  ctrl+c: none\n", `:2: keys: ctrl+c always quits and cannot be unbound`},
		{"ctrl+c moved", "keys:\n  X: ctrl+c\n", `:2: keys: X: ctrl+c always quits and cannot be moved`},
		{"a command to no view", "keys:\n  W: \":podz -n shop\"\n", `:2: keys: W: "podz" is not a view or a command of kdeck's`},
		{"a command with a bad argument", "keys:\n  W: \":pods -x\"\n", `:2: keys: W: unexpected "-x"`},
		{"an empty command", "keys:\n  W: \":\"\n", `:2: keys: W: the command after the colon is missing`},
		{"an alias named like a view", "aliases:\n  po: pods -n shop\n", `:2: alias "po": that is already kdeck's name`},
		{"an alias to no view", "aliases:\n  web: podz\n", `:2: alias web: "podz" is not a view or a command`},
		{"an alias with a bad selector", "aliases:\n  web: pods -l 'app in (('\n", `:2: alias web: bad label selector`},
		{"a plugin on a taken key", "keys:\n  W: \":pods\"\nplugins:\n  - {name: stern, key: W, command: ls}\n",
			`:4: plugin "stern": W is already keys: W (line 2)`},
		{"a plugin on a built-in key", "plugins:\n  - {name: stern, key: l, command: ls}\n",
			`:2: plugin "stern": l is already kdeck's key for`},
		{"a plugin in no view", "plugins:\n  - {name: stern, key: X, command: ls, views: [podz]}\n", `:2: plugin "stern": no view "podz"`},
		{"a plugin's program missing", "plugins:\n  - {name: stern, key: X, command: kdeck-no-such-program}\n",
			`:2: plugin "stern": command "kdeck-no-such-program" is not found`},
		{"an unknown skin", "contexts:\n  prod: {skin: prodd}\n", `:2: skin: unknown skin "prodd" (expected one of ansi16, dark, light, prod;`},
		{"a clash in a context", "contexts:\n  prod:\n    keys: {y: ctrl+d}\n", `:3: keys: y: y is already kdeck's key for "YAML"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := readConfig(t, c.text)
			_, err := Configure(cfg, testRegistry, nil)
			if err == nil || !strings.Contains(err.Error(), cfg.File()+c.want) {
				t.Fatalf("got %v\nwant %s%s", err, cfg.File(), c.want)
			}
		})
	}
}

// A key freed by the config may be given a new use; a plugin may take an unbound key.
func TestConfigureAcceptsFreedKeys(t *testing.T) {
	cfg := readConfig(t, `keys:
  ctrl+d: none
  X: d
  d: ":deploy -n shop"
  Q: ":web"
aliases:
  web: pods -n shop -l app=web
plugins:
  - {name: stern, key: ctrl+d, command: ls, views: [po, containers]}
`)
	c, err := Configure(cfg, testRegistry, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := c.Keys("any")
	if line, ok := m.command(uitest.Key("d")); !ok || line != "deploy -n shop" {
		t.Errorf("d: %q %v", line, ok)
	}
	if p := m.plugin(uitest.Key("ctrl+d")); p == nil || p.Name.V != "stern" {
		t.Errorf("ctrl+d: %+v", p)
	}
	if got, _ := m.translate(uitest.Key("X")); got.String() != "d" {
		t.Errorf("X acts as %s", got.String())
	}
	if !pluginWorksIn(testRegistry, []string{"po", "containers"}, "pods") || pluginWorksIn(testRegistry, []string{"po"}, "deployments") {
		t.Error("a plugin's views are read as command mode reads them")
	}
}

// In the shell: an unbound key does nothing and leaves help, a remapped key acts, the
// status line names the keys in force, and a key of the user's runs its command line.
func TestAppKeymap(t *testing.T) {
	cfg := readConfig(t, "keys:\n  ctrl+d: none\n  F: \"?\"\n  W: \":ns shop\"\n")
	c, err := Configure(cfg, testRegistry, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, screen := frame(&kube.Client{Info: kube.Info{Context: "kind"}})
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	a.SetConfig(c)
	page := &keyPage{}
	a.stack = []Page{page}
	a.Update(uitest.Key("ctrl+d"))
	a.Update(uitest.Key("x"))
	if !slices.Equal(page.got, []string{"x"}) {
		t.Errorf("the page saw %v: ctrl+d is unbound", page.got)
	}
	if s := screen(); !strings.Contains(s, ":cmd  F:help  q:quit") {
		t.Errorf("status line: %s", s)
	}
	a.Update(uitest.Key("?"))
	if a.help {
		t.Error("? was moved to F: it opens nothing")
	}
	a.Update(uitest.Key("F"))
	s := screen()
	if !a.help || strings.Contains(s, "ctrl+d") || !strings.Contains(s, "x            act") ||
		!strings.Contains(s, "W            :ns shop") || !strings.Contains(s, "F or esc closes this help") {
		t.Errorf("help:\n%s", s)
	}
	a.Update(uitest.Key("F"))
	a.Update(uitest.Key("W"))
	if a.help || a.env.Namespace != "shop" {
		t.Errorf("W runs :ns shop: help %v, namespace %q", a.help, a.env.Namespace)
	}
}

// keyPage records the keys it is given and binds ctrl+d and x.
type keyPage struct {
	blankPage
	got []string
}

func (p *keyPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		p.got = append(p.got, k.String())
	}
	return p, nil
}

func (p *keyPage) Bindings() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete")),
		key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "act"))}
}
