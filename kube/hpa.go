package kube

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// HPA is the compact row kdeck keeps per HorizontalPodAutoscaler (autoscaling/v2): what
// the list shows and what the explainer needs to redo the controller's arithmetic.
type HPA struct {
	Namespace  string
	Name       string
	RefKind    string // the scale target: Deployment, StatefulSet …
	RefName    string
	Min, Max   int32
	Current    int32 // status.currentReplicas
	Desired    int32 // status.desiredReplicas: the controller's last decision
	Metrics    []HPAMetric
	Conditions []HPACondition
	LastScale  time.Time // zero when it never scaled
	Created    time.Time
	// TolUp and TolDown are the tolerance around a ratio of 1 within which the controller
	// leaves the replicas alone (0.1 unless spec.behavior sets one).
	TolUp, TolDown float64
	// DownWindow is the scale-down stabilization window: the controller scales down to the
	// highest recommendation of this period.
	DownWindow time.Duration
}

// RowKey implements Row.
func (h *HPA) RowKey() Key { return Key{Namespace: h.Namespace, Name: h.Name} }

// Target types of a metric, as autoscaling/v2 names them.
const (
	TargetUtilization = string(autoscalingv2.UtilizationMetricType)  // % of the pods' requests
	TargetAverage     = string(autoscalingv2.AverageValueMetricType) // per pod
	TargetValue       = string(autoscalingv2.ValueMetricType)        // in total
)

// Amount is a metric quantity: its value for the arithmetic and its text for the screen
// ("92%", "450Mi", "1200m").
type Amount struct {
	Value float64
	Text  string
}

// HPAMetric is one metric of an HPA: what it measures, its target and its current value.
type HPAMetric struct {
	Type       string // Resource, ContainerResource, Pods, Object, External
	Name       string // "cpu", "cpu (container app)", "requests_per_second on Ingress/main"
	TargetType string // TargetUtilization, TargetAverage or TargetValue
	Target     Amount
	Current    Amount
	Known      bool // the controller could read the current value
}

// HPACondition is one of the HPA's status conditions.
type HPACondition struct {
	Type    string // AbleToScale, ScalingActive, ScalingLimited
	Status  string // True, False, Unknown
	Reason  string
	Message string
	Since   time.Time
}

// HPASource returns the Source for HPAs in ns ("" for all namespaces).
func (c *Client) HPASource(ns string) Source[*HPA] {
	api := c.Clientset.AutoscalingV2().HorizontalPodAutoscalers(ns)
	return TypedSource("horizontalpodautoscalers", ns, "", api.List, api.Watch,
		func(l *autoscalingv2.HorizontalPodAutoscalerList) []autoscalingv2.HorizontalPodAutoscaler {
			return l.Items
		}, HPARow)
}

// DefaultTolerance is the controller's default --horizontal-pod-autoscaler-tolerance.
const DefaultTolerance = 0.1

// HPARow summarises h. Metric statuses are matched to specs by position, as kubectl does
// (the controller writes one status per spec, empty for a metric it could not read).
func HPARow(h *autoscalingv2.HorizontalPodAutoscaler) *HPA {
	r := &HPA{
		Namespace: h.Namespace, Name: h.Name,
		RefKind: h.Spec.ScaleTargetRef.Kind, RefName: h.Spec.ScaleTargetRef.Name,
		Min: 1, Max: h.Spec.MaxReplicas,
		Current: h.Status.CurrentReplicas, Desired: h.Status.DesiredReplicas,
		Created: h.CreationTimestamp.Time,
		TolUp:   DefaultTolerance, TolDown: DefaultTolerance,
		DownWindow: 5 * time.Minute,
	}
	if h.Spec.MinReplicas != nil {
		r.Min = *h.Spec.MinReplicas
	}
	if h.Status.LastScaleTime != nil {
		r.LastScale = h.Status.LastScaleTime.Time
	}
	if b := h.Spec.Behavior; b != nil {
		if b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
			r.TolUp = b.ScaleUp.Tolerance.AsApproximateFloat64()
		}
		if b.ScaleDown != nil {
			if b.ScaleDown.Tolerance != nil {
				r.TolDown = b.ScaleDown.Tolerance.AsApproximateFloat64()
			}
			if w := b.ScaleDown.StabilizationWindowSeconds; w != nil {
				r.DownWindow = time.Duration(*w) * time.Second
			}
		}
	}
	for i, spec := range h.Spec.Metrics {
		var status *autoscalingv2.MetricStatus
		if i < len(h.Status.CurrentMetrics) && h.Status.CurrentMetrics[i].Type == spec.Type {
			status = &h.Status.CurrentMetrics[i]
		}
		r.Metrics = append(r.Metrics, hpaMetric(spec, status))
	}
	for _, c := range h.Status.Conditions {
		r.Conditions = append(r.Conditions, HPACondition{Type: string(c.Type), Status: string(c.Status),
			Reason: c.Reason, Message: c.Message, Since: c.LastTransitionTime.Time})
	}
	return r
}

// hpaMetric pairs one metric spec with its status (nil when unknown).
func hpaMetric(spec autoscalingv2.MetricSpec, status *autoscalingv2.MetricStatus) HPAMetric {
	m := HPAMetric{Type: string(spec.Type)}
	var target autoscalingv2.MetricTarget
	var current *autoscalingv2.MetricValueStatus
	switch spec.Type {
	case autoscalingv2.ResourceMetricSourceType:
		if spec.Resource == nil {
			return m
		}
		m.Name, target = string(spec.Resource.Name), spec.Resource.Target
		if status != nil && status.Resource != nil {
			current = &status.Resource.Current
		}
	case autoscalingv2.ContainerResourceMetricSourceType:
		if spec.ContainerResource == nil {
			return m
		}
		cr := spec.ContainerResource
		m.Name, target = fmt.Sprintf("%s (container %s)", cr.Name, cr.Container), cr.Target
		if status != nil && status.ContainerResource != nil {
			current = &status.ContainerResource.Current
		}
	case autoscalingv2.PodsMetricSourceType:
		if spec.Pods == nil {
			return m
		}
		m.Name, target = spec.Pods.Metric.Name, spec.Pods.Target
		if status != nil && status.Pods != nil {
			current = &status.Pods.Current
		}
	case autoscalingv2.ObjectMetricSourceType:
		if spec.Object == nil {
			return m
		}
		o := spec.Object
		m.Name, target = fmt.Sprintf("%s on %s/%s", o.Metric.Name, o.DescribedObject.Kind, o.DescribedObject.Name), o.Target
		if status != nil && status.Object != nil {
			current = &status.Object.Current
		}
	case autoscalingv2.ExternalMetricSourceType:
		if spec.External == nil {
			return m
		}
		m.Name, target = spec.External.Metric.Name, spec.External.Target
		if status != nil && status.External != nil {
			current = &status.External.Current
		}
	}
	m.TargetType = string(target.Type)
	switch target.Type {
	case autoscalingv2.UtilizationMetricType:
		if target.AverageUtilization != nil {
			m.Target = percent(*target.AverageUtilization)
		}
		if current != nil && current.AverageUtilization != nil {
			m.Current, m.Known = percent(*current.AverageUtilization), true
		}
	case autoscalingv2.AverageValueMetricType:
		m.Target = amountOf(target.AverageValue)
		if current != nil && current.AverageValue != nil {
			m.Current, m.Known = amountOf(current.AverageValue), true
		}
	case autoscalingv2.ValueMetricType:
		m.Target = amountOf(target.Value)
		if current != nil && current.Value != nil {
			m.Current, m.Known = amountOf(current.Value), true
		}
	}
	return m
}

func percent(p int32) Amount { return Amount{Value: float64(p), Text: fmt.Sprintf("%d%%", p)} }

func amountOf(q *resource.Quantity) Amount {
	if q == nil {
		return Amount{}
	}
	return Amount{Value: q.AsApproximateFloat64(), Text: q.String()}
}

// Targets renders the TARGETS column like kubectl: "cpu: 85%/60%, memory: <unknown>/500Mi".
func (h *HPA) Targets() string {
	if len(h.Metrics) == 0 {
		return "<none>"
	}
	parts := make([]string, len(h.Metrics))
	for i, m := range h.Metrics {
		cur := "<unknown>"
		if m.Known {
			cur = m.Current.Text
		}
		s := cur + "/" + m.Target.Text
		if m.TargetType == TargetAverage && (m.Type == "Object" || m.Type == "External") {
			s += " (avg)"
		}
		if m.Type == "Resource" || m.Type == "ContainerResource" {
			s = m.Name + ": " + s
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

// Condition returns the condition of type t, if the HPA has it.
func (h *HPA) Condition(t string) (HPACondition, bool) {
	for _, c := range h.Conditions {
		if c.Type == t {
			return c, true
		}
	}
	return HPACondition{}, false
}

// Limiting returns the condition that holds the HPA back, most serious first: AbleToScale
// False (it cannot change the target), ScalingActive False (it cannot compute a
// recommendation), ScalingLimited True (a bound or rate limit clamps it); ok is false when
// nothing does.
func (h *HPA) Limiting() (HPACondition, bool) {
	for _, want := range []struct{ t, status string }{
		{"AbleToScale", "False"}, {"ScalingActive", "False"}, {"ScalingLimited", "True"},
	} {
		if c, ok := h.Condition(want.t); ok && c.Status == want.status {
			return c, true
		}
	}
	return HPACondition{}, false
}

// ReplicaBound says which replica bound clamped a recommendation.
type ReplicaBound int8

// Bounds.
const (
	NoBound  ReplicaBound = iota // the recommendation is within [min, max]
	MinBound                     // raised to minReplicas
	MaxBound                     // lowered to maxReplicas
)

// MetricPlan is the controller's arithmetic for one metric.
type MetricPlan struct {
	Metric   HPAMetric
	Ratio    float64 // current / target
	Within   bool    // the ratio is within the tolerance: this metric asks for no change
	Replicas int32   // what this metric asks for
	Missing  bool    // the current value is unknown: this metric asks for nothing
}

// ScalePlan is the HPA controller's decision worked out on the numbers in an HPA row: for each
// metric desired = ceil(current × currentMetric / targetMetric) unless the ratio is within
// the tolerance, the highest of those, then clamped to [min, max].
type ScalePlan struct {
	Current  int32
	Metrics  []MetricPlan
	Disabled bool  // the target is scaled to zero while min > 0: autoscaling is off
	Proposed int32 // the highest recommendation over the metrics (Current when none)
	Driver   int   // the index of the metric that proposed it; -1 when none did
	// AllMissing: no metric could be read, so nothing changes. HeldDown: some metrics are
	// missing and the rest would scale down, which the controller refuses to do.
	AllMissing, HeldDown bool
	Desired              int32 // Proposed clamped to [Min, Max]
	Clamp                ReplicaBound
}

// PlanScale works out h's scaling decision from its current numbers, following the HPA
// controller (pkg/controller/podautoscaler): it does not know about unready pods, the
// scale-up rate limit or the scale-down stabilization window, which the controller applies
// afterwards.
func PlanScale(h *HPA) ScalePlan {
	p := ScalePlan{Current: h.Current, Proposed: h.Current, Driver: -1}
	if h.Current == 0 && h.Min > 0 {
		p.Disabled, p.Desired = true, 0
		return p
	}
	missing := 0
	var best int32
	for i, m := range h.Metrics {
		mp := MetricPlan{Metric: m}
		switch {
		case !m.Known || m.Target.Value <= 0:
			mp.Missing = true
			missing++
		default:
			mp.Ratio = m.Current.Value / m.Target.Value
			switch {
			case h.Current == 0: // scale from zero: ceil(ratio) replicas
				mp.Replicas = int32(math.Ceil(mp.Ratio))
			case 1-h.TolDown <= mp.Ratio && mp.Ratio <= 1+h.TolUp:
				mp.Within, mp.Replicas = true, h.Current
			default:
				mp.Replicas = int32(math.Ceil(mp.Ratio * float64(h.Current)))
			}
			if p.Driver < 0 || mp.Replicas > best {
				best, p.Driver = mp.Replicas, i
			}
		}
		p.Metrics = append(p.Metrics, mp)
	}
	switch {
	case len(h.Metrics) > 0 && missing == len(h.Metrics):
		p.AllMissing = true
	case missing > 0 && best < h.Current:
		p.HeldDown = true
	case p.Driver >= 0:
		p.Proposed = best
	}
	p.Desired = p.Proposed
	switch {
	case p.Desired > h.Max:
		p.Desired, p.Clamp = h.Max, MaxBound
	case p.Desired < h.Min:
		p.Desired, p.Clamp = h.Min, MinBound
	}
	return p
}

// HPAFor returns the HorizontalPodAutoscaler in ref's namespace whose scale target is ref,
// or nil when none drives it.
func (c *Client) HPAFor(ctx context.Context, ref ObjectRef, kind string) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	list, err := c.Clientset.AutoscalingV2().HorizontalPodAutoscalers(ref.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, Classify(err, "list", "horizontalpodautoscalers", ref.Namespace)
	}
	for i, h := range list.Items {
		t := h.Spec.ScaleTargetRef
		if t.Kind == kind && t.Name == ref.Name {
			return &list.Items[i], nil
		}
	}
	return nil, nil
}

// HPARangeAccess is the request HPARange makes.
func HPARangeAccess(ns string) Access {
	return Access{Verb: "patch", GVR: GVRHPAs, Namespace: ns}
}

// HPARange returns the mutation that sets an HPA's minReplicas and maxReplicas.
func (c *Client) HPARange(ns, name string, fromMin, fromMax, toMin, toMax int32) Mutation {
	return Mutation{
		Access:  HPARangeAccess(ns),
		Name:    name,
		Summary: fmt.Sprintf("min/max %d/%d → %d/%d", fromMin, fromMax, toMin, toMax),
		Do: func(ctx context.Context) error {
			patch := fmt.Sprintf(`{"spec":{"minReplicas":%d,"maxReplicas":%d}}`, toMin, toMax)
			_, err := c.Clientset.AutoscalingV2().HorizontalPodAutoscalers(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
			return err
		},
	}
}
