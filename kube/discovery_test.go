package kube

import (
	"context"
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// capturedResources is a trimmed copy of a v1.37 server's preferred resources plus a CRD.
func capturedResources() []*metav1.APIResourceList {
	lw := []string{"get", "list", "watch"}
	return []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "configmaps", SingularName: "configmap", Namespaced: true, Kind: "ConfigMap", Verbs: lw, ShortNames: []string{"cm"}},
			{Name: "events", SingularName: "event", Namespaced: true, Kind: "Event", Verbs: lw, ShortNames: []string{"ev"}},
			{Name: "namespaces", SingularName: "namespace", Kind: "Namespace", Verbs: lw, ShortNames: []string{"ns"}},
			{Name: "nodes", SingularName: "node", Kind: "Node", Verbs: lw, ShortNames: []string{"no"}},
			{Name: "pods", SingularName: "pod", Namespaced: true, Kind: "Pod", Verbs: lw, ShortNames: []string{"po"}},
			{Name: "pods/log", SingularName: "", Namespaced: true, Kind: "Pod", Verbs: []string{"get"}},
			{Name: "bindings", SingularName: "binding", Namespaced: true, Kind: "Binding", Verbs: []string{"create"}},
		}},
		{GroupVersion: "events.k8s.io/v1", APIResources: []metav1.APIResource{
			{Name: "events", SingularName: "event", Namespaced: true, Kind: "Event", Verbs: lw, ShortNames: []string{"ev"}},
		}},
		{GroupVersion: "networking.k8s.io/v1", APIResources: []metav1.APIResource{
			{Name: "ingresses", SingularName: "ingress", Namespaced: true, Kind: "Ingress", Verbs: lw, ShortNames: []string{"ing"}},
		}},
		{GroupVersion: "argoproj.io/v1alpha1", APIResources: []metav1.APIResource{
			{Name: "rollouts", SingularName: "rollout", Namespaced: true, Kind: "Rollout", Verbs: lw, ShortNames: []string{"ro"}},
		}},
		{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{
			{Name: "widgets", SingularName: "widget", Namespaced: true, Kind: "Widget", Verbs: lw, ShortNames: []string{"wdg"}},
		}},
	}
}

func TestResolveNames(t *testing.T) {
	r := NewResourcesFrom(func(context.Context) ([]*metav1.APIResourceList, error) { return capturedResources(), nil })
	for typed, want := range map[string]string{
		"configmaps": "configmaps", "configmap": "configmaps", "cm": "configmaps", "ConfigMap": "configmaps",
		"ingress": "ingresses.networking.k8s.io", "ing": "ingresses.networking.k8s.io",
		"rollouts": "rollouts.argoproj.io", "rollouts.argoproj.io": "rollouts.argoproj.io", "ro": "rollouts.argoproj.io",
		"rollout.argoproj.io": "rollouts.argoproj.io", "Rollout.argoproj.io": "rollouts.argoproj.io",
		"rollouts.v1alpha1.argoproj.io": "rollouts.argoproj.io",
		"nodes":                         "nodes", "no": "nodes", "namespaces": "namespaces", "ns": "namespaces",
		"events": "events", "events.events.k8s.io": "events.events.k8s.io", // core wins unqualified
		"widgets": "widgets.example.com", "widgets.example.com": "widgets.example.com", "wdg": "widgets.example.com",
	} {
		res, err := r.Resolve(t.Context(), typed)
		if err != nil {
			t.Errorf("%q: %v", typed, err)
			continue
		}
		if res.Name() != want {
			t.Errorf("%q resolved to %s, want %s", typed, res.Name(), want)
		}
	}
	for _, typed := range []string{"nosuchthing", "bindings", "pods/log", "rollouts.example.com", "rollouts.v1.argoproj.io", ""} {
		if _, err := r.Resolve(t.Context(), typed); KindOf(err) != KindNotFound {
			t.Errorf("%q: got %v, want not found", typed, err)
		}
	}
	res, _ := r.Resolve(t.Context(), "nodes")
	if res.Namespaced || res.GVR.Version != "v1" || res.Kind != "Node" {
		t.Errorf("nodes resolved to %+v", res)
	}
}

// Discovery runs on the first lookup only; an unknown name refetches (a CRD may have been
// installed since), but not more often than refreshAfter; failures are typed errors.
func TestResolveCaching(t *testing.T) {
	calls := 0
	lists := capturedResources()[:1]
	var fail error
	r := NewResourcesFrom(func(context.Context) ([]*metav1.APIResourceList, error) {
		calls++
		return lists, fail
	})
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return now }
	if calls != 0 {
		t.Fatal("discovery ran before the first lookup")
	}
	for range 3 {
		if _, err := r.Resolve(t.Context(), "cm"); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("%d discovery calls for three known names, want 1", calls)
	}
	if _, err := r.Resolve(t.Context(), "widgets"); KindOf(err) != KindNotFound || calls != 1 {
		t.Fatalf("an unknown name right after a fetch: %v, %d calls", err, calls)
	}
	lists = capturedResources() // the CRD is installed
	now = now.Add(3 * time.Second)
	if res, err := r.Resolve(t.Context(), "widgets"); err != nil || res.GVR.Group != "example.com" || calls != 2 {
		t.Fatalf("after a CRD install: %+v, %v, %d calls", res, err, calls)
	}
	now = now.Add(3 * time.Second)
	fail = &Error{Kind: KindUnreachable, Err: errors.New("connection refused")}
	if _, err := r.Resolve(t.Context(), "nosuch"); KindOf(err) != KindUnreachable {
		t.Fatalf("a failed discovery: %v", err)
	}
}
