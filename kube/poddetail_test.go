package kube

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestContainerState(t *testing.T) {
	for _, tc := range []struct {
		s    corev1.ContainerState
		want string
	}{
		{corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}, "running"},
		{corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}, "waiting: CrashLoopBackOff"},
		{corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}, "waiting"},
		{corev1.ContainerState{}, "waiting"},
		{corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137}}, "terminated: OOMKilled (exit 137)"},
		{corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Signal: 9, ExitCode: 137}}, "terminated: signal 9 (exit 137)"},
		{corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2}}, "terminated (exit 2)"},
	} {
		if got := containerState(tc.s); got != tc.want {
			t.Errorf("containerState(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestProbesShortForm(t *testing.T) {
	c := &corev1.Container{
		LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: "/live", Port: intstr.FromInt32(8443), Scheme: corev1.URISchemeHTTPS}}},
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090}}},
		StartupProbe:   &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}}},
	}
	if got, want := probes(c), "L:https-get :8443/live R:grpc :9090 S:tcp :http"; got != want {
		t.Errorf("probes = %q, want %q", got, want)
	}
	if got := probes(&corev1.Container{}); got != "" {
		t.Errorf("no probes = %q", got)
	}
	ps := []corev1.ContainerPort{{Name: "http", ContainerPort: 80}, {ContainerPort: 53, Protocol: corev1.ProtocolUDP}, {ContainerPort: 9000, Protocol: corev1.ProtocolTCP}}
	if got, want := ports(ps), "http:80,53/UDP,9000"; got != want {
		t.Errorf("ports = %q, want %q", got, want)
	}
}
