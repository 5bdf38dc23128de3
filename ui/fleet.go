package ui

import (
	"cmp"
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

// FleetRow is a row of one cluster in a list of several clusters' rows: the row, the Env of
// its cluster (whose client every action on the row uses) and whether that cluster's rows
// are stale while the others' are not.
type FleetRow[R kube.Row] struct {
	Env   *Env
	Row   R
	Stale bool
	at    int // the cluster's place in the fleet, for its columns
}

// RowKey is the row's own key with its cluster's context: the same namespace and name in
// two clusters are two rows.
func (f FleetRow[R]) RowKey() kube.Key {
	k := f.Row.RowKey()
	k.Cluster = f.Env.Client.Info.Context
	return k
}

// Context is the row's kubeconfig context.
func (f FleetRow[R]) Context() string { return f.Env.Client.Info.Context }

// NewFleetPage returns the list page of spec across every cluster of envs (one Env a
// context, in the order given): one row list with a CONTEXT column, each cluster's rows
// from its own watch, each row's keys acting on its own cluster through its own Env (the
// dialogs name it). A cluster that stops answering dims its rows alone. The spec's list
// actions, which act on one namespace of one cluster, are left out.
func NewFleetPage[R kube.Row](envs []*Env, spec ListSpec[R], ns string) *ListPage[FleetRow[R]] {
	extras := make(multiExtra, 0, len(envs))
	cols := make([][]Column[R], len(envs))
	for i, e := range envs {
		if spec.WithExtra != nil {
			var x Extra
			x, cols[i] = spec.WithExtra(e, ns)
			extras = append(extras, fleetExtra{Extra: x, context: e.Client.Info.Context})
		} else {
			cols[i] = spec.Columns(e, ShowsNamespaces(ns))
		}
	}
	lifted := ListSpec[FleetRow[R]]{
		Noun:    spec.Noun,
		Columns: func(*Env, bool) []Column[FleetRow[R]] { return fleetColumns(cols) },
		EnvOf:   func(r FleetRow[R]) *Env { return r.Env },
		Stale:   func(r FleetRow[R]) bool { return r.Stale },
		FilterText: func(r FleetRow[R]) string {
			if spec.FilterText != nil {
				return r.Context() + " " + spec.FilterText(r.Row)
			}
			k := r.Row.RowKey()
			return r.Context() + " " + k.Namespace + "/" + k.Name
		},
	}
	if spec.Enter != nil {
		lifted.Enter = func(env *Env, r FleetRow[R]) Page { return spec.Enter(env, r.Row) }
	}
	if spec.Less != nil {
		lifted.Less = func(a, b FleetRow[R]) int { return cmp.Or(spec.Less(a.Row, b.Row), cmp.Compare(a.at, b.at)) }
	}
	for _, a := range spec.Actions {
		lifted.Actions = append(lifted.Actions, fleetAction(a))
	}
	p := NewListPage(envs[0], lifted, ns)
	if len(extras) > 0 {
		p.extra = extras
	}
	p.build = func(ns, selector string) kube.Cache[FleetRow[R]] {
		parts := make([]kube.Cache[FleetRow[R]], len(envs))
		names := make([]string, len(envs))
		for i, e := range envs {
			member := &ListPage[R]{spec: spec, env: e, ns: ns, selector: selector}
			parts[i] = fleetPart[R]{Cache: member.newCache(), env: e, at: i}
			names[i] = e.Client.Info.Context
		}
		return kube.NewMerged(parts...).Independent(names)
	}
	return p
}

// fleetAction is a, done to a row of a fleet list with the row's own Env (the page hands
// its actions the Env of the row they act on, see ListSpec.EnvOf).
func fleetAction[R kube.Row](a Action[R]) Action[FleetRow[R]] {
	out := Action[FleetRow[R]]{Key: a.Key, Mutates: a.Mutates, Reveals: a.Reveals,
		Run: func(env *Env, r FleetRow[R]) tea.Cmd { return a.Run(env, r.Row) }}
	if a.MutatesRow != nil {
		out.MutatesRow = func(r FleetRow[R]) []kube.Access { return a.MutatesRow(r.Row) }
	}
	if a.Marked != nil {
		out.Marked = func(env *Env, rows []FleetRow[R]) tea.Cmd {
			inner := make([]R, len(rows))
			for i, r := range rows {
				inner[i] = r.Row
			}
			return a.Marked(env, inner)
		}
	}
	return out
}

// fleetColumns are CONTEXT and then the spec's columns, each cell drawn by the columns of
// its row's cluster (whose metrics, say, it reads).
func fleetColumns[R kube.Row](cols [][]Column[R]) []Column[FleetRow[R]] {
	out := []Column[FleetRow[R]]{{Name: "CONTEXT", Max: 40, Drop: 4,
		Value: func(r FleetRow[R]) string { return r.Context() },
		Style: func(st *theme.Styles, r FleetRow[R]) lipgloss.Style {
			if r.Stale {
				return st.Bad
			}
			return st.Text
		}}}
	for j, c := range cols[0] {
		lc := Column[FleetRow[R]]{Name: c.Name, Align: c.Align, Min: c.Min, Max: c.Max, Flex: c.Flex, Drop: c.Drop,
			SortKey: c.SortKey, DescFirst: c.DescFirst,
			Value: func(r FleetRow[R]) string { return cols[r.at][j].Value(r.Row) }}
		if c.Style != nil {
			lc.Style = func(st *theme.Styles, r FleetRow[R]) lipgloss.Style { return cols[r.at][j].Style(st, r.Row) }
		}
		if c.Compare != nil {
			lc.Compare = func(a, b FleetRow[R]) int { return c.Compare(a.Row, b.Row) }
		}
		if c.Sorter != nil {
			lc.Sorter = func() func(FleetRow[R]) int64 {
				values := make([]func(R) int64, len(cols))
				for i := range cols {
					values[i] = cols[i][j].Sorter()
				}
				return func(r FleetRow[R]) int64 { return values[r.at](r.Row) }
			}
		}
		out = append(out, lc)
	}
	return out
}

// fleetPart is one cluster's cache as rows of a fleet list. It runs with its own
// cluster's link, whatever link the list is run with.
type fleetPart[R kube.Row] struct {
	kube.Cache[R]
	env *Env
	at  int
}

// Run keeps the cluster's rows current until ctx ends.
func (p fleetPart[R]) Run(ctx context.Context, _ *kube.Link) { p.Cache.Run(ctx, p.env.Client.Link) }

// Snapshot is the cluster's rows, each with its Env, marked stale while its watch is broken.
func (p fleetPart[R]) Snapshot() kube.Snapshot[FleetRow[R]] {
	s := p.Cache.Snapshot()
	stale := s.State.Phase == kube.PhaseBroken
	rows := make([]FleetRow[R], len(s.Rows))
	for i, r := range s.Rows {
		rows[i] = FleetRow[R]{Env: p.env, Row: r, Stale: stale, at: p.at}
	}
	return kube.Snapshot[FleetRow[R]]{Rows: rows, State: s.State}
}

// fleetExtra is one cluster's extra source, its note named by the context.
type fleetExtra struct {
	Extra
	context string
}

// multiExtra is the extra sources of every cluster of a fleet list.
type multiExtra []fleetExtra

// Init starts every cluster's source.
func (m multiExtra) Init() tea.Cmd {
	cmds := make([]tea.Cmd, len(m))
	for i, x := range m {
		cmds[i] = x.Init()
	}
	return tea.Batch(cmds...)
}

// Accept hands msg to the source it belongs to.
func (m multiExtra) Accept(msg tea.Msg) (tea.Cmd, bool) {
	for _, x := range m {
		if next, ok := x.Accept(msg); ok {
			return next, true
		}
	}
	return nil, false
}

// Close stops every cluster's source.
func (m multiExtra) Close() {
	for _, x := range m {
		x.Close()
	}
}

// Note is every cluster's note ("metrics not available"), each after its context.
func (m multiExtra) Note() string {
	var notes []string
	for _, x := range m {
		if n, ok := x.Extra.(Noter); ok && n.Note() != "" {
			notes = append(notes, x.context+": "+n.Note())
		}
	}
	return strings.Join(notes, " · ")
}
