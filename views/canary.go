package views

import (
	"fmt"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/canary"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// CanariesSpec declares the `:canary` view: the canaries kdeck can drive, found from the
// namespace's deployments, services and HPAs; enter opens the canary screen.
var CanariesSpec = ui.ListSpec[*canary.Canary]{
	Noun:    "canaries",
	Columns: canaryColumns,
	Cache: func(env *ui.Env, ns, _ string) kube.Cache[*canary.Canary] {
		return canary.NewCache(env.Client, ns)
	},
	Enter: func(env *ui.Env, c *canary.Canary) ui.Page { return NewCanaryScreen(env, c.RowKey()) },
}

// NewCanaries returns the canaries view for namespace ns ("" for all namespaces).
func NewCanaries(env *ui.Env, ns string) *ui.ListPage[*canary.Canary] {
	return ui.NewListPage(env, CanariesSpec, ns)
}

func canaryColumns(env *ui.Env, allNamespaces bool) []ui.Column[*canary.Canary] {
	type col = ui.Column[*canary.Canary]
	return withNamespace(allNamespaces,
		col{Name: "KIND", Drop: 5, Value: func(c *canary.Canary) string { return c.Kind }},
		col{Name: "STABLE", Drop: 6, Value: func(c *canary.Canary) string { return c.Stable.Name }},
		col{Name: "STEP", Value: canaryStepText},
		col{Name: "WEIGHT", Align: ui.Right, Value: func(c *canary.Canary) string { return fmt.Sprintf("%d%%", c.Weight()) }},
		col{Name: "GATES", Drop: 3,
			Value: func(c *canary.Canary) string {
				switch {
				case c.Argo != nil:
					return c.Argo.State()
				case c.Traefik != nil:
					return "on the screen" // the gates need the Services' pods
				}
				return readyGate(env, c).Result.String() + " ready " + ratio(c.Canary.Ready, c.Canary.Replicas)
			},
			Style: func(st *theme.Styles, c *canary.Canary) lipgloss.Style {
				switch {
				case c.Argo != nil && c.Argo.Abort:
					return st.Bad
				case c.Argo != nil || c.Traefik != nil:
					return st.Muted
				}
				return gateStyle(st, readyGate(env, c).Result)
			}},
		col{Name: "STEP AGE", Align: ui.Right, Drop: 2, Value: func(c *canary.Canary) string { return age(c.StepStart(), env.Now()) }},
	)
}

// canaryStepText is "2/4", "promoted", "aborted", or "-" before kdeck took a step; an
// Argo Rollout's is its current step index over its steps.
func canaryStepText(c *canary.Canary) string {
	switch {
	case c.Argo != nil:
		return fmt.Sprintf("%d/%d", c.Argo.StepIndex, len(c.Argo.Steps))
	case c.Record == nil:
		return "-"
	case c.Active():
		return fmt.Sprintf("%d/%d", c.Record.Step, len(c.Steps))
	}
	return c.Record.State
}

// readyGate is the gate a list row can judge from the deployments alone: every canary
// pod ready. The other gates need pods and metrics: the canary screen shows them.
func readyGate(env *ui.Env, c *canary.Canary) canary.Gate {
	return canary.Gates(canary.GateInput{StepAge: stepAge(env, c), CanaryDesired: c.Canary.Replicas,
		CanaryReady: c.Canary.Ready}, c.Thresholds)[0]
}

// stepAge is how long the current step has run (see canary.Canary.StepStart).
func stepAge(env *ui.Env, c *canary.Canary) time.Duration { return env.Now().Sub(c.StepStart()) }

func gateStyle(st *theme.Styles, r canary.GateResult) lipgloss.Style {
	switch r {
	case canary.GateFail:
		return st.Bad
	case canary.GateWait:
		return st.Warn
	}
	return st.Good
}
