package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/canary"
	"github.com/kdeck/kdeck/ui"
)

// canaryKeys are the canary screen's actions; each opens a confirmation first.
var canaryKeys = struct{ Next, GoTo, Promote, Abort key.Binding }{
	Next:    ui.NewKey("canary", "next step (blocked while a gate fails, unless forced)", "n"),
	GoTo:    ui.NewKey("canary", "go to a chosen step", "g"),
	Promote: ui.NewKey("canary", "promote to 100%: stable takes the canary's containers", "p"),
	Abort:   ui.NewKey("canary", "abort: canary to 0, stable back to the total", "a"),
}

// CanaryScreen drives one canary: its steps, stable and canary side by side, the health
// gates with their numbers, and the keys that step, promote and abort. It follows the
// pair, both deployments' pods, the namespace's events and the pod metrics live.
type CanaryScreen struct {
	env     *ui.Env
	key     kube.Key
	pairs   *ui.Feed[*canary.Canary]
	state   kube.State
	row     *canary.Canary // nil until seen, or once gone
	seen    bool
	stable  podFeed
	canary  podFeed
	events  *ui.Feed[*kube.Event]
	evRows  []*kube.Event
	metrics metricsLive
	offset  int
}

// podFeed follows the pods of one deployment's selector.
type podFeed struct {
	selector string
	feed     *ui.Feed[*kube.Pod]
	rows     []*kube.Pod
}

// NewCanaryScreen returns the screen of the canary k (its canary object's key).
func NewCanaryScreen(env *ui.Env, k kube.Key) *CanaryScreen {
	return &CanaryScreen{env: env, key: k, metrics: newMetricsLive(env, k.Namespace)}
}

// Init starts following the pair, the namespace's events and the metrics; the pods are
// followed once the pair is known.
func (s *CanaryScreen) Init() tea.Cmd {
	s.pairs = ui.StartFeed[*canary.Canary](s.env, canary.NewCache(s.env.Client, s.key.Namespace))
	s.events = ui.StartFeed[*kube.Event](s.env, kube.NewStore(s.env.Client.EventSource(s.key.Namespace)))
	return tea.Batch(s.pairs.Next(), s.events.Next(), s.metrics.Init())
}

// Update takes the feeds' snapshots and the keys.
func (s *CanaryScreen) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	if s.pairs != nil {
		if snap, next, ok := s.pairs.Accept(msg); ok {
			return s, tea.Batch(next, s.ShowPair(snap))
		}
		if snap, next, ok := s.events.Accept(msg); ok {
			s.evRows = snap.Rows
			return s, next
		}
	}
	for _, pf := range []*podFeed{&s.stable, &s.canary} {
		if pf.feed != nil {
			if snap, next, ok := pf.feed.Accept(msg); ok {
				pf.rows = snap.Rows
				return s, next
			}
		}
	}
	if next, ok := s.metrics.Accept(msg); ok {
		return s, next
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		return s, s.act(k)
	}
	return s, nil
}

// ShowPair takes a snapshot of the namespace's canaries, picks this one, and (re)starts
// the pod feeds when the deployments' selectors are new.
func (s *CanaryScreen) ShowPair(snap kube.Snapshot[*canary.Canary]) tea.Cmd {
	s.state = snap.State
	i, found := slices.BinarySearchFunc(snap.Rows, s.key, func(c *canary.Canary, k kube.Key) int { return c.RowKey().Compare(k) })
	switch {
	case found:
		s.row, s.seen = snap.Rows[i], true
	case snap.State.Phase == kube.PhaseLive:
		s.row = nil
	}
	if s.row == nil || !s.env.Client.Connected() {
		return nil
	}
	return tea.Batch(s.follow(&s.stable, s.row.Stable.Selector), s.follow(&s.canary, s.row.Canary.Selector))
}

// follow (re)starts pf on selector; an empty selector (a Traefik service that is not a
// Kubernetes Service, a Rollout the controller has not reported on) follows nothing.
func (s *CanaryScreen) follow(pf *podFeed, selector string) tea.Cmd {
	if pf.feed != nil && pf.selector == selector {
		return nil
	}
	if pf.feed != nil {
		pf.feed.Stop()
		pf.feed = nil
	}
	pf.selector, pf.rows = selector, nil
	if selector == "" {
		return nil
	}
	pf.feed = ui.StartFeed[*kube.Pod](s.env, kube.NewStore(kube.PodSourceSelector(s.env.Client.PodRows(), s.key.Namespace, selector)))
	return pf.feed.Next()
}

// Title is "canary(NAMESPACE/NAME)".
func (s *CanaryScreen) Title() string {
	return ui.StaleTitle("canary("+s.key.Namespace+"/"+s.key.Name+")", s.state)
}

// Freshness reports the pair's watch state, with the metrics' note.
func (s *CanaryScreen) Freshness() ui.Freshness {
	n := 0
	if s.row != nil {
		n = 1
	}
	return ui.WithNote(ui.FreshnessOf(s.state, n, "canary", s.env.Now()), s.metrics)
}

// Bindings lists the actions of the canary's kind and the scroll keys.
func (s *CanaryScreen) Bindings() []key.Binding {
	if s.row != nil && s.row.Argo != nil {
		return append(s.argoBindings(), ui.TableKeys.Up, ui.TableKeys.Down)
	}
	move := canary.MoveAccess(s.row, s.key.Namespace)
	k := canaryKeys
	return []key.Binding{s.env.Disabled(k.Next, move, false), s.env.Disabled(k.GoTo, move, false),
		s.env.Disabled(k.Promote, move, false), s.env.Disabled(k.Abort, move, false), ui.TableKeys.Up, ui.TableKeys.Down}
}

// Close stops every feed.
func (s *CanaryScreen) Close() {
	if s.pairs != nil {
		s.pairs.Stop()
		s.events.Stop()
	}
	for _, pf := range []*podFeed{&s.stable, &s.canary} {
		if pf.feed != nil {
			pf.feed.Stop()
		}
	}
	s.metrics.Close()
}

// facts works out what the screen and the gates read from the live data.
func (s *CanaryScreen) facts() canary.Facts {
	return canary.Gather(s.row, s.stable.rows, s.canary.rows, s.evRows, s.metrics.Value, s.env.Now())
}

// View renders the screen; long screens scroll with ↑/↓.
func (s *CanaryScreen) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	st := s.env.Styles
	var lines []string
	footer := ""
	name := s.key.Namespace + "/" + s.key.Name
	switch {
	case s.row == nil && s.seen:
		lines = []string{st.Bad.Render("canary " + name + " is gone (a deployment or the service in front of both was removed).")}
	case s.row == nil && s.state.Phase == kube.PhaseLive:
		lines = []string{st.Bad.Render("no canary " + name + ": no stable deployment and Service found for it.")}
	case s.row == nil:
		lines = []string{st.Muted.Render("loading " + name + "…")}
	default:
		lines, footer = s.lines(s.row, s.facts()), st.Muted.Render(s.nextHint(s.row))
	}
	if s.state.Phase == kube.PhaseBroken {
		for i, l := range lines {
			lines[i] = st.Stale.Render(ansi.Strip(l))
		}
	}
	if footer != "" && height >= 3 { // what n would do stays in view
		height--
	} else {
		footer = ""
	}
	s.offset = max(0, min(s.offset, len(lines)-height))
	out := ui.Block(lines[s.offset:], width, height)
	if footer != "" {
		out += "\n" + ui.Fit(footer, width)
	}
	return out
}

// lines lays out the screen of c.
func (s *CanaryScreen) lines(c *canary.Canary, f canary.Facts) []string {
	st := s.env.Styles
	now := s.env.Now()
	lines := []string{st.Title.Render(ui.Safe(canaryHead(c)))}
	switch {
	case c.Argo != nil:
		a := c.Argo
		line := fmt.Sprintf("step index %d of %d · weight %d%% · %s", a.StepIndex, len(a.Steps), a.Weight(), a.State())
		if a.Message != "" && !strings.Contains(line, a.Message) {
			line += " · " + a.Message
		}
		lines = append(lines, ui.Safe(line))
	case c.Record == nil && c.Traefik != nil:
		lines = append(lines, fmt.Sprintf("not started · canary weight %d of %d (%d%%) · n starts at step %d",
			c.Traefik.CanaryWeight, c.Traefik.Total(), c.Weight(), c.NextStep()))
	case c.Record == nil:
		lines = append(lines, fmt.Sprintf("not started · canary runs %d of %d replicas (%d%%) · n starts at step %d",
			c.Canary.Replicas, c.Stable.Replicas+c.Canary.Replicas, c.Weight(), c.NextStep()))
	case c.Active():
		lines = append(lines, ui.Safe(fmt.Sprintf("step %d of %d · weight %d%% · step running %s · by %s · canary started %s",
			c.Record.Step, len(c.Steps), c.Record.Weight, runningFor(now.Sub(c.Record.At)), c.Record.By, ui.Ago(now.Sub(c.Record.StartedAt)))))
	default:
		lines = append(lines, ui.Safe(fmt.Sprintf("%s %s by %s", c.Record.State, ui.Ago(now.Sub(c.Record.At)), c.Record.By)))
	}
	lines = append(lines, canarySteps(st, c))
	if c.Problem != "" {
		lines = append(lines, st.Warn.Render("⚠ "+c.Problem))
	}
	lines = append(lines, "")

	diff := func(a, b []int64) string {
		if len(a) == 0 || len(b) == 0 || canary.Average(a) == 0 {
			return "-"
		}
		return fmt.Sprintf("%+d%%", (canary.Average(b)-canary.Average(a))*100/canary.Average(a))
	}
	perPod := func(vs []int64, text func(int64) string) string {
		if len(vs) == 0 {
			return notAvailable
		}
		return text(canary.Average(vs))
	}
	lines = append(lines, ui.Grid(st, true, [][]ui.Cell{
		{{Text: ""}, {Text: "STABLE " + c.Stable.Name}, {Text: "CANARY " + c.Canary.Name}, {Text: "DIFF"}},
		{{Text: "image", Style: st.Muted}, {Text: orDash(c.Stable.Images)}, {Text: orDash(c.Canary.Images)}},
		{{Text: readyLabel(c), Style: st.Muted}, {Text: readyText(c, c.Stable, f.Stable)}, {Text: readyText(c, c.Canary, f.Canary)}},
		{{Text: "restarts (step)", Style: st.Muted}, {Text: fmt.Sprint(f.Stable.RestartsSince)}, {Text: fmt.Sprint(f.Canary.RestartsSince)}},
		{{Text: "cpu/pod", Style: st.Muted}, {Text: perPod(f.Stable.CPU, ui.MilliCPU)}, {Text: perPod(f.Canary.CPU, ui.MilliCPU)}, {Text: diff(f.Stable.CPU, f.Canary.CPU)}},
		{{Text: "mem/pod", Style: st.Muted}, {Text: perPod(f.Stable.Mem, kube.FormatBytes)}, {Text: perPod(f.Canary.Mem, kube.FormatBytes)}, {Text: diff(f.Stable.Mem, f.Canary.Mem)}},
	}, nil)...)
	lines = append(lines, "", st.Muted.Bold(true).Render("GATES"))
	rows := make([][]ui.Cell, 0, len(f.Gates))
	for _, g := range f.Gates {
		mark := map[canary.GateResult]string{canary.GatePass: "✓", canary.GateWait: "…", canary.GateFail: "✗"}[g.Result]
		style := gateStyle(st, g.Result)
		rows = append(rows, []ui.Cell{{Text: mark + " " + g.Name, Style: style}, {Text: g.Result.String(), Style: style}, {Text: g.Detail}})
	}
	lines = append(lines, ui.Grid(st, false, rows, nil)...)
	lines = append(lines, "", st.Muted.Bold(true).Render(fmt.Sprintf("WARNING EVENTS on canary pods since the step began (%d)", len(f.Warnings))))
	for i, e := range f.Warnings {
		if i == 5 {
			lines = append(lines, st.Muted.Render(fmt.Sprintf("  … %d more", len(f.Warnings)-5)))
			break
		}
		lines = append(lines, st.Warn.Render(ui.Safe(fmt.Sprintf("  %s  %s  %s  %s", ui.Ago(now.Sub(e.LastSeen)), e.Reason, e.Object, e.Message))))
	}
	return lines
}

// nextHint says what n would do, and the other keys.
func (s *CanaryScreen) nextHint(c *canary.Canary) string {
	if c.Argo != nil {
		next := "n: nothing to promote"
		if p, err := canary.PlanArgo(c.Argo, canary.ArgoPromote); err == nil {
			next = "n promote: " + p.Describe
		}
		return next + " · p full promote · a abort · t retry"
	}
	next := "n: no next step"
	if n := c.NextStep(); n > 0 {
		m := canary.PlanMove(c, n)
		next = fmt.Sprintf("n → %d%%: %s", m.Weight, m.Describe())
	}
	return next + " · g step · p promote · a abort"
}

// runningFor renders a step's running time: "45s", "3m12s", "2h5m".
func runningFor(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60)
}
