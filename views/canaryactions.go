package views

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube/canary"
	"github.com/kdeck/kdeck/ui"
)

// promoteWait bounds the wait for the stable deployment to roll out during a promotion.
const promoteWait = 10 * time.Minute

// act handles the canary screen's keys: each goes through env.Guard, then a dialog that
// names exactly what will change.
func (s *CanaryScreen) act(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, ui.TableKeys.Up):
		s.offset = max(0, s.offset-1)
		return nil
	case key.Matches(k, ui.TableKeys.Down):
		s.offset++
		return nil
	}
	c := s.row
	if c == nil {
		return nil
	}
	if c.Argo != nil {
		return s.actArgo(c, k)
	}
	move := canary.MoveAccess(c, s.key.Namespace)
	switch {
	case key.Matches(k, canaryKeys.Next):
		n := c.NextStep()
		if n == 0 {
			return ui.Notify(ui.LevelWarn, "canary "+c.Name+": no next step (at the last step, or promoted); a aborts, g picks a step")
		}
		return s.env.Guard("next step", move, false, func() tea.Cmd { return s.confirm(c, n) })
	case key.Matches(k, canaryKeys.GoTo):
		return s.env.Guard("go to step", move, false, func() tea.Cmd { return s.chooseStep(c) })
	case key.Matches(k, canaryKeys.Promote):
		return s.env.Guard("promote", move, false, func() tea.Cmd { return s.confirm(c, len(c.Steps)) })
	case key.Matches(k, canaryKeys.Abort):
		return s.env.Guard("abort", move, false, func() tea.Cmd { return s.confirm(c, 0) })
	}
	return nil
}

// chooseStep asks which step to go to, then confirms it.
func (s *CanaryScreen) chooseStep(c *canary.Canary) tea.Cmd {
	choices := make([]string, 0, len(c.Steps)+1)
	byChoice := map[string]int{}
	for i, w := range c.Steps {
		m := canary.PlanMove(c, i+1)
		label := fmt.Sprintf("step %d: %d%% (%s %d, %s %d)", i+1, w, c.Canary.Name, m.CanaryTo, c.Stable.Name, m.StableTo)
		if m.Weights != nil {
			label = fmt.Sprintf("step %d: %d%% (weights %s %d, %s %d)", i+1, w, c.Canary.Name, m.Weights.CanaryTo, c.Stable.Name, m.Weights.StableTo)
		}
		if m.Kind == canary.MovePromote {
			label = fmt.Sprintf("step %d: %d%%, promote", i+1, w)
		}
		if c.Step() == i+1 {
			label += " ← current"
		}
		choices = append(choices, label)
		byChoice[label] = i + 1
	}
	abort := "abort: 0%"
	choices = append(choices, abort)
	byChoice[abort] = 0
	return s.env.Ask(&ui.Dialog{Title: "Go to which step of " + c.Name + "?", Choices: choices, Selected: max(0, c.NextStep()-1),
		OK: func(v string) tea.Cmd { return s.confirm(c, byChoice[v]) }})
}

// confirm opens the dialog for moving c to step: a plain confirmation, a one-key danger
// confirmation for an abort, or, when moving up while a gate fails, a typed confirmation
// that names the failing gates.
func (s *CanaryScreen) confirm(c *canary.Canary, step int) tea.Cmd {
	m := canary.PlanMove(c, step)
	f := s.facts()
	failing := canary.Failing(f.Gates)
	up := m.Kind == canary.MovePromote || (m.Kind == canary.MoveStep && step > c.Step())
	run := func(forced bool) func(string) tea.Cmd {
		return func(string) tea.Cmd {
			rec := canary.NextRecord(c, m, s.env.Client.Info.Identity(), s.env.Now(), f.Gates, forced, f.Restarts)
			return runStages(s.env, canary.Stages(s.env.Client, c, m, rec))
		}
	}
	d := &ui.Dialog{Body: []string{m.Describe()}, OK: run(false)}
	switch {
	case m.Kind == canary.MoveAbort:
		d.Title, d.Danger = "Abort canary "+c.Name+"?", true
	case up && len(failing) > 0:
		d.Title, d.Danger = fmt.Sprintf("Blocked: %d gate(s) failing on %s", len(failing), c.Name), true
		d.Body = nil
		for _, g := range failing {
			d.Body = append(d.Body, "✗ "+g.Name+": "+g.Detail)
		}
		d.Body = append(d.Body, "", fmt.Sprintf("Force %s to %d%% anyway: %s", c.Name, m.Weight, m.Describe()),
			"Type "+c.Name+" to force it.")
		d.Expect, d.OK = c.Name, run(true)
	case m.Kind == canary.MovePromote:
		d.Title = "Promote " + c.Name + " to 100%?"
	default:
		d.Title = fmt.Sprintf("Move %s to step %d (%d%%)?", c.Name, m.Step, m.Weight)
	}
	if !d.Danger || m.Kind == canary.MoveAbort {
		d.Body = append(d.Body, "gates: "+canary.GateSummary(f.Gates))
	}
	return s.env.Ask(d)
}

// runStages sends stages one after another: each mutation through env.Mutate (audited,
// toasted), each wait in a command of its own; the first failure stops the rest.
func runStages(env *ui.Env, stages []canary.Stage) tea.Cmd {
	if len(stages) == 0 {
		return nil
	}
	st, rest := stages[0], stages[1:]
	if st.Mutation != nil {
		return env.Mutate(*st.Mutation, func() tea.Cmd { return runStages(env, rest) })
	}
	return tea.Batch(ui.Notify(ui.LevelInfo, "canary: waiting for "+st.What+"…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), promoteWait)
		defer cancel()
		if err := st.Wait(ctx); err != nil {
			return ui.NotifyMsg{Level: ui.LevelError, Text: "canary: " + err.Error() + "; p again finishes the promotion"}
		}
		if next := runStages(env, rest); next != nil {
			return next()
		}
		return nil
	})
}
