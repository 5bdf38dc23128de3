package canary

import (
	"fmt"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GVRRollouts is Argo Rollouts' Rollout resource.
var GVRRollouts = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "rollouts"}

// KindArgo is the kind of a canary that is an Argo Rollout with the canary strategy.
const KindArgo = "argo-rollout"

// ArgoStep is one of spec.strategy.canary.steps.
type ArgoStep struct {
	SetWeight int    // the weight of a setWeight step; -1 for other steps
	Pause     bool   // a pause step
	Duration  string // a pause's duration; "" waits for a promotion
	Other     string // the key of any other step (analysis, experiment…)
}

// String is "setWeight 20", "pause", "pause 30s" or the other step's key.
func (s ArgoStep) String() string {
	switch {
	case s.SetWeight >= 0:
		return fmt.Sprintf("setWeight %d", s.SetWeight)
	case s.Pause && s.Duration != "":
		return "pause " + s.Duration
	case s.Pause:
		return "pause"
	}
	return s.Other
}

// ArgoRollout is the compact row kept per Rollout.
type ArgoRollout struct {
	Namespace, Name string
	UID             string
	Canary          bool // spec.strategy.canary is set
	Steps           []ArgoStep
	StepIndex       int  // status.currentStepIndex; 0 when absent
	HasIndex        bool // status.currentStepIndex is set
	Phase           string
	Message         string
	SpecPaused      bool     // spec.paused
	PauseReasons    []string // status.pauseConditions[].reason
	Abort           bool     // status.abort
	PromoteFull     bool     // status.promoteFull
	CurrentPodHash  string
	StableRS        string
	Selector        string // spec.selector as a label selector string
	Replicas        int32
	Record          string // the AnnoRecord annotation
	Gates           string // the AnnoGates annotation
	Created         time.Time
}

// RowKey implements Row.
func (r *ArgoRollout) RowKey() kube.Key { return kube.Key{Namespace: r.Namespace, Name: r.Name} }

// RolloutRow summarises a Rollout; every one is kept (see TraefikServiceRow).
func RolloutRow(u *unstructured.Unstructured) (*ArgoRollout, bool) {
	o := u.Object
	a := u.GetAnnotations()
	r := &ArgoRollout{Namespace: u.GetNamespace(), Name: u.GetName(), UID: string(u.GetUID()), Record: a[AnnoRecord],
		Gates: a[AnnoGates], Created: u.GetCreationTimestamp().Time}
	canary, found, _ := unstructured.NestedMap(o, "spec", "strategy", "canary")
	r.Canary = found && canary != nil
	steps, _, _ := unstructured.NestedSlice(o, "spec", "strategy", "canary", "steps")
	for _, item := range steps {
		m, _ := item.(map[string]any)
		st := ArgoStep{SetWeight: -1}
		switch {
		case m["setWeight"] != nil:
			st.SetWeight = int(number(m["setWeight"]))
		case m["pause"] != nil:
			st.Pause = true
			if p, ok := m["pause"].(map[string]any); ok && p["duration"] != nil {
				st.Duration = fmt.Sprint(p["duration"])
			}
		default:
			for k := range m {
				st.Other = k
			}
		}
		r.Steps = append(r.Steps, st)
	}
	if v, ok, _ := unstructured.NestedFieldNoCopy(o, "status", "currentStepIndex"); ok && v != nil {
		r.StepIndex, r.HasIndex = int(number(v)), true
	}
	r.Phase, _, _ = unstructured.NestedString(o, "status", "phase")
	r.Message, _, _ = unstructured.NestedString(o, "status", "message")
	r.SpecPaused, _, _ = unstructured.NestedBool(o, "spec", "paused")
	r.Abort, _, _ = unstructured.NestedBool(o, "status", "abort")
	r.PromoteFull, _, _ = unstructured.NestedBool(o, "status", "promoteFull")
	r.CurrentPodHash, _, _ = unstructured.NestedString(o, "status", "currentPodHash")
	r.StableRS, _, _ = unstructured.NestedString(o, "status", "stableRS")
	if v, ok, _ := unstructured.NestedFieldNoCopy(o, "spec", "replicas"); ok && v != nil {
		r.Replicas = int32(number(v))
	}
	conds, _, _ := unstructured.NestedSlice(o, "status", "pauseConditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok {
			reason, _ := m["reason"].(string)
			r.PauseReasons = append(r.PauseReasons, reason)
		}
	}
	if sel, ok, _ := unstructured.NestedMap(o, "spec", "selector"); ok {
		var ls metav1.LabelSelector
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(sel, &ls); err == nil {
			if s, err := metav1.LabelSelectorAsSelector(&ls); err == nil && !s.Empty() {
				r.Selector = s.String()
			}
		}
	}
	return r, true
}

// number reads a JSON number of an unstructured object.
func number(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return 0
}

// Weight is the canary's weight at the current step: the last setWeight up to and
// including it, 100 once every step is done, 0 when aborted.
func (r *ArgoRollout) Weight() int {
	if r.Abort {
		return 0
	}
	if r.StepIndex >= len(r.Steps) && r.HasIndex {
		return 100
	}
	w := 0
	for i := 0; i <= r.StepIndex && i < len(r.Steps); i++ {
		if r.Steps[i].SetWeight >= 0 {
			w = r.Steps[i].SetWeight
		}
	}
	return w
}

// Paused reports whether the rollout waits for a promotion: spec.paused or a pause
// condition.
func (r *ArgoRollout) Paused() bool { return r.SpecPaused || len(r.PauseReasons) > 0 }

// State is one line of where the rollout stands: "Paused (CanaryPauseStep)", "aborted".
func (r *ArgoRollout) State() string {
	s := r.Phase
	if s == "" {
		s = "no status yet"
	}
	if len(r.PauseReasons) > 0 {
		s += " (" + strings.Join(r.PauseReasons, ", ") + ")"
	}
	if r.Abort {
		s += " · aborted"
	}
	if r.PromoteFull {
		s += " · full promotion requested"
	}
	return s
}

// podHashLabel is the label Argo Rollouts puts on each ReplicaSet's pods.
const podHashLabel = "rollouts-pod-template-hash"

// FindArgo turns the Rollouts with the canary strategy into canaries. Stable and
// Canary select the pods of status.stableRS and status.currentPodHash; before the
// controller set them, nothing is selected and the gates wait.
func FindArgo(rs []*ArgoRollout) []*Canary {
	var out []*Canary
	for _, r := range rs {
		if !r.Canary {
			continue
		}
		side := func(role, hash string) *Deploy {
			d := &Deploy{Namespace: r.Namespace, Name: r.Name + " " + role, Created: r.Created}
			if hash != "" && r.Selector != "" {
				d.Selector = r.Selector + "," + podHashLabel + "=" + hash
				d.Name = r.Name + "-" + hash
			}
			return d
		}
		c := &Canary{Namespace: r.Namespace, Name: r.Name, Kind: KindArgo, Stable: side("stable", r.StableRS),
			Canary: side("canary", r.CurrentPodHash), Service: r.Name, Argo: r}
		c.Problem = c.readAnnotations(r.Record, "", r.Gates)
		out = append(out, c)
	}
	return out
}
