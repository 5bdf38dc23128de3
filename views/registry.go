package views

import "github.com/kdeck/kdeck/ui"

// Registry lists the views that -c and command mode open by name. Any other resource
// opens through Resolve in the generic view.
var Registry = []ui.ViewSpec{
	{Name: "pods", Aliases: []string{"pod", "po"},
		New: func(env *ui.Env, ns string) ui.Page { return NewPods(env, ns) }},
	{Name: "deployments", Aliases: []string{"deployment", "deploy", "dp"},
		New: func(env *ui.Env, ns string) ui.Page { return NewDeployments(env, ns) }},
	{Name: "services", Aliases: []string{"service", "svc"},
		New: func(env *ui.Env, ns string) ui.Page { return NewServices(env, ns) }},
	{Name: "hpa", Aliases: []string{"hpas", "horizontalpodautoscalers", "horizontalpodautoscaler"},
		New: func(env *ui.Env, ns string) ui.Page { return NewHPAs(env, ns) }},
	{Name: "events", Aliases: []string{"ev", "event"},
		New: func(env *ui.Env, ns string) ui.Page { return NewEvents(env, ns) }},
	{Name: "portforwards", Aliases: []string{"pf", "pfs", "portforward"},
		New: func(env *ui.Env, _ string) ui.Page { return NewForwards(env) }},
	{Name: "secrets", Aliases: []string{"secret", "sec"},
		New: func(env *ui.Env, ns string) ui.Page { return NewSecrets(env, ns) }},
	{Name: "canary", Aliases: []string{"canaries"},
		New: func(env *ui.Env, ns string) ui.Page { return NewCanaries(env, ns) }},
}
