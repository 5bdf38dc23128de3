package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
)

// TableColumn is one column the server prints for a resource (kubectl's columns).
type TableColumn struct {
	Name     string
	Type     string // "string", "integer", "date" …
	Priority int32  // 0: shown by default; higher: only in wide output
}

// TableSchema is the column set a group of TableRows shares. It is immutable; rows of the
// same answer point at the same schema.
type TableSchema struct {
	Columns []TableColumn
	name    int // index of the column holding the object's name
}

// NameColumn is the index of the column holding the object's name, or -1.
func (s *TableSchema) NameColumn() int { return s.name }

// Column is the index of the column called name (in any case), or -1; -1 too for a nil
// schema (rows that arrived before any column definitions).
func (s *TableSchema) Column(name string) int {
	if s == nil {
		return -1
	}
	return slices.IndexFunc(s.Columns, func(c TableColumn) bool { return strings.EqualFold(c.Name, name) })
}

// TableRow is the compact row of a server-side Table: the printed cells and the key.
type TableRow struct {
	Namespace string
	Name      string
	Cells     []string // one per Schema column, already formatted by the server
	Schema    *TableSchema
}

// RowKey implements Row.
func (r *TableRow) RowKey() Key { return Key{Namespace: r.Namespace, Name: r.Name} }

// Cell returns the cell of column i, or "" when the row has none (or i is -1).
func (r *TableRow) Cell(i int) string {
	if i >= 0 && i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// tableAccept asks for a server-side Table, falling back to plain JSON.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

// tableCodecs decode Tables, watch events and Status, and nothing else.
var tableCodecs = func() serializer.CodecFactory {
	s := runtime.NewScheme()
	_ = metav1.AddMetaToScheme(s)
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	return serializer.NewCodecFactory(s)
}()

// TableSource returns the Source for res in ns ("" for all namespaces or a cluster-scoped
// resource), whose rows are the server's own printed Table rows.
//
// Objects come back without their bodies: includeObject=None where the namespace is known
// (one namespace or a cluster-scoped resource; the key is the name cell), and
// includeObject=Metadata only for a namespaced resource across all namespaces, where the
// namespace can be read from nowhere else. None is ~20× lighter: 9 MB against 205 MB for 50k
// rows (docs/ARCHITECTURE.md, Budgets).
func TableSource(c *Client, res Resource, ns string) Source[*TableRow] {
	if !res.Namespaced {
		ns = ""
	}
	include := metav1.IncludeNone
	if res.Namespaced && ns == "" {
		include = metav1.IncludeMetadata
	}
	return tableSource(c, res, ns, include, func(it *tableItem) (*TableRow, bool) { return it.row, true })
}

// tableSource lists and watches res in ns as server-side Table rows, asking for include of
// each object, and makes a row of each by convert (never called for a bookmark).
func tableSource[R Row](c *Client, res Resource, ns string, include metav1.IncludeObjectPolicy,
	convert func(*tableItem) (R, bool),
) Source[R] {
	rc, clientErr := tableClient(c, res.GVR.GroupVersion())
	path := tablePath(res, ns)
	var schema atomic.Pointer[TableSchema]
	request := func(o metav1.ListOptions) *rest.Request {
		return rc.Get().AbsPath(path...).SetHeader("Accept", tableAccept).
			VersionedParams(&o, metav1.ParameterCodec).Param("includeObject", string(include))
	}
	return Source[R]{
		Resource:  res.Name(),
		Namespace: ns,
		List: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			if clientErr != nil {
				return nil, clientErr
			}
			t := &metav1.Table{}
			if err := request(o).Do(ctx).Into(t); err != nil {
				return nil, err
			}
			return t, nil
		},
		Watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			if clientErr != nil {
				return nil, clientErr
			}
			o.Watch = true
			w, err := request(o).Watch(ctx)
			if err != nil {
				return nil, err
			}
			return watch.Filter(w, func(ev watch.Event) (watch.Event, bool) {
				t, ok := ev.Object.(*metav1.Table)
				if !ok {
					return ev, true // errors (Status) pass through
				}
				items := tableItems(t, &schema, ns)
				if len(items) == 0 {
					ev.Object = &tableItem{ObjectMeta: metav1.ObjectMeta{ResourceVersion: t.ResourceVersion}}
					return ev, ev.Type == watch.Bookmark
				}
				ev.Object = items[0]
				return ev, true
			}), nil
		},
		Convert: func(obj runtime.Object) (R, bool) {
			it, ok := obj.(*tableItem)
			if !ok || it.row == nil {
				var zero R
				return zero, false
			}
			return convert(it)
		},
		Items: func(list runtime.Object) []runtime.Object {
			return tableItems(list.(*metav1.Table), &schema, ns)
		},
	}
}

// tableClient returns a REST client for gv that decodes Tables, on the clientset's connections.
func tableClient(c *Client, gv schema.GroupVersion) (*rest.RESTClient, error) {
	cfg := rest.CopyConfig(c.Config)
	cfg.GroupVersion = &gv
	cfg.APIPath = "/apis"
	if gv.Group == "" {
		cfg.APIPath = "/api"
	}
	cfg.ContentType = runtime.ContentTypeJSON // Tables exist only as JSON
	cfg.AcceptContentTypes = tableAccept
	cfg.NegotiatedSerializer = tableCodecs.WithoutConversion()
	if c.HTTP != nil {
		return rest.RESTClientForConfigAndClient(cfg, c.HTTP)
	}
	return rest.RESTClientFor(cfg)
}

// tablePath is the collection URL of res in ns.
func tablePath(res Resource, ns string) []string {
	p := []string{"/apis", res.GVR.Group, res.GVR.Version}
	if res.GVR.Group == "" {
		p = []string{"/api", res.GVR.Version}
	}
	if ns != "" {
		p = append(p, "namespaces", ns)
	}
	return append(p, res.GVR.Resource)
}

// tableItem carries one Table row through the Store: its metadata (for keys, resource
// versions and bookmarks) and the converted row (nil for a bookmark).
type tableItem struct {
	metav1.ObjectMeta
	row *TableRow
}

// GetObjectKind implements runtime.Object.
func (t *tableItem) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

// DeepCopyObject implements runtime.Object; the item is never modified, so a copy of the
// struct is enough.
func (t *tableItem) DeepCopyObject() runtime.Object { c := *t; return &c }

// partialMeta is the part of an embedded PartialObjectMetadata a row needs: nothing of
// managedFields, labels or the rest is kept.
type partialMeta struct {
	Metadata struct {
		Namespace         string            `json:"namespace"`
		Name              string            `json:"name"`
		ResourceVersion   string            `json:"resourceVersion"`
		CreationTimestamp metav1.Time       `json:"creationTimestamp"`
		Annotations       map[string]string `json:"annotations"`
	} `json:"metadata"`
}

// tableItems converts the rows of t. Column definitions arrive with a list page or the
// first watch event only; schema keeps the latest ones so later rows can use them.
func tableItems(t *metav1.Table, schema *atomic.Pointer[TableSchema], ns string) []runtime.Object {
	if len(t.ColumnDefinitions) > 0 {
		s := NewTableSchema(t.ColumnDefinitions)
		if old := schema.Load(); old == nil || !slices.Equal(old.Columns, s.Columns) {
			schema.Store(s)
		}
	}
	sch := schema.Load()
	out := make([]runtime.Object, 0, len(t.Rows))
	for i := range t.Rows {
		out = append(out, convertTableRow(&t.Rows[i], sch, ns, t.ResourceVersion))
	}
	return out
}

// NewTableSchema keeps what kdeck shows of the server's column definitions.
func NewTableSchema(defs []metav1.TableColumnDefinition) *TableSchema {
	s := &TableSchema{Columns: make([]TableColumn, len(defs)), name: -1}
	for i, d := range defs {
		s.Columns[i] = TableColumn{Name: d.Name, Type: d.Type, Priority: d.Priority}
		if s.name < 0 && d.Format == "name" {
			s.name = i
		}
	}
	if s.name < 0 {
		s.name = s.Column("name")
	}
	return s
}

// convertTableRow builds the item for one row. The key comes from the embedded metadata
// when the server sent it, else from the name cell and the namespace asked for.
func convertTableRow(r *metav1.TableRow, sch *TableSchema, ns, rv string) *tableItem {
	it := &tableItem{ObjectMeta: metav1.ObjectMeta{Namespace: ns, ResourceVersion: rv}}
	if raw := r.Object.Raw; len(raw) > 0 {
		var m partialMeta
		if json.Unmarshal(raw, &m) == nil {
			it.Namespace, it.Name = m.Metadata.Namespace, m.Metadata.Name
			it.Annotations, it.CreationTimestamp = m.Metadata.Annotations, m.Metadata.CreationTimestamp
			if m.Metadata.ResourceVersion != "" {
				it.ResourceVersion = m.Metadata.ResourceVersion
			}
		}
	}
	if len(r.Cells) == 0 {
		return it // a bookmark: metadata only
	}
	cells := make([]string, len(r.Cells))
	for i, c := range r.Cells {
		cells[i] = formatCell(c)
	}
	if it.Name == "" && sch != nil && sch.name >= 0 && sch.name < len(cells) {
		it.Name = cells[sch.name]
	}
	it.row = &TableRow{Namespace: it.Namespace, Name: it.Name, Cells: cells, Schema: sch}
	return it
}

// formatCell prints a cell the way kubectl does: strings as they are, numbers plainly,
// nothing for null.
func formatCell(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return strings.ReplaceAll(v, "\n", " ")
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprint(int64(v))
		}
		return fmt.Sprint(v)
	default:
		return fmt.Sprint(v)
	}
}
