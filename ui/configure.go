package ui

import (
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui/config"
)

// shellCommands are the command mode words the shell itself answers to.
var shellCommands = []string{"q", "quit", "q!", "ns", "namespace", "ctx", "context"}

// Configured is the config file made ready for the UI: a keymap for every context, and
// the aliases. Configure checks it all before the UI starts.
type Configured struct {
	keymaps  map[string]*Keymap // by context; "" is the top level's
	palettes map[string]*theme.Palette
	aliases  map[string]string
	mouse    bool
}

// Configure checks what the config means to the UI (keys, aliases, plugins' views and
// programs) against the views and commands kdeck has, and reports every mistake with
// its file and line.
func Configure(cfg *config.Config, registry []ViewSpec, commands []PageCommand) (*Configured, error) {
	c := &Configured{keymaps: map[string]*Keymap{}, palettes: map[string]*theme.Palette{}, aliases: map[string]string{}, mouse: cfg.Mouse}
	var errs []error
	known := func(word string) bool {
		_, view := Lookup(registry, word)
		return view || slices.Contains(shellCommands, word) ||
			slices.ContainsFunc(commands, func(pc PageCommand) bool { return pc.Name == word || slices.Contains(pc.Aliases, word) })
	}
	checkLine := func(line, what string, at int) {
		word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		if _, isAlias := cfg.Aliases[word]; isAlias && what != "" {
			return // a key may run an alias
		}
		if !known(word) {
			errs = append(errs, cfg.Errorf(at, "%s: %q is not a view or a command of kdeck's (expected e.g. pods, deploy, tree, ns)", what, word))
			return
		}
		if _, view := Lookup(registry, word); view {
			if _, err := parseViewArgs(rest); err != nil {
				errs = append(errs, cfg.Errorf(at, "%s: %v", what, err))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Aliases)) {
		a := cfg.Aliases[name]
		if known(name) {
			errs = append(errs, cfg.Errorf(a.Line, "alias %q: that is already kdeck's name for a view or a command", name))
			continue
		}
		checkLine(a.V, "alias "+name, a.Line)
		c.aliases[name] = strings.TrimSpace(a.V)
	}
	for _, p := range cfg.Plugins {
		for _, v := range p.Views {
			if _, ok := Lookup(registry, v); !ok && v != "containers" {
				errs = append(errs, cfg.Errorf(p.Key.Line, "plugin %q: no view %q (expected view names such as pods, deploy, containers)", p.Name.V, v))
			}
		}
		if p.Command.V != "" {
			if _, err := exec.LookPath(p.Command.V); err != nil {
				errs = append(errs, cfg.Errorf(p.Command.Line, "plugin %q: command %q is not found (on PATH, or as a path)", p.Name.V, p.Command.V))
			}
		}
	}
	skins := filepath.Join(filepath.Dir(cfg.File()), "skins") // next to the config
	for _, ctx := range append([]string{""}, cfg.ContextNames()...) {
		if skin := cfg.For(ctx).Skin; skin.V != "" {
			p, err := theme.LoadSkin(skin.V, skins)
			var unknown *theme.UnknownSkinError
			if errors.As(err, &unknown) {
				err = cfg.Errorf(skin.Line, "skin: %v", err)
			}
			if err != nil {
				errs = append(errs, err)
			} else {
				c.palettes[ctx] = &p
			}
		}
		keys := cfg.For(ctx).Keys
		if ctx != "" && len(cfg.Contexts[ctx].Keys) == 0 {
			continue // the top level's keymap
		}
		m, err := NewKeymap(cfg, keys, cfg.Plugins)
		for k, line := range m.commands {
			checkLine(line, "keys: "+k, keys[k].Line)
		}
		if err != nil { // its line says where, and a top level mistake is said once
			errs = append(errs, err)
		}
		c.keymaps[ctx] = m
	}
	return c, dedupe(errs)
}

// dedupe joins errs, each message once: a top-level key's mistake shows in every context.
func dedupe(errs []error) error {
	var out []error
	seen := map[string]bool{}
	for _, e := range errs {
		for _, one := range unjoin(e) {
			if msg := one.Error(); !seen[msg] {
				seen[msg] = true
				out = append(out, one)
			}
		}
	}
	return errors.Join(out...)
}

// unjoin splits an errors.Join into its errors.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// Keys returns the keymap of context.
func (c *Configured) Keys(context string) *Keymap {
	if c == nil {
		return nil
	}
	if m, ok := c.keymaps[context]; ok {
		return m
	}
	return c.keymaps[""]
}

// Styles returns the styles of context: its skin's (the top level's when its entry has
// none), none coloured under NO_COLOR, or nil-skinned defaults that follow the terminal.
func (c *Configured) Styles(context string) *theme.Styles {
	p, ok := c.palettes[context]
	if !ok {
		p = c.palettes[""]
	}
	return theme.ForEnvironment(os.Getenv, p)
}

// SetConfig gives the shell the config's aliases, keymaps, skins and mouse.
func (a *App) SetConfig(c *Configured) {
	a.aliases = c.aliases
	a.env.Keys, a.env.KeysFor = c.Keys(a.env.Client.Info.Context), c.Keys
	a.env.Skin, a.env.Mouse = c.Styles, c.mouse
	a.restyle()
}
