package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
)

// filterKey opens the fuzzy filter of a list.
var filterKey = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter (fuzzy); esc clears"))

// filterState is a list's `/` filter: the query, the prompt while typing, and the
// bookkeeping that lets results computed off the UI goroutine find their way back.
type filterState[R kube.Row] struct {
	input   *Prompt  // open while typing
	query   string   // the query the rows are filtered by
	gen     uint64   // bumped per query or snapshot; older results are dropped
	keys    []string // lowercase filter texts of the current snapshot, once computed
	pool    []int    // every index that matched the last query, for narrowing
	poolFor string   // the query pool belongs to
	started time.Time
}

// filteredMsg carries one filter result back to its page.
type filteredMsg[R kube.Row] struct {
	page  *ListPage[R]
	gen   uint64
	rows  []R
	keys  []string
	pool  []int
	query string
}

func (p *ListPage[R]) openFilter() tea.Cmd {
	p.filter.input = NewPrompt(p.env.Styles, "/", nil)
	p.filter.input.input.SetValue(p.filter.query)
	p.filter.input.input.CursorEnd()
	return nil
}

// Capturing is true while the filter prompt is open: keys go to it.
func (p *ListPage[R]) Capturing() bool { return p.filter.input != nil }

// Escape clears an applied filter; it reports false when there is none, so esc goes back.
func (p *ListPage[R]) Escape() bool {
	if p.filter.query == "" {
		return false
	}
	p.clearFilter()
	return true
}

func (p *ListPage[R]) clearFilter() {
	p.filter.input = nil
	p.filter.query, p.filter.pool, p.filter.poolFor = "", nil, ""
	p.filter.gen++
	p.setRows(p.snap.Rows)
}

func (p *ListPage[R]) filterKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		p.clearFilter()
		return nil
	case "enter":
		p.filter.input = nil
		return nil
	}
	cmd := p.filter.input.Update(k)
	q := p.filter.input.Value()
	if q == p.filter.query {
		return cmd
	}
	p.filter.query = q
	if q == "" {
		p.clearFilter()
		p.filter.input = NewPrompt(p.env.Styles, "/", nil)
		return cmd
	}
	return tea.Batch(cmd, p.runFilter(true))
}

// runFilter matches the current snapshot against the query in a command. typed marks a
// keystroke (timed for the bench); narrowing reuses the last pool when the query grew.
func (p *ListPage[R]) runFilter(typed bool) tea.Cmd {
	p.filter.gen++
	if typed {
		p.filter.started = time.Now()
	}
	gen, query, rows, keys := p.filter.gen, p.filter.query, p.snap.Rows, p.filter.keys
	var within []int
	if keys != nil && p.filter.poolFor != "" && strings.HasPrefix(strings.ToLower(query), p.filter.poolFor) {
		within = p.filter.pool
	}
	text := p.spec.FilterText
	if text == nil {
		text = func(r R) string { k := r.RowKey(); return k.Namespace + "/" + k.Name }
	}
	return func() tea.Msg {
		if keys == nil {
			keys = FilterKeys(rows, text)
		}
		shown, pool := Match(keys, query, within)
		out := make([]R, len(shown))
		for i, idx := range shown {
			out[i] = rows[idx]
		}
		return filteredMsg[R]{page: p, gen: gen, rows: out, keys: keys, pool: pool, query: query}
	}
}

// applyFilter shows a filter result unless a newer query or snapshot superseded it.
func (p *ListPage[R]) applyFilter(m filteredMsg[R]) {
	if m.page != p || m.gen != p.filter.gen {
		return
	}
	p.filter.keys, p.filter.pool, p.filter.poolFor = m.keys, m.pool, strings.ToLower(m.query)
	p.setRows(m.rows)
}
