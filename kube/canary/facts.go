package canary

import (
	"slices"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
)

// Facts are what a canary's screen and its gates read, worked out from live data.
type Facts struct {
	StepStart      time.Time
	Stable, Canary Side
	Gates          []Gate
	Warnings       []*kube.Event    // on canary pods since the step began, newest first
	Restarts       map[string]int32 // each pod's restarts now: the next step's baseline
}

// Side is the numbers of one side of a canary, stable or canary.
type Side struct {
	Pods, Ready   int32
	RestartsSince int32
	CPU, Mem      []int64 // per pod with metrics
}

// StepStart is when the current step began: the recorded step's time or, before kdeck
// took a step, when the canary deployment was created.
func (c *Canary) StepStart() time.Time {
	if c.Record == nil {
		return c.Canary.Created
	}
	return c.Record.At
}

// Gather works out the facts of c from its pods, the namespace's events and the metrics.
func Gather(c *Canary, stablePods, canaryPods []*kube.Pod, events []*kube.Event, m *kube.MetricsSnapshot, now time.Time) Facts {
	f := Facts{StepStart: c.StepStart()}
	var baseline map[string]int32
	if c.Record != nil {
		baseline = c.Record.Restarts
	}
	inCanary := map[string]bool{}
	for _, p := range canaryPods {
		inCanary[p.Name] = true
	}
	f.Restarts = map[string]int32{}
	count := func(sd *Side, p *kube.Pod) {
		sd.Pods++
		if p.Containers > 0 && p.Ready == p.Containers {
			sd.Ready++
		}
		if p.Restarts > 0 {
			f.Restarts[p.Name] = p.Restarts
		}
		since := p.Restarts
		if !p.Created.After(f.StepStart) {
			since -= baseline[p.Name]
		}
		sd.RestartsSince += max(0, since)
		if u, ok := m.Pod(p.RowKey()); ok {
			sd.CPU, sd.Mem = append(sd.CPU, u.CPU()), append(sd.Mem, u.Mem())
		}
	}
	for _, p := range canaryPods {
		count(&f.Canary, p)
	}
	for _, p := range stablePods {
		if !inCanary[p.Name] { // a stable selector may match the canary's pods too
			count(&f.Stable, p)
		}
	}
	for _, e := range events {
		name, isPod := strings.CutPrefix(e.Object, "pod/")
		if e.Type == "Warning" && isPod && inCanary[name] && !e.LastSeen.Before(f.StepStart) {
			f.Warnings = append(f.Warnings, e)
		}
	}
	slices.SortFunc(f.Warnings, kube.NewestFirst)
	desired, ready := c.Canary.Replicas, c.Canary.Ready
	if c.Kind != KindReplicaRatio { // no deployment: the pods found are what runs
		desired, ready = f.Canary.Pods, f.Canary.Ready
	}
	in := GateInput{StepAge: now.Sub(f.StepStart), CanaryDesired: desired, CanaryReady: ready,
		Restarts: f.Canary.RestartsSince, CanaryCPU: f.Canary.CPU, StableCPU: f.Stable.CPU,
		CanaryMem: f.Canary.Mem, StableMem: f.Stable.Mem, Warnings: len(f.Warnings)}
	if len(f.Warnings) > 0 {
		in.LastWarning = f.Warnings[0].Reason
	}
	f.Gates = Gates(in, c.Thresholds)
	return f
}
