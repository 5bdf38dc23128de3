package ui

import (
	"slices"

	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui/benchtrace"
)

// filterKey opens the fuzzy filter of a list.
var filterKey = NewKey("lists", "filter (fuzzy); /-l app=web: label selector; esc clears", "/")

// filterState is a list's `/` filter: the query, the prompt while typing, and the
// bookkeeping that lets results computed off the UI goroutine find their way back.
type filterState[R kube.Row] struct {
	input   *Prompt  // open while typing
	query   string   // the query the rows are filtered by
	gen     uint64   // bumped per query or snapshot; older results are dropped
	keys    []string // lowercase filter texts of sorted, once computed
	sorted  []R      // the current snapshot in sort order, once computed (nil: not yet)
	sortCol int      // index into the table's columns, -1 for the store's order
	desc    bool
	pool    []int  // every index of keys (of prevKeys until keys are computed) that matched poolFor
	poolFor string // the query pool belongs to
	started time.Time
	// preparing asks runFilter for the search keys even with an empty query.
	preparing bool
	// prevRows and prevKeys are the last search keys computed, for an earlier snapshot or
	// sort order, kept while the filter is in use: new keys reuse them for the rows they
	// share, and pool, until keys are computed again, says which of them matched.
	prevRows []R
	prevKeys []string
	// typed holds the results of the queries typed over keys, each a prefix of the next
	// (lowercase): a backspace shows one again instead of searching every row.
	typed []typedResult[R]
}

// typedResult is what one query matched: the rows shown and the pool.
type typedResult[R kube.Row] struct {
	query string
	rows  []R
	pool  []int
}

// remember keeps the result of query q (lowercase) over the current keys, dropping those
// of queries that are not a prefix of q.
func (f *filterState[R]) remember(q string, rows []R, pool []int) {
	keep := f.typed[:0]
	for _, t := range f.typed {
		if t.query != q && strings.HasPrefix(q, t.query) {
			keep = append(keep, t)
		}
	}
	f.typed = append(keep, typedResult[R]{q, rows, pool})
}

// retire marks the sort and the search keys as belonging to an older snapshot or sort
// order, keeping the keys for reuse while the filter is open or applied. Results still
// being computed for them are dropped when they arrive.
func (f *filterState[R]) retire() {
	f.gen++
	switch {
	case f.input == nil && f.query == "":
		f.prevRows, f.prevKeys = nil, nil
	case f.keys != nil:
		f.prevRows, f.prevKeys = f.sorted, f.keys
	}
	f.sorted, f.keys, f.typed = nil, nil, nil
}

// filteredMsg carries one filter result back to its page.
type filteredMsg[R kube.Row] struct {
	page   *ListPage[R]
	gen    uint64
	rows   []R
	sorted []R
	keys   []string
	pool   []int
	query  string
}

func (p *ListPage[R]) openFilter() tea.Cmd {
	p.filter.input = NewPrompt(p.env.Styles, "/", nil)
	p.filter.input.input.SetValue(p.filter.query)
	p.filter.input.input.CursorEnd()
	if p.filter.keys == nil {
		return p.prepareFilter() // build the search keys while the user starts typing
	}
	return nil
}

// prepareFilter computes the current snapshot's search keys ahead of the first keystroke.
func (p *ListPage[R]) prepareFilter() tea.Cmd {
	p.filter.preparing = true
	defer func() { p.filter.preparing = false }()
	return p.runFilter(false)
}

// Capturing is true while the filter prompt is open: keys go to it.
func (p *ListPage[R]) Capturing() bool { return p.filter.input != nil }

// Escape clears an applied filter, else the marks; it reports false when there is neither,
// so esc goes back.
func (p *ListPage[R]) Escape() bool {
	switch {
	case p.filter.query != "":
		p.clearFilter()
	case len(p.marks) > 0:
		p.marks = nil
		p.showMarks()
	default:
		return false
	}
	return true
}

func (p *ListPage[R]) clearFilter() {
	p.filter.input = nil
	p.filter.query, p.filter.pool, p.filter.poolFor = "", nil, ""
	p.filter.gen++
	if p.filter.sortCol < 0 {
		p.setRows(p.snap.Rows)
	} else if p.filter.sorted != nil {
		p.setRows(p.filter.sorted)
	}
}

func (p *ListPage[R]) filterKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		p.clearFilter()
		return nil
	case "enter":
		if sel, ok := strings.CutPrefix(p.filter.input.Value(), "-l"); ok {
			return p.openSelector(strings.TrimSpace(sel))
		}
		p.filter.input = nil
		return nil
	}
	cmd := p.filter.input.Update(k)
	q := p.filter.input.Value()
	if q == p.filter.query || q == "-" || strings.HasPrefix(q, "-l") {
		return cmd // a label selector is applied on enter, by the server
	}
	p.filter.query = q
	if q == "" {
		p.clearFilter()
		p.filter.input = NewPrompt(p.env.Styles, "/", nil)
		return cmd
	}
	if p.showTyped(q) {
		return cmd
	}
	return tea.Batch(cmd, p.runFilter(true))
}

// showTyped shows the remembered result of q, typed before over the same keys (the user
// erased back to it), and reports whether there was one.
func (p *ListPage[R]) showTyped(q string) bool {
	start := time.Now()
	lq := strings.ToLower(q)
	for _, t := range p.filter.typed {
		if t.query == lq {
			p.filter.gen++ // a search still running for another query is stale now
			p.filter.pool, p.filter.poolFor, p.filter.started = t.pool, lq, time.Time{}
			p.setRows(t.rows)
			benchtrace.Filter(time.Since(start))
			return true
		}
	}
	return false
}

// openSelector opens the same list narrowed by a label selector, on top of this one (esc
// comes back). A selector that does not parse is an inline error and changes nothing.
func (p *ListPage[R]) openSelector(sel string) tea.Cmd {
	parsed, err := labels.Parse(sel)
	if err != nil || sel == "" {
		p.filter.input.Err = "bad label selector: try -l app=web,tier!=db"
		if err != nil {
			p.filter.input.Err = "bad label selector: " + err.Error()
		}
		return nil
	}
	p.filter.input = nil
	p.filter.query = ""
	return Push(NewListPageSelector(p.env, p.spec, p.ns, parsed.String()))
}

// runFilter sorts the current snapshot (once per snapshot and sort order) and matches it
// against the query, in a command off the UI goroutine. typed marks a keystroke (timed for
// the bench); narrowing reuses the last pool when the query grew.
func (p *ListPage[R]) runFilter(typed bool) tea.Cmd {
	p.filter.gen++
	if typed {
		p.filter.started = time.Now()
	}
	gen, query, rows, keys, sorted := p.filter.gen, p.filter.query, p.snap.Rows, p.filter.keys, p.filter.sorted
	prepare, prevRows, prevKeys := p.filter.preparing, p.filter.prevRows, p.filter.prevKeys
	var less func(a, b R) int
	if c := p.filter.sortCol; c >= 0 && c < len(p.table.Columns) {
		less = p.table.Columns[c].compare(p.filter.desc)
	}
	feedLess := p.spec.Less
	order := func(a, b R) int { // the total order of sorted: the column, then the feed's order
		if less != nil {
			if c := less(a, b); c != 0 {
				return c
			}
		}
		if feedLess != nil {
			if c := feedLess(a, b); c != 0 {
				return c
			}
		}
		return a.RowKey().Compare(b.RowKey())
	}
	// pool is over keys, or while they are not computed yet over prevKeys: either way the
	// rows it left out cannot match a query that only grew
	var within, prevPool []int
	if p.filter.poolFor != "" && strings.HasPrefix(strings.ToLower(query), p.filter.poolFor) {
		if keys != nil {
			within = p.filter.pool
		} else {
			prevPool = p.filter.pool
		}
	}
	text := p.spec.FilterText
	if text == nil {
		text = func(r R) string { k := r.RowKey(); return k.Namespace + "/" + k.Name }
	}
	return func() tea.Msg {
		if sorted == nil {
			sorted = rows
			if less != nil {
				sorted = slices.Clone(rows)
				slices.SortStableFunc(sorted, less)
			}
		}
		if query == "" && !prepare {
			return filteredMsg[R]{page: p, gen: gen, rows: sorted, sorted: sorted}
		}
		if keys == nil {
			keys, within = filterKeys(sorted, text, prevRows, prevKeys, prevPool, order)
		}
		if query == "" {
			return filteredMsg[R]{page: p, gen: gen, rows: sorted, sorted: sorted, keys: keys}
		}
		shown, pool := Match(keys, query, within)
		out := make([]R, len(shown))
		for i, idx := range shown {
			out[i] = sorted[idx]
		}
		return filteredMsg[R]{page: p, gen: gen, rows: out, sorted: sorted, keys: keys, pool: pool, query: query}
	}
}

// applyFilter shows a filter result unless a newer query or snapshot superseded it.
func (p *ListPage[R]) applyFilter(m filteredMsg[R]) {
	if m.page != p || m.gen != p.filter.gen {
		return
	}
	p.filter.sorted = m.sorted
	if m.keys != nil {
		p.filter.keys, p.filter.pool, p.filter.poolFor = m.keys, m.pool, strings.ToLower(m.query)
		if m.query != "" {
			p.filter.remember(p.filter.poolFor, m.rows, m.pool)
		}
	}
	p.setRows(m.rows)
	if !p.filter.started.IsZero() {
		benchtrace.Filter(time.Since(p.filter.started)) // keystroke to its rows applied
		p.filter.started = time.Time{}
	}
}

// sortBy sorts by column c, or reverses the order when it already sorts by c.
func (p *ListPage[R]) sortBy(c int) tea.Cmd {
	if p.filter.sortCol == c {
		p.filter.desc = !p.filter.desc
	} else {
		p.filter.sortCol, p.filter.desc = c, p.table.Columns[c].DescFirst
	}
	p.table.SortBy, p.table.SortDesc = p.table.Columns[c].Name, p.filter.desc
	p.filter.retire()
	p.filter.pool, p.filter.poolFor = nil, ""
	return p.runFilter(false)
}

// SortKeys are the keys that sort lists, each with the same meaning in every list: a
// column's SortKey is one of them.
var SortKeys = map[string]key.Binding{
	"N": NewKey("sorting lists", "sort by name (again: reverse)", "N"),
	"A": NewKey("sorting lists", "sort by age", "A"),
	"S": NewKey("sorting lists", "sort by status", "S"),
	"R": NewKey("sorting lists", "sort by restarts", "R"),
	"C": NewKey("sorting lists", "sort by CPU", "C"),
	"M": NewKey("sorting lists", "sort by memory", "M"),
	"P": NewKey("sorting lists", "sort by pods", "P"),
	"U": NewKey("sorting lists", "sort by last update", "U"),
}

// sortKey returns the column whose sort key k is, or -1.
func (p *ListPage[R]) sortKey(k tea.KeyPressMsg) int {
	for i, c := range p.table.Columns {
		if c.SortKey != "" && k.String() == c.SortKey {
			return i
		}
	}
	return -1
}
