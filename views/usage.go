package views

import (
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// notAvailable is shown in usage columns while metrics cannot be read.
const notAvailable = "n/a"

// metricsLive is the pod metrics a page shows: the program's poller, followed while the
// page is open. It is a ui.Extra and notes in the status line why metrics are missing.
type metricsLive struct {
	*ui.Live[*kube.MetricsSnapshot]
}

// newMetricsLive follows the program's pod metrics for ns ("" for all namespaces).
func newMetricsLive(env *ui.Env, ns string) metricsLive {
	poller := env.Client.Metrics
	if poller == nil {
		off := &kube.MetricsSnapshot{State: kube.MetricsState{Reason: "metrics not configured"}}
		return metricsLive{ui.NewLive(env, off, nil)}
	}
	return metricsLive{ui.NewLive(env, poller.Snapshot(), func() ui.LiveSource[*kube.MetricsSnapshot] {
		return poller.Subscribe(ns)
	})}
}

// Note says why usage columns show n/a, for the status line; "" while metrics are shown.
func (m metricsLive) Note() string {
	if m.Value == nil || m.Value.State.Available {
		return ""
	}
	return m.Value.State.Reason
}

// usage is what the usage columns read from a row: its current usage (ok false when
// metrics do not cover it) and the requests and limits it is measured against.
type usage[R any] func(r R) (cpu, mem int64, res kube.ReqLim, ok bool)

// usageColumns are the six usage columns of a view, to place in its own order.
type usageColumns[R any] struct {
	CPU, Mem, CPUReq, CPULim, MemReq, MemLim ui.Column[R]
}

// newUsageColumns builds usage columns over read. Cells say n/a when the row has no
// metrics, and "-" for a percentage with no request or limit to compare with.
func newUsageColumns[R any](read usage[R]) usageColumns[R] {
	abs := func(name string, get func(cpu, mem int64) int64, format func(int64) string) ui.Column[R] {
		return ui.Column[R]{Name: name, Align: ui.Right, Value: func(r R) string {
			cpu, mem, _, ok := read(r)
			if !ok {
				return notAvailable
			}
			return format(get(cpu, mem))
		}}
	}
	pct := func(name string, get func(cpu, mem int64, res kube.ReqLim) (int64, int64)) ui.Column[R] {
		return ui.Column[R]{Name: name, Align: ui.Right,
			Value: func(r R) string {
				cpu, mem, res, ok := read(r)
				if !ok {
					return notAvailable
				}
				return ui.Percent(get(cpu, mem, res))
			},
			Style: func(st *theme.Styles, r R) lipgloss.Style {
				cpu, mem, res, ok := read(r)
				used, of := get(cpu, mem, res)
				return pctStyle(st, ok, used, of)
			}}
	}
	return usageColumns[R]{
		CPU:    abs("CPU", func(cpu, _ int64) int64 { return cpu }, ui.MilliCPU),
		Mem:    abs("MEM", func(_, mem int64) int64 { return mem }, kube.FormatBytes),
		CPUReq: pct("%CPU/R", func(cpu, _ int64, r kube.ReqLim) (int64, int64) { return cpu, r.CPUReq }),
		CPULim: pct("%CPU/L", func(cpu, _ int64, r kube.ReqLim) (int64, int64) { return cpu, r.CPULim }),
		MemReq: pct("%MEM/R", func(_, mem int64, r kube.ReqLim) (int64, int64) { return mem, r.MemReq }),
		MemLim: pct("%MEM/L", func(_, mem int64, r kube.ReqLim) (int64, int64) { return mem, r.MemLim }),
	}
}

// pctStyle colours used as a percentage of of: muted when unknown (ok false, or nothing to
// compare with), yellow from 80%, red from 100%.
func pctStyle(st *theme.Styles, ok bool, used, of int64) lipgloss.Style {
	p, known := ui.Pct(used, of)
	switch {
	case !ok || !known:
		return st.Muted
	case p >= 100:
		return st.Bad
	case p >= 80:
		return st.Warn
	}
	return st.Text
}

// drop sets a column's drop order (higher is dropped first on narrow terminals).
func drop[R any](c ui.Column[R], order int) ui.Column[R] {
	c.Drop = order
	return c
}

// warnIf is the warning style when cond holds (restarts, containers not ready), else text.
func warnIf(st *theme.Styles, cond bool) lipgloss.Style {
	if cond {
		return st.Warn
	}
	return st.Text
}
