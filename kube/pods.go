package kube

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
)

// Pod is the compact row kdeck keeps per pod: what the pods view shows, nothing more.
type Pod struct {
	Namespace   string
	Name        string
	Status      string // the reason kubectl shows: Running, CrashLoopBackOff, Init:0/1 …
	IP          string
	Node        string
	Created     time.Time
	LastRestart time.Time // zero when no container has restarted
	Restarts    int32
	Ready       int16 // ready containers
	Containers  int16 // all regular containers
	ReqLim            // summed requests and limits, for usage as a percentage
}

// ReqLim is CPU and memory requests and limits; 0 means none set. For a pod they
// are the sums over its regular and sidecar containers (or its pod-level resources), and a
// limit is 0 unless every one of those containers has one, since the pod is then unbounded.
type ReqLim struct {
	CPUReq, CPULim int64 // millicores
	MemReq, MemLim int64 // bytes
}

// RowKey implements Row.
func (p *Pod) RowKey() Key { return Key{p.Namespace, p.Name} }

// Equal reports whether two rows show the same thing (see Row).
func (p *Pod) Equal(o *Pod) bool { return *p == *o }

// PodSource returns the Source for pods in ns ("" for all namespaces), streamed as protobuf.
func PodSource(cs kubernetes.Interface, ns string) Source[*Pod] {
	return PodSourceSelector(cs, ns, "")
}

// PodSourceSelector returns the Source for the pods in ns matching the label selector
// ("app=web"; "" for every pod).
func PodSourceSelector(cs kubernetes.Interface, ns, selector string) Source[*Pod] {
	pods := cs.CoreV1().Pods(ns)
	return typedSource("pods", ns, selector, pods.List, pods.Watch,
		func(l *corev1.PodList) []corev1.Pod { return l.Items }, PodRow)
}

// PodRow summarises p the way `kubectl get pods` does.
func PodRow(p *corev1.Pod) *Pod {
	r := &Pod{
		Namespace:  p.Namespace,
		Name:       p.Name,
		IP:         p.Status.PodIP,
		Node:       p.Spec.NodeName,
		Created:    p.CreationTimestamp.Time,
		Containers: int16(len(p.Spec.Containers)),
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			r.Ready++
		}
	}
	r.Status, r.Restarts, r.LastRestart = podStatus(p)
	r.ReqLim = PodResources(&p.Spec)
	return r
}

// ContainerResources reads one container's requests and limits.
func ContainerResources(rr *corev1.ResourceRequirements) ReqLim {
	var r ReqLim
	if q, ok := rr.Requests[corev1.ResourceCPU]; ok {
		r.CPUReq = q.MilliValue()
	}
	if q, ok := rr.Requests[corev1.ResourceMemory]; ok {
		r.MemReq = q.Value()
	}
	if q, ok := rr.Limits[corev1.ResourceCPU]; ok {
		r.CPULim = q.MilliValue()
	}
	if q, ok := rr.Limits[corev1.ResourceMemory]; ok {
		r.MemLim = q.Value()
	}
	// a limit without a request defaults the request to the limit (as the API server does)
	if r.CPUReq == 0 {
		r.CPUReq = r.CPULim
	}
	if r.MemReq == 0 {
		r.MemReq = r.MemLim
	}
	return r
}

// PodResources sums the requests and limits of the containers that run for the pod's life
// (regular containers and restartable init "sidecars"); pod-level resources win when set.
func PodResources(spec *corev1.PodSpec) ReqLim {
	var sum ReqLim
	cpuBounded, memBounded := true, true
	add := func(c *corev1.Container) {
		r := ContainerResources(&c.Resources)
		sum.CPUReq += r.CPUReq
		sum.MemReq += r.MemReq
		sum.CPULim += r.CPULim
		sum.MemLim += r.MemLim
		cpuBounded = cpuBounded && r.CPULim > 0
		memBounded = memBounded && r.MemLim > 0
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			add(c)
		}
	}
	for i := range spec.Containers {
		add(&spec.Containers[i])
	}
	if !cpuBounded {
		sum.CPULim = 0
	}
	if !memBounded {
		sum.MemLim = 0
	}
	if spec.Resources != nil {
		pod := ContainerResources(spec.Resources)
		if pod.CPUReq > 0 {
			sum.CPUReq, sum.CPULim = pod.CPUReq, pod.CPULim
		}
		if pod.MemReq > 0 {
			sum.MemReq, sum.MemLim = pod.MemReq, pod.MemLim
		}
	}
	return sum
}

// podStatus derives the displayed status, restart count and last restart time.
// The rules follow kubectl's printer: init containers first, then the last non-running
// container's reason, then Terminating for pods being deleted.
func podStatus(p *corev1.Pod) (string, int32, time.Time) {
	status := string(p.Status.Phase)
	if p.Status.Reason != "" {
		status = p.Status.Reason
	}
	var restarts int32
	var last time.Time
	noteRestart := func(cs corev1.ContainerStatus) {
		restarts += cs.RestartCount
		if t := cs.LastTerminationState.Terminated; t != nil && t.FinishedAt.After(last) {
			last = t.FinishedAt.Time
		}
	}

	initializing := false
	nInit := len(p.Spec.InitContainers)
	for i, cs := range p.Status.InitContainerStatuses {
		noteRestart(cs)
		if isRestartableInit(p, cs.Name) && cs.Started != nil && *cs.Started {
			continue // a running sidecar does not hold up initialisation
		}
		switch {
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
			continue
		case cs.State.Terminated != nil:
			t := cs.State.Terminated
			switch {
			case t.Reason != "":
				status = "Init:" + t.Reason
			case t.Signal != 0:
				status = fmt.Sprintf("Init:Signal:%d", t.Signal)
			default:
				status = fmt.Sprintf("Init:ExitCode:%d", t.ExitCode)
			}
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
			status = "Init:" + cs.State.Waiting.Reason
		default:
			status = fmt.Sprintf("Init:%d/%d", i, nInit)
		}
		initializing = true
		break
	}

	if !initializing {
		running := false
		for i := len(p.Status.ContainerStatuses) - 1; i >= 0; i-- {
			cs := p.Status.ContainerStatuses[i]
			noteRestart(cs)
			switch {
			case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
				status = cs.State.Waiting.Reason
			case cs.State.Terminated != nil && cs.State.Terminated.Reason != "":
				status = cs.State.Terminated.Reason
			case cs.State.Terminated != nil && cs.State.Terminated.Signal != 0:
				status = fmt.Sprintf("Signal:%d", cs.State.Terminated.Signal)
			case cs.State.Terminated != nil:
				status = fmt.Sprintf("ExitCode:%d", cs.State.Terminated.ExitCode)
			case cs.Ready && cs.State.Running != nil:
				running = true
			}
		}
		if status == "Completed" && running {
			status = "NotReady"
			if podReady(p) {
				status = "Running"
			}
		}
	}

	if p.DeletionTimestamp != nil {
		status = "Terminating"
		if p.Status.Reason == "NodeLost" {
			status = "Unknown"
		}
	}
	return internStatus(status), restarts, last
}

func isRestartableInit(p *corev1.Pod, name string) bool {
	for _, c := range p.Spec.InitContainers {
		if c.Name == name {
			return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		}
	}
	return false
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// commonStatuses lets 50k rows share a handful of status strings instead of one copy each.
var commonStatuses = map[string]string{}

func init() {
	for _, s := range []string{"Running", "Pending", "Succeeded", "Failed", "Unknown", "Completed",
		"ContainerCreating", "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "Error",
		"Terminating", "NotReady", "OOMKilled", "Evicted", "PodInitializing"} {
		commonStatuses[s] = s
	}
}

func internStatus(s string) string {
	if c, ok := commonStatuses[s]; ok {
		return c
	}
	return strings.Clone(s)
}
