package forward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
)

// fakeStream is one side of a stream: Close half-closes (the far end reads EOF), Reset
// closes both ways, like a SPDY stream.
type fakeStream struct {
	r *io.PipeReader
	w *io.PipeWriter
	h http.Header
}

func (s *fakeStream) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s *fakeStream) Write(p []byte) (int, error) { return s.w.Write(p) }
func (s *fakeStream) Close() error                { return s.w.Close() }
func (s *fakeStream) Reset() error {
	_ = s.r.CloseWithError(errors.New("reset"))
	return s.w.CloseWithError(errors.New("reset"))
}
func (s *fakeStream) Headers() http.Header { return s.h }
func (s *fakeStream) Identifier() uint32   { return 0 }

// fakeConn is a port-forward connection to one pod whose data streams are answered by
// serve, in process.
type fakeConn struct {
	pod    string
	serve  func(pod, port string, in io.Reader, out io.WriteCloser)
	done   chan bool
	once   sync.Once
	wg     sync.WaitGroup
	closed bool
	mu     sync.Mutex
}

func (c *fakeConn) CreateStream(h http.Header) (httpstream.Stream, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("connection closed")
	}
	toPod, fromLocal := io.Pipe()
	toLocal, fromPod := io.Pipe()
	s := &fakeStream{r: toLocal, w: fromLocal, h: h.Clone()}
	if h.Get(corev1.StreamType) == corev1.StreamTypeError {
		_ = fromPod.Close() // no error to report
		return s, nil
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.serve(c.pod, h.Get(corev1.PortHeader), toPod, fromPod)
	}()
	return s, nil
}

func (c *fakeConn) Close() error {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		close(c.done)
	})
	return nil
}
func (c *fakeConn) CloseChan() <-chan bool             { return c.done }
func (c *fakeConn) SetIdleTimeout(time.Duration)       {}
func (c *fakeConn) RemoveStreams(...httpstream.Stream) {}

// answer reads a request to EOF and answers "POD:PORT:REQUEST".
func answer(pod, port string, in io.Reader, out io.WriteCloser) {
	req, _ := io.ReadAll(in)
	_, _ = fmt.Fprintf(out, "%s:%s:%s", pod, port, req)
	_ = out.Close()
}

// fakeDialer dials fakeConns; pods in refuse fail to dial.
type fakeDialer struct {
	mu     sync.Mutex
	refuse map[string]bool
	dials  []string
}

func (d *fakeDialer) dial(_ context.Context, pod string) (httpstream.Connection, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dials = append(d.dials, pod)
	if d.refuse[pod] {
		return nil, errors.New("pod is gone")
	}
	return &fakeConn{pod: pod, serve: answer, done: make(chan bool)}, nil
}

// freePort returns a port that was free an instant ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// request sends body through local port port and returns the answer.
func request(t *testing.T, port int, body string) string {
	t.Helper()
	c, err := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, body); err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// noLeaks fails when goroutines started after baseline are still running shortly after.
func noLeaks(t *testing.T, baseline int) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 2*time.Second; time.Sleep(10 * time.Millisecond) {
		if runtime.NumGoroutine() <= baseline {
			return
		}
	}
	buf := make([]byte, 1<<20)
	t.Fatalf("%d goroutines left running (baseline %d):\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
}

func TestCheckLocalPort(t *testing.T) {
	for _, p := range []int{0, -1, 65536} {
		if err := CheckLocalPort(p); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("port %d: %v, want out of range", p, err)
		}
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().(*net.TCPAddr).Port
	if err := CheckLocalPort(busy); err == nil || err.Error() != fmt.Sprintf("local port %d is already in use", busy) {
		t.Errorf("busy port: %v", err)
	}
	if err := CheckLocalPort(freePort(t)); err != nil {
		t.Errorf("free port: %v", err)
	}
}

func TestPodForwardCountsAndStops(t *testing.T) {
	baseline := runtime.NumGoroutine()
	m := NewManager(nil)
	d := &fakeDialer{}
	port := freePort(t)
	spec := Spec{Namespace: "shop", Kind: KindPod, Name: "web-1", Local: port, Remote: 8080}
	f, err := m.start(context.Background(), "ctx", spec,
		func(context.Context) (router, error) { return podRoute{name: "web-1", port: 8080}, nil }, d.dial)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got := request(t, port, "ping"); got != "web-1:8080:ping" {
			t.Fatalf("answer %q", got)
		}
	}
	eventually(t, "connections closed", func() bool { return f.Status().Open == 0 })
	s := f.Status()
	if s.State != Active || s.Pod != "web-1" || s.Total != 3 || s.Out != 12 || s.In != int64(3*len("web-1:8080:ping")) {
		t.Errorf("status %+v", s)
	}
	if len(d.dials) != 1 {
		t.Errorf("dialled %d times, want one connection shared by every request", len(d.dials))
	}
	if err := CheckLocalPort(port); err == nil {
		t.Errorf("port %d is free while forwarding", port)
	}
	if _, err := m.start(context.Background(), "ctx", spec, nil, d.dial); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("second forward on the same port: %v", err)
	}
	// a connection held open while stopping ends too
	held, err := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	eventually(t, "held connection open", func() bool { return f.Status().Open == 1 })
	if err := m.Stop(port); err != nil {
		t.Fatal(err)
	}
	if err := CheckLocalPort(port); err != nil {
		t.Errorf("port still taken after stop: %v", err)
	}
	if len(m.Statuses()) != 0 {
		t.Errorf("forward still listed after stop")
	}
	held.Close()
	noLeaks(t, baseline)
}

func TestPodForwardGonePodFails(t *testing.T) {
	m := NewManager(nil)
	d := &fakeDialer{refuse: map[string]bool{"web-1": true}}
	port := freePort(t)
	spec := Spec{Namespace: "shop", Kind: KindPod, Name: "web-1", Local: port, Remote: 80}
	f, err := m.start(context.Background(), "ctx", spec,
		func(context.Context) (router, error) { return podRoute{name: "web-1", port: 80}, nil }, d.dial)
	if err != nil {
		t.Fatal(err)
	}
	defer m.StopAll()
	c, err := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if got, _ := io.ReadAll(c); len(got) > 0 { // closed (or reset) without an answer
		t.Errorf("answer %q from an unreachable pod", got)
	}
	eventually(t, "reconnecting", func() bool { return f.Status().State == Reconnecting })
	if s := f.Status(); !strings.Contains(s.Err, "pod web-1: pod is gone") {
		t.Errorf("last error %q", s.Err)
	}
}

func TestReadyEndpoints(t *testing.T) {
	slices := []*discoveryv1.EndpointSlice{
		slice("a", "http", 8080, ep("web-b", true), ep("web-a", true), ep("web-c", false)),
		slice("b", "http", 9090, ep("web-d", true), terminating("web-e")),
		slice("c", "metrics", 9100, ep("web-f", true)),
		slice("d", "http", 8080, ep("web-a", true)), // the IPv6 slice of a dual-stack service
	}
	got := readyEndpoints(slices, "http")
	want := []endpointPod{{"web-a", 8080}, {"web-b", 8080}, {"web-d", 9090}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ready %v, want %v", got, want)
	}
	if e, _ := pickEndpoint(got, "web-b", nil); e.pod != "web-b" {
		t.Errorf("picked %s, want the pod in use while it is ready", e.pod)
	}
	if e, _ := pickEndpoint(got, "web-b", map[string]bool{"web-b": true}); e.pod != "web-a" {
		t.Errorf("picked %s, want the first other ready pod", e.pod)
	}
	if e, _ := pickEndpoint(got, "web-x", nil); e.pod != "web-a" {
		t.Errorf("picked %s for a pod that left", e.pod)
	}
	if _, ok := pickEndpoint(nil, "", nil); ok {
		t.Errorf("picked a pod from no endpoints")
	}
}

func ep(pod string, ready bool) discoveryv1.Endpoint {
	return discoveryv1.Endpoint{Addresses: []string{"10.0.0.1"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(ready)},
		TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: pod}}
}

func terminating(pod string) discoveryv1.Endpoint {
	e := ep(pod, true)
	e.Conditions.Terminating = ptr.To(true)
	return e
}

func slice(name, port string, n int32, eps ...discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: "shop", Name: "web-" + name, Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
		AddressType: discoveryv1.AddressTypeIPv4, Endpoints: eps,
		Ports: []discoveryv1.EndpointPort{{Name: ptr.To(port), Port: ptr.To(n), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
}

// A service forward maps the service port to each pod's target port, sends each new
// connection to a ready pod, skips a pod that cannot be reached, and follows the slices.
func TestServiceForwardFollowsEndpoints(t *testing.T) {
	baseline := runtime.NumGoroutine()
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP}}}}
	cs := fake.NewClientset(svc, slice("a", "http", 8080, ep("web-a", true), ep("web-b", true)))
	m := NewManager(nil)
	d := &fakeDialer{refuse: map[string]bool{}}
	port := freePort(t)
	spec := Spec{Namespace: "shop", Kind: KindService, Name: "web", Local: port, Remote: 80}
	f, err := m.start(context.Background(), "ctx", spec,
		func(ctx context.Context) (router, error) { return newServiceRoute(ctx, cs, spec) }, d.dial)
	if err != nil {
		t.Fatal(err)
	}
	if got := request(t, port, "1"); got != "web-a:8080:1" {
		t.Fatalf("answer %q", got)
	}
	// web-a dies before its endpoint goes: the connection is sent to web-b
	d.mu.Lock()
	d.refuse["web-a"] = true
	d.mu.Unlock()
	f.mu.Lock()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	if got := request(t, port, "2"); got != "web-b:8080:2" {
		t.Fatalf("answer %q after web-a died", got)
	}
	if s := f.Status(); s.Pod != "web-b" || s.State != Active || !strings.Contains(s.Err, "web-a") {
		t.Errorf("status after web-a died: %+v", s)
	}
	// the slices change: web-b goes, web-c comes with another target port
	_, err = cs.DiscoveryV1().EndpointSlices("shop").Update(context.Background(),
		slice("a", "http", 9090, ep("web-b", false), ep("web-c", true)), metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "pod in use web-c", func() bool { return f.Status().Pod == "web-c" })
	if got := request(t, port, "3"); got != "web-c:9090:3" {
		t.Fatalf("answer %q after the slices changed", got)
	}
	// no ready endpoint at all: reconnecting, and the forward keeps listening
	_, err = cs.DiscoveryV1().EndpointSlices("shop").Update(context.Background(),
		slice("a", "http", 9090, ep("web-c", false)), metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "reconnecting", func() bool { return f.Status().State == Reconnecting })
	if s := f.Status(); !strings.Contains(s.Err, "no ready endpoint") {
		t.Errorf("last error %q", s.Err)
	}
	m.StopAll()
	noLeaks(t, baseline)
}

func TestServiceForwardRefusesUnknownPort(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
	cs := fake.NewClientset(svc)
	port := freePort(t)
	spec := Spec{Namespace: "shop", Kind: KindService, Name: "web", Local: port, Remote: 443}
	_, err := NewManager(nil).start(context.Background(), "ctx", spec,
		func(ctx context.Context) (router, error) { return newServiceRoute(ctx, cs, spec) }, (&fakeDialer{}).dial)
	if err == nil || err.Error() != "service shop/web has no port 443" {
		t.Errorf("err %v", err)
	}
	if err := CheckLocalPort(port); err != nil {
		t.Errorf("a refused forward left its port taken: %v", err)
	}
}

func TestSavedForwards(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kdeck", "forwards.yaml")
	s := NewSaved(path)
	a := Spec{Namespace: "shop", Kind: KindService, Name: "web", Local: 8080, Remote: 80}
	b := Spec{Namespace: "shop", Kind: KindPod, Name: "db-0", Local: 5432, Remote: 5432}
	for _, step := range []struct {
		kctx string
		spec Spec
	}{{"dev", a}, {"dev", b}, {"prod", a}} {
		if err := s.Add(step.kctx, step.spec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Remove("dev", 8080); err != nil {
		t.Fatal(err)
	}
	dev, err := s.For("dev")
	if err != nil || len(dev) != 1 || dev[0] != b {
		t.Errorf("dev: %v %v", dev, err)
	}
	prod, _ := NewSaved(path).For("prod")
	if len(prod) != 1 || prod[0] != a {
		t.Errorf("prod: %v", prod)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v %v, want 0600", fi.Mode(), err)
	}
}
