//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// kwokDeployment is a deployment of replicas kwok pods labelled app=name.
func kwokDeployment(ns, name string, replicas int32) *appsv1.Deployment {
	pod := kwokPod(ns, name)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: pod.Labels}, Spec: pod.Spec},
		},
	}
}

// lineWith returns the screen line that contains every one of words, or "".
func lineWith(screen string, words ...string) string {
	for _, l := range strings.Split(screen, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(l, w)
		}
		if all {
			return l
		}
	}
	return ""
}

// The deployments view shows a new deployment with READY catching up, follows a scale-up,
// and enter lists exactly its pods.
func TestDeploymentsView(t *testing.T) {
	ns := newNamespace(t)
	deps := testbed.clientset.AppsV1().Deployments(ns)
	if _, err := deps.Create(ctx(t), kwokDeployment(ns, "web", 2), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	term := StartKdeck(t, 160, 30, "-n", ns, "-c", "deploy")
	term.WaitText("deployments("+ns+")[1]", 10*time.Second)
	took := term.WaitLine(60*time.Second, "web ", " 2/2 ")
	t.Logf("web READY 2/2 on screen %s after start", took)

	if _, err := deps.UpdateScale(ctx(t), "web", scale(ns, "web", 3), metav1.UpdateOptions{}); err != nil {
		t.Fatalf("scale: %v", err)
	}
	took = term.WaitLine(60*time.Second, "web ", " 3/3 ")
	t.Logf("READY 3/3 on screen %s after scaling to 3", took)

	term.Send("Enter")
	term.WaitText("pods("+ns+")[3] app=web", 10*time.Second)
	term.WaitFor("3 Running pods", 30*time.Second, func(s string) bool { return strings.Count(s, "Running") == 3 })
	term.Send("Escape")
	term.WaitText("deployments("+ns+")[1]", 5*time.Second)
}

// The services view's ENDPOINTS column matches the cluster's EndpointSlices: a selector
// service counts its ready pods, a hand-managed slice with one unready endpoint reads 2/3.
func TestServicesEndpoints(t *testing.T) {
	ns := newNamespace(t)
	cs := testbed.clientset
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx(t), kwokDeployment(ns, "api", 3), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	port := []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP}}
	for _, svc := range []*corev1.Service{
		{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "api"}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "api"}, Ports: port}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "manual"}, Spec: corev1.ServiceSpec{Ports: port}},
	} {
		if _, err := cs.CoreV1().Services(ns).Create(ctx(t), svc, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create service: %v", err)
		}
	}
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: "manual-1", Labels: map[string]string{discoveryv1.LabelServiceName: "manual"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To[int32](80), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
	for i, ready := range []bool{true, true, false} {
		slice.Endpoints = append(slice.Endpoints, discoveryv1.Endpoint{Addresses: []string{fmt.Sprintf("192.0.2.%d", i+1)},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(ready)}})
	}
	if _, err := cs.DiscoveryV1().EndpointSlices(ns).Create(ctx(t), slice, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create endpointslice: %v", err)
	}

	term := StartKdeck(t, 160, 30, "-n", ns, "-c", "svc")
	term.WaitText("services("+ns+")[2]", 10*time.Second)
	// wait until the cluster's slices for api count 3 ready endpoints, then compare
	deadline := time.Now().Add(60 * time.Second)
	want := map[string]string{}
	for time.Now().Before(deadline) {
		want = sliceCounts(t, ns)
		if want["api"] == "3/3" {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if want["api"] != "3/3" || want["manual"] != "2/3" {
		t.Fatalf("cluster's EndpointSlices count %v, want api 3/3 and manual 2/3", want)
	}
	for svc, counts := range want {
		took := term.WaitFor(svc+" "+counts, 10*time.Second, func(s string) bool { return lineWith(s, svc+" ", " "+counts+" ") != "" })
		t.Logf("%s ENDPOINTS %s on screen %s after the cluster had it", svc, counts, took)
	}
	term.Send("Down", "Enter") // manual: no selector
	term.WaitText("has no selector", 5*time.Second)
}

// sliceCounts counts ready/total endpoints per service from the cluster's EndpointSlices.
func sliceCounts(t *testing.T, ns string) map[string]string {
	list, err := testbed.clientset.DiscoveryV1().EndpointSlices(ns).List(ctx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list endpointslices: %v", err)
	}
	ready, total := map[string]int{}, map[string]int{}
	for _, s := range list.Items {
		svc := s.Labels[discoveryv1.LabelServiceName]
		for _, e := range s.Endpoints {
			total[svc]++
			if e.Conditions.Ready == nil || *e.Conditions.Ready {
				ready[svc]++
			}
		}
	}
	out := map[string]string{}
	for svc := range total {
		out[svc] = fmt.Sprintf("%d/%d", ready[svc], total[svc])
	}
	return out
}

// After the real HPA controller scales a deployment whose kwok pods report 90% cpu of their
// request against a 50% target, the explainer shows the controller's own numbers.
func TestHPAExplainer(t *testing.T) {
	ns := newNamespace(t)
	cs := testbed.clientset
	d := kwokDeployment(ns, "busy", 1)
	d.Spec.Template.Annotations = map[string]string{"kwok.x-k8s.io/usage-cpu": "90m"}
	d.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("100m")
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx(t), d, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "busy"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "busy"},
			MinReplicas:    ptr.To[int32](1), MaxReplicas: 3,
			Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
				Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50)}}}},
		},
	}
	hpas := cs.AutoscalingV2().HorizontalPodAutoscalers(ns)
	if _, err := hpas.Create(ctx(t), hpa, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create hpa: %v", err)
	}
	// wait for the controller to scale up to max
	start := time.Now()
	var got *autoscalingv2.HorizontalPodAutoscaler
	for time.Since(start) < 3*time.Minute {
		var err error
		if got, err = hpas.Get(ctx(t), "busy", metav1.GetOptions{}); err != nil {
			t.Fatalf("get hpa: %v", err)
		}
		if got.Status.CurrentReplicas == 3 && len(got.Status.CurrentMetrics) == 1 && got.Status.CurrentMetrics[0].Resource != nil &&
			got.Status.CurrentMetrics[0].Resource.Current.AverageUtilization != nil {
			break
		}
		time.Sleep(time.Second)
	}
	if got.Status.CurrentReplicas != 3 {
		t.Fatalf("the HPA controller did not scale to 3 within 3m: %+v", got.Status)
	}
	t.Logf("HPA controller scaled to %d after %s", got.Status.CurrentReplicas, time.Since(start).Round(time.Second))

	term := StartKdeck(t, 200, 40, "-n", ns, "-c", "hpa")
	term.WaitText("hpa("+ns+")[1]", 10*time.Second)
	term.Send("Enter")
	term.WaitText("hpa-explain("+ns+"/busy)", 5*time.Second)
	// the explainer redoes the arithmetic on the status the controller wrote
	got, _ = hpas.Get(ctx(t), "busy", metav1.GetOptions{})
	util := *got.Status.CurrentMetrics[0].Resource.Current.AverageUtilization
	cur := got.Status.CurrentReplicas
	wants := int32((int64(cur)*int64(util) + 49) / 50) // ceil(cur × util / 50)
	formula := fmt.Sprintf("ceil(%d × %d%% / 50%%)", cur, util)
	term.WaitText(formula, 10*time.Second)
	screen := term.Screen()
	for _, want := range []string{
		fmt.Sprintf("cpu at %d%% of request vs target 50%% wants %d replicas; max is 3, so pinned at 3", util, wants),
		"ScalingLimited: TooManyReplicas",
		fmt.Sprintf("%d now, %d desired by the controller", cur, got.Status.DesiredReplicas),
		fmt.Sprintf("%d → 3 by max 3", wants),
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("explainer lacks %q:\n%s", want, screen)
		}
	}
}

// scale is the Scale subresource setting name's replicas.
func scale(ns, name string, replicas int32) *autoscalingv1.Scale {
	return &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: autoscalingv1.ScaleSpec{Replicas: replicas}}
}
