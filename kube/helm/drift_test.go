package helm

import (
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

func TestDifferences(t *testing.T) {
	container := func(image string, env ...any) map[string]any {
		return map[string]any{"name": "app", "image": image, "env": env}
	}
	a := map[string]any{"spec": map[string]any{"replicas": int64(3),
		"template": map[string]any{"spec": map[string]any{"containers": []any{container("web:1", "A"), map[string]any{"name": "side", "image": "s:1"}}}},
		"ports":    []any{int64(80), int64(443)}}}
	b := map[string]any{"spec": map[string]any{"replicas": int64(5),
		"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "side", "image": "s:1"}, container("web:2", "A", "B")}}},
		"ports":    []any{int64(80)}}}
	got := differences(a, b, map[string]bool{"spec.replicas": true})
	want := []string{"spec.ports[1]", "spec.template.spec.containers[name=app].env[1]", "spec.template.spec.containers[name=app].image"}
	if !slices.Equal(got, want) {
		t.Fatalf("differences = %v, want %v", got, want)
	}
	if d := differences(a, a, nil); len(d) != 0 {
		t.Fatalf("an object differs from itself: %v", d)
	}
}

func TestComparableDropsWhatTheServerKeeps(t *testing.T) {
	obj := map[string]any{"status": map[string]any{"ready": true},
		"metadata": map[string]any{"name": "web", "resourceVersion": "9", "generation": int64(4), "managedFields": []any{}},
		"spec":     map[string]any{"x": 1}}
	got := comparable(obj)
	if _, ok := got["status"]; ok {
		t.Fatal("status kept")
	}
	if md := got["metadata"].(map[string]any); len(md) != 1 || md["name"] != "web" {
		t.Fatalf("metadata = %v", md)
	}
	if obj["metadata"].(map[string]any)["resourceVersion"] != "9" {
		t.Fatal("comparable modified its input")
	}
}

// Fields a manager owns through the scale subresource (an HPA, kubectl scale) are the
// cluster's to change; those it owns through the object itself (kubectl set image) are not.
func TestSubresourceFields(t *testing.T) {
	var live unstructured.Unstructured
	live.SetManagedFields([]metav1.ManagedFieldsEntry{
		{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate, Subresource: "scale",
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:replicas":{}}}`)}},
		{Manager: "kubectl-set", Operation: metav1.ManagedFieldsOperationUpdate,
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{"f:image":{}}}}}}}`)}},
	})
	got := subresourceFields(&live)
	if !got["spec.replicas"] || len(got) != 1 {
		t.Fatalf("subresource fields = %v, want spec.replicas alone", got)
	}
}

func TestPathTextNamesListItemsLikeDifferences(t *testing.T) {
	var set fieldpath.Set
	if err := set.FromJSON(strings.NewReader(`{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{"f:image":{}}}}}}}`)); err != nil {
		t.Fatal(err)
	}
	var got []string
	set.Leaves().Iterate(func(p fieldpath.Path) { got = append(got, pathText(p)) })
	if want := []string{"spec.template.spec.containers[name=app].image"}; !slices.Equal(got, want) {
		t.Fatalf("paths = %v, want %v", got, want)
	}
}
