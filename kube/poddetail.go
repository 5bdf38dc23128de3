package kube

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// PodDetail is the compact row of one pod with its containers, for the containers view.
type PodDetail struct {
	Namespace  string
	Name       string
	Status     string
	Node       string
	ReqLim     ReqLim      // the pod's summed requests and limits (see PodResources)
	Containers []Container // init containers first, in spec order, then regular ones
}

// RowKey implements Row.
func (d *PodDetail) RowKey() Key { return Key{Namespace: d.Namespace, Name: d.Name} }

// Container summarises one container of a pod: spec and status together.
type Container struct {
	Name     string
	Image    string
	Init     bool // an init container (Sidecar tells whether it keeps running)
	Sidecar  bool // a restartable init container
	Ready    bool
	State    string // "running", "waiting: CrashLoopBackOff", "terminated: Error (exit 1)"
	Restarts int32
	Ports    string // "http:8080,53/UDP"
	Probes   string // "L:http-get :8080/healthz R:tcp :8080"
	ReqLim   ReqLim
}

// PodDetailSource watches the single pod ns/name (a field selector), so the containers
// view stays live.
func (c *Client) PodDetailSource(ns, name string) Source[*PodDetail] {
	pods := c.Clientset.CoreV1().Pods(ns)
	list, watchOne := named(name, pods.List, pods.Watch)
	return TypedSource("pods", ns, "", list, watchOne, func(l *corev1.PodList) []corev1.Pod { return l.Items }, PodDetailRow)
}

// Equal reports whether two rows show the same thing (see Row).
func (d *PodDetail) Equal(o *PodDetail) bool {
	return d.Namespace == o.Namespace && d.Name == o.Name && d.Status == o.Status && d.Node == o.Node &&
		d.ReqLim == o.ReqLim && slices.Equal(d.Containers, o.Containers)
}

// PodDetailRow summarises p and its containers.
func PodDetailRow(p *corev1.Pod) *PodDetail {
	row := PodRow(p)
	d := &PodDetail{Namespace: p.Namespace, Name: p.Name, Node: p.Spec.NodeName, ReqLim: row.ReqLim, Status: row.Status}
	statuses := func(list []corev1.ContainerStatus) map[string]*corev1.ContainerStatus {
		m := make(map[string]*corev1.ContainerStatus, len(list))
		for i := range list {
			m[list[i].Name] = &list[i]
		}
		return m
	}
	initStatus, status := statuses(p.Status.InitContainerStatuses), statuses(p.Status.ContainerStatuses)
	for i := range p.Spec.InitContainers {
		c := &p.Spec.InitContainers[i]
		row := containerRow(c, initStatus[c.Name])
		row.Init = true
		row.Sidecar = c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		d.Containers = append(d.Containers, row)
	}
	for i := range p.Spec.Containers {
		c := &p.Spec.Containers[i]
		d.Containers = append(d.Containers, containerRow(c, status[c.Name]))
	}
	return d
}

func containerRow(c *corev1.Container, st *corev1.ContainerStatus) Container {
	row := Container{Name: c.Name, Image: c.Image, ReqLim: ContainerResources(&c.Resources),
		Ports: ports(c.Ports), Probes: probes(c), State: "waiting"}
	if st == nil {
		return row
	}
	row.Ready, row.Restarts = st.Ready, st.RestartCount
	row.State = containerState(st.State)
	return row
}

// containerState renders a container's state: "running", "waiting: REASON",
// "terminated: REASON (exit N)".
func containerState(s corev1.ContainerState) string {
	switch {
	case s.Running != nil:
		return "running"
	case s.Terminated != nil:
		t := s.Terminated
		reason := t.Reason
		if reason == "" && t.Signal != 0 {
			reason = fmt.Sprintf("signal %d", t.Signal)
		}
		if reason == "" {
			return fmt.Sprintf("terminated (exit %d)", t.ExitCode)
		}
		return fmt.Sprintf("terminated: %s (exit %d)", reason, t.ExitCode)
	case s.Waiting != nil && s.Waiting.Reason != "":
		return "waiting: " + s.Waiting.Reason
	}
	return "waiting"
}

// ports renders container ports compactly: "http:8080,53/UDP" (TCP is implied).
func ports(ps []corev1.ContainerPort) string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		s := strconv.Itoa(int(p.ContainerPort))
		if p.Name != "" {
			s = p.Name + ":" + s
		}
		if p.Protocol != "" && p.Protocol != corev1.ProtocolTCP {
			s += "/" + string(p.Protocol)
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

// probes renders a container's probes in short form: "L:http-get :8080/healthz R:tcp :8080".
func probes(c *corev1.Container) string {
	var out []string
	for _, p := range []struct {
		tag   string
		probe *corev1.Probe
	}{{"L", c.LivenessProbe}, {"R", c.ReadinessProbe}, {"S", c.StartupProbe}} {
		if p.probe != nil {
			out = append(out, p.tag+":"+probe(p.probe))
		}
	}
	return strings.Join(out, " ")
}

func probe(p *corev1.Probe) string {
	h := p.ProbeHandler
	switch {
	case h.HTTPGet != nil:
		s := "http-get :" + h.HTTPGet.Port.String() + h.HTTPGet.Path
		if h.HTTPGet.Scheme == corev1.URISchemeHTTPS {
			s = "https-get :" + h.HTTPGet.Port.String() + h.HTTPGet.Path
		}
		return s
	case h.TCPSocket != nil:
		return "tcp :" + h.TCPSocket.Port.String()
	case h.GRPC != nil:
		return "grpc :" + strconv.Itoa(int(h.GRPC.Port))
	case h.Exec != nil:
		return "exec"
	}
	return "?"
}
