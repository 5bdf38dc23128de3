package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"k8s.io/apimachinery/pkg/labels"
)

// namespacesMsg carries the namespace names for completion.
type namespacesMsg struct{ names []string }

// contextSwitchedMsg carries the result of connecting to other contexts (one, or several
// shown at once).
type contextSwitchedMsg struct {
	clients []*kube.Client
	err     error
	// back, for a switch chosen on a view of its own (the clusters screen), opens the view
	// visited before it on the new clusters, rather than that view again.
	back bool
}

// UseClients is the command that shows the clusters of clients (one, or several at once)
// as `:ctx` does, with connections already made (the clusters screen's), in the view
// visited before the one it came from (the first view of the registry when there is none).
func UseClients(clients []*kube.Client) tea.Cmd {
	return func() tea.Msg { return contextSwitchedMsg{clients: clients, back: true} }
}

// openCommand shows the `:` prompt, completing view names, `ns NAME` and `ctx NAME`.
func (a *App) openCommand() tea.Cmd {
	a.prompt = NewPrompt(a.env.Styles, ":", a.suggestions(nil))
	client := a.env.Client
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		names, err := client.NamespaceNames(ctx)
		if err != nil {
			return nil // completion is a convenience: no namespaces, no completion
		}
		return namespacesMsg{names}
	}
}

func (a *App) suggestions(namespaces []string) []string {
	var s []string
	for _, v := range a.registry {
		s = append(s, v.Name)
		s = append(s, v.Aliases...)
	}
	for _, c := range a.commands {
		s = append(s, c.Name+" ")
	}
	for _, name := range slices.Sorted(maps.Keys(a.aliases)) {
		s = append(s, name)
	}
	for _, c := range a.env.Client.Contexts {
		s = append(s, "ctx "+c)
	}
	for _, n := range namespaces {
		s = append(s, "ns "+n)
	}
	return append(s, "ns all", "quit")
}

// runCommand executes the `:` prompt's text. A typo leaves the prompt open with the error
// and changes nothing.
func (a *App) runCommand(line string) tea.Cmd {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "":
		a.prompt = nil
		return nil
	case "q", "quit", "q!":
		return a.quit()
	case "ns", "namespace":
		if arg == "" {
			a.prompt.Err = "usage: ns NAME, ns NAME,NAME… (several at once) or ns all"
			return nil
		}
		if arg == "all" || arg == "-A" {
			arg = ""
		} else if scope, err := kube.ValidNamespaces(arg); err != nil {
			a.prompt.Err = err.Error()
			return nil
		} else {
			arg = scope
		}
		a.prompt = nil
		return a.switchNamespace(arg)
	case "ctx", "context":
		names, err := kube.ValidContexts(arg, a.env.Client.Contexts)
		if err != nil {
			a.prompt.Err = err.Error()
			return nil
		}
		a.prompt = nil
		a.notify(LevelInfo, "connecting to "+strings.Join(names, ", ")+"…", 10*time.Second)
		current := a.env.Client
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if len(names) == 1 {
				clients, err := current.SwitchContexts(ctx, names)
				return contextSwitchedMsg{clients: clients, err: err}
			}
			clients, err := current.JoinContexts(ctx, names) // one cluster down must not hide the others
			if err == nil && !slices.ContainsFunc(clients, func(c *kube.Client) bool { return !c.Unanswered }) {
				err = fmt.Errorf("none of %s answers", strings.Join(names, ", "))
			}
			return contextSwitchedMsg{clients: clients, err: err}
		}
	}
	for _, c := range a.commands {
		if c.Name == name || slices.Contains(c.Aliases, name) {
			page, err := c.Open(a.env, arg)
			if err != nil {
				a.prompt.Err = err.Error()
				return nil
			}
			a.prompt = nil
			return Push(page)
		}
	}
	if line, ok := a.aliases[name]; ok {
		return a.runAlias(name, line, arg)
	}
	spec, ok := Lookup(a.registry, name)
	if ok {
		args, err := parseViewArgs(arg)
		if err != nil {
			a.prompt.Err = fmt.Sprintf("%s: %v", name, err)
			return nil
		}
		a.prompt = nil
		return a.visitWith(spec, args)
	}
	unknown := fmt.Sprintf("unknown command %q%s", name, a.didYouMean(name))
	if a.resolve == nil {
		a.prompt.Err = unknown
		return nil
	}
	// not a view of ours: ask the cluster (a CRD, a rarely used kind) in a command; the
	// prompt stays open until the answer comes
	a.resolving++
	gen, prompt, client, resolve := a.resolving, a.prompt, a.env.Client, a.resolve
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		spec, err := resolve(ctx, client, name)
		return resolvedMsg{gen: gen, prompt: prompt, spec: spec, err: err, unknown: unknown, name: name}
	}
}

// SetCommands adds commands that open a page from an argument to command mode.
func (a *App) SetCommands(cs []PageCommand) { a.commands = cs }

// Resolver finds a view for a name the registry does not know by asking the cluster
// (discovery); it runs in a command, never in Update. A name the cluster does not know
// either is an error of kind kube.KindNotFound.
type Resolver func(ctx context.Context, client *kube.Client, name string) (ViewSpec, error)

// SetResolver makes command mode fall back to r for names no registered view answers to.
func (a *App) SetResolver(r Resolver) { a.resolve = r }

// resolvedMsg is a Resolver's answer for the prompt that asked.
type resolvedMsg struct {
	gen     uint64
	prompt  *Prompt
	name    string
	spec    ViewSpec
	err     error
	unknown string // the error to show when the cluster does not know the name either
}

// resolved opens the view the cluster resolved, or shows why not in the prompt; answers
// to a closed prompt or an older question are dropped.
func (a *App) resolved(m resolvedMsg) tea.Cmd {
	if m.gen != a.resolving || a.prompt == nil || a.prompt != m.prompt {
		return nil
	}
	switch {
	case m.err == nil:
		a.prompt = nil
		return a.visit(m.spec)
	case kube.KindOf(m.err) == kube.KindNotFound:
		a.prompt.Err = m.unknown
	default:
		a.prompt.Err = fmt.Sprintf("cannot look up %q: %v", m.name, m.err)
	}
	return nil
}

// didYouMean suggests the closest view name for a typo.
func (a *App) didYouMean(typed string) string {
	best, bestD := "", 3
	for _, v := range a.registry {
		for _, n := range append([]string{v.Name}, v.Aliases...) {
			if d := editDistance(typed, n); d < bestD {
				best, bestD = n, d
			}
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// viewArgs are the arguments a view takes in command mode: `pods -n shop -l app=web`.
type viewArgs struct {
	ns       *string // nil: the current namespace; "": all
	selector string
}

// parseViewArgs reads -n NAME, -A and -l SELECTOR; anything else is an error that says
// what a view takes.
func parseViewArgs(arg string) (viewArgs, error) {
	var v viewArgs
	words := strings.Fields(arg)
	for i := 0; i < len(words); i++ {
		w := words[i]
		value := func() (string, error) {
			if i+1 >= len(words) {
				return "", fmt.Errorf("%s needs a value", w)
			}
			i++
			return words[i], nil
		}
		switch w {
		case "-A", "--all-namespaces":
			all := ""
			v.ns = &all
		case "-n", "--namespace":
			ns, err := value()
			if err != nil {
				return v, err
			}
			if ns, err = kube.ValidNamespaces(ns); err != nil {
				return v, err
			}
			v.ns = &ns
		case "-l", "--selector":
			sel, err := value()
			if err != nil {
				return v, err
			}
			if _, err := labels.Parse(sel); err != nil {
				return v, fmt.Errorf("bad label selector %q: %v", sel, err)
			}
			v.selector = sel
		default:
			return v, fmt.Errorf("unexpected %q (a view takes -n NAMESPACE, -A and -l SELECTOR)", w)
		}
	}
	return v, nil
}

// runAlias runs the command line an alias names, with the arguments typed after it.
func (a *App) runAlias(name, line, arg string) tea.Cmd {
	if arg != "" {
		line += " " + arg
	}
	target, _, _ := strings.Cut(line, " ")
	if _, loops := a.aliases[target]; loops { // checked when the config was read
		a.prompt.Err = fmt.Sprintf("alias %q names another alias", name)
		return nil
	}
	return a.runCommand(line)
}

// runLine runs a command line from a key of the user's (config keys): as if typed after
// the colon, with a mistake shown in the status line.
func (a *App) runLine(line string) tea.Cmd {
	a.prompt = NewPrompt(a.env.Styles, ":", nil)
	cmd := a.runCommand(line)
	if a.prompt != nil && a.prompt.Err != "" {
		a.notify(LevelError, ":"+line+": "+a.prompt.Err, 8*time.Second)
		a.prompt = nil
	}
	return cmd
}

// Selectable is implemented by pages that can list only the objects a label selector
// matches (`:pods -l app=web`); the selector is set before Init.
type Selectable interface {
	SetSelector(selector string)
}

// visitWith opens spec as args say: in their namespace, narrowed by their selector.
func (a *App) visitWith(spec ViewSpec, args viewArgs) tea.Cmd {
	if args.ns != nil {
		a.env.Namespace = *args.ns
		a.rememberNamespace(*args.ns)
	}
	a.selector = args.selector
	return a.visit(spec)
}

// visit opens spec in the current namespace and records it for [ and ], dropping the views
// ] could have gone forward to.
func (a *App) visit(spec ViewSpec) tea.Cmd {
	a.visited = append(a.visited[:a.at+1], visit{spec, a.env.Namespace, a.selector})
	if len(a.visited) > maxVisited {
		a.visited = a.visited[len(a.visited)-maxVisited:]
	}
	a.at = len(a.visited) - 1
	return a.open(spec)
}

// travel opens the view step places before (-1) or after (+1) the current one in the
// views visited, in the namespace it was shown in.
func (a *App) travel(step int) tea.Cmd {
	i := a.at + step
	if i < 0 || i >= len(a.visited) {
		a.notify(LevelInfo, map[bool]string{true: "no view before this one", false: "no view after this one"}[step < 0], 3*time.Second)
		return nil
	}
	a.at = i
	v := a.visited[i]
	a.env.Namespace, a.selector = v.ns, v.selector
	a.rememberNamespace(v.ns)
	return a.open(v.spec)
}

// open replaces the whole stack with a fresh view of spec in the current namespace.
func (a *App) open(spec ViewSpec) tea.Cmd {
	for _, p := range a.stack {
		p.Close()
	}
	a.rootSpec = spec
	page := a.newPage(spec, a.env.Namespace)
	if s, ok := page.(Selectable); ok && a.selector != "" {
		s.SetSelector(a.selector)
	}
	a.stack = []Page{page}
	return page.Init()
}

// switchNamespace reopens the root view in ns ("" for all) and remembers ns as a favourite.
func (a *App) switchNamespace(ns string) tea.Cmd {
	a.env.Namespace = ns
	a.rememberNamespace(ns)
	return a.visit(a.rootSpec)
}

// rememberNamespace keeps the nine most recently used namespaces for keys 1–9 (0 is all).
func (a *App) rememberNamespace(ns string) {
	if ns == "" {
		return
	}
	a.favourites = slices.DeleteFunc(a.favourites, func(s string) bool { return s == ns })
	a.favourites = append([]string{ns}, a.favourites...)
	if len(a.favourites) > 9 {
		a.favourites = a.favourites[:9]
	}
}

// favourite switches to favourite namespace n (0 = all namespaces).
func (a *App) favourite(n int) tea.Cmd {
	if n == 0 {
		return a.switchNamespace("")
	}
	if n > len(a.favourites) {
		a.notify(LevelWarn, fmt.Sprintf("no namespace on key %d yet (use :ns NAME)", n), 3*time.Second)
		return nil
	}
	return a.switchNamespace(a.favourites[n-1])
}

// contextSwitched installs the new client, or reports why the switch failed (the old
// context stays in use).
func (a *App) contextSwitched(msg contextSwitchedMsg) tea.Cmd {
	if msg.err != nil {
		a.notify(LevelError, "context switch failed: "+msg.err.Error(), 8*time.Second)
		return nil
	}
	old := a.env
	a.useClients(msg.clients)
	a.restyle()
	a.favourites = nil
	a.rememberNamespace(a.env.Namespace)
	names := make([]string, len(msg.clients))
	for i, c := range msg.clients {
		names[i] = c.Info.Context
	}
	to := strings.Join(names, ", ")
	a.notify(LevelOK, "switched to "+to, 3*time.Second)
	var cancelled tea.Cmd
	if a.dialog != nil {
		cancelled = a.dialog.cancelled()
		a.dialog = nil
		a.notify(LevelWarn, "switched to "+to+": the open dialog for "+old.Client.Info.Context+
			" was closed, nothing was sent", 8*time.Second)
	}
	if msg.back {
		a.rootSpec = a.previousSpec()
	}
	cmd := tea.Batch(cancelled, a.open(a.rootSpec))
	a.env.Warm.Retain(a.env.Client)                                         // the other cluster's lists stop watching
	a.visited, a.at = []visit{{a.rootSpec, a.env.Namespace, a.selector}}, 0 // views seen on the other cluster
	return cmd
}

// previousSpec is the view visited before the one shown, or the registry's first.
func (a *App) previousSpec() ViewSpec {
	for i := a.at - 1; i >= 0; i-- {
		if v := a.visited[i].spec; v.Name != a.rootSpec.Name {
			return v
		}
	}
	if len(a.registry) > 0 {
		return a.registry[0]
	}
	return a.rootSpec
}

// staleNote says that what, begun on old's context, was dropped after a switch to now's.
func staleNote(old, now *Env, what string) string {
	return what + " for context " + old.Client.Info.Context + " came after the switch to " +
		now.Client.Info.Context + ": dropped, nothing was sent"
}

func (a *App) notify(level Level, text string, d time.Duration) {
	a.toast = &toast{Level: level, Text: text, Until: a.env.Now().Add(d)}
}
