package canary

import (
	"fmt"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
)

// GateResult is a health gate's verdict.
type GateResult int8

// Gate verdicts.
const (
	GatePass GateResult = iota
	GateWait            // not enough data yet, or still within its grace period
	GateFail
)

// String is "pass", "wait" or "fail".
func (r GateResult) String() string {
	switch r {
	case GateWait:
		return "wait"
	case GateFail:
		return "fail"
	}
	return "pass"
}

// Gate is one health gate's verdict and the numbers that decided it.
type Gate struct {
	Name   string // ready, restarts, cpu, mem, events
	Result GateResult
	Detail string // "canary 215m/pod ≤ stable 140m × 2 = 280m"
}

// String is "fail: 3 restarts since the step began > 1".
func (g Gate) String() string { return g.Result.String() + ": " + g.Detail }

// GateInput is what the gates compare, canary against stable, since the step began.
type GateInput struct {
	StepAge       time.Duration // how long the current step has run
	CanaryDesired int32
	CanaryReady   int32
	Restarts      int32   // canary restarts since the step began
	CanaryCPU     []int64 // millicores per canary pod with metrics
	StableCPU     []int64
	CanaryMem     []int64 // bytes per canary pod with metrics
	StableMem     []int64
	Warnings      int    // warning events on canary pods since the step began
	LastWarning   string // the newest one's reason, for the detail
}

// Gates judges in against th: every canary pod ready (unready ones wait out
// th.ReadyWithin), restarts, CPU and memory per pod against stable's, warning events.
func Gates(in GateInput, th Thresholds) []Gate {
	gates := make([]Gate, 0, 5)
	ready := Gate{Name: "ready", Detail: fmt.Sprintf("canary %d/%d ready", in.CanaryReady, in.CanaryDesired)}
	switch {
	case in.CanaryDesired == 0:
		ready.Result, ready.Detail = GateWait, "canary has no replicas"
	case in.CanaryReady < in.CanaryDesired && in.StepAge < th.ReadyWithin:
		ready.Result = GateWait
		ready.Detail += fmt.Sprintf(", waiting up to %s", th.ReadyWithin)
	case in.CanaryReady < in.CanaryDesired:
		ready.Result = GateFail
		ready.Detail += fmt.Sprintf(" after %s (limit %s)", in.StepAge.Round(time.Second), th.ReadyWithin)
	}
	gates = append(gates, ready)

	restarts := Gate{Name: "restarts", Detail: fmt.Sprintf("%d since the step began ≤ %d", in.Restarts, th.Restarts)}
	if in.Restarts > th.Restarts {
		restarts.Result, restarts.Detail = GateFail, fmt.Sprintf("%d since the step began > %d", in.Restarts, th.Restarts)
	}
	gates = append(gates, restarts)

	gates = append(gates, usageGate("cpu", in.CanaryCPU, in.StableCPU, th.CPUFactor, func(v int64) string { return fmt.Sprintf("%dm", v) }))
	gates = append(gates, usageGate("mem", in.CanaryMem, in.StableMem, th.MemFactor, kube.FormatBytes))

	events := Gate{Name: "events", Detail: fmt.Sprintf("%d warnings on canary pods since the step began ≤ %d", in.Warnings, th.Warnings)}
	if in.Warnings > th.Warnings {
		events.Result = GateFail
		events.Detail = fmt.Sprintf("%d warnings on canary pods since the step began > %d", in.Warnings, th.Warnings)
		if in.LastWarning != "" {
			events.Detail += " (latest " + in.LastWarning + ")"
		}
	}
	return append(gates, events)
}

// usageGate compares the canary's average per pod with the stable's times factor.
func usageGate(name string, canary, stable []int64, factor float64, text func(int64) string) Gate {
	g := Gate{Name: name}
	if len(canary) == 0 || len(stable) == 0 {
		side := "canary"
		if len(canary) > 0 {
			side = "stable"
		}
		g.Result, g.Detail = GateWait, "no metrics for "+side+" pods yet"
		return g
	}
	c, s := Average(canary), Average(stable)
	limit := int64(float64(s) * factor)
	g.Detail = fmt.Sprintf("canary %s/pod ≤ stable %s × %s = %s", text(c), text(s), kube.FormatDecimal(factor), text(limit))
	if c > limit {
		g.Result = GateFail
		g.Detail = strings.Replace(g.Detail, "≤", ">", 1)
	}
	return g
}

// Average is the mean of vs, rounded to the nearest whole; 0 for none.
func Average(vs []int64) int64 {
	if len(vs) == 0 {
		return 0
	}
	var sum int64
	for _, v := range vs {
		sum += v
	}
	n := int64(len(vs))
	return (sum + n/2) / n
}

// Failing returns the gates that fail.
func Failing(gates []Gate) []Gate {
	var out []Gate
	for _, g := range gates {
		if g.Result == GateFail {
			out = append(out, g)
		}
	}
	return out
}

// GateSummary is one word for a list of gates: "fail ready,restarts", "wait cpu", "pass".
func GateSummary(gates []Gate) string {
	for _, want := range []GateResult{GateFail, GateWait} {
		var names []string
		for _, g := range gates {
			if g.Result == want {
				names = append(names, g.Name)
			}
		}
		if len(names) > 0 {
			return want.String() + " " + strings.Join(names, ",")
		}
	}
	return "pass"
}
