package views

import (
	"strconv"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// HPASpec declares the HorizontalPodAutoscalers view; enter opens the explainer.
var HPASpec = ui.ListSpec[*kube.HPA]{
	Noun:    "hpa",
	Warm:    "hpa",
	Columns: hpaColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.HPA] {
		return env.Client.HPASource(ns)
	},
	Actions: objectActions[*kube.HPA](kube.GVRHPAs),
	Enter:   func(env *ui.Env, h *kube.HPA) ui.Page { return NewHPAExplainer(env, h.RowKey()) },
}

// NewHPAs returns the HPA view for namespace ns ("" for all namespaces).
func NewHPAs(env *ui.Env, ns string) *ui.ListPage[*kube.HPA] {
	return ui.NewListPage(env, HPASpec, ns)
}

func hpaColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.HPA] {
	type col = ui.Column[*kube.HPA]
	bound := func(name string, v func(*kube.HPA) int32) col {
		return col{Name: name, Align: ui.Right, Drop: 6,
			Value: func(h *kube.HPA) string { return strconv.Itoa(int(v(h))) }}
	}
	hpaAge := ageColumn(env, func(h *kube.HPA) time.Time { return h.Created })
	hpaAge.Drop = 5 // on an HPA, what limits it matters more than its age
	return withNamespace(allNamespaces,
		col{Name: "REFERENCE", Max: 30, Drop: 7, Value: func(h *kube.HPA) string { return h.RefKind + "/" + h.RefName }},
		col{Name: "TARGETS", Max: 30, Drop: 2, Value: (*kube.HPA).Targets},
		bound("MIN", func(h *kube.HPA) int32 { return h.Min }),
		bound("MAX", func(h *kube.HPA) int32 { return h.Max }),
		col{Name: "REPLICAS", Align: ui.Right, Drop: 1,
			Value: func(h *kube.HPA) string { return ratio(h.Current, h.Desired) }},
		col{Name: "LIMITING", Max: 26, Drop: 3,
			Value: func(h *kube.HPA) string {
				if c, ok := h.Limiting(); ok {
					return c.Reason
				}
				return ""
			},
			Style: func(st *theme.Styles, h *kube.HPA) lipgloss.Style {
				if c, ok := h.Limiting(); ok && c.Status == "False" {
					return st.Bad
				}
				return st.Warn
			}},
		hpaAge,
	)
}
