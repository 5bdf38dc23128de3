package views

import (
	"fmt"
	"strings"

	"github.com/kdeck/kdeck/kube/canary"
	"github.com/kdeck/kdeck/theme"
)

// canaryHead is the canary screen's first line: what the canary is made of.
func canaryHead(c *canary.Canary) string {
	switch {
	case c.Traefik != nil:
		w := c.Traefik
		return fmt.Sprintf("%s · %s · stable %s · canary %s · weights %d/%d of %d", c.Name, c.Kind, c.Stable.Name,
			c.Canary.Name, w.StableWeight, w.CanaryWeight, w.Total())
	case c.Argo != nil:
		return fmt.Sprintf("%s · %s · %d replicas · stable RS %s · canary RS %s", c.Name, c.Kind, c.Argo.Replicas,
			orDash(c.Argo.StableRS), orDash(c.Argo.CurrentPodHash))
	}
	head := fmt.Sprintf("%s · %s · stable %s · service %s · total %d", c.Name, c.Kind, c.Stable.Name, c.Service, c.Total())
	if c.HPA != "" {
		head += " (HPA " + c.HPA + ")"
	}
	return head
}

// canarySteps is the line of planned steps, the current one marked: kdeck's weights, or
// an Argo Rollout's own steps.
func canarySteps(st *theme.Styles, c *canary.Canary) string {
	steps := []string{"steps"}
	if c.Argo != nil {
		for i, a := range c.Argo.Steps {
			label := fmt.Sprintf(" %s ", a)
			if c.Argo.StepIndex == i {
				label = st.Selected.Render("▸" + a.String() + "◂")
			}
			steps = append(steps, label)
		}
		return strings.Join(steps, " ")
	}
	for i, w := range c.Steps {
		label := fmt.Sprintf(" %d%% ", w)
		if c.Step() == i+1 {
			label = st.Selected.Render(fmt.Sprintf("▸%d%%◂", w))
		}
		steps = append(steps, label)
	}
	return strings.Join(steps, " ")
}

// readyLabel names the ready row: deployments have desired replicas, the other kinds
// only the pods found.
func readyLabel(c *canary.Canary) string {
	if c.Kind == canary.KindReplicaRatio {
		return "ready/desired"
	}
	return "ready/pods"
}

// readyText is a side's ready count: the deployment's, or the pods found for it ("-"
// when there is nothing to look for).
func readyText(c *canary.Canary, d *canary.Deploy, sd canary.Side) string {
	switch {
	case c.Kind == canary.KindReplicaRatio:
		return ratio(d.Ready, d.Replicas)
	case d.Selector == "":
		return "- (no pods to follow)"
	}
	return ratio(sd.Ready, sd.Pods)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
