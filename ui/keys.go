package ui

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// BuiltinKey is one entry of the key registry: keys kdeck binds, where and what they do.
// The keys reference (docs/KEYS.md) and the config's clash check read the registry.
type BuiltinKey struct {
	Group string   // where the keys work: "general", "lists", "pods", "logs", …
	Keys  []string // as bubbletea names them: "ctrl+d", "D", "enter"
	Desc  string
}

// builtinKeys is the key registry, filled by NewKey as packages initialise.
var builtinKeys []BuiltinKey

// NewKey returns one of kdeck's own bindings and records it in the key registry. Call it
// only to initialise package-level variables, so that the registry is complete before
// main runs (and is never written to afterwards).
func NewKey(group, desc string, keys ...string) key.Binding {
	builtinKeys = append(builtinKeys, BuiltinKey{Group: group, Keys: keys, Desc: desc})
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(KeyLabel(keys), desc))
}

// BuiltinKeys returns the key registry in the order the keys were declared.
func BuiltinKeys() []BuiltinKey { return slices.Clone(builtinKeys) }

// FixedKeys cannot be remapped or unbound: ctrl+c always quits.
var FixedKeys = []string{"ctrl+c"}

// keyGlyphs shortens key names in help.
var keyGlyphs = map[string]string{"up": "↑", "down": "↓", "left": "←", "right": "→"}

// KeyLabel is how help shows keys: "↑/k", "ctrl+d", and a run of all ten digits as "0-9".
func KeyLabel(keys []string) string {
	digits := "0123456789"
	var parts []string
	for i := 0; i < len(keys); i++ {
		if keys[i] == "0" && i+10 <= len(keys) && strings.Join(keys[i:i+10], "") == digits {
			parts = append(parts, "0-9")
			i += 9
			continue
		}
		k := keys[i]
		if g, ok := keyGlyphs[k]; ok {
			k = g
		}
		parts = append(parts, k)
	}
	return strings.Join(parts, "/")
}

// namedKeys maps the names bubbletea gives keys that are not characters ("enter",
// "pgdown", "f5") to their codes, read from bubbletea itself so the two never disagree.
var namedKeys = func() map[string]rune {
	names := map[string]rune{}
	add := func(r rune) {
		if n := (tea.Key{Code: r}).Keystroke(); utf8.RuneCountInString(n) > 1 && !strings.ContainsRune(n, utf8.RuneError) {
			names[n] = r
		}
	}
	for r := rune(0); r < 128; r++ {
		add(r)
	}
	for r := tea.KeyExtended + 1; r < tea.KeyExtended+512; r++ {
		add(r)
	}
	return names
}()

// keyMods are the modifiers a key name may start with, in bubbletea's order.
var keyMods = []struct {
	name string
	mod  tea.KeyMod
}{{"ctrl", tea.ModCtrl}, {"alt", tea.ModAlt}, {"shift", tea.ModShift}, {"meta", tea.ModMeta},
	{"hyper", tea.ModHyper}, {"super", tea.ModSuper}}

// ParseKey turns a key name as bubbletea writes it ("D", "ctrl+d", "alt+enter", "f5",
// "space") into the key press it names; its String() is the name again.
func ParseKey(name string) (tea.Key, error) {
	var k tea.Key
	rest := name
	for _, m := range keyMods {
		if r, ok := strings.CutPrefix(rest, m.name+"+"); ok && r != "" {
			k.Mod |= m.mod
			rest = r
		}
	}
	if code, ok := namedKeys[rest]; ok {
		k.Code = code
	} else if r, size := utf8.DecodeRuneInString(rest); size == len(rest) && r != utf8.RuneError && unicode.IsGraphic(r) && r != ' ' {
		k.Code = unicode.ToLower(r)
		if k.Mod&^tea.ModShift == 0 { // a character typed: its text is what bubbletea reports
			k.Text = rest
			if k.Mod == tea.ModShift { // shift+d is typed as D
				k.Text = strings.ToUpper(rest)
			}
			if unicode.IsUpper(r) {
				k.ShiftedCode, k.Mod = r, k.Mod|tea.ModShift
			}
		}
	} else {
		return k, fmt.Errorf("%q is not a key (expected a character like D, or a name like ctrl+d, enter, f5, pgdown, space)", name)
	}
	if k.String() != name {
		return k, fmt.Errorf("%q is not a key as kdeck writes it (did you mean %q?)", name, k.String())
	}
	return k, nil
}

// KeysReference returns the keys reference in Markdown, generated from the key registry:
// one table per group, in the order the groups were declared.
func KeysReference() string {
	var b strings.Builder
	b.WriteString("# Keys reference\n\n")
	b.WriteString("<!-- Generated from kdeck's key registry by `make docs`; a test fails when it is stale. -->\n\n")
	b.WriteString("Every key below can be remapped or unbound in the config file, globally or per context\n")
	b.WriteString("(see [CONFIG.md](CONFIG.md), `keys`), except ctrl+c, which always quits. `?` shows the keys in\n")
	b.WriteString("force on the page you are on. Text typed into a prompt, a filter or a dialog is never remapped.\n")
	var groups []string
	byGroup := map[string][]BuiltinKey{}
	for _, k := range builtinKeys {
		if _, ok := byGroup[k.Group]; !ok {
			groups = append(groups, k.Group)
		}
		byGroup[k.Group] = append(byGroup[k.Group], k)
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "\n## %s\n\n| key | what it does |\n|---|---|\n", g)
		for _, k := range byGroup[g] {
			names := make([]string, len(k.Keys))
			for i, n := range k.Keys {
				names[i] = "`" + n + "`"
			}
			if KeyLabel(k.Keys) == "0-9" {
				names = []string{"`0` … `9`"}
			}
			fmt.Fprintf(&b, "| %s | %s |\n", strings.Join(names, " "), strings.ReplaceAll(k.Desc, "|", `\|`))
		}
	}
	return b.String()
}
