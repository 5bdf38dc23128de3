package views

import (
	"context"
	"slices"
	"strings"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// Resolve finds a view for a name no registered view answers to: discovery resolves it to
// a resource (plural, singular, short name, kind or NAME.GROUP), shown by the registered
// view of that very resource (group included: pods.metrics.k8s.io is not core pods) if
// there is one, else by the generic view. It is command mode's ui.Resolver.
func Resolve(ctx context.Context, client *kube.Client, name string) (ui.ViewSpec, error) {
	res, err := client.Resolve(ctx, name)
	if err != nil {
		return ui.ViewSpec{}, err
	}
	for _, spec := range Registry { // a view of ours only for its own group's resource
		if slices.Contains(spec.Resources, res.GVR.GroupResource()) {
			return spec, nil
		}
	}
	return ui.ViewSpec{Name: res.Name(), New: func(env *ui.Env, ns string) ui.Page { return NewGeneric(env, res, ns) }}, nil
}

// NewGeneric returns the view of any resource by the server's own printed columns
// (server-side Table): priority-0 columns first, wide ones while the terminal has room.
func NewGeneric(env *ui.Env, res kube.Resource, ns string) *ui.ListPage[*kube.TableRow] {
	if !res.Namespaced {
		ns = ""
	}
	var shown *kube.TableSchema // the schema the current columns were built from
	spec := ui.ListSpec[*kube.TableRow]{
		Noun: res.GVR.Resource,
		Warm: "table " + res.GVR.String(),
		Columns: func(_ *ui.Env, allNamespaces bool) []ui.Column[*kube.TableRow] {
			return tableColumns(nil, allNamespaces && res.Namespaced)
		},
		Source: func(env *ui.Env, ns string) kube.Source[*kube.TableRow] {
			return kube.TableSource(env.Client, res, ns)
		},
		Recolumn: func(_ *ui.Env, allNamespaces bool, rows []*kube.TableRow) []ui.Column[*kube.TableRow] {
			if len(rows) == 0 || rows[0].Schema == shown {
				return nil
			}
			shown = rows[0].Schema
			return tableColumns(shown, allNamespaces && res.Namespaced)
		},
	}
	spec.Actions = objectActions[*kube.TableRow](res.GVR)
	return ui.NewListPage(env, spec, ns)
}

// tableColumns turns the server's column definitions into table columns. The name column
// flexes; wide (priority > 0) columns drop before any default one, and later columns
// before earlier ones. Without a schema yet, only the name is shown.
func tableColumns(s *kube.TableSchema, namespaced bool) []ui.Column[*kube.TableRow] {
	var cols []ui.Column[*kube.TableRow]
	if namespaced {
		cols = append(cols, ui.Column[*kube.TableRow]{Name: "NAMESPACE", Max: 20, Drop: 50,
			Value: func(r *kube.TableRow) string { return r.Namespace }})
	}
	if s == nil || s.NameColumn() < 0 {
		cols = append(cols, ui.Column[*kube.TableRow]{Name: "NAME", Flex: true, Min: 12,
			Value: func(r *kube.TableRow) string { return r.Name }})
		if s == nil {
			return cols
		}
	}
	n := len(s.Columns)
	for i, c := range s.Columns {
		col := ui.Column[*kube.TableRow]{Name: strings.ToUpper(c.Name), Max: 50, Drop: n - i,
			Value: func(r *kube.TableRow) string { return r.Cell(i) }}
		switch {
		case i == s.NameColumn():
			col.Flex, col.Min, col.Max, col.Drop = true, 12, 0, 0
		case c.Priority > 0:
			col.Drop += 100
		}
		if c.Type == "integer" || c.Type == "number" {
			col.Align = ui.Right
		}
		cols = append(cols, col)
	}
	return cols
}
