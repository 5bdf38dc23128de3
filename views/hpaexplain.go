package views

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// HPAExplainer shows why one HPA is or is not scaling: the controller's arithmetic worked
// out on its live numbers. It follows the HPA's row in a store of its namespace's HPAs.
type HPAExplainer struct {
	env    *ui.Env
	key    kube.Key
	feed   *ui.Feed[*kube.HPA]
	state  kube.State
	row    *kube.HPA // nil until seen, or once deleted
	seen   bool
	offset int // first line shown, for scrolling
}

// NewHPAExplainer returns the explainer of the HPA k.
func NewHPAExplainer(env *ui.Env, k kube.Key) *HPAExplainer {
	return &HPAExplainer{env: env, key: k}
}

// Init starts watching the HPA's namespace.
func (e *HPAExplainer) Init() tea.Cmd {
	e.feed = ui.StartFeed[*kube.HPA](e.env, kube.NewStore(e.env.Client.HPASource(e.key.Namespace)))
	return e.feed.Next()
}

// Update takes the store's snapshots and the scroll keys.
func (e *HPAExplainer) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	if e.feed != nil {
		if snap, next, ok := e.feed.Accept(msg); ok {
			e.Show(snap)
			return e, next
		}
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, ui.TableKeys.Up):
			e.offset = max(0, e.offset-1)
		case key.Matches(k, ui.TableKeys.Down):
			e.offset++
		case key.Matches(k, ui.TableKeys.Top):
			e.offset = 0
		}
	}
	return e, nil
}

// Show takes a snapshot of the namespace's HPAs and picks this HPA's row from it.
func (e *HPAExplainer) Show(snap kube.Snapshot[*kube.HPA]) {
	e.state = snap.State
	i, found := slices.BinarySearchFunc(snap.Rows, e.key, func(h *kube.HPA, k kube.Key) int { return h.RowKey().Compare(k) })
	if found {
		e.row, e.seen = snap.Rows[i], true
	} else if snap.State.Phase == kube.PhaseLive {
		e.row = nil
	}
}

// Title is "hpa-explain(NAMESPACE/NAME)".
func (e *HPAExplainer) Title() string {
	return ui.StaleTitle("hpa-explain("+e.key.Namespace+"/"+e.key.Name+")", e.state)
}

// Freshness reports the watch's state.
func (e *HPAExplainer) Freshness() ui.Freshness {
	n := 0
	if e.row != nil {
		n = 1
	}
	return ui.FreshnessOf(e.state, n, "hpa", e.env.Now())
}

// Bindings lists the scroll keys.
func (e *HPAExplainer) Bindings() []key.Binding {
	return []key.Binding{ui.TableKeys.Up, ui.TableKeys.Down, ui.TableKeys.Top}
}

// Close stops the watch.
func (e *HPAExplainer) Close() {
	if e.feed != nil {
		e.feed.Stop()
	}
}

// View renders the explanation; the headline wraps to the width, the rest is truncated.
func (e *HPAExplainer) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	st := e.env.Styles
	var lines []string
	switch {
	case e.row == nil && e.seen:
		lines = []string{st.Bad.Render("HPA " + e.key.Namespace + "/" + e.key.Name + " was deleted.")}
	case e.row == nil && e.state.Phase == kube.PhaseLive:
		lines = []string{st.Bad.Render("HPA " + e.key.Namespace + "/" + e.key.Name + " does not exist.")}
	case e.row == nil:
		lines = []string{st.Muted.Render("loading " + e.key.Namespace + "/" + e.key.Name + "…")}
	default:
		lines = e.explain(e.row, width)
	}
	if e.state.Phase == kube.PhaseBroken {
		for i, l := range lines {
			lines[i] = st.Stale.Render(ansi.Strip(l))
		}
	}
	e.offset = max(0, min(e.offset, len(lines)-height))
	return ui.Block(lines[e.offset:], width, height)
}

// explain lays out the whole explanation of h as styled lines.
func (e *HPAExplainer) explain(h *kube.HPA, width int) []string {
	st := e.env.Styles
	p := kube.PlanScale(h)
	text, level := Headline(h, p)
	var lines []string
	for _, l := range strings.Split(ansi.Wordwrap(ui.Safe(text), width, ""), "\n") {
		lines = append(lines, level.Style(st).Bold(true).Render(l))
	}
	lines = append(lines, "")

	last := "never"
	if !h.LastScale.IsZero() {
		last = ui.Ago(e.env.Now().Sub(h.LastScale))
	}
	lines = append(lines, ui.Grid(st, false, [][]ui.Cell{
		{{Text: "target", Style: st.Muted}, {Text: h.RefKind + "/" + h.RefName}},
		{{Text: "replicas", Style: st.Muted}, {Text: fmt.Sprintf("%d now, %d desired by the controller", h.Current, h.Desired)}},
		{{Text: "bounds", Style: st.Muted}, {Text: fmt.Sprintf("min %d, max %d", h.Min, h.Max)}},
		{{Text: "tolerance", Style: st.Muted}, {Text: toleranceText(h)}},
		{{Text: "last scale", Style: st.Muted}, {Text: last}},
	}, nil)...)
	lines = append(lines, "")

	// the arithmetic, one metric a row
	rows := [][]ui.Cell{{{Text: "METRIC"}, {Text: "CURRENT"}, {Text: "TARGET"}, {Text: "RATIO"}, {Text: "WANTS"}}}
	for i, m := range p.Metrics {
		cur := ui.Cell{Text: "<unknown>", Style: st.Warn}
		ratioCell := ui.Cell{Text: "-"}
		if !m.Missing {
			cur = ui.Cell{Text: m.Metric.Current.Text}
			ratioCell = ui.Cell{Text: fmt.Sprintf("%.2f", m.Ratio)}
		}
		name := m.Metric.Name
		if name == "" {
			name = m.Metric.Type
		}
		if i == p.Driver && !p.AllMissing && !p.HeldDown {
			name = "▸ " + name
		} else {
			name = "  " + name
		}
		rows = append(rows, []ui.Cell{{Text: name}, cur, {Text: m.Metric.Target.Text + targetSuffix(m.Metric)}, ratioCell,
			{Text: Formula(h, m)}})
	}
	if len(p.Metrics) == 0 {
		rows = append(rows, []ui.Cell{{Text: "  (no metrics)", Style: st.Warn}})
	}
	lines = append(lines, ui.Grid(st, true, rows, []ui.Align{ui.Left, ui.Right, ui.Right, ui.Right, ui.Left})...)
	lines = append(lines, "")

	// from the metrics' wishes to the decision
	highest := ui.Cell{Text: "-"}
	switch {
	case p.Disabled:
		highest = ui.Cell{Text: "none: the target has 0 replicas, which turns autoscaling off", Style: st.Warn}
	case p.AllMissing:
		highest = ui.Cell{Text: "none: no metric could be read, so nothing changes", Style: st.Bad}
	case p.HeldDown:
		highest = ui.Cell{Text: fmt.Sprintf("%d, but a metric is missing: no scale-down on partial metrics", p.Current), Style: st.Warn}
	case p.Driver >= 0:
		highest = ui.Cell{Text: fmt.Sprintf("%d (%s)", p.Proposed, p.Metrics[p.Driver].Metric.Name)}
	}
	clamp := ui.Cell{Text: fmt.Sprintf("%d is within [%d, %d]: no clamping", p.Proposed, h.Min, h.Max)}
	switch p.Clamp {
	case kube.MaxBound:
		clamp = ui.Cell{Text: fmt.Sprintf("%d → %d by max %d", p.Proposed, p.Desired, h.Max), Style: st.Warn}
	case kube.MinBound:
		clamp = ui.Cell{Text: fmt.Sprintf("%d → %d by min %d", p.Proposed, p.Desired, h.Min), Style: st.Warn}
	}
	if p.Disabled {
		clamp = ui.Cell{Text: "-"}
	}
	desired := ui.Cell{Text: fmt.Sprintf("%d, as the controller says", p.Desired), Style: st.Good}
	if p.Desired != h.Desired {
		desired = ui.Cell{Text: fmt.Sprintf("%d; the controller says %d (%s)", p.Desired, h.Desired, disagreement(h, p)), Style: st.Warn}
	}
	lines = append(lines, ui.Grid(st, false, [][]ui.Cell{
		{{Text: "highest", Style: st.Muted}, highest},
		{{Text: "bounds", Style: st.Muted}, clamp},
		{{Text: "desired", Style: st.Muted}, desired},
	}, nil)...)
	lines = append(lines, "")

	conds := [][]ui.Cell{{{Text: "CONDITION"}, {Text: "STATUS"}, {Text: "REASON"}, {Text: "SINCE"}, {Text: "MESSAGE"}}}
	for _, t := range []string{"AbleToScale", "ScalingActive", "ScalingLimited"} {
		c, ok := h.Condition(t)
		if !ok {
			conds = append(conds, []ui.Cell{{Text: t}, {Text: "-", Style: st.Muted}})
			continue
		}
		status := ui.Cell{Text: c.Status}
		if (t == "ScalingLimited") == (c.Status == "True") {
			status.Style = st.Bad
			if t == "ScalingLimited" {
				status.Style = st.Warn
			}
		}
		since := "-"
		if !c.Since.IsZero() {
			since = ui.Ago(e.env.Now().Sub(c.Since))
		}
		conds = append(conds, []ui.Cell{{Text: t}, status, {Text: c.Reason}, {Text: since}, {Text: c.Message, Style: st.Muted}})
	}
	return append(lines, ui.Grid(st, true, conds, nil)...)
}

// targetSuffix says what a target is measured against.
func targetSuffix(m kube.HPAMetric) string {
	switch m.TargetType {
	case kube.TargetUtilization:
		return " of request"
	case kube.TargetAverage:
		return " per pod"
	}
	return ""
}

// Formula is the arithmetic one metric asks for, with the live numbers:
// "ceil(3 × 92% / 60%) = ceil(4.6) = 5", or why it asks for no change.
func Formula(h *kube.HPA, m kube.MetricPlan) string {
	switch {
	case m.Missing:
		return "unavailable: not counted"
	case h.Current == 0:
		return fmt.Sprintf("ceil(%s / %s) = ceil(%s) = %d", m.Metric.Current.Text, m.Metric.Target.Text, kube.FormatDecimal(m.Ratio), m.Replicas)
	case m.Within:
		return fmt.Sprintf("within [%.2f, %.2f]: stays %d", 1-h.TolDown, 1+h.TolUp, m.Replicas)
	}
	return fmt.Sprintf("ceil(%d × %s / %s) = ceil(%s) = %d", h.Current, m.Metric.Current.Text, m.Metric.Target.Text,
		kube.FormatDecimal(m.Ratio*float64(h.Current)), m.Replicas)
}

func toleranceText(h *kube.HPA) string {
	if h.TolUp == h.TolDown {
		return fmt.Sprintf("±%s%%: a ratio within [%.2f, %.2f] changes nothing", kube.FormatDecimal(h.TolUp*100), 1-h.TolDown, 1+h.TolUp)
	}
	return fmt.Sprintf("-%s%%/+%s%%: a ratio within [%.2f, %.2f] changes nothing", kube.FormatDecimal(h.TolDown*100), kube.FormatDecimal(h.TolUp*100), 1-h.TolDown, 1+h.TolUp)
}

// disagreement guesses why the controller's desired count differs from the arithmetic.
func disagreement(h *kube.HPA, p kube.ScalePlan) string {
	switch {
	case h.Desired > p.Desired && p.Desired < h.Current:
		return fmt.Sprintf("scale-down waits out the %s stabilization window", h.DownWindow)
	case h.Desired < p.Desired && p.Desired > h.Current:
		return "scale-up rate limit, or unready pods not yet counted"
	}
	return "it has not recomputed since these numbers, or counts only ready pods"
}

// Headline says in one sentence why h is or is not scaling now (kube.HPAHeadline), with
// the level it is shown at.
func Headline(h *kube.HPA, p kube.ScalePlan) (string, ui.Level) {
	text, c := kube.HPAHeadline(h, p)
	return text, hpaLevels[c]
}

// hpaLevels is the level each HPA concern is shown at.
var hpaLevels = map[kube.HPAConcern]ui.Level{kube.HPAFine: ui.LevelOK, kube.HPAMoving: ui.LevelWarn, kube.HPAStuck: ui.LevelError}
