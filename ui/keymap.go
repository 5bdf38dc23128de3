package ui

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/ui/config"
)

// Keymap is the config's keys on one context: the built-in key each pressed key acts as,
// the keys that do nothing, and the keys of the user's own that run a command line or a
// plugin. The zero Keymap (and nil) changes nothing.
type Keymap struct {
	acts     map[string]string // pressed key → the built-in key it acts as; "" does nothing
	commands map[string]string // pressed key → a command line, as typed after the colon
	plugins  map[string]*config.Plugin
}

// Unbound is the config's word for a key that does nothing.
const Unbound = "none"

// NewKeymap builds the keymap of keys (the config's entries for one context) and plugins,
// and reports every mistake with the config's file and line: a key kdeck cannot read, a
// remap to a key kdeck does not have, a key that is already taken (naming both).
func NewKeymap(cfg *config.Config, keys map[string]config.At[string], plugins []config.Plugin) (*Keymap, error) {
	m := &Keymap{acts: map[string]string{}, commands: map[string]string{}, plugins: map[string]*config.Plugin{}}
	builtin := builtinByKey()
	var errs []error
	taken := map[string]string{} // the user's own keys, for clashes between them
	// movedAway: built-in keys whose action the config gives to another key
	movedAway := map[string]bool{}
	for k, v := range keys {
		if v.V != k {
			movedAway[v.V] = true
		}
	}
	// free reports whether k may get a new use: not fixed, not a built-in key still
	// acting (unless unbound is true: the config unbinds it), not already the user's
	free := func(k, what string, line int, unbound bool) bool {
		if slices.Contains(FixedKeys, k) {
			errs = append(errs, cfg.Errorf(line, "%s: %s always quits and cannot be bound", what, k))
			return false
		}
		if uses := builtin[k]; len(uses) > 0 && !movedAway[k] && !unbound {
			errs = append(errs, cfg.Errorf(line, "%s: %s is already kdeck's key for %s (first give that a free key X with `X: %s`, or drop it with `%s: none`)",
				what, k, strings.Join(uses, ", "), k, k))
			return false
		}
		if prev, ok := taken[k]; ok {
			errs = append(errs, cfg.Errorf(line, "%s: %s is already %s", what, k, prev))
			return false
		}
		taken[k] = fmt.Sprintf("%s (line %d)", what, line)
		return true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		v := keys[k]
		if _, err := ParseKey(k); err != nil {
			errs = append(errs, cfg.Errorf(v.Line, "keys: %v", err))
			continue
		}
		switch {
		case v.V == Unbound:
			if slices.Contains(FixedKeys, k) {
				errs = append(errs, cfg.Errorf(v.Line, "keys: %s always quits and cannot be unbound", k))
			}
			m.acts[k] = ""
		case strings.HasPrefix(v.V, ":"):
			if strings.TrimSpace(v.V[1:]) == "" {
				errs = append(errs, cfg.Errorf(v.Line, "keys: %s: the command after the colon is missing", k))
			} else if free(k, "keys: "+k, v.Line, false) {
				m.commands[k] = strings.TrimSpace(v.V[1:])
			}
		default:
			if _, err := ParseKey(v.V); err != nil {
				errs = append(errs, cfg.Errorf(v.Line, "keys: %s: %v (or none, or a command line starting with a colon)", k, err))
				continue
			}
			if len(builtin[v.V]) == 0 {
				errs = append(errs, cfg.Errorf(v.Line, "keys: %s: kdeck has no key %s to remap (see the keys reference, docs/KEYS.md)", k, v.V))
				continue
			}
			if slices.Contains(FixedKeys, v.V) {
				errs = append(errs, cfg.Errorf(v.Line, "keys: %s: %s always quits and cannot be moved", k, v.V))
				continue
			}
			if v.V != k && free(k, "keys: "+k, v.Line, false) {
				m.acts[k] = v.V
			}
		}
	}
	// a built-in key moved to another key no longer acts itself, unless the config gives it a use
	for _, v := range m.acts {
		if _, ok := m.acts[v]; !ok && v != "" {
			if _, ok := m.commands[v]; !ok {
				m.acts[v] = ""
			}
		}
	}
	for i, p := range plugins {
		what := fmt.Sprintf("plugin %q", p.Name.V)
		if p.Key.V == "" {
			continue // the config says it is missing
		}
		if _, err := ParseKey(p.Key.V); err != nil {
			errs = append(errs, cfg.Errorf(p.Key.Line, "%s: %v", what, err))
		} else if free(p.Key.V, what, p.Key.Line, keys[p.Key.V].V == Unbound) {
			m.plugins[p.Key.V] = &plugins[i]
		}
	}
	return m, errors.Join(errs...)
}

// builtinByKey lists, for every key kdeck binds, what it does where ("delete (object
// lists)"), from the key registry.
func builtinByKey() map[string][]string {
	out := map[string][]string{}
	for _, b := range builtinKeys {
		for _, k := range b.Keys {
			out[k] = append(out[k], fmt.Sprintf("%q (%s)", b.Desc, b.Group))
		}
	}
	return out
}

// translate returns the key press the UI acts on for msg: msg itself, the built-in key
// it was remapped to, or false when the key does nothing.
func (m *Keymap) translate(msg tea.KeyPressMsg) (tea.KeyPressMsg, bool) {
	if m == nil {
		return msg, true
	}
	to, ok := m.acts[msg.String()]
	switch {
	case !ok:
		return msg, true
	case to == "":
		return msg, false
	}
	k, err := ParseKey(to)
	if err != nil { // checked when the keymap was built
		return msg, false
	}
	return tea.KeyPressMsg(k), true
}

// command returns the command line bound to the key pressed, if any.
func (m *Keymap) command(msg tea.KeyPressMsg) (string, bool) {
	if m == nil {
		return "", false
	}
	c, ok := m.commands[msg.String()]
	return c, ok
}

// plugin returns the plugin bound to the key pressed, if any.
func (m *Keymap) plugin(msg tea.KeyPressMsg) *config.Plugin {
	if m == nil {
		return nil
	}
	return m.plugins[msg.String()]
}

// Apply returns b as the keymap leaves it: its keys that still act, with the keys
// remapped to them, and its help label to match; false when no key acts as b any more
// (help then leaves it out).
func (m *Keymap) Apply(b key.Binding) (key.Binding, bool) {
	if m == nil || len(m.acts) == 0 {
		return b, true
	}
	var keys []string
	changed := false
	for _, k := range b.Keys() {
		if _, moved := m.acts[k]; !moved {
			keys = append(keys, k)
		} else {
			changed = true
		}
		for _, from := range slices.Sorted(maps.Keys(m.acts)) {
			if m.acts[from] == k {
				keys = append(keys, from)
				changed = true
			}
		}
	}
	if !changed {
		return b, true
	}
	if len(keys) == 0 {
		return b, false
	}
	h := b.Help()
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(KeyLabel(keys), h.Desc)), true
}

// ApplyAll returns bs as the keymap leaves them, without those no key acts as.
func (m *Keymap) ApplyAll(bs []key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		if b, ok := m.Apply(b); ok {
			out = append(out, b)
		}
	}
	return out
}

// Label is how the status line and help name the keys that now act as the built-in key k
// ("?" or, after `F1: ?`, "F1"); "" when none does.
func (m *Keymap) Label(k string) string {
	b, ok := m.Apply(key.NewBinding(key.WithKeys(k), key.WithHelp(k, "")))
	if !ok {
		return ""
	}
	return b.Help().Key
}

// UserBindings lists the user's own keys, for help: command lines and plugins.
func (m *Keymap) UserBindings() []key.Binding {
	if m == nil {
		return nil
	}
	var out []key.Binding
	for _, k := range slices.Sorted(maps.Keys(m.commands)) {
		out = append(out, key.NewBinding(key.WithKeys(k), key.WithHelp(k, ":"+m.commands[k])))
	}
	for _, k := range slices.Sorted(maps.Keys(m.plugins)) {
		p := m.plugins[k]
		out = append(out, key.NewBinding(key.WithKeys(k), key.WithHelp(k, "plugin: "+p.Name.V)))
	}
	return out
}
