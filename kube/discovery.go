package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// Resource is one listable, watchable kind of the cluster, as discovery describes it.
type Resource struct {
	GVR        schema.GroupVersionResource
	Kind       string
	Singular   string
	ShortNames []string
	Namespaced bool
}

// Name is the resource's plural, group-qualified unless it is in the core group:
// "configmaps", "widgets.example.com".
func (r Resource) Name() string {
	if r.GVR.Group == "" {
		return r.GVR.Resource
	}
	return r.GVR.Resource + "." + r.GVR.Group
}

// Resources resolves the names people type (plural, singular, short name, kind, or
// group-qualified such as rollouts.argoproj.io) to Resources. Discovery runs on the first
// Resolve, never before, and its answer is kept; a name it does not know triggers one
// refresh (a CRD may have been installed since), at most every refreshAfter.
type Resources struct {
	fetch func(ctx context.Context) ([]*metav1.APIResourceList, error)
	now   func() time.Time

	mu      sync.Mutex
	list    []Resource // nil until the first successful fetch
	fetched time.Time
}

// refreshAfter is the shortest time between two discovery fetches caused by unknown names.
const refreshAfter = 2 * time.Second

// NewResources returns a resolver that reads the server's preferred resources through dc.
func NewResources(dc discovery.DiscoveryInterface) *Resources {
	return NewResourcesFrom(func(ctx context.Context) ([]*metav1.APIResourceList, error) {
		lists, err := discovery.ServerPreferredResourcesWithContext(ctx, discovery.ToDiscoveryInterfaceWithContext(dc))
		if err != nil && len(lists) > 0 && discovery.IsGroupDiscoveryFailedError(err) {
			err = nil // an unavailable aggregated API must not hide every other resource
		}
		return lists, err
	})
}

// NewResourcesFrom returns a resolver over whatever fetch returns (tests pass captured lists).
func NewResourcesFrom(fetch func(ctx context.Context) ([]*metav1.APIResourceList, error)) *Resources {
	return &Resources{fetch: fetch, now: time.Now}
}

// Resolve finds the resource typed as name. It returns an *Error of KindNotFound when the
// cluster has no such resource, or the discovery failure.
func (r *Resources) Resolve(ctx context.Context, name string) (Resource, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.list != nil {
		if res, ok := match(r.list, name); ok {
			return res, nil
		}
		if r.now().Sub(r.fetched) < refreshAfter {
			return Resource{}, notFound(name)
		}
	}
	lists, err := r.fetch(ctx)
	if err != nil {
		return Resource{}, Classify(err, "discover", "resources", "")
	}
	r.list, r.fetched = flatten(lists), r.now()
	if res, ok := match(r.list, name); ok {
		return res, nil
	}
	return Resource{}, notFound(name)
}

func notFound(name string) error {
	return &Error{Kind: KindNotFound, Err: fmt.Errorf("the server has no resource %q", name)}
}

// flatten keeps the resources that can be listed and watched, in discovery order (core
// first, then groups in the server's priority order), skipping subresources.
func flatten(lists []*metav1.APIResourceList) []Resource {
	out := []Resource{}
	for _, l := range lists {
		if l == nil {
			continue
		}
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, ar := range l.APIResources {
			if strings.Contains(ar.Name, "/") || !slices.Contains(ar.Verbs, "list") || !slices.Contains(ar.Verbs, "watch") {
				continue
			}
			g, v := gv.Group, gv.Version
			if ar.Group != "" {
				g = ar.Group
			}
			if ar.Version != "" {
				v = ar.Version
			}
			singular := ar.SingularName
			if singular == "" {
				singular = strings.ToLower(ar.Kind)
			}
			out = append(out, Resource{
				GVR:  schema.GroupVersionResource{Group: g, Version: v, Resource: ar.Name},
				Kind: ar.Kind, Singular: singular, ShortNames: ar.ShortNames, Namespaced: ar.Namespaced,
			})
		}
	}
	return out
}

// match looks name up the way kubectl does: an exact plural, singular or short name first,
// then the kind; "NAME.GROUP" and "NAME.VERSION.GROUP" narrow the group (and version).
func match(list []Resource, name string) (Resource, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return Resource{}, false
	}
	type want struct{ name, group, version string }
	wants := []want{{name: name}}
	if base, rest, ok := strings.Cut(name, "."); ok {
		wants = []want{{name: base, group: rest}}
		if v, g, ok := strings.Cut(rest, "."); ok {
			wants = append(wants, want{name: base, version: v, group: g})
		}
	}
	for _, w := range wants {
		in := func(r Resource) bool {
			return (w.group == "" || r.GVR.Group == w.group) && (w.version == "" || r.GVR.Version == w.version)
		}
		for _, byKind := range []bool{false, true} {
			for _, r := range list {
				if !in(r) {
					continue
				}
				if byKind && strings.ToLower(r.Kind) == w.name {
					return r, true
				}
				if !byKind && (r.GVR.Resource == w.name || r.Singular == w.name || slices.Contains(r.ShortNames, w.name)) {
					return r, true
				}
			}
		}
	}
	return Resource{}, false
}

// errNoResources is returned by a Client made without a discovery client (tests).
var errNoResources = errors.New("resource discovery is not available")

// Resolve resolves a typed resource name through the client's cached discovery.
func (c *Client) Resolve(ctx context.Context, name string) (Resource, error) {
	if c.Resources == nil {
		return Resource{}, errNoResources
	}
	return c.Resources.Resolve(ctx, name)
}
