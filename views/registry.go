package views

import "github.com/kdeck/kdeck/ui"

// Registry lists every view command mode can open, with its aliases. Any other resource
// opens through Resolve in the generic view.
var Registry = []ui.ViewSpec{
	{Name: "pods", Aliases: []string{"po", "pod"}, New: func(env *ui.Env, ns string) ui.Page { return NewPods(env, ns) }},
	{Name: "events", Aliases: []string{"ev", "event"}, New: func(env *ui.Env, ns string) ui.Page { return NewEvents(env, ns) }},
}
