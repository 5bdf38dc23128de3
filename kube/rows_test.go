package kube

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// deployment is web in shop as the API server returns it after a finished rollout of 5.
func deployment() *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", Generation: 4, CreationTimestamp: metav1.NewTime(t0)},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](5),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"},
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "track", Operator: metav1.LabelSelectorOpIn, Values: []string{"stable"}}}},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptr.To(intstr.FromInt32(1)), MaxUnavailable: ptr.To(intstr.FromString("10%"))}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "app", Image: "registry.example.com/web:2.1"}, {Name: "proxy", Image: "envoyproxy/envoy:v1.31"}}}},
		},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 4, Replicas: 5, UpdatedReplicas: 5, ReadyReplicas: 5, AvailableReplicas: 5,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"}}},
	}
}

func TestDeploymentRow(t *testing.T) {
	r := DeploymentRow(deployment())
	want := Deployment{Namespace: "shop", Name: "web", Desired: 5, Ready: 5, UpToDate: 5, Available: 5,
		Images: "registry.example.com/web:2.1,envoyproxy/envoy:v1.31", Strategy: "RollingUpdate 1/10%",
		Selector: "app=web,track in (stable)", Created: t0}
	if *r != want {
		t.Errorf("row\n got %+v\nwant %+v", *r, want)
	}
	cases := []struct {
		name  string
		edit  func(d *appsv1.Deployment)
		phase RolloutPhase
		text  string
	}{
		{"spec not observed", func(d *appsv1.Deployment) { d.Generation = 5 }, RolloutProgressing, "pending"},
		{"updating", func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 3 }, RolloutProgressing, "rolling 3/5"},
		{"old pods terminating", func(d *appsv1.Deployment) { d.Status.Replicas = 7 }, RolloutProgressing, "2 old terminating"},
		{"updated not available", func(d *appsv1.Deployment) { d.Status.AvailableReplicas = 4 }, RolloutProgressing, "available 4/5"},
		{"paused", func(d *appsv1.Deployment) { d.Spec.Paused = true; d.Status.UpdatedReplicas = 2 }, RolloutPaused, "paused"},
		{"stalled", func(d *appsv1.Deployment) {
			d.Status.UpdatedReplicas = 2
			d.Status.Conditions[0] = appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}
		}, RolloutStalled, "stalled"},
	}
	for _, c := range cases {
		d := deployment()
		c.edit(d)
		if r := DeploymentRow(d); r.Rollout != c.phase || r.RolloutText != c.text {
			t.Errorf("%s: rollout %d %q, want %d %q", c.name, r.Rollout, r.RolloutText, c.phase, c.text)
		}
	}
	d := deployment()
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	d.Spec.Replicas = nil
	if r := DeploymentRow(d); r.Strategy != "Recreate" || r.Desired != 1 {
		t.Errorf("recreate with default replicas: %q %d", r.Strategy, r.Desired)
	}
}

func TestServiceRow(t *testing.T) {
	base := func(typ corev1.ServiceType) *corev1.Service {
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", CreationTimestamp: metav1.NewTime(t0)},
			Spec: corev1.ServiceSpec{Type: typ, ClusterIP: "10.96.12.7", Selector: map[string]string{"app": "web", "tier": "front"},
				Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP},
					{Name: "https", Port: 443, NodePort: 30443, Protocol: corev1.ProtocolTCP}}}}
	}
	r := ServiceRow(base(corev1.ServiceTypeNodePort))
	want := Service{Namespace: "shop", Name: "web", Type: "NodePort", ClusterIP: "10.96.12.7", External: "<none>",
		Ports: "80/TCP,443:30443/TCP", Selector: "app=web,tier=front", Created: t0}
	if *r != want {
		t.Errorf("row\n got %+v\nwant %+v", *r, want)
	}
	lb := base(corev1.ServiceTypeLoadBalancer)
	if got := ServiceRow(lb).External; got != "<pending>" {
		t.Errorf("LB without ingress: %q", got)
	}
	lb.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "203.0.113.10"}, {Hostname: "web.example.com"}}
	lb.Spec.ExternalIPs = []string{"198.51.100.4"}
	if got := ServiceRow(lb).External; got != "203.0.113.10,web.example.com,198.51.100.4" {
		t.Errorf("LB with ingress: %q", got)
	}
	ext := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db.example.com"}}
	if r := ServiceRow(ext); r.External != "db.example.com" || r.Ports != "<none>" || r.Selector != "" || r.ClusterIP != "<none>" {
		t.Errorf("ExternalName: %+v", *r)
	}
	headless := base("")
	headless.Spec.ClusterIP = "None"
	headless.Spec.ExternalIPs = []string{"198.51.100.5"}
	if r := ServiceRow(headless); r.Type != "ClusterIP" || r.ClusterIP != "None" || r.External != "198.51.100.5" {
		t.Errorf("headless: %+v", *r)
	}
}

func endpointSlice(name, svc string, family discoveryv1.AddressType, ready ...*bool) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name,
		Labels: map[string]string{discoveryv1.LabelServiceName: svc}}, AddressType: family}
	for _, r := range ready {
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.0.0.1"}, Conditions: discoveryv1.EndpointConditions{Ready: r}})
	}
	return s
}

func TestEndpointSliceRow(t *testing.T) {
	r := EndpointSliceRow(endpointSlice("web-abc12", "web", discoveryv1.AddressTypeIPv4, ptr.To(true), ptr.To(false), nil))
	want := EndpointSlice{Namespace: "shop", Name: "web-abc12", Service: "web", AddressType: "IPv4", Ready: 2, Total: 3}
	if *r != want {
		t.Errorf("got %+v, want %+v (an unset ready condition counts as ready)", *r, want)
	}
}

// Counts add up over a service's slices of one address type; a dual-stack service is not
// counted twice; services without slices read 0/0; unchanged rows are reused, not copied.
func TestJoinEndpoints(t *testing.T) {
	yes, no := ptr.To(true), ptr.To(false)
	slices := []*EndpointSlice{
		EndpointSliceRow(endpointSlice("web-1", "web", discoveryv1.AddressTypeIPv4, yes, yes, no)),
		EndpointSliceRow(endpointSlice("web-2", "web", discoveryv1.AddressTypeIPv4, yes)),
		EndpointSliceRow(endpointSlice("web-3", "web", discoveryv1.AddressTypeIPv6, yes, yes, no, no)),
		EndpointSliceRow(endpointSlice("api-1", "api", discoveryv1.AddressTypeIPv4, yes)),
	}
	api := &Service{Namespace: "shop", Name: "api", Ready: 1, Total: 1, Sliced: true}
	services := []*Service{api, {Namespace: "shop", Name: "lonely"}, {Namespace: "shop", Name: "web"}}
	out := JoinEndpoints(services, slices)
	if out[0] != api {
		t.Errorf("an unchanged row was copied")
	}
	if s := out[1]; s.Ready != 0 || s.Total != 0 || s.Sliced {
		t.Errorf("service without slices: %+v", *s)
	}
	if s := out[2]; s.Ready != 3 || s.Total != 4 || !s.Sliced {
		t.Errorf("web: %d/%d, want 3/4 (IPv4 family: 2+1 ready of 3+1)", s.Ready, s.Total)
	}
	if services[2].Total != 0 {
		t.Errorf("JoinEndpoints modified its input")
	}
}
