package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui/benchtrace"
)

// ListSpec declares a resource list view: everything a view file states about itself.
type ListSpec[R kube.Row] struct {
	Noun    string // plural resource name: "pods"
	Columns func(env *Env, allNamespaces bool) []Column[R]
	Source  func(env *Env, ns string) kube.Source[R] // what to list and watch
	// Enter opens the drill-down page of a row (deployment → its pods); nil when none.
	Enter func(env *Env, row R) Page
}

// enterKey drills down into the selected row.
var enterKey = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open"))

// ListPage is a live table of one resource, fed by a store and declared by a ListSpec.
type ListPage[R kube.Row] struct {
	spec  ListSpec[R]
	env   *Env
	ns    string
	feed  *Feed[R]
	snap  kube.Snapshot[R]
	table Table[R]
}

// NewListPage returns the list page of spec for namespace ns ("" for all namespaces).
func NewListPage[R kube.Row](env *Env, spec ListSpec[R], ns string) *ListPage[R] {
	p := &ListPage[R]{spec: spec, env: env, ns: ns}
	p.table.Columns = spec.Columns(env, ns == "")
	return p
}

// Init starts the watch.
func (p *ListPage[R]) Init() tea.Cmd {
	p.feed = StartFeed(p.env, p.spec.Source(p.env, p.ns))
	return p.feed.Next()
}

// Update takes the feed's snapshots and the navigation keys.
func (p *ListPage[R]) Update(msg tea.Msg) (Page, tea.Cmd) {
	if snap, next, ok := p.feed.Accept(msg); ok {
		p.Show(snap)
		return p, next
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if p.table.Navigate(k) {
			return p, nil
		}
		if key.Matches(k, enterKey) && p.spec.Enter != nil {
			if row, ok := p.table.Selected(); ok {
				return p, Push(p.spec.Enter(p.env, row))
			}
		}
	}
	return p, nil
}

// Show displays snap, keeping the selection on the same object.
func (p *ListPage[R]) Show(snap kube.Snapshot[R]) {
	p.snap = snap
	p.table.SetRows(snap.Rows, func(a, b R) bool { return a.RowKey() == b.RowKey() })
}

// View renders the table; rows are dimmed while the watch is broken.
func (p *ListPage[R]) View(width, height int) string {
	if benchtrace.Enabled() && height > 1 {
		if p.table.Len() > 0 {
			benchtrace.FirstRows()
		}
		if p.snap.State.Phase == kube.PhaseLive {
			benchtrace.Loaded()
		}
	}
	return p.table.View(p.env.Styles, width, height, p.snap.State.Phase == kube.PhaseBroken)
}

// Title is "NOUN(NAMESPACE)[COUNT]", marked STALE while the watch is broken.
func (p *ListPage[R]) Title() string {
	ns := p.ns
	if ns == "" {
		ns = "all"
	}
	title := fmt.Sprintf("%s(%s)[%s]", p.spec.Noun, ns, Count(p.table.Len()))
	if p.snap.State.Phase == kube.PhaseBroken {
		title += " STALE"
	}
	return title
}

// Freshness reports the watch's state.
func (p *ListPage[R]) Freshness() Freshness {
	return FreshnessOf(p.snap.State, p.table.Len(), p.spec.Noun, p.env.Now())
}

// Bindings lists the page's keys.
func (p *ListPage[R]) Bindings() []key.Binding {
	if p.spec.Enter != nil {
		return append(TableBindings(), enterKey)
	}
	return TableBindings()
}

// Close stops the watch.
func (p *ListPage[R]) Close() {
	if p.feed != nil {
		p.feed.Stop()
	}
}
