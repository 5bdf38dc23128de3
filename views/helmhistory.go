package views

import (
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/helm"
	"github.com/kdeck/kdeck/ui"
)

// NewReleaseHistory returns the page of release ref: its revisions, newest first, live,
// with the release keys acting on the selected revision (its values, manifest and notes;
// diff it with another; roll back to it). A release kept in ConfigMaps says so in the
// title.
func NewReleaseHistory(env *ui.Env, ref helm.Ref) *ui.ListPage[*helm.Release] {
	noun := "history " + ref.Name
	if ref.Storage != helm.Secrets {
		noun += " (" + ref.Storage.String() + ")"
	}
	spec := ui.ListSpec[*helm.Release]{
		Noun:    noun,
		Columns: historyColumns,
		Source: func(env *ui.Env, _ string) kube.Source[*helm.Release] {
			return helm.HistorySource(env.Client, ref)
		},
		Actions: releaseActions(),
		FilterText: func(r *helm.Release) string {
			return revisionText(r) + " " + r.Chart + " " + r.Status + " " + r.Description
		},
		Less: func(a, b *helm.Release) int { return b.Revision - a.Revision },
	}
	return ui.NewListPage(env, spec, ref.Namespace)
}

func historyColumns(env *ui.Env, _ bool) []ui.Column[*helm.Release] {
	type col = ui.Column[*helm.Release]
	return []ui.Column[*helm.Release]{
		{Name: "REVISION", Align: ui.Right, Value: revisionText},
		statusColumn(),
		{Name: "CHART", Max: 40, Drop: 1, Value: func(r *helm.Release) string { return r.Chart }},
		{Name: "APP VERSION", Max: 20, Drop: 3, Value: func(r *helm.Release) string { return r.AppVersion }},
		col{Name: "DESCRIPTION", Flex: true, Min: 12, Drop: 2, Value: func(r *helm.Release) string { return r.Description }},
		updatedColumn(env),
	}
}
