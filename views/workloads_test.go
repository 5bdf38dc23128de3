package views

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func fixtureDaemonSets() []*kube.DaemonSet {
	return []*kube.DaemonSet{
		{Namespace: "kube-system", Name: "kube-proxy", Desired: 6, Current: 6, Ready: 6, UpToDate: 6, Available: 6,
			NodeSelector: "kubernetes.io/os=linux", Containers: "kube-proxy", Images: "registry.k8s.io/kube-proxy:v1.37.2",
			Selector: "k8s-app=kube-proxy", Strategy: "RollingUpdate 0/1", Created: ago(90 * 24 * time.Hour)},
		{Namespace: "monitoring", Name: "node-exporter", Desired: 6, Current: 6, Ready: 4, UpToDate: 2, Available: 4,
			Containers: "node-exporter,kube-rbac-proxy", Images: "quay.io/prometheus/node-exporter:v1.9.1,quay.io/brancz/kube-rbac-proxy:v0.19.1",
			Selector: "app.kubernetes.io/name=node-exporter", Strategy: "RollingUpdate 0/10%", Created: ago(12 * 24 * time.Hour),
			Rollout: kube.RolloutProgressing, RolloutText: "rolling 2/6"},
		{Namespace: "ops", Name: "log-agent", Desired: 3, Current: 3, Ready: 3, UpToDate: 1, Available: 3,
			NodeSelector: "role=worker", Containers: "agent", Images: "registry.example.com/ops/log-agent:4.2",
			Selector: "app=log-agent", Strategy: "OnDelete", Created: ago(5 * time.Hour),
			Rollout: kube.RolloutOnDelete, RolloutText: "on delete 1/3"},
	}
}

func fixtureStatefulSets() []*kube.StatefulSet {
	return []*kube.StatefulSet{
		{Namespace: "shop", Name: "postgres", Desired: 3, Ready: 3, Updated: 3, Containers: "postgres,exporter",
			Images: "postgres:17.2,quay.io/prometheuscommunity/postgres-exporter:v0.17.1", Selector: "app=postgres",
			Service: "postgres", Strategy: "RollingUpdate", Created: ago(40 * 24 * time.Hour)},
		{Namespace: "shop", Name: "redis", Desired: 5, Ready: 4, Updated: 2, Partition: 3, Containers: "redis",
			Images: "redis:8.0", Selector: "app=redis", Service: "redis", Strategy: "RollingUpdate partition 3",
			Created: ago(3 * time.Hour), Rollout: kube.RolloutProgressing, RolloutText: "partitioned 1/2"},
		{Namespace: "search", Name: "opensearch", Desired: 3, Ready: 2, Updated: 1, Containers: "opensearch",
			Images: "opensearchproject/opensearch:3.1.0", Selector: "app=opensearch", Service: "opensearch",
			Strategy: "RollingUpdate", Created: ago(20 * time.Minute), Rollout: kube.RolloutProgressing, RolloutText: "rolling 1/3"},
	}
}

func fixtureReplicaSets() []*kube.ReplicaSet {
	return []*kube.ReplicaSet{
		{Namespace: "shop", Name: "cart-6d4cf56db6", Desired: 3, Current: 3, Ready: 3, Containers: "cart",
			Images: "registry.example.com/shop/cart:1.8", Selector: "app=cart,pod-template-hash=6d4cf56db6", Owner: "cart",
			Created: ago(2 * time.Hour)},
		{Namespace: "shop", Name: "cart-7b9f8c5d4", Containers: "cart", Images: "registry.example.com/shop/cart:1.7",
			Selector: "app=cart,pod-template-hash=7b9f8c5d4", Owner: "cart", Created: ago(6 * 24 * time.Hour)},
		{Namespace: "legacy", Name: "batch-worker", Desired: 2, Current: 2, Ready: 1, Containers: "worker",
			Images: "registry.example.com/legacy/worker:0.9", Selector: "app=batch-worker", Created: ago(300 * 24 * time.Hour)},
	}
}

// listAt renders spec's list of rows over all namespaces at a given size.
func listAt[R kube.Row](spec ui.ListSpec[R], rows []R) func(w, h int) string {
	return func(w, h int) string { return renderList(spec, "", w, h, rows, live) }
}

func TestDaemonSetsGolden(t *testing.T) {
	requireGoldenSizes(t, listAt(DaemonSetsSpec, fixtureDaemonSets()))
}

func TestStatefulSetsGolden(t *testing.T) {
	requireGoldenSizes(t, listAt(StatefulSetsSpec, fixtureStatefulSets()))
}

func TestReplicaSetsGolden(t *testing.T) {
	requireGoldenSizes(t, listAt(ReplicaSetsSpec, fixtureReplicaSets()))
}

func TestWorkloadsEverySize(t *testing.T) {
	for name, render := range map[string]func(w, h int) string{
		"daemonsets":   listAt(DaemonSetsSpec, fixtureDaemonSets()),
		"statefulsets": listAt(StatefulSetsSpec, fixtureStatefulSets()),
		"replicasets":  listAt(ReplicaSetsSpec, fixtureReplicaSets()),
	} {
		t.Run(name, func(t *testing.T) { requireEverySize(t, render) })
	}
}

// The restart dialog names the context and the object, and says how its pods go: by
// nodes, by ordinal to the partition, or not until deleted (OnDelete).
func TestWorkloadRestartDialogsGolden(t *testing.T) {
	render := func(w, h int, open func(env *ui.Env) tea.Cmd) string {
		env := testEnv("shop")
		page := NewStatefulSets(env, "shop")
		page.Show(kube.Snapshot[*kube.StatefulSet]{Rows: fixtureStatefulSets()[:2], State: live})
		app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
		app.Update(tea.WindowSizeMsg{Width: w, Height: h})
		app.Update(open(env)())
		return app.View().Content
	}
	restart := func(gvr kube.ObjectRef, kind, how string) func(env *ui.Env) tea.Cmd {
		return func(env *ui.Env) tea.Cmd { return restartDialog(env, gvr, kind, how) }
	}
	redis := fixtureStatefulSets()[1]
	sts := restart(rowRef(kube.GVRStatefulSets, redis), "StatefulSet", statefulSetRestart(redis))
	requireGoldenSizes(t, func(w, h int) string { return render(w, h, sts) })
	requireEverySize(t, func(w, h int) string { return render(w, h, sts) })
	for _, c := range []struct {
		name string
		open func(env *ui.Env) tea.Cmd
		want []string
	}{
		{"statefulset", sts, []string{"Restart statefulset shop/redis", "ordinal 3 and above"}},
		{"daemonset", restart(rowRef(kube.GVRDaemonSets, fixtureDaemonSets()[1]), "DaemonSet", daemonSetRestart(fixtureDaemonSets()[1])),
			[]string{"Restart daemonset monitoring/node-exporter", "on 6 nodes", "RollingUpdate 0/10%"}},
		{"ondelete", restart(rowRef(kube.GVRDaemonSets, fixtureDaemonSets()[2]), "DaemonSet", daemonSetRestart(fixtureDaemonSets()[2])),
			[]string{"Restart daemonset ops/log-agent", "only when it is deleted"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			screen := ansi.Strip(render(120, 24, c.open))
			for _, w := range append(c.want, "kdeck-demo") {
				if !strings.Contains(screen, w) {
					t.Errorf("no %q in\n%s", w, screen)
				}
			}
			if c.name != "statefulset" {
				golden.RequireEqual(t, screen)
			}
		})
	}
}

// Enter on a daemon set, stateful set or replica set lists its pods by its selector; the
// registry opens the three views by name, alias and group-qualified resource, and the
// stateful and replica sets scale while the daemon set does not.
func TestWorkloadsDrillDownAndRegistry(t *testing.T) {
	env := testEnv("")
	for got, want := range map[string]string{
		DaemonSetsSpec.Enter(env, fixtureDaemonSets()[0]).Title():     "pods(kube-system)[0] k8s-app=kube-proxy",
		StatefulSetsSpec.Enter(env, fixtureStatefulSets()[0]).Title(): "pods(shop)[0] app=postgres",
		ReplicaSetsSpec.Enter(env, fixtureReplicaSets()[0]).Title():   "pods(shop)[0] app=cart,pod-template-hash=6d4cf56db6",
	} {
		if got != want {
			t.Errorf("drill-down title %q, want %q", got, want)
		}
	}
	requireOpens(t, map[string]string{"daemonsets": "daemonsets", "daemonset": "daemonsets", "ds": "daemonsets",
		"statefulsets": "statefulsets", "sts": "statefulsets", "statefulset": "statefulsets",
		"replicasets": "replicasets", "rs": "replicasets", "replicaset": "replicasets",
		"deploy": "deployments", "release": "helm"},
		"apps/v1", []metav1.APIResource{
			{Name: "daemonsets", SingularName: "daemonset", ShortNames: []string{"ds"}, Kind: "DaemonSet"},
			{Name: "statefulsets", SingularName: "statefulset", ShortNames: []string{"sts"}, Kind: "StatefulSet"},
			{Name: "replicasets", SingularName: "replicaset", ShortNames: []string{"rs"}, Kind: "ReplicaSet"}},
		map[string]string{"daemonsets.apps": "daemonsets", "DaemonSet": "daemonsets", "daemonset.v1.apps": "daemonsets",
			"statefulsets.apps": "statefulsets", "StatefulSet": "statefulsets", "replicasets.apps": "replicasets", "ReplicaSet": "replicasets"})
	for view, c := range map[string][2]string{
		"daemonsets":   {actionKeys(DaemonSetsSpec), "d y Y e ctrl+d T o r h u l"},
		"statefulsets": {actionKeys(StatefulSetsSpec), "d y Y e ctrl+d T o s r h u l"},
		"replicasets":  {actionKeys(ReplicaSetsSpec), "d y Y e ctrl+d T o s l"},
	} {
		if c[0] != c[1] {
			t.Errorf("%s keys %q, want %q", view, c[0], c[1])
		}
	}
}

// actionKeys are the keys of spec's row actions, in order.
func actionKeys[R kube.Row](spec ui.ListSpec[R]) string {
	var keys []string
	for _, a := range spec.Actions {
		keys = append(keys, a.Key.Help().Key)
	}
	return strings.Join(keys, " ")
}

// s on a replica set a deployment controls first offers to scale the deployment, whose
// controller would set the replica set's count back.
func TestReplicaSetScaleOffersDeployment(t *testing.T) {
	env := testEnv("shop")
	page := NewReplicaSets(env, "shop")
	page.Show(kube.Snapshot[*kube.ReplicaSet]{Rows: fixtureReplicaSets(), State: live})
	app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
	app.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
	app.Update(replicaSetScale().Run(env, fixtureReplicaSets()[0])())
	screen := ansi.Strip(app.View().Content)
	for _, w := range []string{"Scale replicaset shop/cart-6d4cf56db6", "Deployment cart controls this replica set",
		"scale deployment cart instead", "scale the replica set anyway"} {
		if !strings.Contains(screen, w) {
			t.Errorf("no %q in\n%s", w, screen)
		}
	}
}
