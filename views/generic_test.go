package views

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// widgetRows are rows of a CRD with printer columns, one of them wide (priority 1).
func widgetRows() []*kube.TableRow {
	s := kube.NewTableSchema([]metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name"}, {Name: "Size", Type: "integer"},
		{Name: "Colour", Type: "string"}, {Name: "Note", Type: "string", Priority: 1}, {Name: "Age", Type: "date"},
	})
	row := func(ns, name string, cells ...string) *kube.TableRow {
		return &kube.TableRow{Namespace: ns, Name: name, Cells: append([]string{name}, cells...), Schema: s}
	}
	return []*kube.TableRow{
		row("shop", "gizmo", "42", "ultramarine", "the wide note of gizmo", "26h"),
		row("shop", "sprocket", "7", "vermilion", "", "5m"),
		row("yard", "a-widget-with-a-rather-long-name-indeed", "1024", "green", "wide", "3d"),
	}
}

var widgetRes = kube.Resource{GVR: schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"},
	Kind: "Widget", Namespaced: true}

// renderWidgets draws the generic view of widgets holding rows.
func renderWidgets(ns string, w, h int, rows []*kube.TableRow) string {
	env := testEnv(ns)
	v := NewGeneric(env, widgetRes, ns)
	v.Show(kube.Snapshot[*kube.TableRow]{Rows: rows, State: kube.State{Phase: kube.PhaseLive}})
	return renderPage(env, v, w, h)
}

func TestGenericGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderWidgets("", w, h, widgetRows()) })
}

// The server's columns replace the placeholder once rows arrive; the wide column shows
// only when there is room, and drops before any default column.
func TestGenericColumns(t *testing.T) {
	empty := ansi.Strip(renderWidgets("shop", 120, 10, nil))
	if !strings.Contains(empty, "NAME") || strings.Contains(empty, "COLOUR") {
		t.Errorf("before the server answers only NAME is known:\n%s", empty)
	}
	wide := ansi.Strip(renderWidgets("shop", 200, 10, widgetRows()))
	for _, want := range []string{"SIZE", "COLOUR", "NOTE", "AGE", "the wide note of gizmo"} {
		if !strings.Contains(wide, want) {
			t.Errorf("200 wide lacks %q:\n%s", want, wide)
		}
	}
	narrow := ansi.Strip(renderWidgets("shop", 70, 10, widgetRows()))
	if strings.Contains(narrow, "NOTE") || !strings.Contains(narrow, "COLOUR") {
		t.Errorf("70 wide must drop the wide NOTE column first:\n%s", narrow)
	}
}

func TestGenericEverySize(t *testing.T) {
	rows := widgetRows()
	requireEverySize(t, func(w, h int) string { return renderWidgets("", w, h, rows) })
}

// Resolve opens registered views for their resources and the generic view for the rest.
func TestResolveView(t *testing.T) {
	if _, ok := ui.Lookup(Registry, "ev"); !ok {
		t.Fatal("events is not registered as ev")
	}
	lw := []string{"list", "watch"}
	client := &kube.Client{Resources: kube.NewResourcesFrom(func(context.Context) ([]*metav1.APIResourceList, error) {
		return []*metav1.APIResourceList{
			{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", SingularName: "pod", Kind: "Pod", Namespaced: true, Verbs: lw}}},
			{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{{Name: "widgets", SingularName: "widget", Kind: "Widget", Namespaced: true, Verbs: lw}}},
		}, nil
	})}
	for typed, want := range map[string]string{"Pod": "pods", "widget": "widgets.example.com", "widgets.example.com": "widgets.example.com"} {
		spec, err := Resolve(t.Context(), client, typed)
		if err != nil || spec.Name != want || spec.New == nil {
			t.Errorf("%q: %+v, %v; want view %s", typed, spec, err, want)
		}
	}
	if _, err := Resolve(t.Context(), client, "nosuchthing"); kube.KindOf(err) != kube.KindNotFound {
		t.Errorf("an unknown name: %v", err)
	}
	if _, err := Resolve(t.Context(), &kube.Client{}, "widgets"); err == nil {
		t.Error("a client without discovery must fail")
	}
}

// A name with a group opens a registered view only when the group is that view's own:
// pods.metrics.k8s.io and deployments.example.com are not core pods or apps deployments.
func TestResolveViewMatchesTheGroup(t *testing.T) {
	lw := []string{"list", "watch"}
	client := &kube.Client{Resources: kube.NewResourcesFrom(func(context.Context) ([]*metav1.APIResourceList, error) {
		return []*metav1.APIResourceList{
			{GroupVersion: "v1", APIResources: []metav1.APIResource{
				{Name: "pods", SingularName: "pod", Kind: "Pod", Namespaced: true, Verbs: lw},
				{Name: "events", SingularName: "event", Kind: "Event", Namespaced: true, Verbs: lw}}},
			{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
				{Name: "deployments", SingularName: "deployment", Kind: "Deployment", Namespaced: true, Verbs: lw}}},
			{GroupVersion: "events.k8s.io/v1", APIResources: []metav1.APIResource{
				{Name: "events", SingularName: "event", Kind: "Event", Namespaced: true, Verbs: lw}}},
			{GroupVersion: "metrics.k8s.io/v1beta1", APIResources: []metav1.APIResource{
				{Name: "pods", SingularName: "", Kind: "PodMetrics", Namespaced: true, Verbs: lw}}},
			{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{
				{Name: "deployments", SingularName: "deployment", Kind: "Deployment", Namespaced: true, Verbs: lw}}},
		}, nil
	})}
	for typed, want := range map[string]string{
		"pods.metrics.k8s.io":         "pods.metrics.k8s.io",
		"podmetrics":                  "pods.metrics.k8s.io",
		"deployments.example.com":     "deployments.example.com",
		"deployment.v1.example.com":   "deployments.example.com",
		"Pod":                         "pods",
		"deployments.apps":            "deployments",
		"events.events.k8s.io":        "events",
		"Event":                       "events", // the core group's events are the same objects
		"pods.v1beta1.metrics.k8s.io": "pods.metrics.k8s.io",
	} {
		spec, err := Resolve(t.Context(), client, typed)
		if err != nil || spec.Name != want {
			t.Errorf("%q opens %q (%v), want %q", typed, spec.Name, err, want)
		}
	}
}
