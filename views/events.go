package views

import (
	"strconv"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// EventsSpec declares the events view: newest first, warnings in the bad colour.
var EventsSpec = ui.ListSpec[*kube.Event]{
	Noun:    "events",
	Warm:    "events",
	Columns: eventColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.Event] {
		return env.Client.EventSource(ns)
	},
	FilterText: func(e *kube.Event) string {
		return e.Namespace + " " + e.Type + " " + e.Reason + " " + e.Object + " " + e.Message
	},
	Less: kube.NewestFirst,
}

// NewEvents returns the events view for namespace ns ("" for all namespaces).
func NewEvents(env *ui.Env, ns string) *ui.ListPage[*kube.Event] {
	return ui.NewListPage(env, EventsSpec, ns)
}

func eventColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Event] {
	warn := func(st *theme.Styles, e *kube.Event) lipgloss.Style {
		if e.Type == "Warning" {
			return st.Bad
		}
		return st.Text
	}
	cols := []ui.Column[*kube.Event]{
		{Name: "LAST SEEN", Align: ui.Right, Drop: 2,
			Value: func(e *kube.Event) string { return age(e.LastSeen, env.Now()) }},
		// REASON carries the warning colour too, so TYPE can drop first
		{Name: "TYPE", Drop: 4, Value: func(e *kube.Event) string { return e.Type }, Style: warn},
		{Name: "REASON", Max: 24, Drop: 1, Value: func(e *kube.Event) string { return e.Reason }, Style: warn},
		{Name: "OBJECT", Max: 40, Drop: 3, Value: func(e *kube.Event) string { return e.Object }},
		{Name: "MESSAGE", Flex: true, Min: 16, Value: func(e *kube.Event) string { return e.Message }},
		{Name: "COUNT", Align: ui.Right, Drop: 6,
			Value: func(e *kube.Event) string { return strconv.Itoa(int(e.Count)) }},
	}
	if allNamespaces {
		ns := ui.Column[*kube.Event]{Name: "NAMESPACE", Max: 20, Drop: 5,
			Value: func(e *kube.Event) string { return e.Namespace }}
		cols = append([]ui.Column[*kube.Event]{ns}, cols...)
	}
	return cols
}
