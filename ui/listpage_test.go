package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/ui/uitest"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

type item struct{ ns, name string }

func (i *item) RowKey() kube.Key { return kube.Key{Namespace: i.ns, Name: i.name} }

func testPage(names ...string) *ListPage[*item] {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now}
	spec := ListSpec[*item]{
		Noun: "items",
		Columns: func(*Env, bool) []Column[*item] {
			return []Column[*item]{{Name: "NAME", Flex: true, Value: func(i *item) string { return i.name }}}
		},
	}
	p := NewListPage(env, spec, "ns")
	rows := make([]*item, len(names))
	for i, n := range names {
		rows[i] = &item{"ns", n}
	}
	p.Show(kube.Snapshot[*item]{Rows: rows, State: kube.State{Phase: kube.PhaseLive}})
	return p
}

// run executes cmd (and any batch) synchronously and feeds the resulting messages back.
func run(p Page, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			run(p, c)
		}
	case nil:
	default:
		if _, ok := msg.(filteredMsg[*item]); ok {
			_, next := p.Update(msg)
			run(p, next)
		}
	}
}

func typeKeys(p *ListPage[*item], keys ...string) {
	for _, k := range keys {
		_, cmd := p.Update(uitest.Key(k))
		run(p, cmd)
	}
}

// keyMsg is the key press named k: "esc", "enter", "backspace", "pgup", "pgdown", or a
// character.
func TestListFilter(t *testing.T) {
	p := testPage("web-1", "web-canary", "ledger", "worker")
	typeKeys(p, "/", "c", "a", "n")
	if !p.Capturing() || p.table.Len() != 1 {
		t.Fatalf("typing /can: capturing %v, %d rows; want the filter open on 1 row", p.Capturing(), p.table.Len())
	}
	if got := p.Title(); got != "items(ns)[1 of 4] /can" {
		t.Errorf("title %q", got)
	}
	screen := ansi.Strip(p.View(40, 6))
	if !strings.Contains(screen, "web-canary") || strings.Contains(screen, "ledger") || !strings.Contains(screen, "/can") {
		t.Errorf("filtered screen:\n%s", screen)
	}
	typeKeys(p, "backspace", "backspace", "backspace")
	if p.table.Len() != 4 {
		t.Errorf("after erasing the query: %d rows, want 4", p.table.Len())
	}
	typeKeys(p, "l", "d", "enter")
	if p.Capturing() || p.table.Len() != 1 {
		t.Fatalf("after enter: capturing %v, %d rows; want closed prompt, filter kept", p.Capturing(), p.table.Len())
	}
	// A new snapshot is filtered too: rows never flash unfiltered.
	run(p, p.Show(kube.Snapshot[*item]{Rows: []*item{{"ns", "ledger"}, {"ns", "ledger-2"}, {"ns", "web-1"}}}))
	if p.table.Len() != 2 {
		t.Errorf("new snapshot under filter ld: %d rows, want 2", p.table.Len())
	}
	if !p.Escape() || p.table.Len() != 3 {
		t.Errorf("esc must clear the filter and show all 3 rows, got %d", p.table.Len())
	}
	if p.Escape() {
		t.Errorf("a second esc has nothing to clear and must go back")
	}
}

// A result computed for an older query is dropped, never painted.
func TestListFilterDropsStaleResults(t *testing.T) {
	p := testPage("alpha", "beta", "gamma")
	typeKeys(p, "/")
	_, first := p.Update(uitest.Key("a"))
	_, second := p.Update(uitest.Key("l"))
	run(p, second)
	run(p, first) // arrives late
	if p.table.Len() != 1 {
		t.Errorf("stale result for %q replaced the newer one: %d rows", "a", p.table.Len())
	}
}

// A sort key sorts (off the UI goroutine), pressing it again reverses, and the filter
// keeps the sort order.
func TestListSort(t *testing.T) {
	p := testPage("bravo", "alpha", "charlie", "alpine")
	p.table.Columns[0].SortKey = "N"
	typeKeys(p, "N")
	if got := names(p); !slices.Equal(got, []string{"alpha", "alpine", "bravo", "charlie"}) {
		t.Fatalf("sorted by name: %v", got)
	}
	if !strings.Contains(ansi.Strip(p.View(40, 6)), "NAME↑") {
		t.Errorf("header does not mark the sort column:\n%s", ansi.Strip(p.View(40, 6)))
	}
	typeKeys(p, "N")
	if got := names(p); !slices.Equal(got, []string{"charlie", "bravo", "alpine", "alpha"}) {
		t.Fatalf("reversed: %v", got)
	}
	typeKeys(p, "/", "a", "l", "p")
	if got := names(p); !slices.Equal(got, []string{"alpine", "alpha"}) {
		t.Fatalf("filtered /alp under a reverse sort: %v", got)
	}
	typeKeys(p, "esc")
	if got := names(p); len(got) != 4 || got[0] != "charlie" {
		t.Fatalf("clearing the filter must keep the sort: %v", got)
	}
}

func names(p *ListPage[*item]) []string {
	var out []string
	for i := range p.table.Len() {
		p.table.cursor = i
		r, _ := p.table.Selected()
		out = append(out, r.name)
	}
	p.table.cursor = 0
	return out
}

// churned returns a copy of rows with every step-th row replaced by a new pointer (an
// update), as a store's next snapshot under churn.
func churned(rows []*item, step int) []*item {
	next := slices.Clone(rows)
	for i := 0; i < len(next); i += step {
		r := *next[i]
		next[i] = &r
	}
	return next
}

// BenchmarkFilteredSnapshot50k measures a new snapshot (16 rows changed) reaching a page
// whose filter is set, from Show to the filtered rows applied: what churn costs ten times
// a second while a filter is active.
func BenchmarkFilteredSnapshot50k(b *testing.B) {
	names := make([]string, 50000)
	for i := range names {
		names[i] = fmt.Sprintf("service-%d-7c9d5b8f6-%05x", i%700, i)
	}
	p := testPage(names...)
	typeKeys(p, "/", "s", "e", "r", "v", "i", "c", "e", "-", "4", "2", "enter")
	rows := p.snap.Rows
	for b.Loop() {
		rows = churned(rows, len(rows)/16)
		run(p, p.Show(kube.Snapshot[*item]{Rows: rows, State: kube.State{Phase: kube.PhaseLive}}))
	}
	if p.table.Len() == 0 || p.table.Len() == len(rows) {
		b.Fatalf("filter service-42 shows %d of %d rows", p.table.Len(), len(rows))
	}
}

// While a filter is set, a new snapshot lowercases only the rows that changed.
func TestListFilterKeysOnlyNewRows(t *testing.T) {
	p := testPage("ledger", "web-1", "web-2", "worker") // a store's order
	calls := 0
	p.spec.FilterText = func(i *item) string { calls++; return i.name }
	typeKeys(p, "/", "w", "e")
	if calls != 4 || p.table.Len() != 3 {
		t.Fatalf("typing /we: %d rows lowercased, %d shown; want 4 and 3", calls, p.table.Len())
	}
	calls = 0
	rows := slices.Clone(p.snap.Rows)
	rows[1] = &item{"ns", "web-2"}                           // updated
	rows = slices.Insert(rows, 3, &item{"ns", "web-canary"}) // added
	run(p, p.Show(kube.Snapshot[*item]{Rows: rows, State: kube.State{Phase: kube.PhaseLive}}))
	if calls != 2 || p.table.Len() != 4 {
		t.Errorf("new snapshot: %d rows lowercased, %d shown; want 2 and 4", calls, p.table.Len())
	}
}

// Erasing back to a query typed before shows its rows at once, without a search.
func TestListFilterBackspaceShowsEarlierResult(t *testing.T) {
	p := testPage("ledger", "web-1", "web-2", "worker")
	typeKeys(p, "/", "w", "e", "b", "-", "1")
	if p.table.Len() != 1 {
		t.Fatalf("/web-1 shows %d rows, want 1", p.table.Len())
	}
	p.Update(uitest.Key("backspace")) // its command is not run: the rows must already be there
	if got := names(p); !slices.Equal(got, []string{"web-1", "web-2"}) {
		t.Errorf("erased to /web-: %v, want web-1 web-2", got)
	}
	typeKeys(p, "backspace", "backspace")
	if got := names(p); !slices.Equal(got, []string{"web-1", "web-2", "worker"}) {
		t.Errorf("erased to /we: %v, want web-1 web-2 worker", got)
	}
}

// A result computed for an older snapshot never replaces a newer snapshot's rows.
func TestListFilterDropsResultsOfOlderSnapshot(t *testing.T) {
	p := testPage("alpha", "beta")
	_, prepare := p.Update(uitest.Key("/")) // computes the keys of alpha, beta
	p.Show(kube.Snapshot[*item]{Rows: []*item{{"ns", "alpha"}, {"ns", "beta"}, {"ns", "gamma"}}})
	run(p, prepare)
	if p.table.Len() != 3 {
		t.Errorf("the older snapshot's rows came back: %d rows, want 3", p.table.Len())
	}
}

// BenchmarkFilterTyping50k types a query into the filter of 50,000 rows a key at a time and
// erases it, as hack/bench does: keystroke to rows shown, every search included.
func BenchmarkFilterTyping50k(b *testing.B) {
	names := make([]string, 50000)
	for i := range names {
		names[i] = fmt.Sprintf("service-%d-7c9d5b8f6-%05x", i%700, i)
	}
	p := testPage(names...)
	typeKeys(p, "/", "x", "backspace") // the keys are built
	keys := strings.Split("service-42", "")
	for range keys {
		keys = append(keys, "backspace")
	}
	for b.Loop() {
		typeKeys(p, keys...)
	}
}

// A list sorted by a column whose values live outside the rows (CPU from the metrics
// poller) is sorted again when that source changes, though no row did.
func TestListResortsWhenExtraChanges(t *testing.T) {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now}
	src := &fakeSource{changed: make(chan struct{}, 1), value: 1}
	var live *Live[int]
	spec := ListSpec[*item]{Noun: "items",
		WithExtra: func(env *Env, _ string) (Extra, []Column[*item]) {
			live = NewLive(env, src.value, func() LiveSource[int] { return src })
			return live, []Column[*item]{{Name: "NAME", Flex: true, SortKey: "S", Value: func(i *item) string { return i.name },
				Sorter: func() func(*item) int64 {
					sign := live.Value // the source's value when the sort starts
					return func(i *item) int64 { return int64(sign * len(i.name)) }
				}}}
		}}
	p := NewListPage(env, spec, "ns")
	p.Show(kube.Snapshot[*item]{Rows: []*item{{"ns", "a"}, {"ns", "bbb"}, {"ns", "cc"}}, State: kube.State{Phase: kube.PhaseLive}})
	typeKeys(p, "S")
	if got := names(p); !slices.Equal(got, []string{"a", "cc", "bbb"}) {
		t.Fatalf("sorted: %v", got)
	}
	next := live.Init()
	src.value = -1
	src.changed <- struct{}{}
	_, cmd := p.Update(next())
	live.Close() // its command waiting for the next change then ends
	run(p, cmd)
	if got := names(p); !slices.Equal(got, []string{"bbb", "cc", "a"}) {
		t.Fatalf("after the source changed: %v, want it sorted by the new values", got)
	}
}

// space marks rows (the cursor moves down); marks survive a filter that hides them; an
// action with a Marked handler gets every marked row, in list order, even the hidden ones;
// esc clears the filter first, then the marks.
func TestMarks(t *testing.T) {
	p := testPage("alpha", "beta", "gamma", "delta")
	var got []string
	p.spec.Actions = []Action[*item]{{Key: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "act")),
		Run: func(*Env, *item) tea.Cmd { got = []string{"one row"}; return nil },
		Marked: func(_ *Env, rows []*item) tea.Cmd {
			for _, r := range rows {
				got = append(got, r.name)
			}
			return nil
		}}}
	typeKeys(p, "space", "j", "space") // alpha, then gamma
	if !strings.HasSuffix(p.Title(), "●2 marked") {
		t.Fatalf("title %q", p.Title())
	}
	if v := ansi.Strip(p.View(40, 6)); !strings.Contains(v, "● alpha") || !strings.Contains(v, "  beta") || !strings.Contains(v, "● gamma") {
		t.Fatalf("marks not drawn:\n%s", v)
	}
	typeKeys(p, "/", "d", "e", "l", "enter") // only delta shown
	typeKeys(p, "x")
	if strings.Join(got, ",") != "alpha,gamma" {
		t.Fatalf("the action got %v, want the two marked rows", got)
	}
	if !p.Escape() || !strings.HasSuffix(p.Title(), "●2 marked") {
		t.Fatalf("esc should clear the filter first: %q", p.Title())
	}
	if !p.Escape() || strings.Contains(p.Title(), "marked") || p.Escape() {
		t.Fatalf("esc should clear the marks, then nothing: %q", p.Title())
	}
	got = nil
	typeKeys(p, "x")
	if strings.Join(got, ",") != "one row" {
		t.Fatalf("with no marks the action got %v", got)
	}
}

// An action whose requests depend on the row is guarded, and hinted in help, with the
// selected row's requests: here only beta's change anything, so read-only refuses beta's.
func TestMutatesRow(t *testing.T) {
	p := testPage("alpha", "beta")
	p.env.Client.Policy.ReadOnly = true
	ran := 0
	act := key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "act"))
	p.spec.Actions = []Action[*item]{{Key: act,
		MutatesRow: func(r *item) []kube.Access {
			if r.name == "beta" {
				return []kube.Access{{Verb: "delete", GVR: kube.GVRConfigMaps, Namespace: r.ns}}
			}
			return nil
		},
		Run: func(*Env, *item) tea.Cmd { ran++; return nil }}}
	hint := func() string {
		for _, b := range p.Bindings() {
			if b.Help().Key == "x" {
				return b.Help().Desc
			}
		}
		return ""
	}
	typeKeys(p, "x")
	if ran != 1 || strings.Contains(hint(), "disabled") {
		t.Fatalf("alpha changes nothing: ran %d, hint %q", ran, hint())
	}
	_, cmd := p.Update(uitest.Key("j"))
	run(p, cmd)
	_, cmd = p.Update(uitest.Key("x"))
	if msg, ok := cmd().(NotifyMsg); !ok || !strings.Contains(msg.Text, "read-only") || ran != 1 {
		t.Fatalf("beta's action in read-only: %v, ran %d", msg, ran)
	}
	if !strings.Contains(hint(), "[disabled: refused, kdeck is read-only") {
		t.Fatalf("beta's hint %q", hint())
	}
}

// Rows shown while part of them cannot be read: the status line warns what is hidden,
// and an empty list says it rather than "no items".
func TestPartialState(t *testing.T) {
	hidden := errors.New("forbidden: cannot list configmaps in namespace ns: releases kept in configmaps are not shown")
	f := FreshnessOf(kube.State{Phase: kube.PhaseLive, Partial: hidden}, 2, "items", time.Now())
	if f.Level != LevelWarn || f.Text != "live · 2 items · "+hidden.Error() {
		t.Fatalf("freshness %+v", f)
	}
	p := testPage()
	p.Show(kube.Snapshot[*item]{State: kube.State{Phase: kube.PhaseLive, Partial: hidden}})
	if v := ansi.Strip(p.View(200, 6)); !strings.Contains(v, "no items in namespace ns: "+hidden.Error()) {
		t.Fatalf("empty list:\n%s", v)
	}
}
