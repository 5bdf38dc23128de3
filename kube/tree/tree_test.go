package tree

import (
	"context"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kdeck/kdeck/kube"
)

func controller(kind, name string, uid types.UID) []metav1.OwnerReference {
	yes := true
	api := "apps/v1"
	return []metav1.OwnerReference{{APIVersion: api, Kind: kind, Name: name, UID: uid, Controller: &yes}}
}

// shop is a deployment web with a current and an old replica set, two pods of the current
// one (one crash-looping), a pod of another deployment with the same labels, and a
// service with one endpoint slice pointing at both pods.
func shop() []runtime.Object {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	two := int32(2)
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", UID: "dep"},
		Spec: appsv1.DeploymentSpec{Replicas: &two, Selector: sel}, Status: appsv1.DeploymentStatus{ReadyReplicas: 1, Replicas: 2, UpdatedReplicas: 2, AvailableReplicas: 1}}
	rs := func(name string, uid types.UID, replicas int32, age int) *appsv1.ReplicaSet {
		return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: uid, Labels: map[string]string{"app": "web"},
			CreationTimestamp: metav1.Unix(int64(1000+age), 0), OwnerReferences: controller("Deployment", "web", "dep")},
			Spec: appsv1.ReplicaSetSpec{Replicas: &replicas, Selector: sel}}
	}
	pod := func(name, owner string, waiting string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: types.UID(name),
			Labels: map[string]string{"app": "web"}, OwnerReferences: controller("ReplicaSet", owner, types.UID("rs-"+owner))},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}}}
		st := corev1.ContainerStatus{Name: "app", Ready: waiting == "", RestartCount: 0}
		if waiting == "" {
			st.State.Running = &corev1.ContainerStateRunning{}
		} else {
			st.State.Waiting = &corev1.ContainerStateWaiting{Reason: waiting}
			st.RestartCount = 7
		}
		p.Status = corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{st}}
		return p
	}
	ready, notReady := true, false
	slice := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-abc",
		Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
		Endpoints: []discoveryv1.Endpoint{
			{Conditions: discoveryv1.EndpointConditions{Ready: &ready}, TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: "web-new-1"}},
			{Conditions: discoveryv1.EndpointConditions{Ready: &notReady}, TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: "web-new-2"}},
		}}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: map[string]string{"app": "web"}}}
	return []runtime.Object{dep, rs("web-old", "rs-web-old", 0, 1), rs("web-new", "rs-web-new", 2, 2),
		pod("web-new-1", "web-new", ""), pod("web-new-2", "web-new", "CrashLoopBackOff"), pod("other-1", "other", ""),
		slice, svc}
}

// render draws n's tree one node a line, indented by depth: "Kind/name status [focus]".
func render(n *Node, depth int, b *strings.Builder) {
	fmt.Fprintf(b, "%s%s/%s %s", strings.Repeat("  ", depth), n.Kind, n.Name, n.Status)
	if n.Focus {
		b.WriteString(" [focus]")
	}
	b.WriteString("\n")
	for _, c := range n.Children {
		render(c, depth+1, b)
	}
}

func TestBuildClimbsToTheTopOwnerAndFocusesTheObject(t *testing.T) {
	c := kube.NewClientFor(fake.NewClientset(shop()...), nil)
	root, err := Build(context.Background(), c, kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: "web-new-2"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render(root, 0, &b)
	want := `Deployment/web 1/2 ready, available 1/2
  ReplicaSet/web-new 0/2 ready
    Pod/web-new-1 Running 1/1
      Container/app Running
    Pod/web-new-2 CrashLoopBackOff 0/1, 7 restarts [focus]
      Container/app CrashLoopBackOff, 7 restarts
  ReplicaSet/web-old 0/0 ready
`
	if b.String() != want {
		t.Errorf("tree:\n%s\nwant:\n%s", b.String(), want)
	}
	if root.Health != HealthPending || root.Children[0].Children[1].Health != HealthBad {
		t.Errorf("healths: deployment %v, crash-looping pod %v", root.Health, root.Children[0].Children[1].Health)
	}
}

func TestBuildService(t *testing.T) {
	c := kube.NewClientFor(fake.NewClientset(shop()...), nil)
	root, err := Build(context.Background(), c, kube.ObjectRef{GVR: kube.GVRServices, Namespace: "shop", Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render(root, 0, &b)
	want := `Service/web ClusterIP, 1/2 endpoints ready [focus]
  EndpointSlice/web-abc 1/2 ready
    Pod/web-new-1 Running 1/1
      Container/app Running
    Pod/web-new-2 CrashLoopBackOff 0/1, 7 restarts
      Container/app CrashLoopBackOff, 7 restarts
`
	if b.String() != want {
		t.Errorf("tree:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestOwner(t *testing.T) {
	c := kube.NewClientFor(fake.NewClientset(shop()...), nil)
	ctx := context.Background()
	owner, ok, err := Owner(ctx, c, kube.ObjectRef{GVR: kube.GVRReplicaSets, Namespace: "shop", Name: "web-new"})
	if err != nil || !ok || owner != (kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: "shop", Name: "web"}) {
		t.Errorf("owner of the replica set = %v, %v, %v; want the deployment", owner, ok, err)
	}
	if _, ok, err := Owner(ctx, c, kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: "shop", Name: "web"}); ok || err != nil {
		t.Errorf("the deployment has an owner? %v, %v", ok, err)
	}
	// other-1's owner reference names a replica set that does not exist: no owner, no error
	if _, ok, err := Owner(ctx, c, kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: "other-1"}); ok || err != nil {
		t.Errorf("a pod whose owner is gone has an owner? %v, %v", ok, err)
	}
	if _, _, err := Owner(ctx, c, kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: "nope"}); kube.KindOf(err) != kube.KindNotFound {
		t.Errorf("a missing object: err %v, want not found", err)
	}
}

// BuildAll fills in each member with what it owns, and says which are missing or of a kind
// the cluster does not serve.
func TestBuildAll(t *testing.T) {
	c := kube.NewClientFor(fake.NewClientset(shop()...), nil)
	root := &Node{Kind: "HelmRelease", Name: "shop", Status: "deployed, revision 3"}
	members := []*Node{
		{Ref: kube.ObjectRef{GVR: kube.GVRServices, Namespace: "shop", Name: "web"}, Kind: "Service", Name: "web"},
		{Ref: kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: "shop", Name: "gone"}, Kind: "Deployment", Name: "gone"},
		{Kind: "Widget", Name: "w"},
	}
	root, err := BuildAll(context.Background(), c, root, members)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render(root, 0, &b)
	want := `HelmRelease/shop deployed, revision 3
  Service/web ClusterIP, 1/2 endpoints ready
    EndpointSlice/web-abc 1/2 ready
      Pod/web-new-1 Running 1/1
        Container/app Running
      Pod/web-new-2 CrashLoopBackOff 0/1, 7 restarts
        Container/app CrashLoopBackOff, 7 restarts
  Deployment/gone missing: not in the cluster
  Widget/w the cluster does not serve this kind
`
	if b.String() != want {
		t.Errorf("tree:\n%s\nwant:\n%s", b.String(), want)
	}
}
