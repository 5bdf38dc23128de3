//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// currentReplicaSet is the replica set of deployment ns/name that has replicas.
func currentReplicaSet(t *testing.T, ns, name string) appsv1.ReplicaSet {
	t.Helper()
	list, err := testbed.clientset.AppsV1().ReplicaSets(ns).List(ctx(t), metav1.ListOptions{LabelSelector: "app=" + name})
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range list.Items {
		if ptr.Deref(rs.Spec.Replicas, 0) > 0 {
			return rs
		}
	}
	t.Fatalf("deployment %s/%s has no replica set with replicas", ns, name)
	return appsv1.ReplicaSet{}
}

// T on a pod shows its owner tree from the deployment down to containers, live, with the
// cursor on the pod; o climbs the owner chain through the typed views with the cursor on
// each owner; :tree opens a service's tree (endpoint slices → pods) by name.
func TestOwnerTree(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "api", 1)
	createDeployment(t, ns, "web", 2)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80}}}}
	if _, err := testbed.clientset.CoreV1().Services(ns).Create(ctx(t), svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rs := currentReplicaSet(t, ns, "web")
	pods, err := testbed.clientset.CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil || len(pods.Items) != 2 {
		t.Fatalf("web's pods: %v %v", len(pods.Items), err)
	}

	term := StartKdeck(t, 160, 40, "-n", ns)
	term.WaitText("pods("+ns+")[3]", 20*time.Second)
	// filtered by "web", the web pods match best and the cursor is on one of them
	term.Send("/", "w", "e", "b", "Enter")
	term.WaitText("] /web", 10*time.Second)
	term.Send("T")
	term.WaitText("tree(pods/"+ns+"/web-", 10*time.Second)
	took := term.WaitLine(20*time.Second, "Deployment/web", "2/2 ready")
	t.Logf("tree on screen %s after T", took.Round(time.Millisecond))
	term.WaitLine(10*time.Second, "ReplicaSet/"+rs.Name, "2/2 ready")
	for _, p := range pods.Items {
		term.WaitLine(10*time.Second, "Pod/"+p.Name, "Running 1/1")
	}
	term.WaitLine(10*time.Second, "app", "Running")
	if s := term.Screen(); strings.Contains(s, "Deployment/api") || !strings.Contains(s, "fetched") {
		t.Fatalf("the tree shows another deployment, or no freshness:\n%s", s)
	}

	// live: a third pod appears within a refresh
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Patch(ctx(t), "web", "application/merge-patch+json",
		[]byte(`{"spec":{"replicas":3}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	took = term.WaitLine(30*time.Second, "Deployment/web", "3/3 ready")
	t.Logf("the scaled deployment in the tree %s after the patch", took.Round(time.Millisecond))

	// enter on the pod the tree was opened on (the cursor starts there): its containers
	term.Send("Enter")
	term.WaitText("containers("+ns+"/web-", 10*time.Second)
	term.Send("Escape")
	term.WaitText("tree(pods/", 10*time.Second)
	term.Send("Escape")
	term.WaitText("pods("+ns+")[", 10*time.Second)

	// o: pod → its replica set (cursor on it) → its deployment (cursor on it); T there
	// names the deployment the cursor is on
	term.Send("o")
	term.WaitText("replicasets("+ns+")[2]", 10*time.Second)
	term.Send("o")
	term.WaitText("deployments("+ns+")[2]", 10*time.Second)
	term.Send("T")
	term.WaitText("tree(deployments/"+ns+"/web)", 10*time.Second)
	term.Send("Escape")
	term.Send("o")
	term.WaitText("web has no owner", 10*time.Second)

	// :tree by name: a service, its endpoint slice and the pods behind it
	term.Send(":", "t", "r", "e", "e", " ")
	term.Send(strings.Split("svc/web", "")...)
	term.Send("Enter")
	term.WaitText("tree(svc/"+ns+"/web)", 10*time.Second)
	term.WaitLine(20*time.Second, "Service/web", "3/3 endpoints ready")
	term.WaitLine(10*time.Second, "EndpointSlice/web-", "3/3 ready")
	term.Send("Escape")

	// bad names: the prompt says so and nothing opens; a missing object says not found
	term.Send(":", "t", "r", "e", "e", " ", "w", "e", "b", "Enter")
	term.WaitText("usage: tree KIND/NAME", 5*time.Second)
	term.Send("Escape")
	term.Send(":")
	term.Send(strings.Split("tree deploy/nope", "")...)
	term.Send("Enter")
	term.WaitText("tree(deploy/"+ns+"/nope)", 10*time.Second)
	term.WaitText("not found", 10*time.Second)
}

// T on a Helm release: the release, the objects its manifest applied, and what each owns
// (the deployment's replica set, pods and containers); an object deleted since is
// "missing"; the Secret is a node with no values.
func TestHelmReleaseTree(t *testing.T) {
	ns, term := onShop(t)
	term.Send("T")
	term.WaitText("tree(helm/"+ns+"/shop)", 10*time.Second)
	term.WaitLine(20*time.Second, "HelmRelease/shop", "deployed, revision 3")
	for _, kind := range []string{"Secret/shop-auth", "ConfigMap/shop-config", "Service/shop", "Deployment/shop", "ReplicaSet/shop-", "Pod/shop-"} {
		term.WaitLine(10*time.Second, kind)
	}
	if err := testbed.clientset.CoreV1().ConfigMaps(ns).Delete(ctx(t), "shop-config", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	took := term.WaitLine(20*time.Second, "ConfigMap/shop-config", "missing: not in the cluster")
	t.Logf("the deleted config map marked missing %s after the delete", took.Round(time.Millisecond))
	// enter on the release's own node (not an object) opens nothing
	term.Send("g", "Enter")
	time.Sleep(500 * time.Millisecond)
	if s := term.Screen(); !strings.Contains(s, "tree(helm/") {
		t.Fatalf("enter on the release left the tree:\n%s", s)
	}
}
