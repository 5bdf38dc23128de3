package kube

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/rest"
)

// DefaultMetricsInterval is how often the metrics poller lists PodMetrics. metrics-server
// itself scrapes every 15 s by default, so polling faster only repeats the same numbers.
const DefaultMetricsInterval = 15 * time.Second

// HistoryLen is how many samples a container's history keeps: 15 minutes at 15 s.
const HistoryLen = 60

// historySlack is how many samples a history grows past HistoryLen before it is compacted
// into a fresh array; it trades a little memory for one allocation per historySlack polls.
const historySlack = 16

// Sample is one container's usage at one poll, kept small (8 bytes): a container's history
// holds HistoryLen of them.
type Sample struct {
	CPU   uint32 // millicores
	MemKi uint32 // memory in KiB
}

// MemBytes is the sample's memory usage in bytes.
func (s Sample) MemBytes() int64 { return int64(s.MemKi) * 1024 }

// CPUMilli is the sample's CPU usage in millicores.
func (s Sample) CPUMilli() int64 { return int64(s.CPU) }

// History is a bounded window of a container's most recent samples, oldest first.
//
// It works as a ring buffer that never overwrites: new samples are appended past the end of
// every window handed out, and when the array is full the newest HistoryLen-1 samples move to
// a fresh one. So a History taken from a snapshot is immutable and shared without copying,
// while the poller extends the latest one.
type History struct{ buf []Sample }

// Samples returns the window, oldest first. The slice must not be modified.
func (h History) Samples() []Sample {
	if len(h.buf) > HistoryLen {
		return h.buf[len(h.buf)-HistoryLen:]
	}
	return h.buf
}

// Len is the number of samples in the window.
func (h History) Len() int { return min(len(h.buf), HistoryLen) }

// Last is the newest sample; ok is false for an empty history.
func (h History) Last() (Sample, bool) {
	if len(h.buf) == 0 {
		return Sample{}, false
	}
	return h.buf[len(h.buf)-1], true
}

// CPU returns the window's CPU values in millicores, oldest first.
func (h History) CPU() []int64 { return h.values(Sample.CPUMilli) }

// Mem returns the window's memory values in bytes, oldest first.
func (h History) Mem() []int64 { return h.values(Sample.MemBytes) }

func (h History) values(get func(Sample) int64) []int64 {
	s := h.Samples()
	out := make([]int64, len(s))
	for i, x := range s {
		out[i] = get(x)
	}
	return out
}

// push returns h extended by s. Only the poller calls it, and only on the newest History
// of a container, so the slots it appends into are never visible to an older window.
func (h History) push(s Sample) History {
	if len(h.buf) == cap(h.buf) && len(h.buf) >= HistoryLen {
		fresh := make([]Sample, HistoryLen-1, HistoryLen+historySlack)
		copy(fresh, h.buf[len(h.buf)-(HistoryLen-1):])
		h.buf = fresh
	}
	if h.buf == nil {
		h.buf = make([]Sample, 0, 4)
	}
	h.buf = append(h.buf, s)
	return h
}

// ContainerUsage is one container's current usage and its history.
type ContainerUsage struct {
	Name    string
	History History
}

// Current is the container's latest sample.
func (c ContainerUsage) Current() Sample { s, _ := c.History.Last(); return s }

// PodUsage is the usage of one pod's containers, in the order metrics-server lists them.
type PodUsage struct {
	Containers []ContainerUsage
}

// CPU is the pod's current CPU usage in millicores (the sum of its containers').
func (p PodUsage) CPU() int64 {
	var n int64
	for _, c := range p.Containers {
		n += c.Current().CPUMilli()
	}
	return n
}

// Mem is the pod's current memory usage in bytes (the sum of its containers').
func (p PodUsage) Mem() int64 {
	var n int64
	for _, c := range p.Containers {
		n += c.Current().MemBytes()
	}
	return n
}

// Container returns the usage of the container called name.
func (p PodUsage) Container(name string) (ContainerUsage, bool) {
	for _, c := range p.Containers {
		if c.Name == name {
			return c, true
		}
	}
	return ContainerUsage{}, false
}

// MetricsState says whether usage numbers can be shown, and why not when they cannot.
type MetricsState struct {
	Available bool
	Reason    string    // why not, one short line: "metrics API not installed", …
	Err       error     // the failure behind Reason, when there was one
	Polled    time.Time // when the last successful poll ended (zero before the first)
}

// MetricsSnapshot is an immutable view of the poller's data: never modified after it is
// handed out, safe to read from any goroutine.
type MetricsSnapshot struct {
	State MetricsState
	Pods  map[Key]PodUsage // pods listed by the last successful poll
}

// Pod returns the usage of the pod with key k, when metrics are available and list it.
func (s *MetricsSnapshot) Pod(k Key) (PodUsage, bool) {
	if s == nil || !s.State.Available {
		return PodUsage{}, false
	}
	u, ok := s.Pods[k]
	return u, ok
}

// The reasons metrics are not shown.
const (
	ReasonNotInstalled = "metrics API not installed" // no metrics.k8s.io APIService (404)
	ReasonNotYet       = "metrics not available yet" // the API answers but lists no pods yet
	ReasonNotPolled    = "metrics loading…"          // before the first poll has answered
)

// PodMetricsLister lists the PodMetrics of one namespace ("" for all) in one request.
type PodMetricsLister func(ctx context.Context, ns string) ([]PodSample, error)

// MetricsLister returns the lister that asks the metrics API through rc (the REST client
// of metrics.k8s.io/v1beta1) for protobuf and decodes the answer as it streams in, keeping
// only names and usage (see decodePodMetrics).
func MetricsLister(rc rest.Interface) PodMetricsLister {
	return func(ctx context.Context, ns string) ([]PodSample, error) {
		body, err := rc.Get().Namespace(ns).Resource("pods").
			SetHeader("Accept", "application/vnd.kubernetes.protobuf, application/json").Stream(ctx)
		if err != nil {
			return nil, err
		}
		defer body.Close()
		return decodePodMetrics(body)
	}
}

// MetricsPoller polls metrics.k8s.io PodMetrics with one LIST per poll while anyone is
// subscribed, and keeps per-container histories. One poller serves a whole program, so
// history survives moving between views; it lists the narrowest namespace that covers every
// subscriber (all namespaces when they differ).
type MetricsPoller struct {
	list     PodMetricsLister
	interval time.Duration
	timeout  time.Duration // bounds one LIST (a 50k-pod answer is 13-20 MB)
	now      func() time.Time
	link     *Link // when the server answers again after a silence, poll at once; nil: no link

	mu     sync.Mutex
	snap   *MetricsSnapshot
	subs   map[*MetricsSub]struct{}
	cancel context.CancelFunc // stops the polling goroutine; nil while nobody is subscribed
	wake   chan struct{}      // asks the goroutine to poll now (the scope changed)
	polled string             // the namespace the current data was listed in
}

// NewMetricsPoller returns a poller that lists through list every interval (0 means
// DefaultMetricsInterval). Nothing is polled until Subscribe.
func NewMetricsPoller(list PodMetricsLister, interval time.Duration) *MetricsPoller {
	if interval <= 0 {
		interval = DefaultMetricsInterval
	}
	return &MetricsPoller{
		list: list, interval: interval, timeout: max(10*time.Second, interval), now: time.Now,
		snap: &MetricsSnapshot{State: MetricsState{Reason: ReasonNotPolled}},
		subs: map[*MetricsSub]struct{}{},
	}
}

// Interval is the time between two polls.
func (p *MetricsPoller) Interval() time.Duration { return p.interval }

// MetricsSub is one consumer's subscription: it keeps the poller polling until Close and
// is told of every new snapshot.
type MetricsSub struct {
	p       *MetricsPoller
	ns      string
	changed chan struct{}
}

// Subscribe starts polling (when nobody was subscribed) so that ns ("" for all namespaces)
// is covered, and returns the subscription. Its Changed fires at once with the data so far.
func (p *MetricsPoller) Subscribe(ns string) *MetricsSub {
	s := &MetricsSub{p: p, ns: ns, changed: make(chan struct{}, 1)}
	p.mu.Lock()
	defer p.mu.Unlock()
	before := p.scopeLocked()
	p.subs[s] = struct{}{}
	s.changed <- struct{}{}
	if p.cancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		p.cancel, p.wake = cancel, make(chan struct{}, 1)
		go p.run(ctx, p.wake)
	} else if p.scopeLocked() != before {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
	return s
}

// Changed receives a value (coalesced) whenever a new snapshot is available.
func (s *MetricsSub) Changed() <-chan struct{} { return s.changed }

// Snapshot returns the latest snapshot.
func (s *MetricsSub) Snapshot() *MetricsSnapshot { return s.p.Snapshot() }

// Close ends the subscription; polling stops when the last one closes. History is kept.
func (s *MetricsSub) Close() {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.subs[s]; !ok {
		return
	}
	delete(p.subs, s)
	if len(p.subs) == 0 && p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// Snapshot returns the latest snapshot.
func (p *MetricsPoller) Snapshot() *MetricsSnapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.snap
}

// Polling reports whether the poller's goroutine is meant to be running.
func (p *MetricsPoller) Polling() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cancel != nil
}

// scopeLocked is the namespace scope one poll must cover for every subscriber: theirs when
// they all want the same (one namespace, or several separated by commas, each listed on
// its own), else "" (all namespaces, one LIST).
func (p *MetricsPoller) scopeLocked() string {
	scope, first := "", true
	for s := range p.subs {
		switch {
		case first:
			scope, first = s.ns, false
		case s.ns != scope:
			return ""
		}
	}
	return scope
}

// listScope lists PodMetrics in every namespace of scope ("" for all namespaces at once).
func (p *MetricsPoller) listScope(ctx context.Context, scope string) ([]PodSample, error) {
	namespaces := Namespaces(scope)
	if len(namespaces) < 2 {
		return p.list(ctx, scope)
	}
	var all []PodSample
	for _, ns := range namespaces {
		list, err := p.list(ctx, ns)
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
	}
	return all, nil
}

func (p *MetricsPoller) run(ctx context.Context, wake <-chan struct{}) {
	p.mu.Lock()
	wait := time.Duration(0)
	if last := p.snap.State.Polled; !last.IsZero() && p.polled == p.scopeLocked() {
		wait = max(0, p.interval-p.now().Sub(last)) // resubscribed soon after: data is fresh
	}
	p.mu.Unlock()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		link := p.link.State()
		select {
		case <-ctx.Done():
			return
		case <-wake:
			timer.Stop()
		case <-link.Changed:
			if p.link.State().Lost {
				continue // nothing to ask until the server answers again
			}
			timer.Stop()
		case <-timer.C:
		}
		p.Poll(ctx)
		timer.Reset(p.interval)
	}
}

// Poll lists PodMetrics once for the current scope and publishes the result. The poller's
// goroutine calls it every interval; tests call it directly.
func (p *MetricsPoller) Poll(ctx context.Context) {
	p.mu.Lock()
	ns := p.scopeLocked()
	p.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, p.timeout)
	list, err := p.listScope(cctx, ns)
	cancel()
	if ctx.Err() != nil {
		return // stopped mid-poll: publish nothing
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.snap
	next := &MetricsSnapshot{Pods: old.Pods, State: old.State}
	if err != nil {
		next.State.Available = false
		next.State.Err = Classify(err, "list", "pods.metrics.k8s.io", ns)
		next.State.Reason = metricsReason(next.State.Err)
	} else {
		next.Pods = merge(old.Pods, list)
		next.State = MetricsState{Available: len(next.Pods) > 0, Polled: p.now()}
		if !next.State.Available {
			next.State.Reason = ReasonNotYet
		}
		p.polled = ns
	}
	p.snap = next
	for s := range p.subs {
		select {
		case s.changed <- struct{}{}:
		default:
		}
	}
}

// merge builds the pods map of a new snapshot: every listed pod's containers extended by
// their new sample, keeping their history; pods and containers no longer listed are dropped.
func merge(old map[Key]PodUsage, pods []PodSample) map[Key]PodUsage {
	next := make(map[Key]PodUsage, len(pods))
	for _, pm := range pods {
		prev := old[pm.Key]
		u := PodUsage{Containers: make([]ContainerUsage, 0, len(pm.Containers))}
		for _, c := range pm.Containers {
			h := History{}
			if pc, ok := prev.Container(c.Name); ok {
				h = pc.History
			}
			u.Containers = append(u.Containers, ContainerUsage{Name: c.Name, History: h.push(c.Sample)})
		}
		next[pm.Key] = u
	}
	return next
}

func sampleOf(usage corev1.ResourceList) Sample {
	var s Sample
	if q, ok := usage[corev1.ResourceCPU]; ok {
		s.CPU = cpuMillis(q)
	}
	if q, ok := usage[corev1.ResourceMemory]; ok {
		s.MemKi = memKi(q)
	}
	return s
}

// cpuMillis rounds a CPU usage to the nearest millicore: metrics-server reports nanocores
// (89995117n, 90002594n for a steady 90m), where MilliValue would round 90.003m up to 91m.
func cpuMillis(q resource.Quantity) uint32 {
	return clampU32((q.ScaledValue(resource.Nano) + 500_000) / 1_000_000)
}

// memKi rounds a memory usage up to whole KiB.
func memKi(q resource.Quantity) uint32 { return clampU32((q.Value() + 1023) / 1024) }

func clampU32(v int64) uint32 {
	return uint32(max(0, min(v, int64(^uint32(0)))))
}

// metricsReason turns a failed PodMetrics LIST into the short reason views show.
func metricsReason(err error) string {
	switch KindOf(err) {
	case KindNotFound:
		return ReasonNotInstalled
	case KindForbidden:
		return "metrics forbidden"
	case KindUnreachable:
		if apierrors.IsServiceUnavailable(err) {
			return "metrics server not answering"
		}
		return "metrics unreachable"
	case KindUnauthorized:
		return "metrics unauthorized"
	}
	return fmt.Sprintf("metrics error: %s", rootCause(errors.Unwrap(err)))
}
