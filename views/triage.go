package views

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/triage"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TriageSpec declares the triage view: everything that needs a person now, one row a
// problem, ranked by severity (kube/triage); enter opens the object's own view with the
// cursor on it.
var TriageSpec = ui.ListSpec[*triage.Problem]{
	Noun:    "problems",
	Columns: triageColumns,
	Cache: func(env *ui.Env, ns, _ string) kube.Cache[*triage.Problem] {
		return triage.NewCache(env.Client, ns)
	},
	FilterText: func(p *triage.Problem) string {
		return p.Severity.String() + " " + shortObject(p) + " " + p.Namespace + " " + p.Reason
	},
	Actions: []ui.Action[*triage.Problem]{{Key: triageKeys.Open, Run: openProblem}},
}

// triageKeys: enter jumps to the object a problem is about, in the view of its kind.
var triageKeys = struct{ Open key.Binding }{
	Open: ui.NewKey("triage", "open the object's view with the cursor on it", "enter"),
}

// NewTriage returns the triage view of namespace ns ("" for all namespaces) and the nodes.
func NewTriage(env *ui.Env, ns string) *ui.ListPage[*triage.Problem] {
	return ui.NewListPage(env, TriageSpec, ns)
}

// problemKinds are the kinds a problem can be about that a registered view lists (events
// may be about any kind; the others open in their describe page).
var problemKinds = map[string]schema.GroupVersionResource{
	"pod": kube.GVRPods, "deployment": kube.GVRDeployments, "statefulset": kube.GVRStatefulSets,
	"daemonset": kube.GVRDaemonSets, "replicaset": kube.GVRReplicaSets, "job": kube.GVRJobs,
	"cronjob": kube.GVRCronJobs, "horizontalpodautoscaler": kube.GVRHPAs, "node": kube.GVRNodes,
	"persistentvolumeclaim": kube.GVRPVCs, "persistentvolume": kube.GVRPVs, "secret": kube.GVRSecrets,
	"service": kube.GVRServices, "ingress": kube.GVRIngresses,
}

// shortKinds are the short names kubectl accepts, for the long kinds.
var shortKinds = map[string]string{"horizontalpodautoscaler": "hpa", "persistentvolumeclaim": "pvc", "persistentvolume": "pv"}

// shortObject is "kind/name" with a long kind shortened: "hpa/web".
func shortObject(p *triage.Problem) string {
	if s, ok := shortKinds[p.Kind]; ok && p.Name != "" {
		return s + "/" + p.Name
	}
	return p.Object()
}

// openProblem opens the view of the problem's object with the cursor on it (its describe
// page for a kind no view lists), or says why there is nothing to open.
func openProblem(env *ui.Env, p *triage.Problem) tea.Cmd {
	gvr, ok := problemKinds[p.Kind]
	switch {
	case p.Name == "":
		return ui.Notify(ui.LevelInfo, p.Kind+": kdeck cannot read it, so there is no object to open")
	case !ok:
		return ui.Notify(ui.LevelInfo, "no view lists "+p.Kind+"s: see :events for "+p.Object())
	}
	ref := kube.ObjectRef{GVR: gvr, Namespace: p.Namespace, Name: p.Name}
	return func() tea.Msg {
		return ui.OpenMsg{Ref: ref, Else: func() ui.Page { return NewDescribe(env, ref) }, Env: env}
	}
}

func triageColumns(env *ui.Env, allNamespaces bool) []ui.Column[*triage.Problem] {
	type col = ui.Column[*triage.Problem]
	cols := []col{
		{Name: "SEVERITY", Min: 8, Value: func(p *triage.Problem) string { return p.Severity.String() }, Style: severityStyle},
		{Name: "KIND/OBJECT", Min: 12, Max: 48, Value: shortObject},
	}
	if allNamespaces {
		cols = append(cols, col{Name: "NAMESPACE", Max: 20, Drop: 4, Value: func(p *triage.Problem) string { return p.Namespace }})
	}
	return append(cols,
		col{Name: "REASON", Flex: true, Min: 12, Value: func(p *triage.Problem) string {
			if p.Numbers == "" {
				return p.Reason
			}
			return p.Reason + " · " + p.Numbers
		}},
		ageColumn(env, func(p *triage.Problem) time.Time { return p.Since }),
	)
}

// severityStyle colours a severity: critical bad, warning warn, unknown muted.
func severityStyle(st *theme.Styles, p *triage.Problem) lipgloss.Style {
	switch p.Severity {
	case triage.Critical:
		return st.Bad
	case triage.Warning:
		return st.Warn
	case triage.Unknown:
		return st.Muted
	}
	return st.Text
}
