package helm

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kdeck/kdeck/kube"
	"helm.sh/helm/v4/pkg/action"
	helmkube "helm.sh/helm/v4/pkg/kube"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GVRReleases names Helm releases in audit lines ("rollback releases.helm.sh shop/web"); it
// is not an API resource: a release lives in Secrets or ConfigMaps.
var GVRReleases = schema.GroupVersionResource{Group: "helm.sh", Version: "v1", Resource: "releases"}

// HookTimeout bounds the hooks of a rollback or an uninstall, as `helm`'s --timeout does.
const HookTimeout = 5 * time.Minute

// RollbackAccess is what a rollback of release ref asks of its storage (Secrets or
// ConfigMaps, in its namespace): it writes the new revision and marks the current one
// superseded, after reading the history. (Helm then applies the target revision's
// objects; their kinds depend on the chart: see ObjectAccess.)
func RollbackAccess(ref Ref) []kube.Access {
	return storageAccess(ref, "create", "update", "list")
}

// UninstallAccess is what an uninstall of release ref asks of its storage: it deletes the
// release's records (or, keeping history, updates the last one) after listing them.
func UninstallAccess(ref Ref) []kube.Access {
	return storageAccess(ref, "delete", "update", "list")
}

// storageAccess is each of verbs on the records of ref's storage in its namespace.
func storageAccess(ref Ref, verbs ...string) []kube.Access {
	out := make([]kube.Access, len(verbs))
	for i, v := range verbs {
		out[i] = ref.Storage.access(v, ref.Namespace)
	}
	return out
}

// Rollback rolls release ref back to revision to with Helm's own action (hooks, three-way
// merge, a new revision "Rollback to N" in the release's own storage), waiting for hooks
// at most HookTimeout. It was confirmed while from was the newest revision: if another one
// has been made since, nothing is done and the error says so.
func Rollback(c *kube.Client, ref Ref, from, to int, summary string) kube.Mutation {
	return kube.Mutation{
		Access: kube.Access{Verb: "rollback", GVR: GVRReleases, Namespace: ref.Namespace}, Name: ref.Name,
		Summary: summary, Long: true,
		Do: confirmed(c, ref, from, func(cfg *action.Configuration) error {
			rb := action.NewRollback(cfg)
			rb.Version, rb.Timeout, rb.WaitStrategy = to, HookTimeout, helmkube.HookOnlyStrategy
			return rb.Run(ref.Name)
		}),
	}
}

// Uninstall removes release ref with Helm's own action (hooks, resource policies),
// keeping its history as an uninstalled release when keepHistory is set.
func Uninstall(c *kube.Client, ref Ref, rev int, keepHistory bool, summary string) kube.Mutation {
	return kube.Mutation{
		Access: kube.Access{Verb: "uninstall", GVR: GVRReleases, Namespace: ref.Namespace}, Name: ref.Name,
		Summary: summary, Long: true,
		Do: confirmed(c, ref, rev, func(cfg *action.Configuration) error {
			u := action.NewUninstall(cfg)
			u.KeepHistory, u.Timeout, u.WaitStrategy = keepHistory, HookTimeout, helmkube.HookOnlyStrategy
			_, err := u.Run(ref.Name)
			return err
		}),
	}
}

// confirmed is the Do of a Helm action on release ref: it runs act on an action
// configuration for ref's namespace and storage, unless the release's newest revision is
// no longer rev.
func confirmed(c *kube.Client, ref Ref, rev int, act func(*action.Configuration) error) func(context.Context) error {
	return func(ctx context.Context) error {
		cfg, err := configuration(c, ref)
		if err != nil {
			return err
		}
		if err := stillNewest(cfg, ref.Name, rev); err != nil {
			return err
		}
		return run(ctx, func() error { return act(cfg) })
	}
}

// stillNewest refuses when release name's newest revision is no longer rev, the one the
// person saw when they confirmed.
func stillNewest(cfg *action.Configuration, name string, rev int) error {
	last, err := cfg.Releases.Last(name)
	if err != nil {
		return err
	}
	rel, err := v1(last)
	if err != nil {
		return err
	}
	if rel.Version != rev {
		return fmt.Errorf("release %s changed since you confirmed: its newest revision is now %d, not %d; nothing was done",
			name, rel.Version, rev)
	}
	return nil
}

// run runs a Helm action, which takes no context, and returns its error, or ctx's if ctx
// ends first (the action then goes on: Helm records its outcome in the release).
func run(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("stopped waiting for Helm: %w (the release shows how it ends)", ctx.Err())
	}
}

// asHelm names Helm's field manager once: the helm CLI's own name ("helm"), not kdeck's
// binary's, so a rollback applies the fields `helm upgrade` applied without conflicts with
// them, exactly as `helm rollback` would, and a later `helm upgrade` meets none with kdeck.
var asHelm sync.Once

// configuration is a Helm action configuration on c's connection, for releases in ref's
// namespace kept by ref's storage driver, logging nowhere (the terminal belongs to the UI).
func configuration(c *kube.Client, ref Ref) (*action.Configuration, error) {
	asHelm.Do(func() { helmkube.ManagedFieldsManager = "helm" })
	cfg := action.NewConfiguration(action.ConfigurationSetLogger(slog.DiscardHandler))
	if err := cfg.Init(c.RESTClientGetter(), ref.Namespace, ref.Storage.String()); err != nil {
		return nil, err
	}
	if kc, ok := cfg.KubeClient.(*helmkube.Client); ok {
		kc.Namespace = ref.Namespace // objects without a namespace belong to the release's, not the context's
	}
	return cfg, nil
}

// Verbs a rollback and an uninstall send for the objects of a release.
var (
	RollbackVerbs  = []string{"patch", "create", "delete", "get"}
	UninstallVerbs = []string{"delete", "get"}
)

// ObjectAccess is what an action on the objects of revisions revs of release ref asks of
// RBAC beyond the release storage: each of verbs on each of their resources, in the
// namespace of each object (a rollback patches, creates and deletes objects of the current
// and the target revision). It reads the records (from ref's storage) and discovery.
func ObjectAccess(ctx context.Context, c *kube.Client, ref Ref, verbs []string, revs ...int) ([]kube.Access, error) {
	mapper, err := c.RESTClientGetter().ToRESTMapper()
	if err != nil {
		return nil, err
	}
	var out []kube.Access
	seen := map[kube.Access]bool{}
	for _, rev := range revs {
		rel, err := Get(ctx, c, ref, rev)
		if err != nil {
			return nil, err
		}
		for _, mo := range manifestObjects(rel.Manifest, ref.Namespace, mapper) {
			if mo.mapping == nil {
				continue // a kind the cluster does not serve: Helm's own error will say so
			}
			m, objNS := mo.mapping, mo.obj.GetNamespace()
			for _, verb := range verbs {
				a := kube.Access{Verb: verb, GVR: m.Resource, Namespace: objNS}
				if !seen[a] {
					seen[a] = true
					out = append(out, a)
				}
			}
		}
	}
	return out, nil
}
