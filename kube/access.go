package kube

import (
	"context"
	"fmt"
	"sync"
	"time"

	authv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
)

// Access is one request kdeck may make: a verb on a resource (or its subresource) in a
// namespace ("" for cluster scope).
type Access struct {
	Verb        string // "patch", "delete", "create", "get" …
	GVR         schema.GroupVersionResource
	Subresource string // "scale", "portforward", "exec"; "" for the object itself
	Namespace   string
}

// String names the access the way RBAC errors do: "patch deployments/scale in namespace shop".
func (a Access) String() string {
	res := a.GVR.Resource
	if a.GVR.Group != "" {
		res += "." + a.GVR.Group
	}
	if a.Subresource != "" {
		res += "/" + a.Subresource
	}
	return fmt.Sprintf("%s %s in %s", a.Verb, res, scopeName(a.Namespace))
}

// Only is the access function of an action that sends the one request access gives.
func Only(access func(ns string) Access) func(ns string) []Access {
	return func(ns string) []Access { return []Access{access(ns)} }
}

// Decision is the server's answer to "may I?".
type Decision struct {
	Allowed bool
	Reason  string // why not, in one line; empty when allowed
}

// accessTTL is how long an RBAC answer is reused: roles rarely change mid-session, and a
// stale "allowed" still ends in a clear 403 at send time.
const accessTTL = time.Minute

type accessEntry struct {
	d  Decision
	at time.Time
}

// accessCache asks the server (SelfSubjectAccessReview) and remembers the answer per
// access, so opening a view or pressing a key costs at most one request a minute.
type accessCache struct {
	cs kubernetes.Interface
	mu sync.Mutex
	m  map[Access]accessEntry
}

func newAccessCache(cs kubernetes.Interface) *accessCache {
	return &accessCache{cs: cs, m: map[Access]accessEntry{}}
}

// Can reports whether the current user may make a. It blocks on a request when the answer
// is not cached: call it from a tea.Cmd, never from Update.
func (c *Client) Can(ctx context.Context, a Access) (Decision, error) {
	if c.access == nil {
		c.access = newAccessCache(c.Clientset)
	}
	return c.access.can(ctx, a)
}

// Cached returns the cached decision for a, if there is a fresh one; it never blocks.
func (c *Client) Cached(a Access) (Decision, bool) {
	if c.access == nil {
		return Decision{}, false
	}
	c.access.mu.Lock()
	defer c.access.mu.Unlock()
	e, ok := c.access.m[a]
	if !ok || time.Since(e.at) > accessTTL {
		return Decision{}, false
	}
	return e.d, true
}

func (ac *accessCache) can(ctx context.Context, a Access) (Decision, error) {
	ac.mu.Lock()
	e, ok := ac.m[a]
	ac.mu.Unlock()
	if ok && time.Since(e.at) <= accessTTL {
		return e.d, nil
	}
	review := &authv1.SelfSubjectAccessReview{Spec: authv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authv1.ResourceAttributes{
			Namespace: a.Namespace, Verb: a.Verb, Group: a.GVR.Group,
			Resource: a.GVR.Resource, Subresource: a.Subresource,
		},
	}}
	res, err := ac.cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
	if err != nil {
		return Decision{}, Classify(err, "create", "selfsubjectaccessreviews", "")
	}
	d := Decision{Allowed: res.Status.Allowed}
	if !d.Allowed {
		d.Reason = "forbidden: cannot " + a.String()
		if res.Status.Reason != "" {
			d.Reason += " (" + res.Status.Reason + ")"
		}
	}
	ac.mu.Lock()
	ac.m[a] = accessEntry{d: d, at: time.Now()}
	ac.mu.Unlock()
	return d, nil
}
