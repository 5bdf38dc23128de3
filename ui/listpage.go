package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

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
	// Cache, when set instead of Source, builds rows from more than one store (services
	// joined with their EndpointSlices); selector narrows the listed resource.
	Cache func(env *Env, ns, selector string) kube.Cache[R]
	// WithExtra, for lists whose columns also read a second live source that is not rows
	// (pod metrics beside pods), is used instead of Columns: it opens that source for one
	// page and returns it with the columns that read it. The page runs and closes it.
	WithExtra func(env *Env, ns string) (Extra, []Column[R])
	// Enter opens the drill-down page of a row (deployment → its pods); nil when none.
	Enter func(env *Env, row R) Page
	// FilterText is what `/` matches against; nil means "namespace/name". It must read the
	// row only: its result is kept for as long as the store keeps the same row.
	FilterText func(R) string
	// Actions are the view's keys that act on the selected row (describe, logs, scale…).
	Actions []Action[R]
	// ListActions are the view's keys that act on the list itself and need no selected
	// row (create a secret, restart the saved port-forwards): they work on an empty list.
	ListActions []ListAction
	// Less, when set, orders rows for display (events: newest first); nil keeps the
	// store's namespace/name order. Rows are sorted off the UI goroutine, once per
	// changed snapshot.
	Less func(a, b R) int
	// Warm, when set, names the list's source (with the page's namespace and selectors)
	// for Warm: its store keeps running for a while after the page closes, and a page of
	// the same list opened meanwhile takes it over. Empty: the store stops with the page.
	Warm string
	// Recolumn, when set, is given every snapshot and returns new columns, or nil to keep
	// the current ones: for rows that carry their own column definitions (server-side
	// Table rows), known only once the server has answered.
	Recolumn func(env *Env, allNamespaces bool, rows []R) []Column[R]
	// EnvOf, for lists of several clusters' rows, is the Env a row belongs to: its actions,
	// drill-down and plugins act with it, so each row acts on its own cluster. nil: the page's.
	EnvOf func(row R) *Env
	// Stale, for lists of several clusters' rows, says a row's cluster has stopped
	// answering while the others still do: the row is dimmed alone. nil: none is.
	Stale func(row R) bool
}

// Action binds a key to something done with the selected row. Run returns the command
// that does it (a Push of a new page, an Ask of a dialog); it must not block. Every
// action goes through the dispatcher (Env.Guard) before Run.
type Action[R kube.Row] struct {
	Key key.Binding
	Run func(env *Env, row R) tea.Cmd
	// Mutates, for actions that change the cluster, gives every request they make in a
	// namespace (the row's): one of kube's access functions, stated beside the mutation
	// (kube.RolloutAccess, kube.UndoAccess …). The action is refused in read-only mode
	// and each request is checked against RBAC before Run, so a forbidden action never
	// prompts and none is left half applied.
	Mutates func(ns string) []kube.Access
	// MutatesRow, when set, is Mutates for an action whose requests depend on the row
	// itself and not only on its namespace (a Helm release's storage: Secrets or
	// ConfigMaps). The guard and help's hint for the selected row read it instead of
	// Mutates; with no row selected there is nothing to act on and no hint.
	MutatesRow func(row R) []kube.Access
	// Reveals marks actions that show or copy secret values: refused under never-reveal.
	Reveals bool
	// Marked, when set, is what the action does to every marked row at once (one dialog
	// listing them all); while rows are marked it runs instead of Run. Actions without it
	// act on the selected row only, marks or not.
	Marked func(env *Env, rows []R) tea.Cmd
}

// ListAction binds a key to something done with the list itself rather than a row.
type ListAction struct {
	Key key.Binding
	// Mutates, for actions that change the cluster, gives every request they make in a
	// namespace: the page's, or on an all-namespaces page the kubeconfig's (where kubectl
	// would create). nil for an action that guards each request itself.
	Mutates func(ns string) []kube.Access
	// Run returns the command that does it for the page's namespace ns ("" for all).
	Run func(env *Env, ns string) tea.Cmd
}

// accessAll is what a runs against every one of rows: its requests in each of their
// namespaces.
func (a Action[R]) accessAll(rows []R) []kube.Access {
	var out []kube.Access
	for _, r := range rows {
		for _, acc := range a.access(r) {
			if !slices.Contains(out, acc) {
				out = append(out, acc)
			}
		}
	}
	return out
}

// access is what a runs against row, or nil when it changes nothing.
func (a Action[R]) access(row R) []kube.Access {
	if a.MutatesRow != nil {
		return a.MutatesRow(row)
	}
	if a.Mutates == nil {
		return nil
	}
	return a.Mutates(row.RowKey().Namespace)
}

// markKey marks the selected row, or unmarks it.
var markKey = NewKey("lists", "mark / unmark (delete, kill, restart act on every marked row; esc clears)", "space")

// enterKey drills down into the selected row.
var enterKey = NewKey("lists", "open", "enter")

// ListPage is a live table of one resource, fed by a store and declared by a ListSpec.
type ListPage[R kube.Row] struct {
	spec     ListSpec[R]
	env      *Env
	ns       string
	selector string // label selector narrowing the list ("" for all)
	fields   string // field selector narrowing the list ("" for all); Source specs only
	feed     *Feed[R]
	extra    Extra // nil when the spec has none
	snap     kube.Snapshot[R]
	table    Table[R]

	filter filterState[R]
	marks  map[kube.Key]struct{} // the marked rows' keys; they outlive filtering and sorting
	focus  kube.Key              // the row to put the cursor on when it first shows (see Focus)
	// build, when set, builds the page's cache instead of the spec (a list of several
	// clusters, see NewFleetPage), for the page's namespaces and label selector.
	build func(ns, selector string) kube.Cache[R]
	// returned is when the page took over a warm store, until its first frame is drawn
	// (for the bench trace's return_ms).
	returned time.Time
}

// NewListPage returns the list page of spec for namespace ns ("" for all namespaces).
func NewListPage[R kube.Row](env *Env, spec ListSpec[R], ns string) *ListPage[R] {
	p := &ListPage[R]{spec: spec, env: env, ns: ns}
	p.filter.sortCol = -1
	if spec.WithExtra != nil {
		p.extra, p.table.Columns = spec.WithExtra(env, ns)
	} else {
		p.table.Columns = spec.Columns(env, ShowsNamespaces(ns))
	}
	p.table.Stale = spec.Stale
	return p
}

// ShowsNamespaces says whether a list of namespace scope ns ("" for all, or several
// separated by commas) has rows of more than one namespace, and so a NAMESPACE column.
func ShowsNamespaces(ns string) bool { return len(kube.Namespaces(ns)) != 1 }

// NewListPageSelector returns the list page of spec for the objects in ns matching the
// label selector ("app=web"), e.g. the pods of a deployment; the title shows the selector.
func NewListPageSelector[R kube.Row](env *Env, spec ListSpec[R], ns, selector string) *ListPage[R] {
	p := NewListPage(env, spec, ns)
	p.selector = selector
	return p
}

// NewListPageFields returns the list page of spec (a Source spec) for the objects in ns
// matching the field selector ("spec.nodeName=node-1"), e.g. the pods on a node; the title
// shows the selector.
func NewListPageFields[R kube.Row](env *Env, spec ListSpec[R], ns, fields string) *ListPage[R] {
	p := NewListPage(env, spec, ns)
	p.fields = fields
	return p
}

// Init starts the watch (and the extra source), or takes over the store a page of the
// same list left running (see Warm) and shows its rows at once.
func (p *ListPage[R]) Init() tea.Cmd {
	var shown tea.Cmd
	if key, ok := p.warmKey(); ok {
		if c, stop, ok := p.env.Warm.take(key); ok {
			cache := c.(kube.Cache[R])
			p.feed = AdoptFeed(p.env, cache, stop)
			snap := cache.Snapshot()
			if p.spec.Less != nil {
				slices.SortStableFunc(snap.Rows, p.spec.Less) // the snapshot's own copy
			}
			shown = p.Show(snap)
			p.returned = time.Now()
			benchtrace.Event("warm_return", p.spec.Noun)
		}
	}
	if p.feed == nil {
		p.feed = StartFeed(p.env, p.newCache())
		benchtrace.Event("store_start", p.spec.Noun) // a LIST or WatchList follows
	}
	p.feed.less = p.spec.Less
	if p.extra != nil {
		return tea.Batch(shown, p.feed.Next(), p.extra.Init(), p.prefetchAccess())
	}
	return tea.Batch(shown, p.feed.Next(), p.prefetchAccess())
}

// warmKey names the page's list for Warm; ok is false for a spec that is not kept warm.
func (p *ListPage[R]) warmKey() (warmKey, bool) {
	if p.spec.Warm == "" || p.env.Warm == nil {
		return warmKey{}, false
	}
	return warmKey{client: p.env.Client, source: p.spec.Warm, ns: p.ns, selector: p.selector, fieldSelect: p.fields}, true
}

// newCache builds the page's store (or joined stores), not yet running: one for each of
// its namespaces when it lists several, merged in namespace order.
func (p *ListPage[R]) newCache() kube.Cache[R] {
	if p.build != nil {
		return p.build(p.ns, p.selector)
	}
	namespaces := kube.Namespaces(p.ns)
	if len(namespaces) < 2 {
		return p.cacheIn(p.ns)
	}
	parts := make([]kube.Cache[R], len(namespaces))
	for i, ns := range namespaces {
		parts[i] = p.cacheIn(ns)
	}
	return kube.NewMerged(parts...)
}

// cacheIn builds the page's store (or joined stores) for one namespace ("" for all).
func (p *ListPage[R]) cacheIn(ns string) kube.Cache[R] {
	var cache kube.Cache[R]
	if p.spec.Cache != nil {
		cache = p.spec.Cache(p.env, ns, p.selector)
	} else {
		src := p.spec.Source(p.env, ns)
		if p.selector != "" { // the page's selector narrows the source's own
			src.Selector = strings.TrimPrefix(src.Selector+","+p.selector, ",")
		}
		if p.fields != "" {
			src.List, src.Watch = kube.FieldSelected(p.fields, src.List, src.Watch)
		}
		cache = kube.NewStore(src)
	}
	return cache
}

// Update takes the feed's snapshots and the navigation keys.
func (p *ListPage[R]) Update(msg tea.Msg) (Page, tea.Cmd) {
	if snap, next, ok := p.feed.Accept(msg); ok {
		return p, tea.Batch(p.Show(snap), next)
	}
	if m, ok := msg.(filteredMsg[R]); ok {
		p.applyFilter(m)
		return p, nil
	}
	if p.extra != nil {
		if next, ok := p.extra.Accept(msg); ok {
			return p, tea.Batch(next, p.resortOnExtra())
		}
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if p.filter.input != nil {
			return p, p.filterKey(k)
		}
		if key.Matches(k, filterKey) {
			return p, p.openFilter()
		}
		if c := p.sortKey(k); c >= 0 {
			return p, p.sortBy(c)
		}
		if p.table.Navigate(k) {
			return p, nil
		}
		for _, a := range p.spec.ListActions {
			if key.Matches(k, a.Key) {
				return p, p.env.Guard(a.Key.Help().Desc, p.listAccess(a), false,
					func() tea.Cmd { return a.Run(p.env, p.runsIn()) })
			}
		}
		row, ok := p.table.Selected()
		if !ok {
			return p, nil
		}
		if key.Matches(k, markKey) {
			p.toggleMark(row)
			return p, nil
		}
		env := p.envOf(row)
		if key.Matches(k, enterKey) && p.spec.Enter != nil {
			return p, Push(p.spec.Enter(env, row))
		}
		for _, a := range p.spec.Actions {
			if !key.Matches(k, a.Key) {
				continue
			}
			if rows := p.markedRows(); a.Marked != nil && len(rows) > 0 {
				return p, p.actOnMarked(a, rows)
			}
			return p, env.Guard(a.Key.Help().Desc, a.access(row), a.Reveals,
				func() tea.Cmd { return a.Run(env, row) })
		}
	}
	return p, nil
}

// envOf is the Env row belongs to (see ListSpec.EnvOf).
func (p *ListPage[R]) envOf(row R) *Env {
	if p.spec.EnvOf == nil {
		return p.env
	}
	return p.spec.EnvOf(row)
}

// actOnMarked runs a on every marked row at once, through the guard of their cluster; marks
// in several clusters are refused: one dialog confirms changes to one cluster.
func (p *ListPage[R]) actOnMarked(a Action[R], rows []R) tea.Cmd {
	env := p.envOf(rows[0])
	for _, r := range rows[1:] {
		if other := p.envOf(r); other != env {
			return Notify(LevelError, fmt.Sprintf("the marked rows are in more than one cluster (%s, %s): "+
				"mark rows of one cluster to %s them together", env.Client.Info.Context, other.Client.Info.Context, a.Key.Help().Desc))
		}
	}
	return env.Guard(fmt.Sprintf("%s (%d marked)", a.Key.Help().Desc, len(rows)), a.accessAll(rows), a.Reveals,
		func() tea.Cmd { return a.Marked(env, rows) })
}

// toggleMark marks row, or unmarks it, and moves the cursor down, so space marks rows in a run.
func (p *ListPage[R]) toggleMark(row R) {
	k := row.RowKey()
	if _, ok := p.marks[k]; ok {
		delete(p.marks, k)
	} else {
		if p.marks == nil {
			p.marks = map[kube.Key]struct{}{}
		}
		p.marks[k] = struct{}{}
	}
	p.table.Move(1)
	p.showMarks()
}

// showMarks draws the marks' gutter while there are marks.
func (p *ListPage[R]) showMarks() {
	p.table.Marked = nil
	if len(p.marks) > 0 {
		p.table.Marked = func(r R) bool { _, ok := p.marks[r.RowKey()]; return ok }
	}
}

// markedRows are the marked rows the list still holds, in its order; marks of rows gone
// from the list are dropped.
func (p *ListPage[R]) markedRows() []R {
	if len(p.marks) == 0 {
		return nil
	}
	var rows []R
	seen := map[kube.Key]struct{}{}
	for _, r := range p.snap.Rows {
		if _, ok := p.marks[r.RowKey()]; ok {
			rows = append(rows, r)
			seen[r.RowKey()] = struct{}{}
		}
	}
	p.marks = seen
	p.showMarks()
	return rows
}

// Show displays snap, keeping the selection on the same object; with a filter set, the
// snapshot is filtered off the UI goroutine first.
func (p *ListPage[R]) Show(snap kube.Snapshot[R]) tea.Cmd {
	p.snap = snap
	p.filter.retire() // the sort and keys belonged to the previous snapshot
	if p.spec.Recolumn != nil {
		if cols := p.spec.Recolumn(p.env, p.ns == "", snap.Rows); cols != nil {
			p.table.Columns = cols
		}
	}
	if p.filter.query == "" && p.filter.sortCol < 0 {
		p.setRows(snap.Rows)
		return nil
	}
	return p.runFilter(false)
}

// resortOnExtra sorts the rows again when the extra source changed and the rows are
// sorted by a column that reads it (CPU, MEM): the order is otherwise that of the
// previous metrics poll until the next change of rows.
func (p *ListPage[R]) resortOnExtra() tea.Cmd {
	if c := p.filter.sortCol; c < 0 || c >= len(p.table.Columns) || p.table.Columns[c].Sorter == nil {
		return nil
	}
	p.filter.retire()
	return p.runFilter(false)
}

func (p *ListPage[R]) setRows(rows []R) {
	p.table.SetRows(rows, func(a, b R) bool { return a.RowKey() == b.RowKey() })
	if p.focus != (kube.Key{}) && !p.table.moved && p.table.SelectWhere(func(r R) bool { return r.RowKey() == p.focus }) {
		p.focus = kube.Key{}
	}
}

// Focus puts the cursor on the row of k as soon as it is listed (the owner a person jumped
// to), unless someone has moved the cursor first.
func (p *ListPage[R]) Focus(k kube.Key) { p.focus = k }

// View renders the table (and the filter prompt under it while typing); rows are dimmed
// while the watch is broken.
func (p *ListPage[R]) View(width, height int) string {
	if benchtrace.Enabled() && height > 1 {
		if p.table.Len() > 0 {
			benchtrace.FirstRows()
		}
		if p.snap.State.Phase == kube.PhaseLive {
			benchtrace.Loaded()
		}
		if !p.returned.IsZero() { // the first frame of a list taken over warm
			benchtrace.Event("return_ms", fmt.Sprintf("%.3f", float64(time.Since(p.returned))/float64(time.Millisecond)))
			p.returned = time.Time{}
		}
	}
	stale := p.snap.State.Phase == kube.PhaseBroken
	tableH := height
	if p.filter.input != nil && height >= 2 {
		tableH--
	}
	out := p.table.View(p.env.Styles, width, tableH, stale)
	if p.table.Len() == 0 && tableH >= 3 {
		out = p.withEmptyNote(out, width)
	}
	if tableH < height {
		out += "\n" + p.filter.input.View(p.env.Styles, width)
	}
	return out
}

// withEmptyNote writes why the table is empty on its second line: still loading, an
// error, nothing matching the filter, or nothing there.
func (p *ListPage[R]) withEmptyNote(table string, width int) string {
	st := p.env.Styles
	where := "namespace " + p.ns
	switch {
	case p.ns == "":
		where = "any namespace"
	case ShowsNamespaces(p.ns):
		where = "namespaces " + strings.ReplaceAll(p.ns, ",", ", ")
	}
	note := st.Muted.Render(fmt.Sprintf("no %s in %s", p.spec.Noun, where))
	switch {
	case p.snap.State.Phase == kube.PhaseLoading:
		note = st.Muted.Render("loading…")
	case p.snap.State.Err != nil && p.snap.State.Phase == kube.PhaseBroken:
		note = st.Bad.Render(p.snap.State.Err.Error())
	case p.snap.State.Partial != nil && p.filter.query == "":
		note = st.Warn.Render(fmt.Sprintf("no %s in %s: %v", p.spec.Noun, where, p.snap.State.Partial))
	case p.filter.query != "":
		note = st.Muted.Render(fmt.Sprintf("no %s match /%s (esc clears the filter)", p.spec.Noun, p.filter.query))
	}
	lines := strings.SplitN(table, "\n", 3)
	lines[1] = fit(" "+note, width)
	return strings.Join(lines, "\n")
}

// Title is "NOUN(NAMESPACE)[COUNT]" followed by the label or field selector if any, marked STALE
// while the watch is broken.
func (p *ListPage[R]) Title() string {
	ns := p.ns
	if ns == "" {
		ns = "all"
	}
	title := fmt.Sprintf("%s(%s)[%s]", p.spec.Noun, ns, Count(p.table.Len()))
	if p.filter.query != "" {
		title = fmt.Sprintf("%s(%s)[%s of %s] /%s", p.spec.Noun, ns, Count(p.table.Len()), Count(len(p.snap.Rows)), p.filter.query)
	}
	for _, sel := range []string{p.selector, p.fields} {
		if sel != "" {
			title += " " + sel
		}
	}
	if len(p.marks) > 0 {
		title += fmt.Sprintf(" ●%d marked", len(p.marks))
	}
	return StaleTitle(title, p.snap.State)
}

// Freshness reports the watch's state, with the extra source's note when it has one.
func (p *ListPage[R]) Freshness() Freshness {
	return WithNote(FreshnessOf(p.snap.State, len(p.snap.Rows), p.spec.Noun, p.env.Now()), p.extra)
}

// Bindings lists the page's keys.
func (p *ListPage[R]) Bindings() []key.Binding {
	b := append(TableBindings(), filterKey, markKey)
	if p.spec.Enter != nil {
		b = append(b, enterKey)
	}
	for _, a := range p.spec.Actions {
		b = append(b, p.env.Disabled(a.Key, p.hintAccess(a), a.Reveals))
	}
	for _, a := range p.spec.ListActions {
		b = append(b, p.env.Disabled(a.Key, p.listAccess(a), false))
	}
	for _, c := range p.table.Columns {
		if s, ok := SortKeys[c.SortKey]; ok {
			s.SetHelp(s.Help().Key, "sort by "+c.Name+" (again: reverse)")
			b = append(b, s)
		}
	}
	return b
}

// nsAccess is what a needs in the page's namespaces (cluster-wide on an all-namespaces
// page), or nil when a changes nothing.
func (p *ListPage[R]) nsAccess(a Action[R]) []kube.Access {
	if a.Mutates == nil {
		return nil
	}
	namespaces := kube.Namespaces(p.ns)
	if len(namespaces) < 2 {
		return a.Mutates(p.ns)
	}
	var out []kube.Access
	for _, ns := range namespaces {
		out = append(out, a.Mutates(ns)...)
	}
	return out
}

// hintAccess is what help's hint for a is decided on: its requests for the selected row
// when they depend on the row, else in the page's namespace.
func (p *ListPage[R]) hintAccess(a Action[R]) []kube.Access {
	if a.MutatesRow == nil {
		return p.nsAccess(a)
	}
	if row, ok := p.table.Selected(); ok {
		return a.MutatesRow(row)
	}
	return nil
}

// actsIn is the namespace a list action acts in: the page's (the first of several), or on
// an all-namespaces page the kubeconfig's ("default" when it names none).
func (p *ListPage[R]) actsIn() string {
	switch {
	case p.ns != "":
		return kube.Namespaces(p.ns)[0]
	case p.env.Client.Info.Namespace != "":
		return p.env.Client.Info.Namespace
	}
	return "default"
}

// runsIn is the namespace scope a list action is given: the page's, or the first of
// several (where actsIn says it acts).
func (p *ListPage[R]) runsIn() string {
	if ShowsNamespaces(p.ns) && p.ns != "" {
		return p.actsIn()
	}
	return p.ns
}

// listAccess is what a needs in the namespace it acts in, or nil when it changes nothing
// (or guards its requests itself).
func (p *ListPage[R]) listAccess(a ListAction) []kube.Access {
	if a.Mutates == nil {
		return nil
	}
	return a.Mutates(p.actsIn())
}

// prefetchAccess asks RBAC about the page's mutating actions in the background.
func (p *ListPage[R]) prefetchAccess() tea.Cmd {
	var accs []kube.Access
	for _, a := range p.spec.Actions {
		accs = append(accs, p.nsAccess(a)...)
	}
	for _, a := range p.spec.ListActions {
		accs = append(accs, p.listAccess(a)...)
	}
	return p.env.Prefetch(accs)
}

// Close stops the watch and the extra source.
func (p *ListPage[R]) Close() {
	key, warm := p.warmKey()
	switch {
	case p.feed == nil:
	case warm && p.snap.State.Phase == kube.PhaseLive:
		cache, stop := p.feed.Detach()
		p.env.Warm.put(key, cache, stop, len(p.snap.Rows))
	default:
		p.feed.Stop()
	}
	if p.extra != nil {
		p.extra.Close()
	}
}

// SetSelector narrows the list to the objects selector matches (`:pods -l app=web`);
// call it before Init.
func (p *ListPage[R]) SetSelector(selector string) { p.selector = selector }

// Selection is the selected row, for plugins.
func (p *ListPage[R]) Selection() (Selection, bool) {
	row, ok := p.table.Selected()
	if !ok {
		return Selection{}, false
	}
	k := row.RowKey()
	return Selection{View: p.spec.Noun, Namespace: k.Namespace, Name: k.Name, Env: p.envOf(row)}, true
}
