package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdeck/kdeck/kube"
)

// write puts text in a config file of its own and returns its path.
func write(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyPerContext(t *testing.T) {
	c, err := Read(write(t, "neverReveal: true\ncontexts:\n  prod: {readonly: true, neverReveal: true}\n  dev: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]kube.Policy{
		"prod":  {ReadOnly: true, NeverReveal: true},
		"dev":   {NeverReveal: true}, // its entry sets nothing, so it keeps the top level's
		"other": {NeverReveal: true},
	}
	for name, want := range cases {
		if got := c.For(name).Policy; got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
}

// A context entry overrides only the fields it sets, may turn a top-level setting off,
// and adds its keys to the top level's (its own entry winning for the same key).
func TestContextOverridesOnlyItsFields(t *testing.T) {
	c, err := Read(write(t, `readonly: true
skin: light
keys: {D: ctrl+d, ctrl+k: none}
contexts:
  prod: {neverReveal: true, skin: prod, keys: {D: none}}
  dev: {readonly: false}
`))
	if err != nil {
		t.Fatal(err)
	}
	prod, dev, other := c.For("prod"), c.For("dev"), c.For("other")
	if prod.Policy != (kube.Policy{ReadOnly: true, NeverReveal: true}) || prod.Skin.V != "prod" || prod.Skin.Line != 5 {
		t.Errorf("prod: %+v", prod)
	}
	if prod.Keys["D"].V != "none" || prod.Keys["ctrl+k"].V != "none" || len(prod.Keys) != 2 {
		t.Errorf("prod's keys: %+v", prod.Keys)
	}
	if dev.Policy.ReadOnly || dev.Skin.V != "light" || dev.Keys["D"].V != "ctrl+d" {
		t.Errorf("dev: %+v", dev)
	}
	if !other.Policy.ReadOnly || other.Keys["D"].Line != 3 {
		t.Errorf("other: %+v", other)
	}
}

func TestMissingFiles(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	if c, err := Load(missing); err != nil || c.For("x").Policy.ReadOnly {
		t.Fatalf("a missing default file is the empty config: %+v %v", c, err)
	}
	if _, err := Read(missing); err == nil || err.Error() != missing+": does not exist" {
		t.Fatalf("a file named with --config must exist: %v", err)
	}
	if c, err := Read(write(t, "")); err != nil || c.Mouse {
		t.Fatalf("an empty file is the empty config: %v", err)
	}
}

// Every kind of mistake the file's shape shows names the file, the line and what was
// expected; every mistake is reported, not only the first.
func TestErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"unknown field", "mouse: true\nreadonlly: true\n",
			`:2: unknown field "readonlly" (expected one of: aliases, contexts, keys, mouse, neverReveal, plugins, readonly, skin)`},
		{"unknown field in a context", "contexts:\n  prod:\n    skim: prod\n",
			`:3: unknown field "skim" (expected one of: keys, neverReveal, readonly, skin)`},
		{"not a boolean", "mouse: yes please\n", `:1: "yes please" is not true or false`},
		{"a list for a value", "skin: [a, b]\n", `:1: a list is not a single value`},
		{"keys not a mapping", "keys: [D]\n", `:1: a list is not a mapping of names to values`},
		{"bad YAML", "keys:\n  D: ctrl+d\n   x: y\n", `:3: mapping values are not allowed in this context`},
		{"two documents", "mouse: true\n---\nmouse: false\n", `:2: a second YAML document`},
		{"unknown plugin field", "plugins:\n  - name: a\n    key: X\n    command: ls\n    shortcut: X\n",
			`:5: unknown field "shortcut" (expected one of: args, background, command, confirm, key, name, prompts, readonly, views)`},
		{"plugin without command", "plugins:\n  - name: a\n    key: X\n", `:2: plugin "a": command is missing`},
		{"plugin without key", "plugins:\n  - name: a\n    command: ls\n", `:2: plugin "a": key is missing`},
		{"plugin without name", "plugins:\n  - key: X\n    command: ls\n", `:2: plugins[0]: name is missing`},
		{"two plugins of a name", "plugins:\n  - {name: a, key: X, command: ls}\n  - {name: a, key: Z, command: ls}\n",
			`:3: plugin "a": a second plugin of that name (the first is on line 2)`},
		{"unknown variable", "plugins:\n  - {name: a, key: X, command: ls, args: [$NAMESPACE, $NAMSPACE]}\n",
			`:2: plugin "a": unknown variable $NAMSPACE (expected one of: CONTEXT,`},
		{"bad prompt name", "plugins:\n  - name: a\n    key: X\n    command: ls\n    prompts: [{name: lines}]\n",
			`:5: plugin "a": prompt name "lines" is not a variable name`},
		{"alias with a space", "aliases:\n  my web: pods\n", `:2: alias "my web": a name is one word`},
		{"empty alias", "aliases:\n  web: ''\n", `:2: alias "web" is empty`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := write(t, c.text)
			_, err := Read(path)
			if err == nil || !strings.Contains(err.Error(), path+c.want) {
				t.Fatalf("got %v\nwant %s%s", err, path, c.want)
			}
		})
	}
	_, err := Read(write(t, "mouse: maybe\nskim: x\n"))
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("both mistakes, one line each: %v", err)
	}
}

// A prompt's answer is a variable of its plugin's arguments.
func TestPromptsAreVariables(t *testing.T) {
	_, err := Read(write(t, "plugins:\n  - name: tail\n    key: X\n    command: ls\n    args: [--tail, $LINES, $NAME]\n    prompts: [{name: LINES, label: how many, default: '100'}]\n"))
	if err != nil {
		t.Fatal(err)
	}
}
