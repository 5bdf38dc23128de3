package kube

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	"k8s.io/metrics/pkg/client/clientset/versioned/fake"
)

// The history keeps the newest HistoryLen samples, oldest first, and a window handed out
// earlier never changes while the history keeps growing and compacting.
func TestHistoryWindowAndImmutability(t *testing.T) {
	var h History
	var windows []History
	for i := 1; i <= 500; i++ {
		h = h.push(Sample{CPU: uint32(i)})
		windows = append(windows, h)
		if cap(h.buf) > HistoryLen+historySlack+64 {
			t.Fatalf("after %d samples the buffer holds %d: memory is not bounded", i, cap(h.buf))
		}
	}
	if h.Len() != HistoryLen {
		t.Fatalf("len %d, want %d", h.Len(), HistoryLen)
	}
	s := h.Samples()
	if s[0].CPU != 441 || s[HistoryLen-1].CPU != 500 {
		t.Fatalf("window %d..%d, want 441..500", s[0].CPU, s[HistoryLen-1].CPU)
	}
	for i, w := range windows {
		n := i + 1
		got := w.Samples()
		if last, _ := w.Last(); int(last.CPU) != n {
			t.Fatalf("window %d: last %d", n, last.CPU)
		}
		if want := min(n, HistoryLen); len(got) != want {
			t.Fatalf("window %d: %d samples, want %d", n, len(got), want)
		}
		if int(got[0].CPU) != max(1, n-HistoryLen+1) {
			t.Fatalf("window %d was modified: starts at %d", n, got[0].CPU)
		}
	}
	if cpu := h.CPU(); len(cpu) != HistoryLen || cpu[0] != 441 {
		t.Fatalf("CPU() = %v", cpu)
	}
}

func TestSampleUnits(t *testing.T) {
	s := sampleOf(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1.5"), corev1.ResourceMemory: resource.MustParse("100Mi")})
	if s.CPUMilli() != 1500 || s.MemBytes() != 100<<20 {
		t.Fatalf("got %dm %d bytes", s.CPUMilli(), s.MemBytes())
	}
	for q, want := range map[string]uint32{"89995117n": 90, "90002594n": 90, "90500000n": 91, "90m": 90, "0": 0, "2": 2000} {
		if got := sampleOf(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(q)}).CPU; got != want {
			t.Errorf("%s is %dm, want %dm", q, got, want)
		}
	}
	if got := sampleOf(corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1")}).MemKi; got != 1 {
		t.Fatalf("1 byte rounds to %d KiB, want 1", got)
	}
}

func podMetrics(ns, name string, containers ...string) metricsv1beta1.PodMetrics {
	pm := metricsv1beta1.PodMetrics{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for i, c := range containers {
		pm.Containers = append(pm.Containers, metricsv1beta1.ContainerMetrics{Name: c, Usage: corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(90+i), resource.DecimalSI),
			corev1.ResourceMemory: resource.MustParse("100Mi"),
		}})
	}
	return pm
}

// fakeMetrics is a fake metrics clientset whose PodMetrics LIST answers are scripted and
// counted.
type fakeMetrics struct {
	*fake.Clientset
	mu     sync.Mutex
	lists  []string // the namespace of each LIST
	items  []metricsv1beta1.PodMetrics
	err    error
	listed chan struct{}
}

func newFakeMetrics() *fakeMetrics {
	f := &fakeMetrics{Clientset: fake.NewSimpleClientset(), listed: make(chan struct{}, 100)}
	f.PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if a.GetVerb() != "list" || a.GetResource().Resource != "pods" {
			return true, nil, fmt.Errorf("unexpected %s %s", a.GetVerb(), a.GetResource().Resource)
		}
		f.lists = append(f.lists, a.GetNamespace())
		f.listed <- struct{}{}
		if f.err != nil {
			return true, nil, f.err
		}
		var out []metricsv1beta1.PodMetrics
		for _, pm := range f.items {
			if a.GetNamespace() == "" || pm.Namespace == a.GetNamespace() {
				out = append(out, pm)
			}
		}
		return true, &metricsv1beta1.PodMetricsList{Items: out}, nil
	})
	return f
}

// lister lists through the fake clientset and keeps what the real lister keeps.
func (f *fakeMetrics) lister() PodMetricsLister {
	return func(ctx context.Context, ns string) ([]PodSample, error) {
		l, err := f.MetricsV1beta1().PodMetricses(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return PodSamples(l.Items), nil
	}
}

func (f *fakeMetrics) set(err error, items ...metricsv1beta1.PodMetrics) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err, f.items = err, items
}

func (f *fakeMetrics) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lists...)
}

// Each poll is exactly one LIST however many pods there are; history accumulates per
// container; a pod the next poll no longer lists is dropped.
func TestPollerOneListPerPollAndPruning(t *testing.T) {
	f := newFakeMetrics()
	var items []metricsv1beta1.PodMetrics
	for i := range 200 {
		items = append(items, podMetrics("shop", fmt.Sprintf("web-%d", i), "app", "sidecar"))
	}
	f.set(nil, items...)
	p := NewMetricsPoller(f.lister(), time.Hour)
	ctx := context.Background()
	p.Poll(ctx)
	p.Poll(ctx)
	if n := len(f.calls()); n != 2 {
		t.Fatalf("%d API calls for 2 polls of 200 pods, want 2", n)
	}
	snap := p.Snapshot()
	if !snap.State.Available || len(snap.Pods) != 200 {
		t.Fatalf("state %+v, %d pods", snap.State, len(snap.Pods))
	}
	u, ok := snap.Pod(Key{Namespace: "shop", Name: "web-7"})
	if !ok || len(u.Containers) != 2 || u.CPU() != 90+91 || u.Mem() != 200<<20 {
		t.Fatalf("web-7: %+v cpu %d mem %d", u, u.CPU(), u.Mem())
	}
	if c, _ := u.Container("sidecar"); c.History.Len() != 2 || c.Current().CPU != 91 {
		t.Fatalf("sidecar history %v", c.History.Samples())
	}

	f.set(nil, items[1:]...)
	p.Poll(ctx)
	next := p.Snapshot()
	if _, ok := next.Pods[Key{Namespace: "shop", Name: "web-0"}]; ok {
		t.Fatalf("web-0 is still there after a poll that no longer lists it")
	}
	if _, ok := snap.Pods[Key{Namespace: "shop", Name: "web-0"}]; !ok {
		t.Fatalf("an earlier snapshot changed")
	}
	if c, _ := next.Pods[Key{Namespace: "shop", Name: "web-7"}].Container("app"); c.History.Len() != 3 {
		t.Fatalf("app history has %d samples, want 3", c.History.Len())
	}
}

// Failures become a reason the views can show; the last numbers are kept (for history)
// but not offered as current.
func TestPollerUnavailableStates(t *testing.T) {
	gr := schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}
	for _, tc := range []struct {
		name  string
		err   error
		items []metricsv1beta1.PodMetrics
		want  string
	}{
		{"not installed", apierrors.NewNotFound(gr, ""), nil, ReasonNotInstalled},
		{"empty", nil, nil, ReasonNotYet},
		{"forbidden", apierrors.NewForbidden(gr, "", errors.New("rbac")), nil, "metrics forbidden"},
		{"server down", apierrors.NewServiceUnavailable("the server is currently unable to handle the request"), nil, "metrics server not answering"},
		{"unreachable", &netError{}, nil, "metrics unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeMetrics()
			f.set(nil, podMetrics("shop", "web", "app"))
			p := NewMetricsPoller(f.lister(), time.Hour)
			if p.Snapshot().State.Available || p.Snapshot().State.Reason != ReasonNotPolled {
				t.Fatalf("before the first poll: %+v", p.Snapshot().State)
			}
			p.Poll(context.Background())
			f.set(tc.err, tc.items...)
			p.Poll(context.Background())
			st := p.Snapshot().State
			if st.Available || st.Reason != tc.want {
				t.Fatalf("state %+v, want reason %q", st, tc.want)
			}
			if _, ok := p.Snapshot().Pod(Key{Namespace: "shop", Name: "web"}); ok {
				t.Fatalf("an unavailable snapshot still offers numbers")
			}
			f.set(nil, podMetrics("shop", "web", "app"))
			p.Poll(context.Background())
			if !p.Snapshot().State.Available {
				t.Fatalf("not available again after recovery: %+v", p.Snapshot().State)
			}
			if tc.err != nil {
				u, _ := p.Snapshot().Pod(Key{Namespace: "shop", Name: "web"})
				if u.Containers[0].History.Len() != 2 {
					t.Fatalf("history lost across a failed poll: %d samples", u.Containers[0].History.Len())
				}
			}
		})
	}
}

type netError struct{}

func (*netError) Error() string   { return "dial tcp: connection refused" }
func (*netError) Timeout() bool   { return false }
func (*netError) Temporary() bool { return false }

// Polling runs only while someone is subscribed, lists the narrowest namespace that
// covers every subscriber, and tells every subscriber of each new snapshot.
func TestPollerSubscriptions(t *testing.T) {
	f := newFakeMetrics()
	f.set(nil, podMetrics("shop", "web", "app"), podMetrics("pay", "ledger", "app"))
	p := NewMetricsPoller(f.lister(), 20*time.Millisecond)
	waitList := func() {
		t.Helper()
		select {
		case <-f.listed:
		case <-time.After(5 * time.Second):
			t.Fatalf("no poll")
		}
	}
	time.Sleep(50 * time.Millisecond)
	if len(f.calls()) != 0 || p.Polling() {
		t.Fatalf("polled with nobody subscribed")
	}
	a := p.Subscribe("shop")
	<-a.Changed() // the data so far, at once
	waitList()
	waitList()
	b := p.Subscribe("pay")
	<-b.Changed()
	deadline := time.Now().Add(5 * time.Second)
	for {
		waitList()
		calls := f.calls()
		if calls[len(calls)-1] == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("two namespaces subscribed, still listing %v", calls)
		}
	}
	// the all-namespace list has been made; its result may land after a change told of a
	// "shop" poll that was still in flight, so wait for the change that brings both pods
	for len(p.Snapshot().Pods) != 2 {
		select {
		case <-b.Changed():
		case <-time.After(5 * time.Second):
			t.Fatalf("second subscriber not told of the all-namespace poll: it shows %d pods", len(p.Snapshot().Pods))
		}
	}
	if calls := f.calls(); calls[0] != "shop" {
		t.Fatalf("first poll listed %q, want shop", calls[0])
	}
	a.Close()
	b.Close()
	b.Close() // twice is harmless
	if p.Polling() {
		t.Fatalf("still polling after the last subscriber left")
	}
	time.Sleep(50 * time.Millisecond)
	n := len(f.calls())
	time.Sleep(100 * time.Millisecond)
	if m := len(f.calls()); m != n {
		t.Fatalf("%d polls after everyone left", m-n)
	}
}

func TestPodResources(t *testing.T) {
	rl := func(cpu, mem string) corev1.ResourceList {
		l := corev1.ResourceList{}
		if cpu != "" {
			l[corev1.ResourceCPU] = resource.MustParse(cpu)
		}
		if mem != "" {
			l[corev1.ResourceMemory] = resource.MustParse(mem)
		}
		return l
	}
	always := corev1.ContainerRestartPolicyAlways
	spec := &corev1.PodSpec{
		InitContainers: []corev1.Container{
			{Name: "setup", Resources: corev1.ResourceRequirements{Requests: rl("1", "1Gi")}},
			{Name: "proxy", RestartPolicy: &always, Resources: corev1.ResourceRequirements{Requests: rl("50m", "32Mi"), Limits: rl("100m", "64Mi")}},
		},
		Containers: []corev1.Container{
			{Name: "app", Resources: corev1.ResourceRequirements{Requests: rl("100m", "100Mi"), Limits: rl("200m", "")}},
			{Name: "limited", Resources: corev1.ResourceRequirements{Limits: rl("", "50Mi")}},
		},
	}
	got := PodResources(spec)
	want := ReqLim{CPUReq: 150, CPULim: 0, MemReq: (32 + 100 + 50) << 20, MemLim: 0}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	spec.Containers[1].Resources.Limits = rl("300m", "50Mi")
	spec.Containers[0].Resources.Limits = rl("200m", "200Mi")
	got = PodResources(spec)
	want = ReqLim{CPUReq: 450, CPULim: 600, MemReq: (32 + 100 + 50) << 20, MemLim: (64 + 200 + 50) << 20}
	if got != want {
		t.Fatalf("all bounded: got %+v, want %+v", got, want)
	}
	spec.Resources = &corev1.ResourceRequirements{Requests: rl("1", ""), Limits: rl("2", "")}
	if got := PodResources(spec); got.CPUReq != 1000 || got.CPULim != 2000 || got.MemReq != want.MemReq {
		t.Fatalf("pod-level resources: %+v", got)
	}
}

// BenchmarkPoll50k measures one poll of 50,000 pods (one container each) once histories
// are full: merge time, allocations, and the heap the histories keep.
func BenchmarkPoll50k(b *testing.B) {
	items := make([]metricsv1beta1.PodMetrics, 50000)
	for i := range items {
		items[i] = podMetrics("ns", fmt.Sprintf("pod-%05d", i), "app")
	}
	list := PodSamples(items)
	p := NewMetricsPoller(func(context.Context, string) ([]PodSample, error) { return list, nil }, time.Hour)
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	for range HistoryLen + historySlack {
		p.Poll(context.Background())
	}
	goruntime.GC()
	goruntime.ReadMemStats(&after)
	b.ReportAllocs()
	for b.Loop() {
		p.Poll(context.Background())
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(items)), "retained-B/pod")
}

// When the link to the server returns after a silence, the poller lists at once instead
// of waiting out its interval (the usage columns are live again with the rows).
func TestPollerPollsWhenTheLinkReturns(t *testing.T) {
	f := newFakeMetrics()
	f.set(nil, podMetrics("shop", "web", "app"))
	p := NewMetricsPoller(f.lister(), time.Hour)
	p.link = newLink(func(context.Context) error { return nil }, defaultLinkTimes)
	sub := p.Subscribe("shop")
	defer sub.Close()
	select {
	case <-f.listed: // the first poll, at once
	case <-time.After(5 * time.Second):
		t.Fatal("no first poll")
	}
	p.link.setLost(true)
	select {
	case <-f.listed:
		t.Fatal("polled when the link was lost")
	case <-time.After(50 * time.Millisecond):
	}
	p.link.setLost(false)
	select {
	case <-f.listed:
	case <-time.After(5 * time.Second):
		t.Fatal("no poll when the link returned (the interval is an hour)")
	}
}
