package views

import "github.com/kdeck/kdeck/ui"

// Registry lists every view command mode can open, with its aliases.
var Registry = []ui.ViewSpec{
	{Name: "pods", Aliases: []string{"po", "pod"}, New: func(env *ui.Env, ns string) ui.Page { return NewPods(env, ns) }},
}
