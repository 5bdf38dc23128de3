package config

import (
	"errors"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
)

// PluginVariables are the variables every plugin's arguments and question may use.
var PluginVariables = []string{"CONTEXT", "CLUSTER", "NAMESPACE", "NAME", "KIND", "CONTAINER", "LABELS"}

// promptName is what a prompt's variable may be called.
var promptName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// check reports the mistakes the file's shape alone shows: a plugin without a command,
// an unknown variable, an alias with a space in its name.
func (c *Config) check() error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.Aliases)) {
		a := c.Aliases[name]
		switch {
		case name == "" || strings.ContainsAny(name, " \t:"):
			errs = append(errs, c.Errorf(a.Line, "alias %q: a name is one word, without a colon", name))
		case strings.TrimSpace(a.V) == "":
			errs = append(errs, c.Errorf(a.Line, "alias %q is empty (expected a command line, e.g. pods -n shop -l app=web)", name))
		}
	}
	named := map[string]int{}
	for i, p := range c.Plugins {
		line := p.pluginLine()
		switch {
		case p.Name.V == "":
			errs = append(errs, c.Errorf(line, "plugins[%d]: name is missing", i))
		case named[p.Name.V] != 0:
			errs = append(errs, c.Errorf(line, "plugin %q: a second plugin of that name (the first is on line %d)", p.Name.V, named[p.Name.V]))
		default:
			named[p.Name.V] = line
		}
		if p.Key.V == "" {
			errs = append(errs, c.Errorf(line, "plugin %q: key is missing (the key that runs it, e.g. shift+l)", p.Name.V))
		}
		if p.Command.V == "" {
			errs = append(errs, c.Errorf(line, "plugin %q: command is missing (the program to run)", p.Name.V))
		}
		vars := slices.Clone(PluginVariables)
		for _, q := range p.Prompts {
			if !promptName.MatchString(q.Name.V) {
				errs = append(errs, c.Errorf(max(q.Name.Line, line), "plugin %q: prompt name %q is not a variable name (expected capitals, digits and _, e.g. LINES)", p.Name.V, q.Name.V))
			}
			vars = append(vars, q.Name.V)
		}
		for _, s := range append([]string{p.Confirm}, p.Args...) {
			for _, v := range Variables(s) {
				if !slices.Contains(vars, v) {
					errs = append(errs, c.Errorf(line, "plugin %q: unknown variable $%s (expected one of: %s)", p.Name.V, v, strings.Join(vars, ", ")))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// pluginLine is the line a plugin's errors point at: its name's, or its key's or
// command's when the name is missing.
func (p Plugin) pluginLine() int {
	for _, l := range []int{p.Name.Line, p.Key.Line, p.Command.Line} {
		if l != 0 {
			return l
		}
	}
	return 0
}

// Variables returns the variables s names ($NAME or ${NAME}), in order.
func Variables(s string) []string {
	var out []string
	os.Expand(s, func(v string) string {
		out = append(out, v)
		return ""
	})
	return out
}
