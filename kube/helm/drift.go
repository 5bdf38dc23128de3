package helm

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kdeck/kdeck/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/yaml"
)

// The states of an object of a release against the cluster.
const (
	InSync  = "in sync"
	Changed = "changed"
	Deleted = "deleted"
	Extra   = "extra"   // labelled and annotated as the release's, absent from its manifest
	Unknown = "unknown" // could not be compared (Detail says why)
)

// errDriftReadOnly is why drift is not computed in read-only mode.
var errDriftReadOnly = errors.New("drift asks the API server for a dry-run apply of each object " +
	"(a PATCH that stores nothing), and kdeck sends no write in read-only mode, not even a dry run")

// ObjectDrift is one object of a release compared with what runs.
type ObjectDrift struct {
	Kind, Namespace, Name string
	GVR                   schema.GroupVersionResource // zero when the cluster does not serve the kind
	Live                  string                      // the live object's state: "ready 2/3", "Running", "exists", "missing"
	State                 string
	Fields                []string // the fields that differ: "spec.template.spec.containers[name=app].image"
	Detail                string   // why it could not be compared
}

// RowKey implements kube.Row: the object's namespace, and its kind and name.
func (o *ObjectDrift) RowKey() kube.Key {
	return kube.Key{Namespace: o.Namespace, Name: o.Kind + "/" + o.Name}
}

// liveState summarises a live object: ready/desired replicas for a workload, the phase of
// a pod or a namespace, else that it exists.
func liveState(obj map[string]any) string {
	if want, ok, _ := unstructured.NestedInt64(obj, "spec", "replicas"); ok {
		ready, _, _ := unstructured.NestedInt64(obj, "status", "readyReplicas")
		return fmt.Sprintf("ready %d/%d", ready, want)
	}
	if phase, ok, _ := unstructured.NestedString(obj, "status", "phase"); ok && phase != "" {
		return phase
	}
	return "exists"
}

// Drift compares each object of rel's manifest with the live one. Both sides are
// normalised by the API server: a server-side apply of the manifest object as Helm's field
// manager, with dryRun=All (nothing is stored), gives the object as the manifest would make
// it, defaults and all, and it is compared field by field with the live object. Ignored:
// metadata the server keeps (managedFields, resourceVersion, generation), status, and fields
// whose owner changed them through a subresource (an HPA's replicas, through scale): the
// cluster's to adjust. Objects of the manifest's kinds labelled as the release's but absent
// from it are Extra. Hook objects are not part of the manifest and are not compared.
func Drift(ctx context.Context, c *kube.Client, rel *Record) ([]*ObjectDrift, error) {
	if c.Policy.ReadOnly {
		return nil, &kube.Error{Kind: kube.KindReadOnly, Err: errDriftReadOnly}
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	mapper, err := c.RESTClientGetter().ToRESTMapper()
	if err != nil {
		return nil, err
	}
	var out []*ObjectDrift
	type scope struct {
		mapping *meta.RESTMapping
		ns      string
	}
	seen := map[scope]map[string]bool{}
	for _, mo := range manifestObjects(rel.Manifest, rel.Namespace, mapper) {
		obj, m := mo.obj, mo.mapping
		gvk := obj.GroupVersionKind()
		d := &ObjectDrift{Kind: gvk.Kind, Name: obj.GetName(), Namespace: obj.GetNamespace()}
		if m == nil {
			d.State, d.Detail = Unknown, "the cluster does not serve "+gvk.String()
			out = append(out, d)
			continue
		}
		d.GVR = m.Resource
		owned(obj, rel)
		s := scope{m, d.Namespace}
		if seen[s] == nil {
			seen[s] = map[string]bool{}
		}
		seen[s][d.Name] = true
		compare(ctx, dyn.Resource(m.Resource).Namespace(d.Namespace), obj, d)
		out = append(out, d)
	}
	for s, names := range seen {
		extras, err := extraObjects(ctx, dyn.Resource(s.mapping.Resource).Namespace(s.ns), rel, names)
		if err != nil {
			continue // listing is a bonus: the manifest's objects are compared already
		}
		for _, e := range extras {
			out = append(out, &ObjectDrift{Kind: s.mapping.GroupVersionKind.Kind, GVR: s.mapping.Resource,
				Namespace: s.ns, Name: e.GetName(), Live: liveState(e.Object), State: Extra})
		}
	}
	return out, nil
}

// manifestObject is one object of a manifest, with its REST mapping (nil when the cluster
// does not serve its kind); a namespaced object's namespace is set (the release's when the
// manifest leaves it out).
type manifestObject struct {
	obj     *unstructured.Unstructured
	mapping *meta.RESTMapping
}

// manifestObjects parses manifest's documents into objects (skipping empty ones) and maps
// each to its resource.
func manifestObjects(manifest, ns string, mapper meta.RESTMapper) []manifestObject {
	var out []manifestObject
	for _, doc := range Documents(manifest) {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil || obj.Object == nil {
			continue // a template that rendered to nothing, or only comments
		}
		gvk := obj.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			out = append(out, manifestObject{obj: obj})
			continue
		}
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			obj.SetNamespace(cmp.Or(obj.GetNamespace(), ns))
		} else {
			obj.SetNamespace("")
		}
		out = append(out, manifestObject{obj, m})
	}
	return out
}

// owned adds to obj the marks Helm adds to every object it applies (they are not in the
// stored manifest): the managed-by label and the release annotations.
func owned(obj *unstructured.Unstructured, rel *Record) {
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels["app.kubernetes.io/managed-by"] = "Helm"
	obj.SetLabels(labels)
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann["meta.helm.sh/release-name"], ann["meta.helm.sh/release-namespace"] = rel.Name, rel.Namespace
	obj.SetAnnotations(ann)
}

// compare fills d with the state of the manifest object want against the live one.
func compare(ctx context.Context, api dynamic.ResourceInterface, want *unstructured.Unstructured, d *ObjectDrift) {
	live, err := api.Get(ctx, want.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		d.State, d.Live = Deleted, "missing"
		return
	}
	if err != nil {
		d.State, d.Detail = Unknown, kube.Classify(err, "get", want.GetKind(), d.Namespace).Error()
		return
	}
	d.Live = liveState(live.Object)
	body, err := json.Marshal(want.Object)
	if err != nil {
		d.State, d.Detail = Unknown, err.Error()
		return
	}
	force := true
	applied, err := api.Patch(ctx, want.GetName(), types.ApplyPatchType, body,
		metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: "helm", Force: &force})
	if err != nil {
		d.State, d.Detail = Unknown, "dry-run apply: "+kube.Classify(err, "patch", want.GetKind(), d.Namespace).Error()
		return
	}
	ignored := subresourceFields(live)
	d.Fields = differences(comparable(applied.Object), comparable(live.Object), ignored)
	d.State = InSync
	if len(d.Fields) > 0 {
		d.State = Changed
	}
}

// comparable returns obj without what the server keeps for itself: status and metadata
// that every write changes.
func comparable(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "status" {
			out[k] = v
		}
	}
	if md, ok := obj["metadata"].(map[string]any); ok {
		m := make(map[string]any, len(md))
		for k, v := range md {
			switch k {
			case "managedFields", "resourceVersion", "generation":
			default:
				m[k] = v
			}
		}
		out["metadata"] = m
	}
	return out
}

// subresourceFields is the set of fields of live that a manager owns through a subresource
// (an HPA's spec.replicas through scale), in differences' path notation.
func subresourceFields(live *unstructured.Unstructured) map[string]bool {
	out := map[string]bool{}
	for _, mf := range live.GetManagedFields() {
		if mf.Subresource == "" || mf.Subresource == "status" || mf.FieldsV1 == nil {
			continue
		}
		var set fieldpath.Set
		if err := set.FromJSON(strings.NewReader(string(mf.FieldsV1.Raw))); err != nil {
			continue
		}
		set.Leaves().Iterate(func(p fieldpath.Path) { out[pathText(p)] = true })
	}
	return out
}

// pathText writes a managed-fields path the way differences does: "spec.replicas".
func pathText(p fieldpath.Path) string {
	var b strings.Builder
	for _, e := range p {
		switch {
		case e.FieldName != nil:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(*e.FieldName)
		case e.Key != nil && len(*e.Key) == 1 && (*e.Key)[0].Name == "name":
			fmt.Fprintf(&b, "[name=%v]", (*e.Key)[0].Value.Unstructured())
		case e.Index != nil:
			fmt.Fprintf(&b, "[%d]", *e.Index)
		default:
			b.WriteString("[" + e.String() + "]")
		}
	}
	return b.String()
}

// differences lists the paths where a and b differ, sorted, skipping those in ignored.
// Lists of objects with a name are matched by name ("containers[name=app]"), others by index.
func differences(a, b map[string]any, ignored map[string]bool) []string {
	var out []string
	var walk func(path string, x, y any)
	walk = func(path string, x, y any) {
		if ignored[path] || reflect.DeepEqual(x, y) {
			return
		}
		switch xv := x.(type) {
		case map[string]any:
			yv, ok := y.(map[string]any)
			if !ok {
				break
			}
			for _, k := range unionKeys(xv, yv) {
				walk(join(path, k), xv[k], yv[k])
			}
			return
		case []any:
			yv, ok := y.([]any)
			if !ok {
				break
			}
			if xs, ys := byName(xv), byName(yv); xs != nil && ys != nil {
				for _, n := range unionKeys(xs, ys) {
					walk(path+"[name="+n+"]", xs[n], ys[n])
				}
				return
			}
			for i := range max(len(xv), len(yv)) {
				var xe, ye any
				if i < len(xv) {
					xe = xv[i]
				}
				if i < len(yv) {
					ye = yv[i]
				}
				walk(path+"["+strconv.Itoa(i)+"]", xe, ye)
			}
			return
		}
		out = append(out, path)
	}
	walk("", a, b)
	sort.Strings(out)
	return out
}

// unionKeys returns the keys of a and b, sorted, each once.
func unionKeys(a, b map[string]any) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// byName indexes a list of objects by their name field, or returns nil when one has none.
func byName(list []any) map[string]any {
	out := make(map[string]any, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil
		}
		n, ok := m["name"].(string)
		if !ok {
			return nil
		}
		out[n] = e
	}
	return out
}

// extraObjects lists the objects of api that Helm marks as rel's (label managed-by=Helm,
// annotations release-name and -namespace) but whose names are not in manifest.
func extraObjects(ctx context.Context, api dynamic.ResourceInterface, rel *Record, manifest map[string]bool) ([]unstructured.Unstructured, error) {
	list, err := api.List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=Helm"})
	if err != nil {
		return nil, err
	}
	var out []unstructured.Unstructured
	for _, o := range list.Items {
		a := o.GetAnnotations()
		if a["meta.helm.sh/release-name"] == rel.Name && a["meta.helm.sh/release-namespace"] == rel.Namespace && !manifest[o.GetName()] {
			out = append(out, o)
		}
	}
	return out, nil
}

// DriftInterval is how often a drift page compares the release with the cluster again.
const DriftInterval = 10 * time.Second

// DriftCache returns the objects of revision rev of release ref compared with the
// cluster (see Drift), compared again every DriftInterval while it runs.
func DriftCache(c *kube.Client, ref Ref, rev int) kube.Cache[*ObjectDrift] {
	return &driftCache{c: c, ref: ref, rev: rev, changed: make(chan struct{}, 1),
		state: kube.State{Phase: kube.PhaseLoading}}
}

type driftCache struct {
	c       *kube.Client
	ref     Ref
	rev     int
	changed chan struct{}

	mu    sync.Mutex
	rows  []*ObjectDrift
	state kube.State
}

// Run compares now and every DriftInterval until ctx ends.
func (d *driftCache) Run(ctx context.Context, _ *kube.Link) {
	for {
		rel, err := Get(ctx, d.c, d.ref, d.rev)
		var rows []*ObjectDrift
		if err == nil {
			rows, err = Drift(ctx, d.c, rel)
		}
		if ctx.Err() != nil {
			return
		}
		d.mu.Lock()
		if err != nil {
			d.state = kube.State{Phase: kube.PhaseBroken, Err: err, LiveSince: d.state.LiveSince, Retry: time.Now().Add(DriftInterval)}
		} else {
			d.rows, d.state = rows, kube.State{Phase: kube.PhaseLive, LiveSince: time.Now()}
		}
		d.mu.Unlock()
		select {
		case d.changed <- struct{}{}:
		default:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(DriftInterval):
		}
	}
}

// Changed receives a value after each comparison.
func (d *driftCache) Changed() <-chan struct{} { return d.changed }

// Snapshot returns the last comparison's objects, in the manifest's order, extras last.
func (d *driftCache) Snapshot() kube.Snapshot[*ObjectDrift] {
	d.mu.Lock()
	defer d.mu.Unlock()
	return kube.Snapshot[*ObjectDrift]{Rows: d.rows, State: d.state}
}

// State returns the last comparison's state.
func (d *driftCache) State() kube.State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// Object is one object of a release's manifest, as the cluster names it; Ref.GVR is zero
// when the cluster does not serve its kind.
type Object struct {
	Kind string
	Ref  kube.ObjectRef
}

// Objects reads revision rev of release ref: its row, and the objects it applied in
// manifest order.
func Objects(ctx context.Context, c *kube.Client, ref Ref, rev int) (*Release, []Object, error) {
	rel, err := Get(ctx, c, ref, rev)
	if err != nil {
		return nil, nil, err
	}
	mapper, err := c.RESTClientGetter().ToRESTMapper()
	if err != nil {
		return nil, nil, err
	}
	var out []Object
	for _, mo := range manifestObjects(rel.Manifest, rel.Namespace, mapper) {
		o := Object{Kind: mo.obj.GetKind(), Ref: kube.ObjectRef{Namespace: mo.obj.GetNamespace(), Name: mo.obj.GetName()}}
		if mo.mapping != nil {
			o.Ref.GVR = mo.mapping.Resource
		}
		out = append(out, o)
	}
	row := Row(rel)
	row.Storage = ref.Storage
	return row, out, nil
}
