package kube

import (
	"fmt"
	"strings"
)

// HPAConcern says how much an HPA's state needs a person.
type HPAConcern int8

// HPA concerns, from none to the most.
const (
	HPAFine   HPAConcern = iota // steady, within its tolerance or held at its min
	HPAMoving                   // scaling, held by a bound or a window, or off at zero replicas
	HPAStuck                    // it cannot scale: the target's scale or its metrics cannot be read
)

// condNote renders " (Type Status: Reason)" for h's condition t when it has status; "" otherwise.
func condNote(h *HPA, t, status string) string {
	if c, ok := h.Condition(t); ok && c.Status == status {
		if t == "ScalingLimited" {
			return " (ScalingLimited: " + c.Reason + ")"
		}
		return fmt.Sprintf(" (%s %s: %s)", t, c.Status, c.Reason)
	}
	return ""
}

// metricPhrase describes a metric's reading against its target in words.
func metricPhrase(m HPAMetric) string {
	switch m.TargetType {
	case TargetUtilization:
		return fmt.Sprintf("%s at %s of request vs target %s", m.Name, m.Current.Text, m.Target.Text)
	case TargetAverage:
		return fmt.Sprintf("%s at %s per pod vs target %s", m.Name, m.Current.Text, m.Target.Text)
	}
	return fmt.Sprintf("%s at %s vs target %s", m.Name, m.Current.Text, m.Target.Text)
}

func replicas(n int32) string {
	if n == 1 {
		return "1 replica"
	}
	return fmt.Sprintf("%d replicas", n)
}

// HPAHeadline says in one sentence why h is or is not scaling now, on the numbers of p
// (PlanScale of h), and how much that needs a person.
func HPAHeadline(h *HPA, p ScalePlan) (string, HPAConcern) {
	if c, ok := h.Condition("AbleToScale"); ok && c.Status == "False" {
		return "Not scaling: the HPA cannot read or change " + h.RefKind + "/" + h.RefName + "'s scale" + condNote(h, "AbleToScale", "False"), HPAStuck
	}
	if p.Disabled {
		return "Not scaling: " + h.RefKind + "/" + h.RefName + " is scaled to 0, which turns autoscaling off until it has replicas" + condNote(h, "ScalingActive", "False"), HPAMoving
	}
	if p.AllMissing || len(p.Metrics) == 0 {
		return "Not scaling: metrics unavailable" + condNote(h, "ScalingActive", "False"), HPAStuck
	}
	if c, ok := h.Condition("ScalingActive"); ok && c.Status == "False" {
		return "Not scaling: " + c.Message + condNote(h, "ScalingActive", "False"), HPAStuck
	}
	if h.Current > h.Max {
		return fmt.Sprintf("Scaling down: %s is above max %d", replicas(h.Current), h.Max), HPAMoving
	}
	if h.Current < h.Min {
		return fmt.Sprintf("Scaling up: %s is below min %d", replicas(h.Current), h.Min), HPAMoving
	}
	limited := condNote(h, "ScalingLimited", "True")
	if p.HeldDown {
		var missing []string
		for _, m := range p.Metrics {
			if m.Missing {
				missing = append(missing, m.Metric.Name)
			}
		}
		return fmt.Sprintf("Not scaling down: %s unavailable, and the controller never scales down on partial metrics; stays at %d",
			strings.Join(missing, ", "), h.Current), HPAMoving
	}
	d := p.Metrics[p.Driver]
	wants := metricPhrase(d.Metric) + " wants " + replicas(d.Replicas)
	clamped := ""
	switch p.Clamp {
	case MaxBound:
		clamped = fmt.Sprintf("; max is %d, so pinned at %d%s", h.Max, p.Desired, limited)
	case MinBound:
		clamped = fmt.Sprintf("; min is %d, so held at %d%s", h.Min, p.Desired, limited)
	}
	switch {
	case p.Desired > h.Current:
		return "Scaling up: " + wants + clamped, HPAMoving
	case p.Desired < h.Current:
		s := "Scaling down: " + wants + clamped
		if h.Desired > p.Desired {
			s += fmt.Sprintf("; the %s stabilization window holds it at %d for now", h.DownWindow, h.Desired)
		}
		return s, HPAMoving
	case p.Clamp == MaxBound:
		return "At max: " + wants + clamped, HPAMoving
	case p.Clamp == MinBound:
		return "At min: " + wants + clamped, HPAFine
	}
	allWithin := true
	for _, m := range p.Metrics {
		allWithin = allWithin && (m.Missing || m.Within)
	}
	if allWithin {
		tol := fmt.Sprintf("the %s%% tolerance", FormatDecimal(h.TolUp*100))
		if h.TolUp != h.TolDown {
			tol = fmt.Sprintf("the -%s%%/+%s%% tolerance", FormatDecimal(h.TolDown*100), FormatDecimal(h.TolUp*100))
		}
		return fmt.Sprintf("Not scaling: %s is within %s; stays at %d", metricPhrase(d.Metric), tol, h.Current), HPAFine
	}
	return fmt.Sprintf("Steady: %s, which it has", wants), HPAFine
}
