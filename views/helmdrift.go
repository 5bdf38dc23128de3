package views

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/helm"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// NewReleaseObjects returns the page of the objects of r's revision against the live
// cluster, compared again every helm.DriftInterval: each object's live state (ready
// replicas, phase) and its drift (in sync, changed and which fields, deleted, extra; see
// helm.Drift for how). Enter describes the object, with its events.
func NewReleaseObjects(env *ui.Env, r *helm.Release) *ui.ListPage[*helm.ObjectDrift] {
	ref, rev := r.Ref(), r.Revision
	spec := ui.ListSpec[*helm.ObjectDrift]{
		Noun:    fmt.Sprintf("objects of %s revision %d", ref.Name, rev),
		Columns: objectColumns,
		Cache: func(env *ui.Env, _, _ string) kube.Cache[*helm.ObjectDrift] {
			return helm.DriftCache(env.Client, ref, rev)
		},
		FilterText: func(o *helm.ObjectDrift) string { return o.Kind + " " + o.Name + " " + driftText(o) },
		Enter: func(env *ui.Env, o *helm.ObjectDrift) ui.Page {
			if o.GVR.Resource == "" || o.State == helm.Deleted {
				return ui.NewMessage(env, "object "+o.Kind+" "+o.Name, o.Kind+" "+o.Namespace+"/"+o.Name+" is "+driftText(o)+".", "", "esc: back")
			}
			return NewDescribe(env, kube.ObjectRef{GVR: o.GVR, Namespace: o.Namespace, Name: o.Name})
		},
	}
	return ui.NewListPage(env, spec, r.Namespace)
}

func objectColumns(*ui.Env, bool) []ui.Column[*helm.ObjectDrift] {
	type col = ui.Column[*helm.ObjectDrift]
	return []ui.Column[*helm.ObjectDrift]{
		{Name: "KIND", Max: 24, Value: func(o *helm.ObjectDrift) string { return o.Kind }},
		{Name: "NAME", Max: 40, Min: 8, SortKey: "N", Value: func(o *helm.ObjectDrift) string { return o.Name }},
		{Name: "LIVE", Max: 16, Drop: 2, Value: func(o *helm.ObjectDrift) string { return o.Live }},
		col{Name: "DRIFT", Flex: true, Min: 8, Value: driftText,
			Style: func(st *theme.Styles, o *helm.ObjectDrift) lipgloss.Style { return driftStyle(st, o.State) }},
	}
}

// driftText is an object's state, with the fields that differ or why it was not compared.
func driftText(o *helm.ObjectDrift) string {
	switch {
	case len(o.Fields) > 0:
		return o.State + ": " + strings.Join(o.Fields, ", ")
	case o.Detail != "":
		return o.State + ": " + o.Detail
	}
	return o.State
}

// driftStyle colours a state: in sync good, changed or extra warn, deleted or unknown bad.
func driftStyle(st *theme.Styles, state string) lipgloss.Style {
	switch state {
	case helm.InSync:
		return st.Good
	case helm.Changed, helm.Extra:
		return st.Warn
	}
	return st.Bad
}
