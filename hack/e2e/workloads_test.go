//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// kwokTemplate is the pod template of kwok pods labelled app=name: the toleration of the
// emulated nodes' NoSchedule taint and their type=kwok node selector, so a daemon set's
// controller places one on every emulated node.
func kwokTemplate(ns, name string) (*metav1.LabelSelector, corev1.PodTemplateSpec) {
	pod := kwokPod(ns, name)
	return &metav1.LabelSelector{MatchLabels: pod.Labels},
		corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: pod.Labels}, Spec: pod.Spec}
}

// createDaemonSet creates daemon set ns/name of kwok pods.
func createDaemonSet(t *testing.T, ns, name string) {
	t.Helper()
	sel, tmpl := kwokTemplate(ns, name)
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DaemonSetSpec{Selector: sel, Template: tmpl}}
	if _, err := testbed.clientset.AppsV1().DaemonSets(ns).Create(ctx(t), ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// createStatefulSet creates stateful set ns/name of replicas kwok pods.
func createStatefulSet(t *testing.T, ns, name string, replicas int32) {
	t.Helper()
	sel, tmpl := kwokTemplate(ns, name)
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(replicas), Selector: sel, Template: tmpl}}
	if _, err := testbed.clientset.AppsV1().StatefulSets(ns).Create(ctx(t), sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// workload is a daemon set or stateful set as the rollout steps handle it.
type workload struct {
	kind     string // "daemonset", as dialogs name it
	resource string // "daemonsets"
	name     string
	template func() corev1.PodTemplateSpec // read from the cluster
	patch    func(p []byte) error          // a strategic-merge patch on the cluster
}

// daemonSetWorkload and statefulSetWorkload are ns/name of each kind.
func daemonSetWorkload(t *testing.T, ns, name string) workload {
	api := testbed.clientset.AppsV1().DaemonSets(ns)
	return workloadOf(t, "daemonset", "daemonsets", name, api.Get, api.Patch,
		func(ds *appsv1.DaemonSet) corev1.PodTemplateSpec { return ds.Spec.Template })
}

func statefulSetWorkload(t *testing.T, ns, name string) workload {
	api := testbed.clientset.AppsV1().StatefulSets(ns)
	return workloadOf(t, "statefulset", "statefulsets", name, api.Get, api.Patch,
		func(s *appsv1.StatefulSet) corev1.PodTemplateSpec { return s.Spec.Template })
}

// workloadOf is object name of a typed client's kind.
func workloadOf[T any](t *testing.T, kind, resource, name string,
	get func(context.Context, string, metav1.GetOptions) (T, error),
	patch func(context.Context, string, types.PatchType, []byte, metav1.PatchOptions, ...string) (T, error),
	template func(T) corev1.PodTemplateSpec) workload {
	return workload{kind: kind, resource: resource, name: name,
		template: func() corev1.PodTemplateSpec {
			o, err := get(ctx(t), name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return template(o)
		},
		patch: func(p []byte) error {
			_, err := patch(ctx(t), name, types.StrategicMergePatchType, p, metav1.PatchOptions{})
			return err
		}}
}

// controllerRevisions counts the controller revisions in ns labelled app=name.
func controllerRevisions(t *testing.T, ns, name string) int {
	t.Helper()
	crs, err := testbed.clientset.AppsV1().ControllerRevisions(ns).List(ctx(t),
		metav1.ListOptions{LabelSelector: labels.Set{"app": name}.String()})
	if err != nil {
		t.Fatal(err)
	}
	return len(crs.Items)
}

// rolloutSteps drives r, h and u on w's row of the view on screen: r restarts it (the
// annotation checked in the cluster, the status line following the rollout to its end);
// two image changes by client-go make revisions 3 and 4; h lists all four; u to revision 1
// brings its template's image back in the cluster.
func rolloutSteps(t *testing.T, term *Term, ns string, w workload) {
	t.Helper()
	image := func() string { return w.template().Spec.Containers[0].Image }
	term.Send("r")
	term.WaitFor("the restart dialog, naming the context", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "Restart "+w.kind+" "+ns+"/"+w.name) && lineWith(s, "│", "ctx kwok-kdeck-") != ""
	})
	start := time.Now()
	term.Send("y")
	eventually(t, "restartedAt annotation", 10*time.Second, func() bool {
		return w.template().Annotations["kubectl.kubernetes.io/restartedAt"] != ""
	})
	term.WaitText(w.name+": rollout complete", 90*time.Second)
	t.Logf("%s: restart annotated, its rollout complete in the status line %s after y", w.kind, time.Since(start).Round(time.Millisecond))
	eventually(t, "revision 2", 10*time.Second, func() bool { return controllerRevisions(t, ns, w.name) == 2 })

	for i, img := range []string{"registry.example.com/app:1.1", "registry.example.com/app:1.2"} {
		p := fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":"app","image":%q}]}}}}`, img)
		if err := w.patch([]byte(p)); err != nil {
			t.Fatal(err)
		}
		eventually(t, fmt.Sprintf("revision %d", i+3), 10*time.Second, func() bool { return controllerRevisions(t, ns, w.name) == i+3 })
	}

	term.Send("h")
	term.WaitText("history "+w.resource+"/"+ns+"/"+w.name, 5*time.Second)
	term.WaitFor("four revisions", 10*time.Second, func(s string) bool {
		return lineWith(s, "4 (current)", "app:1.2") != "" && lineWith(s, "3 ", "app:1.1") != "" &&
			lineWith(s, "2 ", "app:1.0") != "" && lineWith(s, "1 ", "app:1.0") != ""
	})
	term.Send("Escape")
	term.WaitGone("history "+w.resource, 5*time.Second)

	term.Send("u")
	term.WaitText("Roll back "+w.kind+" "+ns+"/"+w.name+" to revision", 5*time.Second)
	term.Send("Down", "Down")
	term.WaitFor("revision 1 chosen", 5*time.Second, func(s string) bool { return lineWith(s, "› 1 ", "app:1.0") != "" })
	term.Send("Enter")
	eventually(t, "image back to 1.0", 10*time.Second, func() bool { return image() == "registry.example.com/app:1.0" })
	if a := w.template().Annotations["kubectl.kubernetes.io/restartedAt"]; a != "" {
		t.Errorf("revision 1's template has no restartedAt annotation, the undone one has %q", a)
	}
	term.WaitText(w.name+": rollout complete", 90*time.Second)
}

// scaleStatefulSet presses s on stateful set ns/name's row, from replicas from to to, and
// waits for the cluster's count and the row's READY.
func scaleStatefulSet(t *testing.T, term *Term, ns, name string, from, to int32) {
	t.Helper()
	term.Send("s")
	term.WaitText("Scale statefulset "+ns+"/"+name, 5*time.Second)
	term.WaitText(fmt.Sprintf("Replicas now: %d", from), 5*time.Second)
	term.Send("C-u", fmt.Sprint(to), "Enter")
	eventually(t, fmt.Sprintf("stateful set at %d", to), 10*time.Second, func() bool {
		s, err := testbed.clientset.AppsV1().StatefulSets(ns).Get(ctx(t), name, metav1.GetOptions{})
		return err == nil && *s.Spec.Replicas == to
	})
	term.WaitLine(60*time.Second, name+" ", fmt.Sprintf(" %d/%d ", to, to))
}

// auditSummaries waits for n audit entries and returns them as "verb resource name: summary result".
func auditSummaries(t *testing.T, term *Term, n int) []string {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got = got[:0]
		for _, e := range auditEntries(t, term) {
			got = append(got, e["verb"]+" "+e["resource"]+" "+e["name"]+": "+e["summary"]+" "+e["result"])
		}
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
	}
}

// :ds shows a daemon set of kwok pods on every emulated node with the cluster's counts and
// its node selector; r, h and u restart it, list its controller revisions and roll it back
// (rolloutSteps); enter lists its pods, l follows their logs.
func TestDaemonSetView(t *testing.T) {
	ns := newNamespace(t)
	nodes, err := testbed.clientset.CoreV1().Nodes().List(ctx(t), metav1.ListOptions{LabelSelector: "type=kwok"})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("emulated nodes: %v", err)
	}
	n := len(nodes.Items)
	createDaemonSet(t, ns, "agent")
	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "ds")
	term.WaitText("daemonsets("+ns+")[1]", 20*time.Second)
	row := regexp.MustCompile(fmt.Sprintf(`agent +%d +%d +%d +%d +%d +type=kwok `, n, n, n, n, n))
	took := term.WaitFor("the daemon set on every node", 60*time.Second, func(s string) bool { return row.MatchString(s) })
	t.Logf("daemon set on %d nodes, all ready, on screen %s after the view opened", n, took.Round(time.Millisecond))
	ds, err := testbed.clientset.AppsV1().DaemonSets(ns).Get(ctx(t), "agent", metav1.GetOptions{})
	if err != nil || ds.Status.DesiredNumberScheduled != int32(n) || ds.Status.NumberReady != int32(n) {
		t.Fatalf("the cluster's daemon set: %+v %v", ds.Status, err)
	}

	rolloutSteps(t, term, ns, daemonSetWorkload(t, ns, "agent"))
	want := []string{"patch daemonsets agent: rollout restart ok",
		"patch daemonsets agent: rollout undo to revision 1 (registry.example.com/app:1.0) ok"}
	if got := auditSummaries(t, term, len(want)); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("audit\n got %q\nwant %q", got, want)
	}

	term.Send("Enter")
	term.WaitText(fmt.Sprintf("pods(%s)[%d] app=agent", ns, n), 10*time.Second)
	term.Send("Escape")
	term.Send("l")
	term.WaitText("logs "+ns+"/ds/agent", 10*time.Second)
}

// :sts shows a stateful set's READY as the cluster has it; s scales it in the cluster; r,
// h and u restart it, list its controller revisions and roll it back (rolloutSteps).
func TestStatefulSetView(t *testing.T) {
	ns := newNamespace(t)
	createStatefulSet(t, ns, "db", 2)
	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "sts")
	took := term.WaitLine(60*time.Second, "db ", " 2/2 ", "app ", "registry.example.com/app:1.0")
	t.Logf("stateful set 2/2 on screen %s after the view opened", took.Round(time.Millisecond))

	scaleStatefulSet(t, term, ns, "db", 2, 3)

	rolloutSteps(t, term, ns, statefulSetWorkload(t, ns, "db"))
	want := []string{"update statefulsets/scale db: replicas 2 → 3 ok", "patch statefulsets db: rollout restart ok",
		"patch statefulsets db: rollout undo to revision 1 (registry.example.com/app:1.0) ok"}
	if got := auditSummaries(t, term, len(want)); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("audit\n got %q\nwant %q", got, want)
	}
	term.Send("Enter")
	term.WaitText("pods("+ns+")[3] app=db", 10*time.Second)
	term.WaitLine(30*time.Second, "db-2 ", "Running")
}

// :rs shows a deployment's replica set with its counts and the deployment as OWNER; s on it
// offers the deployment, and scales it in the cluster; enter lists its pods.
func TestReplicaSetView(t *testing.T) {
	ns := newNamespace(t)
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Create(ctx(t), kwokDeployment(ns, "web", 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "rs")
	row := regexp.MustCompile(`(web-[a-z0-9]+) +2 +2 +2 +web +app +registry.example.com/app:1.0 +app=web,pod-template-hash=`)
	var name string
	term.WaitFor("the replica set, 2 ready, owned by web", 60*time.Second, func(s string) bool {
		m := row.FindStringSubmatch(s)
		if m != nil {
			name = m[1]
		}
		return m != nil
	})
	rs, err := testbed.clientset.AppsV1().ReplicaSets(ns).Get(ctx(t), name, metav1.GetOptions{})
	if err != nil || rs.Status.ReadyReplicas != 2 || metav1.GetControllerOf(rs).Name != "web" {
		t.Fatalf("the cluster's replica set %s: %+v %v", name, rs.Status, err)
	}

	term.Send("s")
	term.WaitText("Deployment web controls this replica set", 5*time.Second)
	term.Send("Enter") // the first choice: scale the deployment instead
	term.WaitText("Scale deployment "+ns+"/web", 10*time.Second)
	term.WaitText("Replicas now: 2", 5*time.Second)
	term.Send("C-u", "3", "Enter")
	eventually(t, "deployment at 3", 10*time.Second, func() bool {
		d, err := testbed.clientset.AppsV1().Deployments(ns).Get(ctx(t), "web", metav1.GetOptions{})
		return err == nil && *d.Spec.Replicas == 3
	})
	scaled := regexp.MustCompile(name + ` +3 +3 +3 +web `)
	term.WaitFor("the replica set at 3", 30*time.Second, func(s string) bool { return scaled.MatchString(s) })

	term.Send("Enter")
	term.WaitText("pods("+ns+")[3] app=web,pod-template-hash="+rs.Labels["pod-template-hash"], 10*time.Second)
}

// In read-only mode r and u on a daemon set, and s, r and u on a stateful set, are refused
// before anything is asked or sent: no dialog, the objects unchanged, and the proxy in front
// of the API server sees reads only. h, a read, still lists the revisions.
func TestWorkloadsReadOnly(t *testing.T) {
	ns := newNamespace(t)
	createDaemonSet(t, ns, "agent")
	createStatefulSet(t, ns, "db", 1)
	proxy, kubeconfig := startCountingProxy(t, ns)
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "--readonly", "-c", "daemonsets")
	term.WaitText("READ-ONLY", 10*time.Second)
	restart, undo := [2]string{"r", "rollout restart"}, [2]string{"u", "undo to a revision"}
	term.WaitLine(30*time.Second, "agent ", "type=kwok")
	requireRefused(t, term, restart, undo)
	term.Send("h")
	term.WaitLine(10*time.Second, "1 (current)", "registry.example.com/app:1.0")
	term.Send("Escape")
	term.command("sts")
	term.WaitLine(30*time.Second, "db ", "/1 ")
	requireRefused(t, term, [2]string{"s", "scale (HPA-aware)"}, restart, undo)
	time.Sleep(500 * time.Millisecond) // anything sent would have reached the server by now

	ds, err := testbed.clientset.AppsV1().DaemonSets(ns).Get(ctx(t), "agent", metav1.GetOptions{})
	if err != nil || ds.Generation != 1 {
		t.Fatalf("the daemon set changed: generation %d (%v)", ds.Generation, err)
	}
	sts, err := testbed.clientset.AppsV1().StatefulSets(ns).Get(ctx(t), "db", metav1.GetOptions{})
	if err != nil || sts.Generation != 1 || *sts.Spec.Replicas != 1 {
		t.Fatalf("the stateful set changed: generation %d (%v)", sts.Generation, err)
	}
	proxy.requireReadsOnly(t)
}

// RBAC is asked before any dialog: a user who may patch and read daemon sets but not list
// controller revisions is refused u (the undo reads the revisions before it patches), and
// nothing changes.
func TestDaemonSetUndoForbidden(t *testing.T) {
	ns := newNamespace(t)
	createDaemonSet(t, ns, "agent")
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"daemonsets"}, Verbs: []string{"get", "list", "watch", "patch"}},
	})
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-c", "daemonsets")
	term.WaitLine(30*time.Second, "agent ", "type=kwok")
	term.Send("u")
	term.WaitText("forbidden: cannot list controllerrevisions.apps in namespace "+ns, 10*time.Second)
	if s := term.Screen(); strings.Contains(s, "╭") {
		t.Fatalf("a forbidden undo opened a dialog:\n%s", s)
	}
	ds, err := testbed.clientset.AppsV1().DaemonSets(ns).Get(ctx(t), "agent", metav1.GetOptions{})
	if err != nil || ds.Generation != 1 {
		t.Fatalf("the daemon set changed: generation %d (%v)", ds.Generation, err)
	}
}
