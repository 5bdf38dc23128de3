// Package canary finds guided canaries (replica-ratio Deployment pairs, Traefik weighted
// services, Argo Rollouts), plans each step, judges its health gates and applies it through
// kube.Client.Apply, recording every step on the canary object and as an Event.
package canary

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Annotations on a canary object that drive and record a guided canary.
const (
	// AnnoRecord holds the Record of the last step, as JSON.
	AnnoRecord = "kdeck.dev/canary"
	// AnnoSteps overrides the planned weights: "5,10,50,100".
	AnnoSteps = "kdeck.dev/canary-steps"
	// AnnoGates overrides gate thresholds: "restarts=1,cpu=2,mem=1.5,warnings=0,ready=2m".
	AnnoGates = "kdeck.dev/canary-gates"
)

// DefaultSteps are the planned weights when a canary names none.
var DefaultSteps = []int{10, 25, 50, 100}

// States of a recorded canary.
const (
	Stepping = "stepping" // at one of its steps
	Promoted = "promoted" // stable runs the canary's template; canary at 0
	Aborted  = "aborted"  // canary at 0, stable back to the total
)

// Record is what kdeck writes on the canary object at every step, so that another
// kdeck (a teammate's, or this one restarted) resumes from it.
type Record struct {
	State     string    `json:"state"`
	Step      int       `json:"step"` // 1-based index into Steps; 0 after an abort
	Weight    int       `json:"weight"`
	Steps     []int     `json:"steps"`
	Total     int32     `json:"total"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`        // when this step was taken
	StartedAt time.Time `json:"startedAt"` // when the canary's first step was taken
	// Gates are the gate results when the step was taken: name → "pass: 0 ≤ 1".
	Gates map[string]string `json:"gates,omitempty"`
	// Forced is set when the step was taken over a failing gate.
	Forced bool `json:"forced,omitempty"`
	// Restarts are the restart counts of the pods that had any when the step was taken,
	// so restarts since the step began can be counted.
	Restarts map[string]int32 `json:"restarts,omitempty"`
}

// ParseRecord reads the AnnoRecord annotation; "" gives nil.
func ParseRecord(s string) (*Record, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var r Record
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, fmt.Errorf("annotation %s is not a canary record: %v", AnnoRecord, err)
	}
	return &r, nil
}

// JSON renders r for the AnnoRecord annotation.
func (r Record) JSON() string {
	b, _ := json.Marshal(r) // plain strings, numbers and maps: cannot fail
	return string(b)
}

// ParseSteps reads "5,10,50,100": increasing whole percentages from 1 to 100, the
// last one 100. "" gives DefaultSteps.
func ParseSteps(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return slices.Clone(DefaultSteps), nil
	}
	var steps []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "%")))
		if err != nil || n < 1 || n > 100 {
			return nil, fmt.Errorf("%s: %q is not a percentage from 1 to 100", AnnoSteps, strings.TrimSpace(f))
		}
		if len(steps) > 0 && n <= steps[len(steps)-1] {
			return nil, fmt.Errorf("%s: steps must increase (%d after %d)", AnnoSteps, n, steps[len(steps)-1])
		}
		steps = append(steps, n)
	}
	if steps[len(steps)-1] != 100 {
		steps = append(steps, 100)
	}
	return steps, nil
}

// StepReplicas splits total replicas at weight percent: the canary gets
// ceil(total × weight / 100), the stable the rest. 0 (or less) is all stable, 100 (or
// more) all canary.
func StepReplicas(total int32, weight int) (canary, stable int32) {
	total = max(total, 0)
	switch {
	case weight <= 0:
		return 0, total
	case weight >= 100:
		return total, 0
	}
	canary = int32((int64(total)*int64(weight) + 99) / 100)
	return canary, total - canary
}

// Total is how many replicas the pair shares: the HPA's desired replicas when an HPA
// drives the stable deployment, else the total recorded when the canary started, else the
// two deployments' replicas together.
func Total(rec *Record, stable, canary int32, hpaDesired int32, hasHPA bool) int32 {
	switch {
	case hasHPA && hpaDesired > 0:
		return hpaDesired
	case rec != nil && rec.Total > 0 && rec.State != Promoted:
		return rec.Total
	}
	return stable + canary
}

// Thresholds are the limits the health gates apply.
type Thresholds struct {
	Restarts    int32         // most canary restarts since the step began that still pass
	CPUFactor   float64       // canary CPU per pod may be at most stable's × this
	MemFactor   float64       // the same for memory
	Warnings    int           // most warning events on canary pods since the step began
	ReadyWithin time.Duration // how long unready canary pods only wait before they fail
}

// DefaultThresholds are the gates' limits unless AnnoGates says otherwise.
var DefaultThresholds = Thresholds{Restarts: 1, CPUFactor: 2, MemFactor: 1.5, Warnings: 0,
	ReadyWithin: 2 * time.Minute}

// Bounds of the gate thresholds AnnoGates may set: beyond them a gate means nothing (a
// million restarts) or its arithmetic breaks (NaN compares false, a count past int32
// wraps negative).
const (
	MaxGateCount  = 1_000_000      // restarts, warnings
	MaxGateFactor = 1000.0         // cpu, mem: canary per pod at most stable's × this
	MaxGateReady  = 24 * time.Hour // ready
)

// ParseThresholds reads "restarts=1,cpu=2,mem=1.5,warnings=0,ready=2m" over the
// defaults; keys left out keep their default. Counts are whole numbers from 0 to
// MaxGateCount, factors finite numbers above 0 up to MaxGateFactor, ready a duration
// from 0 to MaxGateReady; anything else (NaN, Inf, an overflow) is an error.
func ParseThresholds(s string) (Thresholds, error) {
	th := DefaultThresholds
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		bad := func(want string) error { return fmt.Errorf("%s: bad value in %q (%s)", AnnoGates, f, want) }
		if !ok {
			return th, bad("KEY=VALUE")
		}
		switch k {
		case "restarts", "warnings":
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil || n < 0 || n > MaxGateCount {
				return th, bad(fmt.Sprintf("a whole number from 0 to %d", MaxGateCount))
			}
			if k == "restarts" {
				th.Restarts = int32(n)
			} else {
				th.Warnings = int(n)
			}
		case "cpu", "mem":
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(x) || x <= 0 || x > MaxGateFactor { // NaN fails every comparison
				return th, bad(fmt.Sprintf("a factor above 0, at most %g", MaxGateFactor))
			}
			if k == "cpu" {
				th.CPUFactor = x
			} else {
				th.MemFactor = x
			}
		case "ready":
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 || d > MaxGateReady {
				return th, bad(fmt.Sprintf("a duration from 0s to %s", MaxGateReady))
			}
			th.ReadyWithin = d
		default:
			return th, fmt.Errorf("%s: unknown gate %q (restarts, cpu, mem, warnings, ready)", AnnoGates, k)
		}
	}
	return th, nil
}
