package kube

import (
	"path"
	"sync/atomic"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// decodeTable decodes a Table the way the Table client does.
func decodeTable(t *testing.T, js string) *metav1.Table {
	t.Helper()
	obj, _, err := tableCodecs.UniversalDeserializer().Decode([]byte(js), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return obj.(*metav1.Table)
}

// A list page with includeObject=Metadata (all namespaces), as a v1.37 server sends it.
const metadataPage = `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"812"},
"columnDefinitions":[
 {"name":"Name","type":"string","format":"name","description":"","priority":0},
 {"name":"Size","type":"integer","format":"","description":"","priority":0},
 {"name":"Colour","type":"string","format":"","description":"","priority":0},
 {"name":"Note","type":"string","format":"","description":"","priority":1},
 {"name":"Age","type":"date","format":"","description":"","priority":0}],
"rows":[
 {"cells":["gizmo",42,"ultramarine","line one\nline two","5m"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
   "metadata":{"name":"gizmo","namespace":"shop","resourceVersion":"800","managedFields":[{"manager":"kubectl"}]}}},
 {"cells":["sprocket",1.5,null,true,"2d"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
   "metadata":{"name":"sprocket","namespace":"yard","resourceVersion":"810"}}}]}`

func rowsOf(t *testing.T, items []runtime.Object) []*TableRow {
	t.Helper()
	var rows []*TableRow
	for _, it := range items {
		rows = append(rows, it.(*tableItem).row)
	}
	return rows
}

func TestTableRowsFromMetadata(t *testing.T) {
	var sch atomic.Pointer[TableSchema]
	items := tableItems(decodeTable(t, metadataPage), &sch, "")
	rows := rowsOf(t, items)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	if k := rows[0].RowKey(); k != (Key{Namespace: "shop", Name: "gizmo"}) {
		t.Errorf("key from metadata: %v", k)
	}
	if rv := items[1].(*tableItem).GetResourceVersion(); rv != "810" {
		t.Errorf("resource version %q", rv)
	}
	want := [][]string{{"gizmo", "42", "ultramarine", "line one line two", "5m"}, {"sprocket", "1.5", "", "true", "2d"}}
	for i, r := range rows {
		for j, c := range want[i] {
			if r.Cell(j) != c {
				t.Errorf("row %d cell %d = %q, want %q", i, j, r.Cell(j), c)
			}
		}
	}
	s := rows[0].Schema
	if s != rows[1].Schema || s.NameColumn() != 0 || s.Columns[3].Priority != 1 || s.Columns[1].Type != "integer" {
		t.Errorf("schema %+v", s)
	}
	if rows[0].Cell(99) != "" {
		t.Error("a missing cell must be empty")
	}
}

// With includeObject=None (one namespace) the key is the name cell and the namespace asked
// for; watch events after the first carry no columns and reuse the last ones; a bookmark
// keeps its resource version and the initial-events annotation.
func TestTableRowsWithoutObjects(t *testing.T) {
	var sch atomic.Pointer[TableSchema]
	first := tableItems(decodeTable(t, `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"5"},
		"columnDefinitions":[{"name":"Data","type":"integer","format":"","description":"","priority":0},
		{"name":"Name","type":"string","format":"name","description":"","priority":0}],
		"rows":[{"cells":[2,"settings"],"object":null}]}`), &sch, "shop")
	later := tableItems(decodeTable(t, `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"9"},
		"columnDefinitions":null,"rows":[{"cells":[3,"other"],"object":null}]}`), &sch, "shop")
	a, b := rowsOf(t, first)[0], rowsOf(t, later)[0]
	if a.RowKey() != (Key{Namespace: "shop", Name: "settings"}) || b.RowKey() != (Key{Namespace: "shop", Name: "other"}) {
		t.Errorf("keys %v %v", a.RowKey(), b.RowKey())
	}
	if a.Schema != b.Schema || b.Cell(0) != "3" {
		t.Errorf("a header-less event must reuse the schema: %+v %+v", a, b)
	}
	if rv := later[0].(*tableItem).GetResourceVersion(); rv != "9" {
		t.Errorf("resource version %q", rv)
	}
	same := tableItems(decodeTable(t, `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},
		"columnDefinitions":[{"name":"Data","type":"integer","format":"","description":"","priority":0},
		{"name":"Name","type":"string","format":"name","description":"","priority":0}],"rows":[]}`), &sch, "shop")
	if len(same) != 0 || sch.Load() != a.Schema {
		t.Error("equal column definitions must keep the schema (and the view's columns)")
	}

	bm := tableItems(decodeTable(t, `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"12"},
		"rows":[{"cells":[0,""],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
		"metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}]}`), &sch, "shop")
	it := bm[0].(*tableItem)
	if it.GetResourceVersion() != "12" || it.GetAnnotations()[metav1.InitialEventsAnnotationKey] != "true" {
		t.Errorf("bookmark item %+v", it.ObjectMeta)
	}
}

func TestTablePath(t *testing.T) {
	cm := Resource{GVR: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, Namespaced: true}
	w := Resource{GVR: schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}, Namespaced: true}
	for _, c := range []struct {
		res  Resource
		ns   string
		want string
	}{
		{cm, "", "/api/v1/configmaps"}, {cm, "shop", "/api/v1/namespaces/shop/configmaps"},
		{w, "shop", "/apis/example.com/v1/namespaces/shop/widgets"},
	} {
		if got := path.Join(tablePath(c.res, c.ns)...); got != c.want {
			t.Errorf("%s in %q: %s, want %s", c.res.Name(), c.ns, got, c.want)
		}
	}
}
