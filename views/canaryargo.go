package views

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube/canary"
	"github.com/kdeck/kdeck/ui"
)

// argoKeys are the canary screen's keys for an Argo Rollout: they act the way the
// `kubectl argo rollouts` plugin's promote, promote --full, abort and retry do (see
// canary.ArgoAction), each after a confirmation.
var argoKeys = struct{ Promote, Full, Abort, Retry key.Binding }{
	Promote: ui.NewKey("canary (Argo Rollouts)", "promote: clear the pause, go to the next step", "n"),
	Full:    ui.NewKey("canary (Argo Rollouts)", "full promote: skip the remaining steps", "p"),
	Abort:   ui.NewKey("canary (Argo Rollouts)", "abort: canary down, traffic back to stable", "a"),
	Retry:   ui.NewKey("canary (Argo Rollouts)", "retry an aborted rollout", "t"),
}

// argoBindings are the Argo keys, disabled where RBAC or the policy refuses them.
func (s *CanaryScreen) argoBindings() []key.Binding {
	needs := canary.ArgoAccess(s.key.Namespace)
	k := argoKeys
	return []key.Binding{s.env.Disabled(k.Promote, needs, false), s.env.Disabled(k.Full, needs, false),
		s.env.Disabled(k.Abort, needs, false), s.env.Disabled(k.Retry, needs, false)}
}

// actArgo handles the Argo keys: guard, then a confirmation naming the patch.
func (s *CanaryScreen) actArgo(c *canary.Canary, k tea.KeyPressMsg) tea.Cmd {
	actions := []struct {
		binding key.Binding
		action  canary.ArgoAction
		what    string
	}{{argoKeys.Promote, canary.ArgoPromote, "promote"}, {argoKeys.Full, canary.ArgoPromoteFull, "full promote"},
		{argoKeys.Abort, canary.ArgoAbort, "abort"}, {argoKeys.Retry, canary.ArgoRetry, "retry"}}
	for _, a := range actions {
		if !key.Matches(k, a.binding) {
			continue
		}
		return s.env.Guard(a.what, canary.ArgoAccess(s.key.Namespace), false, func() tea.Cmd { return s.confirmArgo(c, a.action, a.what) })
	}
	return nil
}

// confirmArgo asks before sending action; a promotion over failing gates needs the
// rollout's name typed, an abort is a danger confirmation.
func (s *CanaryScreen) confirmArgo(c *canary.Canary, action canary.ArgoAction, what string) tea.Cmd {
	p, err := canary.PlanArgo(c.Argo, action)
	if err != nil {
		return ui.Notify(ui.LevelWarn, err.Error())
	}
	f := s.facts()
	failing := canary.Failing(f.Gates)
	run := func(forced bool) func(string) tea.Cmd {
		return func(string) tea.Cmd {
			rec := canary.ArgoRecord(c, p, s.env.Client.Info.Identity(), s.env.Now(), f.Gates, forced)
			return runStages(s.env, canary.ArgoStages(s.env.Client, c, p, rec))
		}
	}
	d := &ui.Dialog{Title: fmt.Sprintf("%s rollout %s?", capitalize(what), c.Name),
		Body: []string{p.Describe, "gates: " + canary.GateSummary(f.Gates)}, OK: run(false)}
	up := action == canary.ArgoPromote || action == canary.ArgoPromoteFull
	switch {
	case action == canary.ArgoAbort:
		d.Danger = true
	case up && len(failing) > 0:
		d.Title, d.Danger = fmt.Sprintf("Blocked: %d gate(s) failing on %s", len(failing), c.Name), true
		d.Body = nil
		for _, g := range failing {
			d.Body = append(d.Body, "✗ "+g.Name+": "+g.Detail)
		}
		d.Body = append(d.Body, "", what+" anyway: "+p.Describe, "Type "+c.Name+" to force it.")
		d.Expect, d.OK = c.Name, run(true)
	}
	return s.env.Ask(d)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
