package kube

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
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
	Finished    bool  // phase Succeeded or Failed: the pod holds no node resources any more
	ReqLim            // summed requests and limits, for usage as a percentage
	// Deleted is when the pod's deletion was asked for; zero unless it is Terminating.
	Deleted time.Time
	// Unscheduled is the scheduler's reason a pod has no node (the PodScheduled condition's
	// message while it is False: "0/4 nodes are available: …"); "" otherwise.
	Unscheduled string
	// LastExit is why the previous run of the container that restarted last ended
	// ("OOMKilled", "Error"); "" when no container has restarted.
	LastExit string
}

// ReqLim is CPU and memory requests and limits; 0 means none set. For a pod they
// are the sums over its regular and sidecar containers (or its pod-level resources), and a
// limit is 0 unless every one of those containers has one, since the pod is then unbounded.
type ReqLim struct {
	CPUReq, CPULim int64 // millicores
	MemReq, MemLim int64 // bytes
}

// RowKey implements Row.
func (p *Pod) RowKey() Key { return Key{Namespace: p.Namespace, Name: p.Name} }

// Equal reports whether two rows show the same thing (see Row).
func (p *Pod) Equal(o *Pod) bool { return *p == *o }

// PodSource returns the Source for pods in ns ("" for all namespaces), streamed as protobuf.
func PodSource(pods corev1client.PodsGetter, ns string) Source[*Pod] {
	return PodSourceSelector(pods, ns, "")
}

// PodSourceSelector returns the Source for the pods in ns matching the label selector
// ("app=web"; "" for every pod). Given Client.PodRows, watch events arrive as rows already
// (see podRowDecoder); any other client's Pods are summarised with PodRow.
func PodSourceSelector(pods corev1client.PodsGetter, ns, selector string) Source[*Pod] {
	c := pods.Pods(ns)
	src := TypedSource("pods", ns, selector, c.List, c.Watch,
		func(l *corev1.PodList) []corev1.Pod { return l.Items }, PodRow)
	convert := src.Convert
	src.Convert = func(obj runtime.Object) (*Pod, bool) {
		if r, ok := obj.(*podRowObject); ok {
			return r.row, true
		}
		return convert(obj)
	}
	return src
}

// PodRow summarises p the way `kubectl get pods` does.
func PodRow(p *corev1.Pod) *Pod {
	f := podFacts{
		namespace: p.Namespace, name: p.Name, node: p.Spec.NodeName, ip: p.Status.PodIP,
		phase: string(p.Status.Phase), reason: p.Status.Reason,
		created: p.CreationTimestamp.Time, deleting: p.DeletionTimestamp != nil,
	}
	if p.DeletionTimestamp != nil {
		f.deleted = p.DeletionTimestamp.Time
	}
	sawReady := false // the first PodReady condition counts
	for _, c := range p.Status.Conditions {
		switch {
		case c.Type == corev1.PodReady && !sawReady:
			f.readyCondition, sawReady = c.Status == corev1.ConditionTrue, true
		case c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse:
			f.unscheduled = c.Message
		}
	}
	f.addSpec(&p.Spec)
	f.statuses = containerStatuses(p.Status.ContainerStatuses)
	f.initStatuses = containerStatuses(p.Status.InitContainerStatuses)
	return f.row()
}

// podFacts is what a pod row is computed from: the few fields of a Pod that PodRow reads.
// PodRow fills it from a decoded Pod; decodePodFacts fills it straight from protobuf.
type podFacts struct {
	namespace, name, node, ip string
	resourceVersion           string // read by decodePodFacts only, for the watch to resume from
	phase, reason             string
	created                   time.Time
	deleting                  bool      // a deletion timestamp is set
	deleted                   time.Time // the deletion timestamp
	unscheduled               string    // the PodScheduled condition's message while False
	readyCondition            bool      // the PodReady condition is True
	containers                []ReqLim
	initContainers            []initFacts
	podResources              *ReqLim // spec.resources, when set
	statuses, initStatuses    []statusFacts
}

// initFacts is what a row needs of one init container.
type initFacts struct {
	name    string
	sidecar bool // restartPolicy Always: it runs for the pod's life
	res     ReqLim
}

// statusFacts is what a row needs of one container's status.
type statusFacts struct {
	name           string
	ready, started bool
	restarts       int32
	state          stateFacts
	lastFinished   time.Time // when the last termination ended (zero when none)
	lastReason     string    // the last termination's reason
}

// stateFacts is what a row needs of a ContainerState.
type stateFacts struct {
	waiting, running, terminated    bool
	waitingReason, terminatedReason string
	exitCode, signal                int32
	finished                        time.Time // when the termination ended
}

func (f *podFacts) addSpec(spec *corev1.PodSpec) {
	for i := range spec.Containers {
		f.containers = append(f.containers, ContainerResources(&spec.Containers[i].Resources))
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		f.initContainers = append(f.initContainers, initFacts{name: c.Name,
			sidecar: c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways,
			res:     ContainerResources(&c.Resources)})
	}
	if spec.Resources != nil {
		r := ContainerResources(spec.Resources)
		f.podResources = &r
	}
}

func containerStatuses(in []corev1.ContainerStatus) []statusFacts {
	out := make([]statusFacts, len(in))
	for i := range in {
		cs := &in[i]
		s := statusFacts{name: cs.Name, ready: cs.Ready, started: cs.Started != nil && *cs.Started, restarts: cs.RestartCount}
		if w := cs.State.Waiting; w != nil {
			s.state.waiting, s.state.waitingReason = true, w.Reason
		}
		s.state.running = cs.State.Running != nil
		if t := cs.State.Terminated; t != nil {
			s.state.terminated, s.state.terminatedReason, s.state.exitCode, s.state.signal = true, t.Reason, t.ExitCode, t.Signal
			s.state.finished = t.FinishedAt.Time
		}
		if t := cs.LastTerminationState.Terminated; t != nil {
			s.lastFinished, s.lastReason = t.FinishedAt.Time, internStatus(t.Reason)
		}
		out[i] = s
	}
	return out
}

// row builds the compact row.
func (f *podFacts) row() *Pod {
	r := &Pod{Namespace: f.namespace, Name: f.name, IP: f.ip, Node: f.node, Created: f.created,
		Containers: int16(len(f.containers)), ReqLim: f.resources(), Deleted: f.deleted, Unscheduled: f.unscheduled,
		Finished: f.phase == string(corev1.PodSucceeded) || f.phase == string(corev1.PodFailed)}
	for _, cs := range f.statuses {
		if cs.ready {
			r.Ready++
		}
	}
	r.Status, r.Restarts, r.LastRestart, r.LastExit = f.status()
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
	return r.defaulted()
}

// defaulted applies the API server's rule that a limit without a request sets the request.
func (r ReqLim) defaulted() ReqLim {
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
	var f podFacts
	f.addSpec(spec)
	return f.resources()
}

func (f *podFacts) resources() ReqLim {
	var sum ReqLim
	cpuBounded, memBounded := true, true
	add := func(r ReqLim) {
		sum.CPUReq += r.CPUReq
		sum.MemReq += r.MemReq
		sum.CPULim += r.CPULim
		sum.MemLim += r.MemLim
		cpuBounded = cpuBounded && r.CPULim > 0
		memBounded = memBounded && r.MemLim > 0
	}
	for _, c := range f.initContainers {
		if c.sidecar {
			add(c.res)
		}
	}
	for _, r := range f.containers {
		add(r)
	}
	if !cpuBounded {
		sum.CPULim = 0
	}
	if !memBounded {
		sum.MemLim = 0
	}
	if pod := f.podResources; pod != nil {
		if pod.CPUReq > 0 {
			sum.CPUReq, sum.CPULim = pod.CPUReq, pod.CPULim
		}
		if pod.MemReq > 0 {
			sum.MemReq, sum.MemLim = pod.MemReq, pod.MemLim
		}
	}
	return sum
}

// status derives the displayed status, restart count, last restart time and why that
// restarted container's previous run ended.
// The rules follow kubectl's printer: init containers first, then the last non-running
// container's reason, then Terminating for pods being deleted.
func (f *podFacts) status() (string, int32, time.Time, string) {
	status := f.phase
	if f.reason != "" {
		status = f.reason
	}
	var restarts int32
	var last time.Time
	var lastExit string
	noteRestart := func(cs *statusFacts) {
		restarts += cs.restarts
		if cs.lastFinished.After(last) {
			last, lastExit = cs.lastFinished, cs.lastReason
		}
	}

	initializing := false
	nInit := len(f.initContainers)
	for i := range f.initStatuses {
		cs := &f.initStatuses[i]
		noteRestart(cs)
		if f.isSidecar(cs.name) && cs.started {
			continue // a running sidecar does not hold up initialisation
		}
		st := &cs.state
		switch {
		case st.terminated && st.exitCode == 0:
			continue
		case st.terminated:
			switch {
			case st.terminatedReason != "":
				status = "Init:" + st.terminatedReason
			case st.signal != 0:
				status = fmt.Sprintf("Init:Signal:%d", st.signal)
			default:
				status = fmt.Sprintf("Init:ExitCode:%d", st.exitCode)
			}
		case st.waiting && st.waitingReason != "" && st.waitingReason != "PodInitializing":
			status = "Init:" + st.waitingReason
		default:
			status = fmt.Sprintf("Init:%d/%d", i, nInit)
		}
		initializing = true
		break
	}

	if !initializing {
		running := false
		for i := len(f.statuses) - 1; i >= 0; i-- {
			cs := &f.statuses[i]
			noteRestart(cs)
			st := &cs.state
			switch {
			case st.waiting && st.waitingReason != "":
				status = st.waitingReason
			case st.terminated && st.terminatedReason != "":
				status = st.terminatedReason
			case st.terminated && st.signal != 0:
				status = fmt.Sprintf("Signal:%d", st.signal)
			case st.terminated:
				status = fmt.Sprintf("ExitCode:%d", st.exitCode)
			case cs.ready && st.running:
				running = true
			}
		}
		if status == "Completed" && running {
			status = "NotReady"
			if f.readyCondition {
				status = "Running"
			}
		}
	}

	if f.deleting {
		status = "Terminating"
		if f.reason == "NodeLost" {
			status = "Unknown"
		}
	}
	return internStatus(status), restarts, last, lastExit
}

func (f *podFacts) isSidecar(name string) bool {
	for _, c := range f.initContainers {
		if c.name == name {
			return c.sidecar
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
