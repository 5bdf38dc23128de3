// Package helm reads Helm releases from a cluster and rolls them back or uninstalls them,
// through Helm's own SDK (helm.sh/helm/v4): its storage drivers decode the release records
// kept in Secrets or in ConfigMaps, and its actions carry Helm's semantics (hooks,
// three-way merge). Every string it returns is cluster text: views draw it through ui.Safe.
package helm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
	"helm.sh/helm/v4/pkg/release"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// Release is the compact row of one revision of a release: what `helm list` and `helm
// history` show, without its chart, values or manifest.
type Release struct {
	Namespace   string
	Name        string
	Revision    int
	Chart       string // name-version, as helm list prints it
	AppVersion  string
	Status      string // deployed, failed, pending-upgrade …
	Updated     time.Time
	Description string
	Storage     Storage  // where Helm keeps the release's records
	Key         kube.Key // the release in the releases list (ReleaseKey), the revision in a history
}

// RowKey implements kube.Row.
func (r *Release) RowKey() kube.Key { return r.Key }

// Ref names r's release.
func (r *Release) Ref() Ref { return Ref{Namespace: r.Namespace, Name: r.Name, Storage: r.Storage} }

// Ref names one release: its namespace, its name and the storage that keeps its records.
// Helm's two in-cluster drivers do not see each other's records, so a namespace may hold
// a release of the same name in each.
type Ref struct {
	Namespace, Name string
	Storage         Storage
}

// Storage is where Helm keeps a release's records in the cluster: the storage driver
// HELM_DRIVER chose when it was installed. The zero value is Helm's default, Secrets.
// (Helm's SQL driver keeps records outside the cluster: kdeck does not read them.)
type Storage int

// The storage drivers that keep releases in the cluster.
const (
	Secrets    Storage = iota // HELM_DRIVER=secret, the default
	ConfigMaps                // HELM_DRIVER=configmap
)

// String is the driver's name as HELM_DRIVER and action.Configuration.Init spell it:
// "secret" or "configmap".
func (s Storage) String() string {
	if s == ConfigMaps {
		return "configmap"
	}
	return "secret"
}

// GVR is the resource that holds the records: secrets or configmaps.
func (s Storage) GVR() schema.GroupVersionResource {
	if s == ConfigMaps {
		return kube.GVRConfigMaps
	}
	return kube.GVRSecrets
}

// access is verb on s's records in ns.
func (s Storage) access(verb, ns string) kube.Access {
	return kube.Access{Verb: verb, GVR: s.GVR(), Namespace: ns}
}

// ReadAccess is what reading one of a release's records in ns asks of RBAC: the get of
// a Secret or a ConfigMap (the audit of a revealed value names it).
func (s Storage) ReadAccess(ns string) kube.Access { return s.access("get", ns) }

// Record is one revision of a release whole, as Helm stores it: chart, values, manifest.
type Record = rspb.Release

// storageSelector selects Helm's release records; liveSelector those that are not
// superseded, among which is every release's newest revision.
const (
	recordType      = "helm.sh/release.v1"
	storageSelector = "owner=helm"
	liveSelector    = storageSelector + ",status!=superseded"
)

// ReleaseCache returns the releases in ns ("" for all namespaces), one row each for its
// newest revision, kept live by watches of the release records that are not superseded
// (a release's newest revision never is), in Secrets and in ConfigMaps: a release with ten
// revisions costs one or two records to read, not ten. A storage RBAC refuses to list
// leaves the other's releases shown, live, with the refusal as the state's Partial.
func ReleaseCache(c *kube.Client, ns string) kube.Cache[*Release] {
	byObject := func(o metav1.Object, _ *Release) kube.Key {
		return kube.Key{Namespace: o.GetNamespace(), Name: o.GetName()}
	}
	return &releaseCache{
		stores: [2]*kube.Store[*Release]{
			kube.NewStore(recordSource(c, Ref{Namespace: ns, Storage: Secrets}, liveSelector, byObject)),
			kube.NewStore(recordSource(c, Ref{Namespace: ns, Storage: ConfigMaps}, liveSelector, byObject)),
		},
		changed: make(chan struct{}, 1),
	}
}

// HistorySource returns the revisions of release ref, oldest first, kept live.
func HistorySource(c *kube.Client, ref Ref) kube.Source[*Release] {
	return recordSource(c, ref, storageSelector+",name="+ref.Name, func(_ metav1.Object, r *Release) kube.Key {
		return RevisionKey(ref.Namespace, r.Revision)
	})
}

// recordSource lists and watches the release records in ref's storage and namespace that
// selector matches (of Secrets, those of Helm's type only), each decoded into a row keyed
// by key.
func recordSource(c *kube.Client, ref Ref, selector string, key func(metav1.Object, *Release) kube.Key) kube.Source[*Release] {
	row := func(o metav1.Object) *Release {
		r := recordRow(o)
		r.Key = key(o, r)
		return r
	}
	if ref.Storage == ConfigMaps {
		api := c.Clientset.CoreV1().ConfigMaps(ref.Namespace)
		return kube.TypedSource("configmaps", ref.Namespace, selector, api.List, api.Watch,
			func(l *corev1.ConfigMapList) []corev1.ConfigMap { return l.Items },
			func(cm *corev1.ConfigMap) *Release { return row(cm) })
	}
	api := c.Clientset.CoreV1().Secrets(ref.Namespace)
	list, watch := kube.FieldSelected(fields.OneTermEqualSelector("type", recordType).String(), api.List, api.Watch)
	return kube.TypedSource("secrets", ref.Namespace, selector, list, watch,
		func(l *corev1.SecretList) []corev1.Secret { return l.Items },
		func(s *corev1.Secret) *Release { return row(s) })
}

// ReleaseKey is the row key of a release in the releases list: its namespace and name,
// the name followed by " configmap" for a release kept in ConfigMaps (a release name
// holds no space), so one of each storage can share a name and still sort by it.
func ReleaseKey(ref Ref) kube.Key {
	if ref.Storage == ConfigMaps {
		return kube.Key{Namespace: ref.Namespace, Name: ref.Name + " " + ref.Storage.String()}
	}
	return kube.Key{Namespace: ref.Namespace, Name: ref.Name}
}

// RevisionKey is the row key of revision rev in a history: zero-padded, so key order is
// revision order.
func RevisionKey(ns string, rev int) kube.Key {
	return kube.Key{Namespace: ns, Name: fmt.Sprintf("%010d", rev)}
}

// releaseCache turns the stores of release records in Secrets and in ConfigMaps into one
// row per release, its newest.
type releaseCache struct {
	stores  [2]*kube.Store[*Release] // indexed by Storage
	changed chan struct{}
}

// Run keeps the records of both storages current until ctx ends.
func (c *releaseCache) Run(ctx context.Context, link *kube.Link) {
	for _, s := range c.stores {
		go s.Run(ctx, link)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.stores[Secrets].Changed():
		case <-c.stores[ConfigMaps].Changed():
		}
		select {
		case c.changed <- struct{}{}:
		default:
		}
	}
}

// Changed receives a value when the records of either storage changed.
func (c *releaseCache) Changed() <-chan struct{} { return c.changed }

// State is the storages' state together (see storageState).
func (c *releaseCache) State() kube.State {
	return storageState(c.stores[Secrets].State(), c.stores[ConfigMaps].State())
}

// Snapshot returns the newest record of each release of either storage, in
// namespace/name order.
func (c *releaseCache) Snapshot() kube.Snapshot[*Release] {
	sec, cm := c.stores[Secrets].Snapshot(), c.stores[ConfigMaps].Snapshot()
	return kube.Snapshot[*Release]{Rows: Newest(slices.Concat(sec.Rows, cm.Rows)), State: storageState(sec.State, cm.State)}
}

// storageState is the state of the releases list from the states of its Secrets (sec)
// and ConfigMaps (cm) stores. A storage RBAC refuses to list does not break the list
// while the other can be read: the state is the other's, its Partial saying which
// releases are not shown. Both refused, the list is broken and says why it is empty.
func storageState(sec, cm kube.State) kube.State {
	refused := func(st kube.State) bool {
		return st.Phase == kube.PhaseBroken && kube.KindOf(st.Err) == kube.KindForbidden
	}
	switch {
	case refused(sec) && refused(cm):
		sec.Err = storageForbidden{sec.Err, cm.Err}
		return sec
	case refused(sec):
		cm.Partial = storageHidden{sec.Err, Secrets}
		return cm
	case refused(cm):
		sec.Partial = storageHidden{cm.Err, ConfigMaps}
		return sec
	}
	return kube.WorseState(sec, cm)
}

// storageForbidden is a refusal to read either release storage, with what it means for Helm.
type storageForbidden struct{ secrets, configMaps error }

// Error says what was refused and what it hides: "forbidden: cannot list secrets in
// namespace shop, nor configmaps: Helm keeps …" when both refusals are of the same request.
func (e storageForbidden) Error() string {
	refused := e.secrets.Error() + "; " + e.configMaps.Error()
	var s, c *kube.Error
	if errors.As(e.secrets, &s) && errors.As(e.configMaps, &c) && s.Verb == c.Verb && s.Namespace == c.Namespace {
		refused = e.secrets.Error() + ", nor " + c.Resource
	}
	return refused + ": Helm keeps its releases in Secrets or ConfigMaps, so none can be shown here"
}

// Unwrap gives the refusal to list Secrets, so its kind stays forbidden.
func (e storageForbidden) Unwrap() error { return e.secrets }

// storageHidden is a refusal to read one release storage while the other is read.
type storageHidden struct {
	error
	storage Storage
}

// Error says what was refused and which releases it hides.
func (e storageHidden) Error() string {
	return fmt.Sprintf("%v: releases kept in %s are not shown", e.error, e.storage.GVR().Resource)
}

// Unwrap gives the refusal, so its kind stays forbidden.
func (e storageHidden) Unwrap() error { return e.error }

// Newest returns, for each release among records, the row of its highest revision, keyed
// by ReleaseKey and sorted that way. records is not modified.
func Newest(records []*Release) []*Release {
	best := map[kube.Key]*Release{}
	for _, r := range records {
		k := ReleaseKey(r.Ref())
		if b, ok := best[k]; !ok || r.Revision > b.Revision {
			best[k] = r
		}
	}
	out := make([]*Release, 0, len(best))
	for k, r := range best {
		row := *r
		row.Key = k
		out = append(out, &row)
	}
	slices.SortFunc(out, func(a, b *Release) int { return a.Key.Compare(b.Key) })
	return out
}

// recordRow summarises one release record (a Secret or a ConfigMap), decoded by Helm's
// storage driver. A record that does not decode still gets a row, named from its labels,
// saying why.
func recordRow(o metav1.Object) *Release {
	rel, err := decode(o)
	if err != nil {
		rev := 0
		fmt.Sscan(o.GetLabels()["version"], &rev)
		return &Release{Namespace: o.GetNamespace(), Name: o.GetLabels()["name"], Revision: rev, Storage: storageOf(o),
			Status: "unreadable", Description: err.Error(), Updated: o.GetCreationTimestamp().Time}
	}
	r := Row(rel)
	r.Storage = storageOf(o)
	return r
}

// storageOf is the storage a record read from the cluster belongs to.
func storageOf(o metav1.Object) Storage {
	if _, ok := o.(*corev1.ConfigMap); ok {
		return ConfigMaps
	}
	return Secrets
}

// Row is the compact row of a decoded release.
func Row(rel *rspb.Release) *Release {
	r := &Release{Namespace: rel.Namespace, Name: rel.Name, Revision: rel.Version}
	if rel.Chart != nil && rel.Chart.Metadata != nil {
		r.Chart = rel.Chart.Metadata.Name + "-" + rel.Chart.Metadata.Version
		r.AppVersion = rel.Chart.Metadata.AppVersion
	}
	if rel.Info != nil {
		r.Status, r.Description, r.Updated = rel.Info.Status.String(), rel.Info.Description, rel.Info.LastDeployed
	}
	return r
}

// decode reads a release record, a Secret or a ConfigMap a watch brought, through Helm's
// storage driver for it, which knows its encoding.
func decode(o metav1.Object) (*rspb.Release, error) {
	var d driver.Driver
	switch rec := o.(type) {
	case *corev1.Secret:
		d = quiet(driver.NewSecrets(secretRecords{reads: reads[*corev1.Secret, *corev1.SecretList]{held: rec}}))
	case *corev1.ConfigMap:
		d = quiet(driver.NewConfigMaps(configMapRecords{reads: reads[*corev1.ConfigMap, *corev1.ConfigMapList]{held: rec}}))
	default:
		return nil, fmt.Errorf("a release record cannot be a %T", o)
	}
	r, err := d.Get(o.GetName())
	if err != nil {
		return nil, err
	}
	return v1(r)
}

// quiet silences a storage driver's log (the terminal belongs to the UI).
func quiet[D interface {
	driver.Driver
	SetLogger(slog.Handler)
}](d D) driver.Driver {
	d.SetLogger(slog.DiscardHandler)
	return d
}

// heldRecord is the type of a release record a storage driver reads.
type heldRecord interface {
	*corev1.Secret | *corev1.ConfigMap
}

// reads are the Get and List Helm's storage drivers call on a typed client (T the object,
// L its list): made with ctx rather than the background context the drivers pass, so a
// read ends with its page or its timeout; or, with held set, a Get that returns the record
// a watch already brought, without another request.
type reads[T heldRecord, L any] struct {
	ctx  context.Context
	held T
	get  func(context.Context, string, metav1.GetOptions) (T, error)
	list func(context.Context, metav1.ListOptions) (L, error)
}

// Get returns the record held, or reads it with the held context.
func (r reads[T, L]) Get(_ context.Context, name string, o metav1.GetOptions) (T, error) {
	var none T
	if r.held != none {
		return r.held, nil
	}
	return r.get(r.ctx, name, o)
}

// List lists records with the held context.
func (r reads[T, L]) List(_ context.Context, o metav1.ListOptions) (L, error) {
	return r.list(r.ctx, o)
}

// secretRecords is the SecretInterface Helm's Secrets driver reads with: reads' Get and
// List, and the client's other methods one level further down, so that reads' win.
type secretRecords struct {
	reads[*corev1.Secret, *corev1.SecretList]
	secretClient
}

type secretClient struct{ corev1client.SecretInterface }

// configMapRecords is the ConfigMapInterface Helm's ConfigMaps driver reads with, as
// secretRecords is for Secrets.
type configMapRecords struct {
	reads[*corev1.ConfigMap, *corev1.ConfigMapList]
	configMapClient
}

type configMapClient struct {
	corev1client.ConfigMapInterface
}

// v1 returns the release record behind Helm's Releaser interface.
func v1(r release.Releaser) (*rspb.Release, error) {
	switch rel := r.(type) {
	case *rspb.Release:
		return rel, nil
	case rspb.Release:
		return &rel, nil
	}
	return nil, fmt.Errorf("unsupported release record %T", r)
}

// Get fetches revision rev of release ref, whole (chart, values, manifest).
func Get(ctx context.Context, c *kube.Client, ref Ref, rev int) (*rspb.Release, error) {
	r, err := storage.Init(storageDriver(ctx, c, ref)).Get(ref.Name, rev)
	if err != nil {
		return nil, kube.Classify(err, "get", ref.Storage.GVR().Resource, ref.Namespace)
	}
	return v1(r)
}

// storageDriver is Helm's storage driver for ref's storage and namespace, reading with
// ctx (see reads).
func storageDriver(ctx context.Context, c *kube.Client, ref Ref) driver.Driver {
	if ref.Storage == ConfigMaps {
		api := c.Clientset.CoreV1().ConfigMaps(ref.Namespace)
		return quiet(driver.NewConfigMaps(configMapRecords{
			reads[*corev1.ConfigMap, *corev1.ConfigMapList]{ctx: ctx, get: api.Get, list: api.List}, configMapClient{api}}))
	}
	api := c.Clientset.CoreV1().Secrets(ref.Namespace)
	return quiet(driver.NewSecrets(secretRecords{
		reads[*corev1.Secret, *corev1.SecretList]{ctx: ctx, get: api.Get, list: api.List}, secretClient{api}}))
}

// StatusLevel sorts a release status into good (deployed), pending (an operation under
// way) and bad (failed, unreadable); others (superseded, uninstalled) are neither.
func StatusLevel(status string) (good, pending, bad bool) {
	switch {
	case status == "deployed":
		return true, false, false
	case strings.HasPrefix(status, "pending") || status == "uninstalling":
		return false, true, false
	case status == "failed" || status == "unreadable":
		return false, false, true
	}
	return false, false, false
}

// History fetches every revision of release ref, oldest first.
func History(ctx context.Context, c *kube.Client, ref Ref) ([]*Release, error) {
	rels, err := storageDriver(ctx, c, ref).Query(map[string]string{"name": ref.Name, "owner": "helm"})
	if err != nil {
		return nil, kube.Classify(err, "list", ref.Storage.GVR().Resource, ref.Namespace)
	}
	out := make([]*Release, 0, len(rels))
	for _, r := range rels {
		rel, err := v1(r)
		if err != nil {
			return nil, err
		}
		row := Row(rel)
		row.Storage, row.Key = ref.Storage, RevisionKey(ref.Namespace, row.Revision)
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b *Release) int { return a.Revision - b.Revision })
	return out, nil
}
