package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

// podTemplate is a pod template of one container of image, labelled app=name.
func podTemplate(name, image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: image}}}}
}

// daemonSet is ops/agent on 3 nodes, its rollout done.
func daemonSet() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "agent", UID: "agent-uid", Generation: 2, CreationTimestamp: metav1.NewTime(t0)},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: func() corev1.PodTemplateSpec {
				t := podTemplate("agent", "registry.example.com/agent:2")
				t.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
				return t
			}(),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr.To(intstr.FromString("10%"))}},
		},
		Status: appsv1.DaemonSetStatus{ObservedGeneration: 2, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3,
			NumberReady: 3, UpdatedNumberScheduled: 3, NumberAvailable: 3},
	}
}

// statefulSet is shop/db of 3 replicas, its rollout done.
func statefulSet() *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db", UID: "db-uid", Generation: 4, CreationTimestamp: metav1.NewTime(t0)},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](3), ServiceName: "db",
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
			Template: podTemplate("db", "postgres:17")},
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 4, Replicas: 3, ReadyReplicas: 3, UpdatedReplicas: 3,
			CurrentRevision: "db-7c9", UpdateRevision: "db-7c9"},
	}
}

func TestDaemonSetRow(t *testing.T) {
	want := DaemonSet{Namespace: "ops", Name: "agent", Desired: 3, Current: 3, Ready: 3, UpToDate: 3, Available: 3,
		NodeSelector: "kubernetes.io/os=linux", Containers: "agent", Images: "registry.example.com/agent:2",
		Selector: "app=agent", Strategy: "RollingUpdate 0/10%", Created: t0, Rollout: RolloutDone}
	if r := DaemonSetRow(daemonSet()); *r != want {
		t.Errorf("row\n got %+v\nwant %+v", *r, want)
	}
	for _, c := range []struct {
		name  string
		edit  func(*appsv1.DaemonSet)
		phase RolloutPhase
		text  string
	}{
		{"spec not observed", func(d *appsv1.DaemonSet) { d.Generation = 3 }, RolloutProgressing, "pending"},
		{"rolling", func(d *appsv1.DaemonSet) { d.Status.UpdatedNumberScheduled = 1 }, RolloutProgressing, "rolling 1/3"},
		{"updated, not yet available", func(d *appsv1.DaemonSet) { d.Status.NumberAvailable = 2 }, RolloutProgressing, "available 2/3"},
		{"on delete", func(d *appsv1.DaemonSet) {
			d.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
			d.Status.UpdatedNumberScheduled = 1
		}, RolloutOnDelete, "on delete 1/3"},
	} {
		d := daemonSet()
		c.edit(d)
		if r := DaemonSetRow(d); r.Rollout != c.phase || r.RolloutText != c.text {
			t.Errorf("%s: rollout %d %q, want %d %q", c.name, r.Rollout, r.RolloutText, c.phase, c.text)
		}
	}
	d := daemonSet()
	d.Spec.Template.Spec.NodeSelector = nil
	d.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	if r := DaemonSetRow(d); r.NodeSelector != "" || r.Strategy != "OnDelete" {
		t.Errorf("no node selector %q, strategy %q", r.NodeSelector, r.Strategy)
	}
}

func TestStatefulSetRow(t *testing.T) {
	want := StatefulSet{Namespace: "shop", Name: "db", Desired: 3, Ready: 3, Updated: 3, Containers: "db", Images: "postgres:17",
		Selector: "app=db", Service: "db", Strategy: "RollingUpdate", Created: t0, Rollout: RolloutDone}
	if r := StatefulSetRow(statefulSet()); *r != want {
		t.Errorf("row\n got %+v\nwant %+v", *r, want)
	}
	rolling := func(s *appsv1.StatefulSet) { s.Status.UpdateRevision, s.Status.UpdatedReplicas = "db-8d0", 1 }
	partition := func(p int32) func(*appsv1.StatefulSet) {
		return func(s *appsv1.StatefulSet) {
			s.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To(p)}
		}
	}
	for _, c := range []struct {
		name  string
		edits []func(*appsv1.StatefulSet)
		phase RolloutPhase
		text  string
	}{
		{"never observed", []func(*appsv1.StatefulSet){func(s *appsv1.StatefulSet) { s.Status.ObservedGeneration = 0 }}, RolloutProgressing, "pending"},
		{"rolling", []func(*appsv1.StatefulSet){rolling}, RolloutProgressing, "rolling 1/3"},
		{"partitioned, under way", []func(*appsv1.StatefulSet){rolling, partition(1)}, RolloutProgressing, "partitioned 1/2"},
		{"partitioned, done to the partition", []func(*appsv1.StatefulSet){rolling, partition(2)}, RolloutDone, "partitioned 1/1"},
		{"on delete", []func(*appsv1.StatefulSet){rolling, func(s *appsv1.StatefulSet) {
			s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}
		}}, RolloutOnDelete, "on delete 1/3"},
		{"a pod not ready", []func(*appsv1.StatefulSet){func(s *appsv1.StatefulSet) { s.Status.ReadyReplicas = 2 }}, RolloutProgressing, "ready 2/3"},
	} {
		s := statefulSet()
		for _, e := range c.edits {
			e(s)
		}
		if r := StatefulSetRow(s); r.Rollout != c.phase || r.RolloutText != c.text {
			t.Errorf("%s: rollout %d %q, want %d %q", c.name, r.Rollout, r.RolloutText, c.phase, c.text)
		}
	}
	s := statefulSet()
	partition(2)(s)
	if r := StatefulSetRow(s); r.Partition != 2 || r.Strategy != "RollingUpdate partition 2" {
		t.Errorf("partition %d, strategy %q", r.Partition, r.Strategy)
	}
}

func TestReplicaSetRow(t *testing.T) {
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-5d8f", CreationTimestamp: metav1.NewTime(t0),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Controller: ptr.To(true)}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](4),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "pod-template-hash": "5d8f"}},
			Template: podTemplate("web", "web:1.5")},
		Status: appsv1.ReplicaSetStatus{Replicas: 4, ReadyReplicas: 3},
	}
	want := ReplicaSet{Namespace: "shop", Name: "web-5d8f", Desired: 4, Current: 4, Ready: 3, Containers: "web", Images: "web:1.5",
		Selector: "app=web,pod-template-hash=5d8f", Owner: "web", Created: t0}
	if r := ReplicaSetRow(rs); *r != want {
		t.Errorf("row\n got %+v\nwant %+v", *r, want)
	}
	rs.OwnerReferences = nil
	rs.Spec.Replicas = nil
	if r := ReplicaSetRow(rs); r.Owner != "" || r.Desired != 1 {
		t.Errorf("unowned: owner %q, desired %d", r.Owner, r.Desired)
	}
}

// Restart sends kubectl rollout restart's patch to each of the three kinds, through the
// one patch access of the kind.
func TestRestartEachKind(t *testing.T) {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}}
	ds, sts := daemonSet(), statefulSet()
	cs := fake.NewClientset(d, ds, sts)
	c := &Client{Clientset: cs}
	now := t0.Add(time.Hour)
	for _, ref := range []ObjectRef{
		{GVR: GVRDeployments, Namespace: "shop", Name: "web"},
		{GVR: GVRDaemonSets, Namespace: "ops", Name: "agent"},
		{GVR: GVRStatefulSets, Namespace: "shop", Name: "db"},
	} {
		cs.ClearActions()
		m := c.Restart(ref, now)
		if m.Access != (Access{Verb: "patch", GVR: ref.GVR, Namespace: ref.Namespace}) || m.Name != ref.Name {
			t.Fatalf("%s: mutation %+v", ref, m)
		}
		if err := c.Apply(context.Background(), m); err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		acts := cs.Actions()
		if len(acts) != 1 {
			t.Fatalf("%s: requests %v", ref, acts)
		}
		p, ok := acts[0].(k8stesting.PatchAction)
		want := `{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-23T13:00:00Z"}}}}}`
		if !ok || p.GetPatchType() != types.StrategicMergePatchType || string(p.GetPatch()) != want || p.GetResource() != ref.GVR {
			t.Errorf("%s: request %+v", ref, acts[0])
		}
	}
	if err := c.Apply(context.Background(), c.Restart(ObjectRef{GVR: GVRReplicaSets, Namespace: "shop", Name: "web-1"}, now)); err == nil {
		t.Error("a replica set was restarted")
	}
}

// controllerRevision is revision n of owner's template with image, as its controller
// stores it: the patch that restores the template.
func controllerRevision(owner metav1.Object, kind string, n int64, image, cause string) *appsv1.ControllerRevision {
	tmpl := podTemplate(owner.GetName(), image)
	raw, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{
		"metadata": tmpl.ObjectMeta, "spec": tmpl.Spec, "$patch": "replace"}}})
	cr := &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{Namespace: owner.GetNamespace(), Name: fmt.Sprintf("%s-%d", owner.GetName(), n),
			Labels:            map[string]string{"app": owner.GetName()},
			CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(n) * time.Minute)),
			OwnerReferences:   []metav1.OwnerReference{*metav1.NewControllerRef(owner, appsv1.SchemeGroupVersion.WithKind(kind))}},
		Data:     runtime.RawExtension{Raw: raw},
		Revision: n,
	}
	if cause != "" {
		cr.Annotations = map[string]string{changeCauseAnnotation: cause}
	}
	return cr
}

// History lists a daemon set's or stateful set's own controller revisions, newest first,
// the newest current; Undo re-reads them, then patches the object with the chosen
// revision's data as a strategic-merge patch, as kubectl rollout undo does.
func TestControllerRevisionHistoryAndUndo(t *testing.T) {
	ds, sts := daemonSet(), statefulSet()
	other := daemonSet()
	other.Name, other.UID = "agent-canary", "canary-uid" // same labels, another owner
	objs := []runtime.Object{ds, sts, other,
		controllerRevision(ds, "DaemonSet", 1, "registry.example.com/agent:1", "first"),
		controllerRevision(ds, "DaemonSet", 2, "registry.example.com/agent:2", ""),
		controllerRevision(other, "DaemonSet", 7, "registry.example.com/agent:canary", ""),
		controllerRevision(sts, "StatefulSet", 1, "postgres:16", ""),
		controllerRevision(sts, "StatefulSet", 3, "postgres:17", ""),
	}
	for _, c := range []struct {
		ref   ObjectRef
		want  string
		image string
	}{
		{ObjectRef{GVR: GVRDaemonSets, Namespace: "ops", Name: "agent"}, "2 current registry.example.com/agent:2 ;1 registry.example.com/agent:1 first", "registry.example.com/agent:1"},
		{ObjectRef{GVR: GVRStatefulSets, Namespace: "shop", Name: "db"}, "3 current postgres:17 ;1 postgres:16 ", "postgres:16"},
	} {
		t.Run(c.ref.GVR.Resource, func(t *testing.T) {
			cs := fake.NewClientset(objs...)
			client := &Client{Clientset: cs}
			revs, err := client.History(context.Background(), c.ref)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range revs {
				s := fmt.Sprint(r.Number)
				if r.Current {
					s += " current"
				}
				got = append(got, s+" "+strings.Join(r.Images, ",")+" "+r.ChangeCause)
			}
			if strings.Join(got, ";") != c.want {
				t.Fatalf("history %q, want %q", strings.Join(got, ";"), c.want)
			}
			access := UndoAccess(c.ref.GVR)(c.ref.Namespace)
			wantAccess := []Access{{Verb: "patch", GVR: c.ref.GVR, Namespace: c.ref.Namespace}, {Verb: "get", GVR: c.ref.GVR, Namespace: c.ref.Namespace},
				{Verb: "list", GVR: GVRControllerRevisions, Namespace: c.ref.Namespace}}
			if !slices.Equal(access, wantAccess) {
				t.Errorf("undo access %+v", access)
			}
			cs.ClearActions()
			m := client.Undo(c.ref, revs[1])
			if m.Access != access[0] || !strings.HasPrefix(m.Summary, "rollout undo to revision 1 (") {
				t.Errorf("mutation %+v", m)
			}
			if err := client.Apply(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			var verbs []string
			for _, a := range cs.Actions() {
				verbs = append(verbs, a.GetVerb()+" "+a.GetResource().Resource)
			}
			if want := "get " + c.ref.GVR.Resource + ",list controllerrevisions,patch " + c.ref.GVR.Resource; strings.Join(verbs, ",") != want {
				t.Errorf("requests %q, want %q", verbs, want)
			}
			p := cs.Actions()[2].(k8stesting.PatchAction)
			if p.GetPatchType() != types.StrategicMergePatchType || string(p.GetPatch()) != string(revs[1].patch) {
				t.Errorf("patch %s %s", p.GetPatchType(), p.GetPatch())
			}
			image := ""
			switch c.ref.GVR {
			case GVRDaemonSets:
				got, _ := cs.AppsV1().DaemonSets("ops").Get(context.Background(), "agent", metav1.GetOptions{})
				image = got.Spec.Template.Spec.Containers[0].Image
			case GVRStatefulSets:
				got, _ := cs.AppsV1().StatefulSets("shop").Get(context.Background(), "db", metav1.GetOptions{})
				image = got.Spec.Template.Spec.Containers[0].Image
			}
			if image != c.image {
				t.Errorf("image after undo %q, want %q", image, c.image)
			}

			// a revision the history no longer holds (renumbered since the dialog), or the
			// current one: refused, nothing sent
			for _, rev := range []Revision{{Number: 5, Name: revs[1].Name}, revs[0]} {
				cs.ClearActions()
				if err := client.Apply(context.Background(), client.Undo(c.ref, rev)); KindOf(err) != KindConflict {
					t.Errorf("undo to %d: %v, want a conflict", rev.Number, err)
				}
				for _, a := range cs.Actions() {
					if a.GetVerb() == "patch" {
						t.Errorf("undo to %d sent %v", rev.Number, a)
					}
				}
			}
		})
	}
}

// A stateful set's rollout is followed to its end like a deployment's.
func TestFollowStatefulSetRollout(t *testing.T) {
	cs := fake.NewClientset()
	w := watch.NewFakeWithChanSize(4, false)
	cs.PrependWatchReactor("statefulsets", func(k8stesting.Action) (bool, watch.Interface, error) { return true, w, nil })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := (&Client{Clientset: cs}).FollowRollout(ctx, ObjectRef{GVR: GVRStatefulSets, Namespace: "shop", Name: "db"})
	s := statefulSet()
	s.Status.UpdateRevision, s.Status.UpdatedReplicas = "db-8d0", 1
	w.Modify(s)
	if p := <-ch; p.Done || p.Text != "rollout rolling 1/3" {
		t.Fatalf("half-way: %+v", p)
	}
	w.Modify(statefulSet())
	if p := <-ch; !p.Done || !p.OK || p.Text != "rollout complete: 3/3 ready" {
		t.Fatalf("done: %+v", p)
	}
	if _, open := <-ch; open {
		t.Fatal("the channel stayed open")
	}
}
