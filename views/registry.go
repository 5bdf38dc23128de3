package views

import (
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Registry lists the views that -c and command mode open by name. Any other resource
// opens through Resolve in the generic view.
var Registry = []ui.ViewSpec{
	{Name: "pods", Aliases: []string{"pod", "po"}, Resources: resources(kube.GVRPods),
		New:   func(env *ui.Env, ns string) ui.Page { return NewPods(env, ns) },
		Fleet: fleet(PodsSpec)},
	{Name: "deployments", Aliases: []string{"deployment", "deploy", "dp"}, Resources: resources(kube.GVRDeployments),
		New:   func(env *ui.Env, ns string) ui.Page { return NewDeployments(env, ns) },
		Fleet: fleet(DeploymentsSpec)},
	{Name: "daemonsets", Aliases: []string{"daemonset", "ds"}, Resources: resources(kube.GVRDaemonSets),
		New:   func(env *ui.Env, ns string) ui.Page { return NewDaemonSets(env, ns) },
		Fleet: fleet(DaemonSetsSpec)},
	{Name: "statefulsets", Aliases: []string{"statefulset", "sts"}, Resources: resources(kube.GVRStatefulSets),
		New:   func(env *ui.Env, ns string) ui.Page { return NewStatefulSets(env, ns) },
		Fleet: fleet(StatefulSetsSpec)},
	{Name: "replicasets", Aliases: []string{"replicaset", "rs"}, Resources: resources(kube.GVRReplicaSets),
		New:   func(env *ui.Env, ns string) ui.Page { return NewReplicaSets(env, ns) },
		Fleet: fleet(ReplicaSetsSpec)},
	{Name: "jobs", Aliases: []string{"job", "jo"}, Resources: resources(kube.GVRJobs),
		New:   func(env *ui.Env, ns string) ui.Page { return NewJobs(env, ns) },
		Fleet: fleet(JobsSpec)},
	{Name: "cronjobs", Aliases: []string{"cronjob", "cj"}, Resources: resources(kube.GVRCronJobs),
		New:   func(env *ui.Env, ns string) ui.Page { return NewCronJobs(env, ns) },
		Fleet: fleet(CronJobsSpec)},
	{Name: "services", Aliases: []string{"service", "svc"}, Resources: resources(kube.GVRServices),
		New:   func(env *ui.Env, ns string) ui.Page { return NewServices(env, ns) },
		Fleet: fleet(ServicesSpec)},
	{Name: "ingresses", Aliases: []string{"ingress", "ing"}, Resources: resources(kube.GVRIngresses),
		New:   func(env *ui.Env, ns string) ui.Page { return NewIngresses(env, ns) },
		Fleet: fleet(IngressesSpec)},
	{Name: "persistentvolumeclaims", Aliases: []string{"persistentvolumeclaim", "pvc", "pvcs"}, Resources: resources(kube.GVRPVCs),
		New:   func(env *ui.Env, ns string) ui.Page { return NewPVCs(env, ns) },
		Fleet: fleet(PVCsSpec)},
	{Name: "persistentvolumes", Aliases: []string{"persistentvolume", "pv", "pvs"}, Resources: resources(kube.GVRPVs),
		New:   func(env *ui.Env, _ string) ui.Page { return NewPVs(env) },
		Fleet: clusterFleet(PVsSpec)},
	{Name: "hpa", Aliases: []string{"hpas", "horizontalpodautoscalers", "horizontalpodautoscaler"}, Resources: resources(kube.GVRHPAs),
		New:   func(env *ui.Env, ns string) ui.Page { return NewHPAs(env, ns) },
		Fleet: fleet(HPASpec)},
	// the view reads events.k8s.io; the core group serves the same events
	{Name: "events", Aliases: []string{"ev", "event"}, Resources: resources(kube.GVREventsAPI, kube.GVREvents),
		New:   func(env *ui.Env, ns string) ui.Page { return NewEvents(env, ns) },
		Fleet: fleet(EventsSpec)},
	{Name: "portforwards", Aliases: []string{"pf", "pfs", "portforward"},
		New: func(env *ui.Env, _ string) ui.Page { return NewForwards(env) }},
	{Name: "secrets", Aliases: []string{"secret", "sec"}, Resources: resources(kube.GVRSecrets),
		New:   func(env *ui.Env, ns string) ui.Page { return NewSecrets(env, ns) },
		Fleet: fleet(SecretsSpec)},
	{Name: "helm", Aliases: []string{"releases", "release", "charts", "chart"},
		New:   func(env *ui.Env, ns string) ui.Page { return NewReleases(env, ns) },
		Fleet: fleet(HelmSpec)},
	{Name: "nodes", Aliases: []string{"node", "no"}, Resources: resources(kube.GVRNodes),
		New:   func(env *ui.Env, _ string) ui.Page { return NewNodes(env) },
		Fleet: clusterFleet(NodesSpec)},
	{Name: "canary", Aliases: []string{"canaries"},
		New: func(env *ui.Env, ns string) ui.Page { return NewCanaries(env, ns) }},
	{Name: "clusters", Aliases: []string{"fleet", "contexts", "cluster"},
		New:   func(env *ui.Env, _ string) ui.Page { return NewClusters([]*ui.Env{env}) },
		Fleet: func(envs []*ui.Env, _ string) ui.Page { return NewClusters(envs) }},
	{Name: "triage", Aliases: []string{"problems", "tri"},
		New:   func(env *ui.Env, ns string) ui.Page { return NewTriage(env, ns) },
		Fleet: fleet(TriageSpec)},
}

// fleet opens spec across several clusters at once (see ui.NewFleetPage).
func fleet[R kube.Row](spec ui.ListSpec[R]) func(envs []*ui.Env, ns string) ui.Page {
	return func(envs []*ui.Env, ns string) ui.Page { return ui.NewFleetPage(envs, spec, ns) }
}

// clusterFleet opens spec, a list of cluster-scoped objects, across several clusters.
func clusterFleet[R kube.Row](spec ui.ListSpec[R]) func(envs []*ui.Env, ns string) ui.Page {
	return func(envs []*ui.Env, _ string) ui.Page { return ui.NewFleetPage(envs, spec, "") }
}

// Commands open a page from an argument in command mode.
var Commands = []ui.PageCommand{
	{Name: "tree", Aliases: []string{"owners"}, Open: openTree},
}

// resources are the group-resources of gvrs.
func resources(gvrs ...schema.GroupVersionResource) []schema.GroupResource {
	out := make([]schema.GroupResource, len(gvrs))
	for i, g := range gvrs {
		out[i] = g.GroupResource()
	}
	return out
}
