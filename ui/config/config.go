// Package config reads kdeck's config file ($XDG_CONFIG_HOME/kdeck/config.yaml): the
// policies, skin and keys of every context, aliases, plugins and the mouse. Every mistake
// is reported as FILE:LINE: what was wrong and what was expected, before the UI starts.
// The package only reads and checks the file's shape; what a key or alias means is
// checked by the UI, which knows its keys and views.
package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/kdeck/kdeck/kube"
	"go.yaml.in/yaml/v3"
)

// Config is kdeck's config file. Every field may be left out.
//
//	readonly: false
//	skin: dark
//	keys: {ctrl+k: none}
//	aliases: {web: pods -n shop -l app=web}
//	contexts:
//	  prod: {readonly: true, skin: prod, keys: {ctrl+d: none}}
type Config struct {
	Settings `yaml:",inline"`
	// Aliases are names of your own for command lines: with `web: pods -n shop -l
	// app=web`, typing `:web` opens the pods of shop labelled app=web. An alias cannot
	// take the name of a view or of a command.
	Aliases map[string]At[string] `yaml:"aliases"`
	// Plugins are programs kdeck runs on the selected row from a key of their own.
	Plugins []Plugin `yaml:"plugins"`
	// Mouse turns the mouse on: the wheel scrolls, a click selects a row and a double
	// click opens it. Off by default, so that the terminal's own text selection works.
	Mouse bool `yaml:"mouse"`
	// Contexts override the settings above for one kubeconfig context each; a setting a
	// context leaves out keeps the top-level value, and a context's keys are added to
	// the top-level keys (the context's entry wins for the same key).
	Contexts map[string]Settings `yaml:"contexts"`

	file string // where the config was read from, for errors found later
}

// Settings are what the config sets for every context and may override per context.
type Settings struct {
	// ReadOnly refuses every change to the cluster, before any request is sent.
	ReadOnly *bool `yaml:"readonly"`
	// NeverReveal forbids revealing or copying secret values (for shared or recorded
	// screens).
	NeverReveal *bool `yaml:"neverReveal"`
	// Skin names the colours: a built-in skin (dark, light, ansi16, prod) or a file
	// skins/NAME.yaml next to this config. Unset: dark, or light on a light terminal.
	Skin At[string] `yaml:"skin"`
	// Keys remap kdeck's keys. Each entry is a key you press and what it does: `none`
	// (the key does nothing: `ctrl+d: none` unbinds delete), another key of kdeck's (`D:
	// ctrl+d`: D now deletes, and ctrl+d no longer does), or a command line starting with
	// a colon (`W: ":pods -n shop"`). Keys are written as kdeck's help shows them: D,
	// ctrl+d, enter, f5, space.
	Keys map[string]At[string] `yaml:"keys"`
}

// Plugin is a program kdeck runs on the selected row. Its arguments may name the
// selection: $CONTEXT, $CLUSTER, $NAMESPACE, $NAME, $KIND, $CONTAINER (in a pod's
// containers), $LABELS (k=v,k=v), and every prompt's name. The program is run directly,
// not by a shell, so a value is always one argument.
type Plugin struct {
	// Name is how help and the status line name the plugin.
	Name At[string] `yaml:"name" jsonschema:"required"`
	// Key runs the plugin; it must be free (unbind or remap a built-in key to use it).
	Key At[string] `yaml:"key" jsonschema:"required"`
	// Views are the views the key works in (pods, deploy, containers, …); none: every list.
	Views []string `yaml:"views"`
	// Command is the program to run, found on PATH. It runs with kdeck's environment, and
	// KUBECONFIG names the file --kubeconfig gave, if any.
	Command At[string] `yaml:"command" jsonschema:"required"`
	// Args are the program's arguments, with the variables above replaced.
	Args []string `yaml:"args"`
	// Background runs the program without leaving the UI, its last line of output shown
	// in the status line; otherwise the UI is suspended while it runs, as for a shell.
	Background bool `yaml:"background"`
	// Confirm is a question asked before the plugin runs (variables replaced); the
	// plugin runs only on yes.
	Confirm string `yaml:"confirm"`
	// ReadOnly declares that the program never changes the cluster. Only such plugins
	// run on a read-only context.
	ReadOnly bool `yaml:"readonly"`
	// Prompts are values asked for before the plugin runs, each then a variable.
	Prompts []PluginPrompt `yaml:"prompts"`
}

// PluginPrompt is a value a plugin asks for before it runs.
type PluginPrompt struct {
	// Name is the variable the answer fills, in capitals: LINES for $LINES.
	Name At[string] `yaml:"name" jsonschema:"required"`
	// Label is the question shown.
	Label string `yaml:"label"`
	// Default is the answer offered.
	Default string `yaml:"default"`
}

// At is a value of the config with the line it was written on, for errors found after
// the file was read (a key that clashes, an alias naming no view).
type At[T any] struct {
	V    T
	Line int
}

// UnmarshalYAML decodes the value and remembers its line.
func (a *At[T]) UnmarshalYAML(n *yaml.Node) error {
	a.Line = n.Line
	return n.Decode(&a.V)
}

// JSONSchemaAlias makes the schema describe the value alone.
func (At[T]) JSONSchemaAlias() any { var v T; return v }

// Resolved is the config as it applies to one context.
type Resolved struct {
	Policy kube.Policy
	Skin   At[string]            // Skin.V == "": the default
	Keys   map[string]At[string] // the top-level keys with the context's own added
}

// For returns the settings of context name: the top-level settings with those the
// context's entry sets overridden.
func (c *Config) For(name string) Resolved {
	r := Resolved{Keys: map[string]At[string]{}}
	for _, s := range []Settings{c.Settings, c.Contexts[name]} {
		if s.ReadOnly != nil {
			r.Policy.ReadOnly = *s.ReadOnly
		}
		if s.NeverReveal != nil {
			r.Policy.NeverReveal = *s.NeverReveal
		}
		if s.Skin.V != "" {
			r.Skin = s.Skin
		}
		maps.Copy(r.Keys, s.Keys)
	}
	return r
}

// ContextNames returns the contexts the config has an entry for, sorted.
func (c *Config) ContextNames() []string { return slices.Sorted(maps.Keys(c.Contexts)) }

// File is the path the config was read from ("" for the empty config).
func (c *Config) File() string { return c.file }

// Errorf returns the error for line of the config file: "FILE:LINE: message".
func (c *Config) Errorf(line int, format string, args ...any) error {
	return &Error{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Error is one mistake in the config file.
type Error struct {
	File string
	Line int // 0: the file as a whole
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Load reads the config file at path; a missing file is the empty config (the default
// path, which nobody has to create).
func Load(path string) (*Config, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return &Config{file: path}, nil
	}
	return Read(path)
}

// Read reads the config file at path, which must exist: a path given with --config.
// Every mistake is reported, each as an *Error, joined.
func Read(path string) (*Config, error) {
	c := &Config{file: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &Error{File: path, Msg: "does not exist"}
	}
	if err != nil {
		return nil, err
	}
	if err := decodeStrict(path, data, c); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}
