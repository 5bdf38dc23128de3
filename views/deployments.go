package views

import (
	"time"

	"github.com/kdeck/kdeck/kube"
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
	return withNamespace(allNamespaces,
		readyColumn(true, func(d *kube.Deployment) (int32, int32) { return d.Ready, d.Desired }),
		countColumn("UP-TO-DATE", 5, func(d *kube.Deployment) int32 { return d.UpToDate }),
		countColumn("AVAILABLE", 5, func(d *kube.Deployment) int32 { return d.Available }),
		col{Name: "IMAGES", Max: 40, Drop: 7, Value: func(d *kube.Deployment) string { return d.Images }},
		col{Name: "STRATEGY", Drop: 6, Value: func(d *kube.Deployment) string { return d.Strategy }},
		rolloutColumn(func(d *kube.Deployment) (kube.RolloutPhase, string) { return d.Rollout, d.RolloutText }),
		ageColumn(env, func(d *kube.Deployment) time.Time { return d.Created }),
	)
}
