package forward

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/kdeck/kdeck/kube"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// podRoute sends every connection to one pod.
type podRoute struct {
	name string
	port int
}

func (r podRoute) pick(avoid map[string]bool) (string, int, error) {
	if avoid[r.name] {
		return "", 0, fmt.Errorf("pod %s cannot be reached", r.name)
	}
	return r.name, r.port, nil
}

func (podRoute) close() {}

// newPodRoute checks that the pod of spec exists and runs.
func newPodRoute(ctx context.Context, cs kubernetes.Interface, spec Spec) (podRoute, error) {
	p, err := cs.CoreV1().Pods(spec.Namespace).Get(ctx, spec.Name, metav1.GetOptions{})
	if err != nil {
		return podRoute{}, kube.Classify(err, "get", "pods", spec.Namespace)
	}
	if p.Status.Phase != corev1.PodRunning {
		return podRoute{}, fmt.Errorf("pod %s/%s is %s, not running", spec.Namespace, spec.Name, p.Status.Phase)
	}
	return podRoute{name: spec.Name, port: spec.Remote}, nil
}

// endpointPod is a ready pod behind a service port, with the port it serves it on.
type endpointPod struct {
	pod  string
	port int
}

// readyEndpoints lists the ready pods behind the service port named portName ("" for a
// service's only, unnamed port), from the service's EndpointSlices, in pod name order.
// The slices resolve named target ports per pod. A pod in two slices (dual stack) is
// listed once; terminating and unready endpoints are left out.
func readyEndpoints(slices_ []*discoveryv1.EndpointSlice, portName string) []endpointPod {
	seen := map[string]bool{}
	var out []endpointPod
	for _, s := range slices_ {
		port := 0
		for _, p := range s.Ports {
			name := ""
			if p.Name != nil {
				name = *p.Name
			}
			if name == portName && p.Port != nil && (p.Protocol == nil || *p.Protocol == corev1.ProtocolTCP) {
				port = int(*p.Port)
			}
		}
		if port == 0 {
			continue
		}
		for _, e := range s.Endpoints {
			c := e.Conditions
			if e.TargetRef == nil || e.TargetRef.Kind != "Pod" || seen[e.TargetRef.Name] ||
				(c.Ready != nil && !*c.Ready) || (c.Terminating != nil && *c.Terminating) {
				continue
			}
			seen[e.TargetRef.Name] = true
			out = append(out, endpointPod{e.TargetRef.Name, port})
		}
	}
	slices.SortFunc(out, func(a, b endpointPod) int { return cmp.Compare(a.pod, b.pod) })
	return out
}

// pickEndpoint keeps current while it is ready and not avoided, so the pod in use only
// changes when it must; otherwise it takes the first ready pod not avoided.
func pickEndpoint(eps []endpointPod, current string, avoid map[string]bool) (endpointPod, bool) {
	var first *endpointPod
	for i, e := range eps {
		if avoid[e.pod] {
			continue
		}
		if e.pod == current {
			return e, true
		}
		if first == nil {
			first = &eps[i]
		}
	}
	if first == nil {
		return endpointPod{}, false
	}
	return *first, true
}

// serviceRoute sends each connection to a ready pod behind a service port, read from the
// service's EndpointSlices through an informer (watched, not listed per connection).
type serviceRoute struct {
	ns, name string
	port     int    // the service port
	portName string // its name, which the slices' ports carry
	factory  informers.SharedInformerFactory
	stop     chan struct{}
	store    cache.Store

	mu       sync.Mutex
	current  string
	onChange func(ready map[string]bool)
}

// endpointSyncTimeout bounds the first list of a service's EndpointSlices.
const endpointSyncTimeout = 10 * time.Second

// newServiceRoute resolves spec's service port and starts watching the service's slices.
func newServiceRoute(ctx context.Context, cs kubernetes.Interface, spec Spec) (*serviceRoute, error) {
	svc, err := cs.CoreV1().Services(spec.Namespace).Get(ctx, spec.Name, metav1.GetOptions{})
	if err != nil {
		return nil, kube.Classify(err, "get", "services", spec.Namespace)
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil, fmt.Errorf("service %s/%s is an ExternalName service: it has no pods to forward to", spec.Namespace, spec.Name)
	}
	i := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return int(p.Port) == spec.Remote })
	if i < 0 {
		return nil, fmt.Errorf("service %s/%s has no port %d", spec.Namespace, spec.Name, spec.Remote)
	}
	if p := svc.Spec.Ports[i]; p.Protocol != "" && p.Protocol != corev1.ProtocolTCP {
		return nil, fmt.Errorf("service port %d is %s: port-forward carries TCP only", spec.Remote, p.Protocol)
	}
	r := &serviceRoute{ns: spec.Namespace, name: spec.Name, port: spec.Remote, portName: svc.Spec.Ports[i].Name}
	r.factory = informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(spec.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = discoveryv1.LabelServiceName + "=" + spec.Name
		}))
	inf := r.factory.Discovery().V1().EndpointSlices().Informer()
	r.store = inf.GetStore()
	changed := func(any) { r.changed() }
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: changed,
		UpdateFunc: func(_, o any) { r.changed() }, DeleteFunc: changed}); err != nil {
		return nil, err
	}
	r.stop = make(chan struct{})
	r.factory.Start(r.stop)
	sctx, cancel := context.WithTimeout(ctx, endpointSyncTimeout)
	defer cancel()
	if !cache.WaitForCacheSync(sctx.Done(), inf.HasSynced) {
		r.close()
		return nil, fmt.Errorf("cannot read the endpoint slices of service %s/%s", spec.Namespace, spec.Name)
	}
	return r, nil
}

func (r *serviceRoute) ready() []endpointPod {
	objs := r.store.List()
	sl := make([]*discoveryv1.EndpointSlice, 0, len(objs))
	for _, o := range objs {
		if s, ok := o.(*discoveryv1.EndpointSlice); ok {
			sl = append(sl, s)
		}
	}
	return readyEndpoints(sl, r.portName)
}

func (r *serviceRoute) pick(avoid map[string]bool) (string, int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := pickEndpoint(r.ready(), r.current, avoid)
	if !ok {
		return "", 0, fmt.Errorf("service %s/%s has no ready endpoint for port %d", r.ns, r.name, r.port)
	}
	r.current = e.pod
	return e.pod, e.port, nil
}

// changed tells the forward which pods are ready now.
func (r *serviceRoute) changed() {
	r.mu.Lock()
	fn := r.onChange
	r.mu.Unlock()
	if fn == nil {
		return
	}
	ready := map[string]bool{}
	for _, e := range r.ready() {
		ready[e.pod] = true
	}
	fn(ready)
}

// subscribe has fn called with the ready pods whenever the slices change.
func (r *serviceRoute) subscribe(fn func(ready map[string]bool)) {
	r.mu.Lock()
	r.onChange = fn
	r.mu.Unlock()
}

func (r *serviceRoute) close() {
	close(r.stop)
	r.factory.Shutdown() // waits for the informer's goroutines
}

// DialTimeout bounds the opening of one port-forward connection to a pod (the upgrade
// request to the API server), so a server that accepts and never answers cannot hold a
// local connection, or kdeck's quitting, for ever.
const DialTimeout = 15 * time.Second

// podDialerFor dials pods of ns the way kubectl does: SPDY tunnelled over a
// websocket, falling back to plain SPDY when the server cannot upgrade to websockets.
// A dial ends when ctx does, and fails after timeout.
func podDialerFor(c *kube.Client, ns string, timeout time.Duration) podDialer {
	return func(ctx context.Context, pod string) (httpstream.Connection, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		conn, err := dialPod(ctx, c, ns, pod)
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &kube.Error{Kind: kube.KindUnreachable, Verb: "create", Resource: "pods/portforward",
				Namespace: ns, Err: fmt.Errorf("no answer to the port-forward of pod %s within %s", pod, timeout)}
		}
		return conn, err
	}
}

// dialPod opens one port-forward connection to pod. client-go's dialers take no
// context, so their requests get ctx through the transport: it bounds the TCP connect
// and TLS handshake of both, and the whole upgrade of the websocket one.
func dialPod(ctx context.Context, c *kube.Client, ns, pod string) (httpstream.Connection, error) {
	cfg := rest.CopyConfig(c.Config)
	wrap := cfg.WrapTransport
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		if wrap != nil {
			rt = wrap(rt)
		}
		return withContext{rt, ctx}
	}
	u := c.Clientset.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("portforward").URL()
	transport, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		return nil, err
	}
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, u)
	ws, err := portforward.NewSPDYOverWebsocketDialer(u, cfg)
	if err != nil {
		return nil, err
	}
	dialer = portforward.NewFallbackDialer(ws, dialer, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	conn, proto, err := dialer.Dial(portforward.PortForwardProtocolV1Name)
	if err != nil {
		return nil, err
	}
	if proto != portforward.PortForwardProtocolV1Name {
		_ = conn.Close()
		return nil, fmt.Errorf("the server speaks %q, not %q", proto, portforward.PortForwardProtocolV1Name)
	}
	return conn, nil
}

// withContext sends every request with ctx.
type withContext struct {
	rt  http.RoundTripper
	ctx context.Context
}

func (w withContext) RoundTrip(req *http.Request) (*http.Response, error) {
	return w.rt.RoundTrip(req.WithContext(w.ctx))
}
