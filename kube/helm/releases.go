// Package helm reads Helm releases from a cluster and rolls them back or uninstalls them,
// through Helm's own SDK (helm.sh/helm/v4): its storage driver decodes the release records
// kept in Secrets, and its actions carry Helm's semantics (hooks, three-way merge). Every
// string it returns is cluster text: views draw it through ui.Safe.
package helm

import (
	"context"
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
	Key         kube.Key // the release in the releases list, the revision in a history
}

// RowKey implements kube.Row.
func (r *Release) RowKey() kube.Key { return r.Key }

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
// newest revision, kept live by a watch of the release records that are not superseded
// (a release's newest revision never is): a release with ten revisions costs one or two
// records to read, not ten.
func ReleaseCache(c *kube.Client, ns string) kube.Cache[*Release] {
	return newestCache{kube.NewStore(recordSource(c, ns, liveSelector, func(s *corev1.Secret, _ *Release) kube.Key {
		return kube.Key{Namespace: s.Namespace, Name: s.Name}
	}))}
}

// HistorySource returns the revisions of release name in ns, oldest first, kept live.
func HistorySource(c *kube.Client, ns, name string) kube.Source[*Release] {
	return recordSource(c, ns, storageSelector+",name="+name, func(_ *corev1.Secret, r *Release) kube.Key {
		return RevisionKey(ns, r.Revision)
	})
}

// recordSource lists and watches the release records in ns that selector matches (Secrets
// of Helm's type only), each decoded into a row keyed by key.
func recordSource(c *kube.Client, ns, selector string, key func(*corev1.Secret, *Release) kube.Key) kube.Source[*Release] {
	api := c.Clientset.CoreV1().Secrets(ns)
	list, watch := kube.FieldSelected(fields.OneTermEqualSelector("type", recordType).String(), api.List, api.Watch)
	return kube.TypedSource("secrets", ns, selector, list, watch,
		func(l *corev1.SecretList) []corev1.Secret { return l.Items },
		func(s *corev1.Secret) *Release {
			r := recordRow(s)
			r.Key = key(s, r)
			return r
		})
}

// RevisionKey is the row key of revision rev in a history: zero-padded, so key order is
// revision order.
func RevisionKey(ns string, rev int) kube.Key {
	return kube.Key{Namespace: ns, Name: fmt.Sprintf("%010d", rev)}
}

// newestCache turns a store of release records into one row per release, its newest.
type newestCache struct{ store *kube.Store[*Release] }

// Run keeps the records current until ctx ends.
func (c newestCache) Run(ctx context.Context, link *kube.Link) { c.store.Run(ctx, link) }

// Changed receives a value when the records changed.
func (c newestCache) Changed() <-chan struct{} { return c.store.Changed() }

// State is the store's state, a refused read explained.
func (c newestCache) State() kube.State { return explained(c.store.State()) }

// Snapshot returns the newest record of each release, in namespace/name order.
func (c newestCache) Snapshot() kube.Snapshot[*Release] {
	s := c.store.Snapshot()
	return kube.Snapshot[*Release]{Rows: Newest(s.Rows), State: explained(s.State)}
}

// explained adds to a refusal to list secrets why it hides releases: a person who may list
// pods but not secrets would otherwise wonder at an empty list.
func explained(st kube.State) kube.State {
	if kube.KindOf(st.Err) == kube.KindForbidden {
		st.Err = storageForbidden{st.Err}
	}
	return st
}

// storageForbidden is a refusal to read the release storage, with what it means for Helm.
type storageForbidden struct{ error }

// Error says what was refused and what it hides.
func (e storageForbidden) Error() string {
	return e.error.Error() + ": Helm keeps its releases in Secrets, so none can be shown here"
}

// Unwrap gives the refusal, so its kind stays forbidden.
func (e storageForbidden) Unwrap() error { return e.error }

// Newest returns, for each release among records, the row of its highest revision, keyed
// by namespace and release name and sorted that way. records is not modified.
func Newest(records []*Release) []*Release {
	best := map[kube.Key]*Release{}
	for _, r := range records {
		k := kube.Key{Namespace: r.Namespace, Name: r.Name}
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

// recordRow summarises one release record, decoded by Helm's storage driver. A record
// that does not decode still gets a row, named from its labels, saying why.
func recordRow(s *corev1.Secret) *Release {
	rel, err := decode(s)
	if err != nil {
		rev := 0
		fmt.Sscan(s.Labels["version"], &rev)
		return &Release{Namespace: s.Namespace, Name: s.Labels["name"], Revision: rev,
			Status: "unreadable", Description: err.Error(), Updated: s.CreationTimestamp.Time}
	}
	return Row(rel)
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

// decode reads a release record through Helm's storage driver, which knows its encoding.
func decode(s *corev1.Secret) (*rspb.Release, error) {
	d := driver.NewSecrets(oneSecret{s: s})
	d.SetLogger(slog.DiscardHandler)
	r, err := d.Get(s.Name)
	if err != nil {
		return nil, err
	}
	return v1(r)
}

// oneSecret is a SecretInterface that holds one secret already read (from a watch): the
// storage driver's Get decodes it without another request.
type oneSecret struct {
	corev1client.SecretInterface
	s *corev1.Secret
}

// Get returns the secret held.
func (o oneSecret) Get(context.Context, string, metav1.GetOptions) (*corev1.Secret, error) {
	return o.s, nil
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

// Get fetches revision rev of release name in ns, whole (chart, values, manifest).
func Get(ctx context.Context, c *kube.Client, ns, name string, rev int) (*rspb.Release, error) {
	d := driver.NewSecrets(ctxSecrets{SecretInterface: c.Clientset.CoreV1().Secrets(ns), ctx: ctx})
	d.SetLogger(slog.DiscardHandler)
	r, err := storage.Init(d).Get(name, rev)
	if err != nil {
		return nil, kube.Classify(err, "get", "secrets", ns)
	}
	return v1(r)
}

// ctxSecrets is a SecretInterface whose reads use ctx, not the background context Helm's
// storage driver passes, so a fetch ends with its page or its timeout.
type ctxSecrets struct {
	corev1client.SecretInterface
	ctx context.Context
}

// Get reads one secret with the held context.
func (s ctxSecrets) Get(_ context.Context, name string, o metav1.GetOptions) (*corev1.Secret, error) {
	return s.SecretInterface.Get(s.ctx, name, o)
}

// List lists secrets with the held context.
func (s ctxSecrets) List(_ context.Context, o metav1.ListOptions) (*corev1.SecretList, error) {
	return s.SecretInterface.List(s.ctx, o)
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

// History fetches every revision of release name in ns, oldest first.
func History(ctx context.Context, c *kube.Client, ns, name string) ([]*Release, error) {
	d := driver.NewSecrets(ctxSecrets{SecretInterface: c.Clientset.CoreV1().Secrets(ns), ctx: ctx})
	d.SetLogger(slog.DiscardHandler)
	rels, err := d.Query(map[string]string{"name": name, "owner": "helm"})
	if err != nil {
		return nil, kube.Classify(err, "list", "secrets", ns)
	}
	out := make([]*Release, 0, len(rels))
	for _, r := range rels {
		rel, err := v1(r)
		if err != nil {
			return nil, err
		}
		row := Row(rel)
		row.Key = RevisionKey(ns, row.Revision)
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b *Release) int { return a.Revision - b.Revision })
	return out, nil
}
