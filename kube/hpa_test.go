package kube

import (
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// hpaObject is web's HPA as the controller leaves it: cpu at 92% of a 60% target pinned
// by max 4, and a memory metric it could not read.
func hpaObject() *autoscalingv2.HorizontalPodAutoscaler {
	q := resource.MustParse
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", CreationTimestamp: metav1.NewTime(t0.Add(-time.Hour))},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"},
			MinReplicas:    ptr.To[int32](2), MaxReplicas: 4,
			Metrics: []autoscalingv2.MetricSpec{
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](60)}}},
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceMemory,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr.To(q("500Mi"))}}},
				{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
					Metric: autoscalingv2.MetricIdentifier{Name: "queue_depth"},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: ptr.To(q("30"))}}},
			},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](60)}},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{
			CurrentReplicas: 3, DesiredReplicas: 4, LastScaleTime: ptr.To(metav1.NewTime(t0.Add(-4 * time.Minute))),
			CurrentMetrics: []autoscalingv2.MetricStatus{
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU,
					Current: autoscalingv2.MetricValueStatus{AverageUtilization: ptr.To[int32](92), AverageValue: ptr.To(q("92m"))}}},
				{}, // memory: unreadable
				{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricStatus{
					Metric: autoscalingv2.MetricIdentifier{Name: "queue_depth"}, Current: autoscalingv2.MetricValueStatus{Value: ptr.To(q("12"))}}},
			},
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
				{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, Reason: "SucceededRescale", Message: "the HPA controller was able to update the target scale to 4"},
				{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionTrue, Reason: "ValidMetricFound", Message: "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"},
				{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionTrue, Reason: "TooManyReplicas", Message: "the desired replica count is more than the maximum replica count",
					LastTransitionTime: metav1.NewTime(t0.Add(-4 * time.Minute))},
			},
		},
	}
}

func TestHPARow(t *testing.T) {
	h := HPARow(hpaObject())
	if h.RefKind != "Deployment" || h.RefName != "web" || h.Min != 2 || h.Max != 4 || h.Current != 3 || h.Desired != 4 ||
		!h.LastScale.Equal(t0.Add(-4*time.Minute)) || h.DownWindow != time.Minute || h.TolUp != 0.1 || h.TolDown != 0.1 {
		t.Errorf("row: %+v", *h)
	}
	want := []HPAMetric{
		{Type: "Resource", Name: "cpu", TargetType: TargetUtilization, Target: Amount{60, "60%"}, Current: Amount{92, "92%"}, Known: true},
		{Type: "Resource", Name: "memory", TargetType: TargetAverage, Target: Amount{500 * 1024 * 1024, "500Mi"}},
		{Type: "External", Name: "queue_depth", TargetType: TargetValue, Target: Amount{30, "30"}, Current: Amount{12, "12"}, Known: true},
	}
	if len(h.Metrics) != len(want) {
		t.Fatalf("metrics: %+v", h.Metrics)
	}
	for i := range want {
		if h.Metrics[i] != want[i] {
			t.Errorf("metric %d:\n got %+v\nwant %+v", i, h.Metrics[i], want[i])
		}
	}
	if got := h.Targets(); got != "cpu: 92%/60%, memory: <unknown>/500Mi, 12/30" {
		t.Errorf("targets %q", got)
	}
	if c, ok := h.Limiting(); !ok || c.Reason != "TooManyReplicas" {
		t.Errorf("limiting %+v %v", c, ok)
	}
	obj := hpaObject()
	obj.Status.Conditions[1].Status, obj.Status.Conditions[1].Reason = corev1.ConditionFalse, "FailedGetResourceMetric"
	if c, _ := HPARow(obj).Limiting(); c.Reason != "FailedGetResourceMetric" {
		t.Errorf("ScalingActive False must outrank ScalingLimited: %+v", c)
	}
	obj.Spec.Behavior.ScaleUp = &autoscalingv2.HPAScalingRules{Tolerance: ptr.To(resource.MustParse("50m"))}
	if h := HPARow(obj); h.TolUp != 0.05 || h.TolDown != 0.1 {
		t.Errorf("configured tolerance: up %v down %v", h.TolUp, h.TolDown)
	}
}

// metric builds a metric reading; current < 0 means unknown.
func metric(name, targetType string, current, target float64) HPAMetric {
	m := HPAMetric{Type: "Resource", Name: name, TargetType: targetType, Target: Amount{Value: target}}
	if current >= 0 {
		m.Current, m.Known = Amount{Value: current}, true
	}
	return m
}

func TestPlanScale(t *testing.T) {
	type want struct {
		proposed, desired int32
		clamp             ReplicaBound
		driver            int
		disabled, missing bool // disabled; every metric missing
		heldDown          bool
		perMetric         []int32 // replicas each metric asks for (-1: missing)
	}
	cases := []struct {
		name             string
		current, min, mx int32
		metrics          []HPAMetric
		want             want
	}{
		{"utilization scales up: ceil(3 × 92/60) = 5", 3, 1, 10,
			[]HPAMetric{metric("cpu", TargetUtilization, 92, 60)},
			want{proposed: 5, desired: 5, perMetric: []int32{5}}},
		{"clamped by max", 3, 1, 4,
			[]HPAMetric{metric("cpu", TargetUtilization, 92, 60)},
			want{proposed: 5, desired: 4, clamp: MaxBound, perMetric: []int32{5}}},
		{"clamped by min", 4, 3, 10,
			[]HPAMetric{metric("cpu", TargetUtilization, 10, 60)},
			want{proposed: 1, desired: 3, clamp: MinBound, perMetric: []int32{1}}},
		{"within tolerance above: 65/60 = 1.083", 3, 1, 10,
			[]HPAMetric{metric("cpu", TargetUtilization, 65, 60)},
			want{proposed: 3, desired: 3, perMetric: []int32{3}}},
		{"within tolerance below: 54/60 = 0.9 exactly", 3, 1, 10,
			[]HPAMetric{metric("cpu", TargetUtilization, 54, 60)},
			want{proposed: 3, desired: 3, perMetric: []int32{3}}},
		{"just outside tolerance: 67/60 = 1.117", 3, 1, 10,
			[]HPAMetric{metric("cpu", TargetUtilization, 67, 60)},
			want{proposed: 4, desired: 4, perMetric: []int32{4}}},
		{"average value scales down: ceil(6 × 200Mi/500Mi) = 3", 6, 1, 10,
			[]HPAMetric{metric("memory", TargetAverage, 200<<20, 500<<20)},
			want{proposed: 3, desired: 3, perMetric: []int32{3}}},
		{"value target: ceil(2 × 120/30) = 8", 2, 1, 10,
			[]HPAMetric{metric("queue", TargetValue, 120, 30)},
			want{proposed: 8, desired: 8, perMetric: []int32{8}}},
		{"highest metric wins", 4, 1, 20,
			[]HPAMetric{metric("cpu", TargetUtilization, 30, 60), metric("memory", TargetAverage, 900, 300), metric("queue", TargetValue, 31, 30)},
			want{proposed: 12, desired: 12, driver: 1, perMetric: []int32{2, 12, 4}}},
		{"a missing metric is ignored when scaling up", 3, 1, 10,
			[]HPAMetric{metric("memory", TargetAverage, -1, 500), metric("cpu", TargetUtilization, 120, 60)},
			want{proposed: 6, desired: 6, driver: 1, perMetric: []int32{-1, 6}}},
		{"a missing metric blocks scaling down", 6, 1, 10,
			[]HPAMetric{metric("cpu", TargetUtilization, 10, 60), metric("memory", TargetAverage, -1, 500)},
			want{proposed: 6, desired: 6, heldDown: true, perMetric: []int32{1, -1}}},
		{"every metric missing", 3, 1, 10,
			[]HPAMetric{metric("cpu", TargetUtilization, -1, 60)},
			want{proposed: 3, desired: 3, driver: -1, missing: true, perMetric: []int32{-1}}},
		{"target scaled to zero with min 1: autoscaling off", 0, 1, 10,
			[]HPAMetric{metric("cpu", TargetUtilization, -1, 60)},
			want{proposed: 0, desired: 0, driver: -1, disabled: true}},
		{"scale to zero allowed: min 0, idle queue", 3, 0, 10,
			[]HPAMetric{metric("queue", TargetValue, 0, 30)},
			want{proposed: 0, desired: 0, perMetric: []int32{0}}},
		{"idle queue with min 1", 3, 1, 10,
			[]HPAMetric{metric("queue", TargetValue, 0, 30)},
			want{proposed: 0, desired: 1, clamp: MinBound, perMetric: []int32{0}}},
		{"scale from zero: ceil(45/30) = 2", 0, 0, 10,
			[]HPAMetric{metric("queue", TargetValue, 45, 30)},
			want{proposed: 2, desired: 2, perMetric: []int32{2}}},
		{"no metrics", 3, 1, 10, nil,
			want{proposed: 3, desired: 3, driver: -1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &HPA{Current: c.current, Min: c.min, Max: c.mx, Metrics: c.metrics, TolUp: DefaultTolerance, TolDown: DefaultTolerance}
			p := PlanScale(h)
			w := c.want
			if w.driver == 0 && (w.perMetric == nil || w.missing) {
				w.driver = -1
			}
			if p.Proposed != w.proposed || p.Desired != w.desired || p.Clamp != w.clamp || p.Driver != w.driver ||
				p.Disabled != w.disabled || p.AllMissing != w.missing || p.HeldDown != w.heldDown {
				t.Errorf("plan %+v\nwant %+v", p, w)
			}
			for i, r := range w.perMetric {
				m := p.Metrics[i]
				if (r < 0) != m.Missing || (r >= 0 && m.Replicas != r) {
					t.Errorf("metric %d asks for %d (missing %v), want %d", i, m.Replicas, m.Missing, r)
				}
			}
		})
	}
}

// The configurable tolerance applies per direction.
func TestPlanScaleAsymmetricTolerance(t *testing.T) {
	h := &HPA{Current: 10, Min: 1, Max: 20, TolUp: 0.02, TolDown: 0.1,
		Metrics: []HPAMetric{metric("cpu", TargetUtilization, 63, 60)}}
	if p := PlanScale(h); p.Desired != 11 {
		t.Errorf("63/60 with a 2%% scale-up tolerance: desired %d, want 11", p.Desired)
	}
	h.Metrics = []HPAMetric{metric("cpu", TargetUtilization, 56, 60)}
	if p := PlanScale(h); p.Desired != 10 || !p.Metrics[0].Within {
		t.Errorf("56/60 within a 10%% scale-down tolerance: %+v", p)
	}
}
