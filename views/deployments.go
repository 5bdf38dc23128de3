package views

import (
	"strconv"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// DeploymentsSpec declares the deployments view; enter lists the deployment's pods.
var DeploymentsSpec = ui.ListSpec[*kube.Deployment]{
	Noun:    "deployments",
	Warm:    "deployments",
	Columns: deploymentColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.Deployment] {
		return env.Client.DeploymentSource(ns)
	},
	Actions: append(append(objectActions[*kube.Deployment](kube.GVRDeployments), deploymentActions()...),
		selectorLogsAction("deploy", func(d *kube.Deployment) string { return d.Selector })),
	Enter: func(env *ui.Env, d *kube.Deployment) ui.Page {
		return NewPodsFor(env, d.Namespace, d.Selector)
	},
}

// NewDeployments returns the deployments view for namespace ns ("" for all namespaces).
func NewDeployments(env *ui.Env, ns string) *ui.ListPage[*kube.Deployment] {
	return ui.NewListPage(env, DeploymentsSpec, ns)
}

func deploymentColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Deployment] {
	type col = ui.Column[*kube.Deployment]
	count := func(name string, drop int, v func(*kube.Deployment) int32) col {
		return col{Name: name, Align: ui.Right, Drop: drop,
			Value: func(d *kube.Deployment) string { return strconv.Itoa(int(v(d))) }}
	}
	return withNamespace(allNamespaces,
		col{Name: "READY", Align: ui.Right, Drop: 1,
			Value: func(d *kube.Deployment) string { return ratio(d.Ready, d.Desired) },
			Style: func(st *theme.Styles, d *kube.Deployment) lipgloss.Style {
				if d.Ready < d.Desired {
					return st.Warn
				}
				return st.Text
			}},
		count("UP-TO-DATE", 5, func(d *kube.Deployment) int32 { return d.UpToDate }),
		count("AVAILABLE", 5, func(d *kube.Deployment) int32 { return d.Available }),
		col{Name: "IMAGES", Max: 40, Drop: 7, Value: func(d *kube.Deployment) string { return d.Images }},
		col{Name: "STRATEGY", Drop: 6, Value: func(d *kube.Deployment) string { return d.Strategy }},
		col{Name: "ROLLOUT", Min: 7, Drop: 3,
			Value: func(d *kube.Deployment) string { return d.RolloutText },
			Style: func(st *theme.Styles, d *kube.Deployment) lipgloss.Style {
				switch d.Rollout {
				case kube.RolloutStalled:
					return st.Bad
				case kube.RolloutPaused, kube.RolloutProgressing:
					return st.Warn
				}
				return st.Text
			}},
		ageColumn(env, func(d *kube.Deployment) time.Time { return d.Created }),
	)
}
