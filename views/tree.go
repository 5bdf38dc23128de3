package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/helm"
	"github.com/kdeck/kdeck/kube/tree"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// treeKeys open an object's owner tree and jump to its owner, on every object list.
var treeKeys = struct{ Tree, Owner key.Binding }{
	Tree:  ui.NewKey("object lists", "owner tree: what owns it and what it owns", "T"),
	Owner: ui.NewKey("object lists", "jump to the owner", "o"),
}

// treePageKeys are the tree page's own keys; it moves with the table's keys.
var treePageKeys = struct{ Open, Logs key.Binding }{
	Open: ui.NewKey("tree", "open: a pod's containers, a container's logs, else describe", "enter"),
	Logs: ui.NewKey("tree", "logs of the pod or container", "l"),
}

// treeRow is one line of the tree: a node and the branches drawn before it.
type treeRow struct {
	node   *tree.Node
	prefix string
}

// TreePage shows the owner tree of one object: its owners up to the topmost and all
// that the topmost owns, each with its status, fetched again every few seconds.
type TreePage struct {
	env     *ui.Env
	title   string
	fetched *ui.Fetched[*tree.Node]
	table   ui.Table[treeRow]
	focused bool // the cursor was put on the object asked for
	count   int  // nodes in the tree
}

// NewTree returns the owner tree page of ref.
func NewTree(env *ui.Env, ref kube.ObjectRef) *TreePage {
	return newTreePage(env, ref.String(), func(context.Context) (kube.ObjectRef, error) { return ref, nil })
}

// newTreePage returns the owner tree page of the object find names, titled after it.
func newTreePage(env *ui.Env, title string, find func(ctx context.Context) (kube.ObjectRef, error)) *TreePage {
	client := env.Client
	return newTreeOf(env, title, func(ctx context.Context) (*tree.Node, error) {
		ref, err := find(ctx)
		if err != nil {
			return nil, err
		}
		return tree.Build(ctx, client, ref)
	})
}

// newTreeOf returns a tree page showing what build returns, titled title.
func newTreeOf(env *ui.Env, title string, build func(ctx context.Context) (*tree.Node, error)) *TreePage {
	p := &TreePage{env: env, title: title, fetched: ui.NewFetched(env, build)}
	p.table.Columns = p.columns()
	return p
}

// openTree is the `:tree KIND/NAME` command (KIND/NAMESPACE/NAME in all namespaces): the
// kind is whatever the cluster answers to, as in `kubectl get KIND`.
func openTree(env *ui.Env, arg string) (ui.Page, error) {
	parts := strings.Split(arg, "/")
	ns := env.Namespace
	switch {
	case len(parts) == 3:
		ns = parts[1]
	case len(parts) == 2 && ns == "":
		return nil, errors.New("in all namespaces, name the namespace: tree KIND/NAMESPACE/NAME")
	case len(parts) != 2:
		return nil, errors.New("usage: tree KIND/NAME, e.g. tree deploy/web")
	}
	kind, name := parts[0], parts[len(parts)-1]
	if kind == "" || name == "" {
		return nil, errors.New("usage: tree KIND/NAME, e.g. tree deploy/web")
	}
	if err := kube.ValidNamespaceName(ns); err != nil {
		return nil, err
	}
	client := env.Client
	return newTreePage(env, kind+"/"+ns+"/"+name, func(ctx context.Context) (kube.ObjectRef, error) {
		res, err := client.Resolve(ctx, kind)
		if err != nil {
			return kube.ObjectRef{}, err
		}
		ref := kube.ObjectRef{GVR: res.GVR, Namespace: ns, Name: name}
		if !res.Namespaced {
			ref.Namespace = ""
		}
		return ref, nil
	}), nil
}

func (p *TreePage) columns() []ui.Column[treeRow] {
	health := func(st *theme.Styles, r treeRow) lipgloss.Style {
		switch {
		case r.node.Err != "":
			return st.Warn
		case r.node.Health == tree.HealthBad:
			return st.Bad
		case r.node.Health == tree.HealthPending:
			return st.Warn
		}
		return st.Good
	}
	return []ui.Column[treeRow]{
		{Name: "NAME", Flex: true, Min: 12, Value: func(r treeRow) string { return r.prefix + nodeName(r.node) },
			Style: func(st *theme.Styles, r treeRow) lipgloss.Style {
				if r.node.Focus {
					return st.Accent.Bold(true)
				}
				return st.Text
			}},
		{Name: "STATUS", Max: 60, Drop: 1, Value: func(r treeRow) string {
			if r.node.Err != "" {
				return strings.TrimSpace(r.node.Status + "  (" + r.node.Err + ")")
			}
			return r.node.Status
		}, Style: health},
		{Name: "AGE", Align: ui.Right, Drop: 2, Value: func(r treeRow) string {
			if r.node.Kind == tree.KindContainer {
				return ""
			}
			return age(r.node.Created, p.env.Now())
		}},
	}
}

// KindHelmRelease is the kind of a Helm release's node, the root of its tree.
const KindHelmRelease = "HelmRelease"

// NewReleaseTree returns the tree of r's revision of its Helm release (read from the
// release's storage): the release, the objects its manifest applied, and all that each of
// them owns.
func NewReleaseTree(env *ui.Env, r *helm.Release) *TreePage {
	client := env.Client
	return newTreeOf(env, "helm/"+r.Namespace+"/"+r.Name, func(ctx context.Context) (*tree.Node, error) {
		rel, objects, err := helm.Objects(ctx, client, r.Ref(), r.Revision)
		if err != nil {
			return nil, err
		}
		root := &tree.Node{Kind: KindHelmRelease, Name: rel.Name, Focus: true, Created: rel.Updated,
			Status: fmt.Sprintf("%s, revision %d, %s", rel.Status, rel.Revision, rel.Chart)}
		switch _, pending, bad := helm.StatusLevel(rel.Status); {
		case bad:
			root.Health = tree.HealthBad
		case pending:
			root.Health = tree.HealthPending
		}
		members := make([]*tree.Node, len(objects))
		for i, o := range objects {
			members[i] = &tree.Node{Ref: o.Ref, Kind: o.Kind, Name: o.Ref.Name}
		}
		return tree.BuildAll(ctx, client, root, members)
	})
}

// nodeName is "Kind/name", and a container's name with its role.
func nodeName(n *tree.Node) string {
	if n.Kind == tree.KindContainer {
		if n.Role != "" {
			return n.Name + " (" + n.Role + ")"
		}
		return n.Name
	}
	return n.Kind + "/" + n.Name
}

// flatten lays the tree out as rows, depth first, with the branches drawn as a prefix.
func flatten(root *tree.Node) []treeRow {
	rows := []treeRow{{node: root}}
	var walk func(n *tree.Node, indent string)
	walk = func(n *tree.Node, indent string) {
		for i, c := range n.Children {
			branch, next := "├─ ", "│  "
			if i == len(n.Children)-1 {
				branch, next = "└─ ", "   "
			}
			rows = append(rows, treeRow{node: c, prefix: indent + branch})
			walk(c, indent+next)
		}
	}
	walk(root, "")
	return rows
}

// sameNode reports whether two rows show the same node, so the cursor follows it.
func sameNode(a, b treeRow) bool {
	return a.node.Kind == b.node.Kind && a.node.Ref == b.node.Ref && a.node.Name == b.node.Name
}

// Init starts the first fetch.
func (p *TreePage) Init() tea.Cmd { return p.fetched.Refresh() }

// show lays out a newly fetched tree, with the cursor on the object asked for the first time.
func (p *TreePage) show(root *tree.Node) {
	rows := flatten(root)
	p.count = len(rows)
	p.table.SetRows(rows, sameNode)
	if !p.focused {
		p.focused = p.table.SelectWhere(func(r treeRow) bool { return r.node.Focus })
	}
}

// Update takes the tree's fetches and the keys.
func (p *TreePage) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	if changed, ok, cmd := p.fetched.Accept(msg); ok {
		if changed {
			p.show(p.fetched.Value)
		}
		return p, cmd
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || p.table.Navigate(k) {
		return p, nil
	}
	r, ok := p.table.Selected()
	switch {
	case key.Matches(k, ui.RefreshKey):
		return p, p.fetched.Refresh()
	case !ok || r.node.Ref.GVR.Empty():
		return p, nil // nothing selected, or a node that is not an object (a Helm release)
	case key.Matches(k, treePageKeys.Open):
		return p, ui.Push(p.open(r.node))
	case key.Matches(k, treePageKeys.Logs) && r.node.Ref.GVR == kube.GVRPods:
		return p, ui.Push(p.logs(r.node))
	case key.Matches(k, objectKeys.Describe):
		return p, ui.Push(NewDescribe(p.env, r.node.Ref))
	case key.Matches(k, objectKeys.YAML):
		return p, ui.Push(NewYAML(p.env, r.node.Ref))
	}
	return p, nil
}

// open is what enter opens on n: a pod's containers, a container's logs, the describe of
// anything else.
func (p *TreePage) open(n *tree.Node) ui.Page {
	switch {
	case n.Kind == tree.KindContainer:
		return p.logs(n)
	case n.Ref.GVR == kube.GVRPods:
		return NewContainers(p.env, kube.Key{Namespace: n.Ref.Namespace, Name: n.Ref.Name})
	}
	return NewDescribe(p.env, n.Ref)
}

// logs is the logs page of a pod's node (its default container) or of a container's.
func (p *TreePage) logs(n *tree.Node) ui.Page {
	page := NewPodLogs(p.env, n.Ref.Namespace, n.Ref.Name, false)
	if n.Kind == tree.KindContainer {
		page.opts.Container = n.Name
	}
	return page
}

// View draws the tree, dimmed while its last refresh failed.
func (p *TreePage) View(width, height int) string {
	if !p.fetched.Loaded {
		return p.fetched.Placeholder(width, height)
	}
	return p.table.View(p.env.Styles, width, height, p.fetched.Err != nil)
}

// Title is "tree(RESOURCE/NS/NAME)", the object as it was named.
func (p *TreePage) Title() string { return "tree(" + p.title + ")" }

// Freshness says when the tree was fetched and how many objects it holds.
func (p *TreePage) Freshness() ui.Freshness {
	return p.fetched.Freshness(fmt.Sprintf("%d objects", p.count))
}

// Bindings lists the tree page's keys.
func (p *TreePage) Bindings() []key.Binding {
	return append([]key.Binding{treePageKeys.Open, treePageKeys.Logs, objectKeys.Describe, objectKeys.YAML, ui.RefreshKey},
		ui.TableBindings()...)
}

// Close stops the refreshes.
func (p *TreePage) Close() { p.fetched.Close() }

// treeActions are T (the owner tree) and o (jump to the owner) of a list of gvr's objects.
func treeActions[R kube.Row](gvr schema.GroupVersionResource) []ui.Action[R] {
	return []ui.Action[R]{
		{Key: treeKeys.Tree, Run: func(env *ui.Env, row R) tea.Cmd { return ui.Push(NewTree(env, rowRef(gvr, row))) }},
		{Key: treeKeys.Owner, Run: func(env *ui.Env, row R) tea.Cmd { return jumpToOwner(env, rowRef(gvr, row)) }},
	}
}

// jumpToOwner opens the list of the kind that owns ref with the cursor on its owner (the
// deployment of a replica set, say): kdeck's own view of the kind, or the generic one of a
// custom resource; the owner's describe when the cluster cannot say what its kind is.
func jumpToOwner(env *ui.Env, ref kube.ObjectRef) tea.Cmd {
	client := env.Client
	return env.Background("jump to the owner", func() func() tea.Cmd {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		owner, ok, err := tree.Owner(ctx, client, ref)
		switch {
		case err != nil:
			return func() tea.Cmd { return ui.Notify(ui.LevelError, "owner of "+ref.Name+": "+err.Error()) }
		case !ok:
			return func() tea.Cmd { return ui.Notify(ui.LevelInfo, ref.Name+" has no owner") }
		}
		orElse := func() ui.Page { return NewDescribe(env, owner) }
		if res, err := client.Resolve(ctx, owner.GVR.GroupResource().String()); err == nil && res.GVR == owner.GVR {
			orElse = func() ui.Page {
				page := NewGeneric(env, res, owner.Namespace)
				page.Focus(kube.Key{Namespace: owner.Namespace, Name: owner.Name})
				return page
			}
		}
		return func() tea.Cmd { return func() tea.Msg { return ui.OpenMsg{Ref: owner, Else: orElse, Env: env} } }
	})
}
