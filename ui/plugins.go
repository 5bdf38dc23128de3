package ui

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui/config"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Selection is what a plugin is told about the selected row.
type Selection struct {
	View      string // the list it is in: pods, deployments, containers
	Namespace string
	Name      string
	Container string               // in a pod's containers, the container; else ""
	Resource  schema.GroupResource // the API resource, for $KIND and $LABELS; empty for kdeck's own rows
	Labels    map[string]string    // when the page has them at hand; else read from the cluster
	// Env, in a list of several clusters, is the row's cluster; nil: the shell's.
	Env *Env
}

// Selecter is implemented by pages with a selected row that plugins can act on.
type Selecter interface {
	Selection() (Selection, bool)
}

// pluginTimeout bounds a background plugin: its output goes to the status line, so it is
// meant to be short.
const pluginTimeout = 2 * time.Minute

// runPlugin runs p on the top page's selection after its checks: the views it works in,
// read-only mode, its prompts and its confirmation. The steps are bound to the context
// the key was pressed on.
func (a *App) runPlugin(p *config.Plugin) tea.Cmd {
	env := a.env
	what := "plugin " + p.Name.V
	sp, ok := a.top().(Selecter)
	var sel Selection
	if ok {
		sel, ok = sp.Selection()
	}
	if ok && sel.Env != nil {
		env = sel.Env // a row of another cluster, in a list of several
	}
	switch {
	case !ok:
		return Notify(LevelWarn, what+": nothing selected here")
	case !pluginWorksIn(a.registry, p.Views, sel.View):
		return Notify(LevelWarn, fmt.Sprintf("%s works in %s, not here", what, strings.Join(p.Views, ", ")))
	case env.Client.Policy.ReadOnly && !p.ReadOnly:
		return Notify(LevelError, what+": refused, kdeck is read-only on this context and the plugin is not declared readonly")
	}
	if sel.Resource.Resource == "" { // a list: its view says which resource
		sel.Resource = schema.GroupResource{Resource: sel.View}
		if s, ok := Lookup(a.registry, sel.View); ok && len(s.Resources) > 0 {
			sel.Resource = s.Resources[0]
		}
	}
	vars := map[string]string{
		"CONTEXT": env.Client.Info.Context, "CLUSTER": env.Client.Info.Cluster,
		"NAMESPACE": sel.Namespace, "NAME": sel.Name, "KIND": sel.Resource.String(), "CONTAINER": sel.Container,
	}
	needLabels := sel.Labels == nil && sel.Resource.Resource != "" && pluginUses(p, "LABELS")
	vars["LABELS"] = labelList(sel.Labels)
	next := func() tea.Cmd { return a.pluginPrompts(env, p, vars, 0) }
	if !needLabels {
		return next()
	}
	client := env.Client
	return env.Background(what, func() func() tea.Cmd {
		labels, err := readLabels(client, sel)
		if err != nil {
			return func() tea.Cmd { return Notify(LevelError, what+": cannot read the labels: "+err.Error()) }
		}
		vars["LABELS"] = labelList(labels)
		return next
	})
}

// pluginWorksIn reports whether a plugin limited to views works in the list view; names
// are read as command mode reads them (deploy is deployments).
func pluginWorksIn(registry []ViewSpec, views []string, view string) bool {
	if len(views) == 0 {
		return true
	}
	for _, v := range views {
		if v == view {
			return true
		}
		if s, ok := Lookup(registry, v); ok && (s.Name == view || slices.Contains(s.Aliases, view)) {
			return true
		}
	}
	return false
}

// pluginUses reports whether p's arguments or question name the variable v.
func pluginUses(p *config.Plugin, v string) bool {
	for _, s := range append([]string{p.Confirm}, p.Args...) {
		if slices.Contains(config.Variables(s), v) {
			return true
		}
	}
	return false
}

// readLabels reads the selected object's labels from the cluster.
func readLabels(client *kube.Client, sel Selection) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := client.Resolve(ctx, sel.Resource.String())
	if err != nil {
		return nil, err
	}
	obj, err := client.GetObject(ctx, kube.ObjectRef{GVR: res.GVR, Namespace: sel.Namespace, Name: sel.Name})
	if err != nil {
		return nil, err
	}
	return obj.GetLabels(), nil
}

// labelList writes labels as a selector would: k=v,k=v, sorted.
func labelList(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

// pluginPrompts asks p's prompts from the i-th on, each answer a variable, then its
// confirmation, then runs it.
func (a *App) pluginPrompts(env *Env, p *config.Plugin, vars map[string]string, i int) tea.Cmd {
	if i < len(p.Prompts) {
		q := p.Prompts[i]
		value := q.Default
		label := q.Label
		if label == "" {
			label = q.Name.V
		}
		return env.Ask(&Dialog{Title: "Plugin " + p.Name.V, Body: []string{label}, Input: &value,
			OK: func(v string) tea.Cmd {
				vars[q.Name.V] = v
				return a.pluginPrompts(env, p, vars, i+1)
			}})
	}
	if p.Confirm != "" {
		return env.Ask(&Dialog{Title: "Plugin " + p.Name.V, Body: []string{expand(p.Confirm, vars)},
			OK: func(string) tea.Cmd { return runPluginCommand(env, p, vars) }})
	}
	return runPluginCommand(env, p, vars)
}

// expand replaces the variables in s.
func expand(s string, vars map[string]string) string {
	return os.Expand(s, func(v string) string { return vars[v] })
}

// runPluginCommand runs p's program with its arguments expanded: in the foreground, the
// UI suspended while it runs, or in the background with its last line of output (or its
// error) in the status line.
func runPluginCommand(env *Env, p *config.Plugin, vars map[string]string) tea.Cmd {
	args := make([]string, len(p.Args))
	for i, s := range p.Args {
		args[i] = expand(s, vars)
	}
	what := "plugin " + p.Name.V
	environ := pluginEnviron(env.Client.Info)
	if !p.Background {
		cmd := exec.Command(p.Command.V, args...)
		cmd.Env = environ
		return tea.ExecProcess(cmd, func(err error) tea.Msg {
			return env.After(what, func() tea.Cmd {
				if err != nil {
					return Notify(LevelError, what+": "+err.Error())
				}
				return Notify(LevelOK, "✓ "+what+" finished")
			})
		})
	}
	return tea.Batch(Notify(LevelInfo, what+": running…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), pluginTimeout)
		defer cancel()
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, p.Command.V, args...)
		cmd.Stdout, cmd.Stderr, cmd.Env = &out, &out, environ
		err := cmd.Run()
		last := lastLine(out.String())
		if err != nil {
			return NotifyMsg{LevelError, strings.TrimSuffix(what+" failed: "+err.Error()+": "+last, ": ")}
		}
		return NotifyMsg{LevelOK, strings.TrimSuffix("✓ "+what+": "+last, ": ")}
	})
}

// pluginEnviron is kdeck's environment for a plugin's program, with KUBECONFIG naming the
// file kdeck read when --kubeconfig gave one: `kubectl --context $CONTEXT` in a plugin then
// finds the context kdeck acts on, not a namesake in ~/.kube/config.
func pluginEnviron(info kube.Info) []string {
	environ := os.Environ()
	if info.Kubeconfig != "" {
		environ = append(environ, "KUBECONFIG="+info.Kubeconfig)
	}
	return environ
}

// lastLine is the last non-empty line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
