package views

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// fixtureWebPod is shop/web-6b7f9c8d7d-x7k2p as the API server returns it: an init
// container that completed, a proxy sidecar, and the app with probes.
func fixtureWebPod() *corev1.Pod {
	rr := func(reqCPU, reqMem, limCPU, limMem string) corev1.ResourceRequirements {
		r := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
		for _, x := range []struct {
			l    corev1.ResourceList
			name corev1.ResourceName
			v    string
		}{{r.Requests, corev1.ResourceCPU, reqCPU}, {r.Requests, corev1.ResourceMemory, reqMem}, {r.Limits, corev1.ResourceCPU, limCPU}, {r.Limits, corev1.ResourceMemory, limMem}} {
			if x.v != "" {
				x.l[x.name] = resource.MustParse(x.v)
			}
		}
		return r
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p"},
		Spec: corev1.PodSpec{
			NodeName: "kwok-node-3",
			InitContainers: []corev1.Container{
				{Name: "migrate", Image: "registry.example.com/web-migrate:2.4.1"},
				{Name: "proxy", Image: "registry.example.com/envoy:1.31", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways),
					Ports:          []corev1.ContainerPort{{Name: "admin", ContainerPort: 9901}, {ContainerPort: 5353, Protocol: corev1.ProtocolUDP}},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(9901)}}},
					Resources:      rr("50m", "32Mi", "100m", "64Mi")},
			},
			Containers: []corev1.Container{
				{Name: "app", Image: "registry.example.com/web:2.4.1", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}}},
					StartupProbe:   &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}},
					Resources:      rr("250m", "224Mi", "", "512Mi")},
			},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning,
			InitContainerStatuses: []corev1.ContainerStatus{
				{Name: "migrate", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed", ExitCode: 0}}},
				{Name: "proxy", Ready: true, Started: ptr.To(true), State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
			},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "app", Ready: true, RestartCount: 2, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
			},
		},
	}
}

// renderContainers draws the app frame around the containers view of the fixture pod.
func renderContainers(t *testing.T, env *ui.Env, w, h int, pod *corev1.Pod, state kube.State) string {
	t.Helper()
	v := NewContainers(env, kube.Key{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p"})
	var rows []*kube.PodDetail
	if pod != nil {
		rows = append(rows, kube.PodDetailRow(pod))
	}
	v.Show(kube.Snapshot[*kube.PodDetail]{Rows: rows, State: state})
	return renderPage(env, v, w, h)
}

func TestContainersGolden(t *testing.T) {
	env := withMetrics(testEnv(""))
	requireGoldenSizes(t, func(w, h int) string { return renderContainers(t, env, w, h, fixtureWebPod(), live) })
	t.Run("nometrics", func(t *testing.T) {
		out := ansi.Strip(renderContainers(t, testEnv(""), 200, 10, fixtureWebPod(), live))
		golden.RequireEqual(t, out)
		if strings.Count(out, "n/a") < 3*7 {
			t.Errorf("every usage cell of every container must say n/a:\n%s", out)
		}
	})
	t.Run("gone", func(t *testing.T) {
		out := ansi.Strip(renderContainers(t, withMetrics(testEnv("")), 100, 8, nil, live))
		if !strings.Contains(out, "no longer exists") {
			t.Errorf("a deleted pod must be reported:\n%s", out)
		}
	})
}

// The numbers the containers view shows are the poller's, against each container's own
// requests and limits, and the sparkline climbs with the app's usage.
func TestContainersNumbers(t *testing.T) {
	out := ansi.Strip(renderContainers(t, withMetrics(testEnv("")), 260, 20, fixtureWebPod(), kube.State{Phase: kube.PhaseLive}))
	var app, proxy string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "app "):
			app = l
		case strings.HasPrefix(l, "proxy (sidecar)"):
			proxy = l
		}
	}
	// app: 200m of 250m requested, no CPU limit; 79Mi of 224Mi requested, 512Mi limit; its
	// CPU history (60m … 200m over the last 15 polls) against its 250m request
	for _, want := range []string{"200m", "80%", "79Mi", "35%", "15%", "L:http-get :8080/healthz R:tcp :http S:exec", "http:8080", "▂▃▃▃▄▄▄▅▅▅▆▆▆▇▇"} {
		if !strings.Contains(app, want) {
			t.Errorf("app row lacks %q: %q", want, app)
		}
	}
	for _, want := range []string{"5m", "10%", "20Mi", "63%", "31%", "admin:9901,5353/UDP", "R:tcp :9901"} {
		if !strings.Contains(proxy, want) {
			t.Errorf("proxy row lacks %q: %q", want, proxy)
		}
	}
	if !strings.Contains(out, "migrate (init)") || !strings.Contains(out, "terminated: Completed (exit 0)") {
		t.Errorf("init container missing or wrong:\n%s", out)
	}
	if !strings.Contains(out, "requests cpu 300m mem 256Mi · limits cpu - mem 576Mi") {
		t.Errorf("pod requests/limits line wrong:\n%s", out)
	}
}

// Every size from 1x1 to 300x60 renders in exactly the requested lines, none too wide.
func TestContainersEverySize(t *testing.T) {
	env := withMetrics(testEnv(""))
	pod := fixtureWebPod()
	requireEverySize(t, func(w, h int) string { return renderContainers(t, env, w, h, pod, live) })
}
