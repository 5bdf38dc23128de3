package kube

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metrics "k8s.io/metrics/pkg/client/clientset/versioned"
)

// Node is the compact row kdeck keeps per node, with what its pods request and, when the
// metrics API answers, what it uses.
type Node struct {
	Name string
	// Status is kubectl's: "Ready", "NotReady" or "Unknown", then SchedulingDisabled and
	// any pressure or network condition that holds ("Ready,SchedulingDisabled").
	Status        string
	Ready         bool
	Unschedulable bool
	Troubled      bool // a pressure or network condition holds
	// ReadySince is when the Ready condition last changed (zero when the node has none).
	ReadySince  time.Time
	Roles       string // from node-role.kubernetes.io/ROLE labels, comma-separated
	Taints      string // "key=value:Effect", comma-separated
	Version     string // the kubelet's
	Created     time.Time
	Allocatable Capacity
	// Pods, Requests: the node's pods that still hold resources (not Succeeded or Failed)
	// and their summed requests; filled in by JoinNodePods.
	Pods     int32
	Requests ReqLim
	// Used is the node's usage from the metrics API (NodeMetrics), valid when HasUsage.
	Used     Capacity
	HasUsage bool
}

// Capacity is CPU (millicores), memory (bytes) and a pod count.
type Capacity struct {
	CPU, Mem, Pods int64
}

// RowKey implements Row.
func (n *Node) RowKey() Key { return Key{Name: n.Name} }

// NodeRow summarises n the way `kubectl get nodes` does.
func NodeRow(n *corev1.Node) *Node {
	r := &Node{Name: n.Name, Unschedulable: n.Spec.Unschedulable, Version: n.Status.NodeInfo.KubeletVersion,
		Created: n.CreationTimestamp.Time, Roles: nodeRoles(n.Labels)}
	a := n.Status.Allocatable
	r.Allocatable = Capacity{CPU: a.Cpu().MilliValue(), Mem: a.Memory().Value(), Pods: a.Pods().Value()}
	ready, extra := "Unknown", []string(nil)
	for _, c := range n.Status.Conditions {
		switch {
		case c.Type == corev1.NodeReady:
			r.ReadySince = c.LastTransitionTime.Time
			switch c.Status {
			case corev1.ConditionTrue:
				ready, r.Ready = "Ready", true
			case corev1.ConditionFalse:
				ready = "NotReady"
			}
		case c.Status == corev1.ConditionTrue: // MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable
			extra = append(extra, string(c.Type))
			r.Troubled = true
		}
	}
	if n.Spec.Unschedulable {
		extra = append([]string{"SchedulingDisabled"}, extra...)
	}
	r.Status = strings.Join(append([]string{ready}, extra...), ",")
	taints := make([]string, len(n.Spec.Taints))
	for i, t := range n.Spec.Taints {
		taints[i] = t.ToString()
	}
	r.Taints = strings.Join(taints, ",")
	return r
}

// nodeRoles reads the roles kubectl shows from a node's labels.
func nodeRoles(labels map[string]string) string {
	var roles []string
	for k, v := range labels {
		switch {
		case strings.HasPrefix(k, "node-role.kubernetes.io/"):
			if role := strings.TrimPrefix(k, "node-role.kubernetes.io/"); role != "" {
				roles = append(roles, role)
			}
		case k == "kubernetes.io/role" && v != "":
			roles = append(roles, v)
		}
	}
	slices.Sort(roles)
	return strings.Join(slices.Compact(roles), ",")
}

// NodeSource returns the Source for every node.
func (c *Client) NodeSource() Source[*Node] {
	api := c.Clientset.CoreV1().Nodes()
	return TypedSource("nodes", "", "", api.List, api.Watch,
		func(l *corev1.NodeList) []corev1.Node { return l.Items }, NodeRow)
}

// JoinNodePods completes node rows with their pods: how many still hold resources and
// what those request. It returns new rows; nodes and pods are not modified.
func JoinNodePods(nodes []*Node, pods []*Pod) []*Node {
	type sum struct {
		n   int32
		req ReqLim
	}
	per := make(map[string]*sum, len(nodes))
	for _, p := range pods {
		if p.Node == "" || p.Finished {
			continue
		}
		s := per[p.Node]
		if s == nil {
			s = &sum{}
			per[p.Node] = s
		}
		s.n++
		s.req.CPUReq += p.CPUReq
		s.req.MemReq += p.MemReq
		s.req.CPULim += p.CPULim
		s.req.MemLim += p.MemLim
	}
	out := make([]*Node, len(nodes))
	for i, n := range nodes {
		joined := *n
		if s := per[n.Name]; s != nil {
			joined.Pods, joined.Requests = s.n, s.req
		}
		out[i] = &joined
	}
	return out
}

// NodeUsageLister lists every node's current usage from the metrics API.
type NodeUsageLister func(ctx context.Context) (map[string]Capacity, error)

// NodeCache is the nodes view's cache: nodes joined with every pod (counts and requests)
// and, every metrics interval while it runs, the nodes' usage from the metrics API.
type NodeCache struct {
	joined   *Joined[*Node, *Pod]
	usage    NodeUsageLister // nil: no metrics API configured
	interval time.Duration
	changed  chan struct{}

	mu   sync.Mutex
	used map[string]Capacity
}

// NodeCache returns the nodes cache of c for the nodes matching the label selector ("" for
// every node).
func (c *Client) NodeCache(selector string) *NodeCache {
	src := c.NodeSource()
	src.Selector = selector
	return &NodeCache{joined: NewJoined(src, PodSource(c.PodRows(), ""), JoinNodePods),
		usage: c.nodeUsage, interval: DefaultMetricsInterval, changed: make(chan struct{}, 1)}
}

// Run keeps nodes and pods live and polls usage until ctx ends; a failed poll leaves the
// usage columns empty rather than old.
func (n *NodeCache) Run(ctx context.Context, link *Link) {
	go n.joined.Run(ctx, link)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.joined.Changed():
		case <-timer.C:
			if n.usage != nil && !link.State().Lost {
				pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				used, err := n.usage(pctx)
				cancel()
				if err != nil {
					used = nil
				}
				n.mu.Lock()
				n.used = used
				n.mu.Unlock()
			}
			timer.Reset(n.interval)
		}
		select {
		case n.changed <- struct{}{}:
		default:
		}
	}
}

// Changed receives a value when nodes, pods or usage changed.
func (n *NodeCache) Changed() <-chan struct{} { return n.changed }

// Snapshot returns the joined rows with the latest usage.
func (n *NodeCache) Snapshot() Snapshot[*Node] {
	snap := n.joined.Snapshot()
	n.mu.Lock()
	used := n.used
	n.mu.Unlock()
	for _, r := range snap.Rows { // rows are the join's fresh copies
		r.Used, r.HasUsage = used[r.Name]
	}
	return snap
}

// State is the less trustworthy of the nodes' and pods' states.
func (n *NodeCache) State() State { return n.joined.State() }

// NodeMetricsLister returns the lister of every node's usage through the metrics clientset
// (one LIST of NodeMetrics).
func NodeMetricsLister(mcs metrics.Interface) NodeUsageLister {
	return func(ctx context.Context) (map[string]Capacity, error) {
		list, err := mcs.MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return nodeUsage(list.Items), nil
	}
}

// nodeUsage is each listed node's usage.
func nodeUsage(items []metricsv1beta1.NodeMetrics) map[string]Capacity {
	out := make(map[string]Capacity, len(items))
	for _, m := range items {
		s := sampleOf(m.Usage)
		out[m.Name] = Capacity{CPU: s.CPUMilli(), Mem: s.MemBytes()}
	}
	return out
}
