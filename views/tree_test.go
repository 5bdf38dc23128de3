package views

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/tree"
)

// treeFixture is a deployment's tree: a current replica set with a healthy pod and a
// crash-looping one (the object the tree was opened on), and an old, empty replica set.
func treeFixture() *tree.Node {
	pod := func(name, status, web string, h tree.Health, focus bool) *tree.Node {
		ref := kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: name}
		return &tree.Node{Ref: ref, Kind: "Pod", Name: name, Status: status, Health: h, Focus: focus, Created: ago(time.Hour),
			Children: []*tree.Node{
				{Ref: ref, Kind: tree.KindContainer, Name: "istio-proxy", Role: "sidecar", Status: "Running", Health: tree.HealthOK},
				{Ref: ref, Kind: tree.KindContainer, Name: "web", Status: web, Health: h},
			}}
	}
	rs := func(name, status string, h tree.Health, age time.Duration, pods ...*tree.Node) *tree.Node {
		return &tree.Node{Ref: kube.ObjectRef{GVR: kube.GVRReplicaSets, Namespace: "shop", Name: name}, Kind: "ReplicaSet",
			Name: name, Status: status, Health: h, Created: ago(age), Children: pods}
	}
	return &tree.Node{Ref: kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: "shop", Name: "web"}, Kind: "Deployment",
		Name: "web", Status: "1/2 ready, available 1/2", Health: tree.HealthPending, Created: ago(72 * time.Hour),
		Children: []*tree.Node{
			rs("web-7d4b9c", "1/2 ready", tree.HealthPending, time.Hour,
				pod("web-7d4b9c-x2x9k", "Running 2/2", "Running", tree.HealthOK, false),
				pod("web-7d4b9c-q8zlm", "CrashLoopBackOff 1/2, 7 restarts", "CrashLoopBackOff, 7 restarts", tree.HealthBad, true)),
			{Ref: kube.ObjectRef{GVR: kube.GVRReplicaSets, Namespace: "shop", Name: "web-5f6c8d"}, Kind: "ReplicaSet",
				Name: "web-5f6c8d", Status: "0/0 ready", Created: ago(48 * time.Hour), Err: "pods: forbidden"},
		}}
}

// renderTree draws the tree page holding root, fetched a few seconds ago.
func renderTree(root *tree.Node, w, h int) string {
	env := testEnv("shop")
	p := NewTree(env, kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: "web-7d4b9c-q8zlm"})
	p.fetched.Set(root, nil, fixedNow.Add(-3*time.Second))
	p.show(root)
	return renderPage(env, p, w, h)
}

func TestTreeGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderTree(treeFixture(), w, h) })
}

func TestTreeEverySize(t *testing.T) {
	requireEverySize(t, func(w, h int) string { return renderTree(treeFixture(), w, h) })
}

// The cursor starts on the object the tree was opened on, and stays on it across refreshes.
func TestTreeCursorOnFocus(t *testing.T) {
	p := NewTree(testEnv("shop"), kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: "web-7d4b9c-q8zlm"})
	p.show(treeFixture())
	r, _ := p.table.Selected()
	if r.node.Name != "web-7d4b9c-q8zlm" || !strings.HasPrefix(r.prefix, "│  └─") {
		t.Fatalf("cursor on %q (prefix %q), want the focused pod", r.node.Name, r.prefix)
	}
	p.table.Move(-3)
	p.show(treeFixture())
	if r, _ := p.table.Selected(); r.node.Name != "web-7d4b9c-x2x9k" {
		t.Errorf("after a refresh the cursor is on %q, want the row it was moved to", r.node.Name)
	}
}

// A failed refresh keeps the tree, dims it, and the status line says how old it is.
func TestTreeRefreshFailure(t *testing.T) {
	env := testEnv("shop")
	p := NewTree(env, kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: "web-7d4b9c-q8zlm"})
	p.fetched.Set(treeFixture(), nil, fixedNow.Add(-2*time.Minute))
	p.show(treeFixture())
	p.fetched.Set(nil, &kube.Error{Kind: kube.KindUnreachable, Err: errors.New("dial tcp: connection refused")}, fixedNow)
	f := p.Freshness()
	if !f.Disconnected || !strings.Contains(f.Text, "showing what was fetched 2m ago") {
		t.Errorf("freshness after a failed refresh: %+v", f)
	}
	if out := renderPage(env, p, 120, 20); !strings.Contains(out, "web-7d4b9c-q8zlm") {
		t.Errorf("the tree is gone after a failed refresh:\n%s", out)
	}
}

func TestOpenTreeArguments(t *testing.T) {
	for _, c := range []struct{ ns, arg, err string }{
		{"shop", "deploy/web", ""},
		{"", "deploy/shop/web", ""},
		{"", "deploy/web", "in all namespaces, name the namespace: tree KIND/NAMESPACE/NAME"},
		{"shop", "web", "usage: tree KIND/NAME, e.g. tree deploy/web"},
		{"shop", "deploy/", "usage: tree KIND/NAME, e.g. tree deploy/web"},
		{"shop", "deploy/Bad_NS/web", "namespace"},
	} {
		_, err := openTree(testEnv(c.ns), c.arg)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("tree %s in %q: %v", c.arg, c.ns, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("tree %s in %q: err %v, want %q", c.arg, c.ns, err, c.err)
		}
	}
}
