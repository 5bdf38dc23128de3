package forward

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kdeck/kdeck/kube"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Manager owns every port-forward of one kdeck: they outlive the views that started
// them and end with StopAll when kdeck quits. Started forwards are saved per context (see
// Saved) and forgotten when stopped by hand.
type Manager struct {
	saved *Saved // nil: nothing is saved

	mu     sync.Mutex
	list   []*Forward
	notice chan struct{} // closed and replaced on every change
}

// NewManager returns an empty set of forwards saving to saved (nil saves nothing).
func NewManager(saved *Saved) *Manager {
	return &Manager{saved: saved, notice: make(chan struct{})}
}

// Access is every request a port-forward to a pod or service (kind) of ns makes: reading
// the target (a service's EndpointSlices are listed and watched) and, per connection,
// the port-forward itself.
func Access(kind Kind, ns string) []kube.Access {
	if kind == KindService {
		slices := schema.GroupVersionResource{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"}
		return []kube.Access{portForward(ns), {Verb: "get", GVR: kube.GVRServices, Namespace: ns},
			{Verb: "list", GVR: slices, Namespace: ns}, {Verb: "watch", GVR: slices, Namespace: ns}}
	}
	return []kube.Access{portForward(ns), {Verb: "get", GVR: kube.GVRPods, Namespace: ns}}
}

// portForward is the request each connection makes.
func portForward(ns string) kube.Access {
	return kube.Access{Verb: "create", GVR: kube.GVRPods, Subresource: "portforward", Namespace: ns}
}

// StartMutation is the mutation that starts spec through c (see Start): refused in
// read-only mode and audited like any change.
func (m *Manager) StartMutation(c *kube.Client, spec Spec) kube.Mutation {
	return kube.Mutation{Access: portForward(spec.Namespace), Name: spec.Name, Summary: "port-forward " + spec.String(),
		Do: func(ctx context.Context) error {
			_, err := m.Start(ctx, c, spec)
			return err
		}}
}

// Start validates spec.Local (free on 127.0.0.1, in range), checks that the target exists
// (a running pod; a service port, whose EndpointSlices it starts watching), and starts
// forwarding through c. Nothing is left running when it fails. Run it through
// StartMutation, which Client.Apply refuses in read-only mode and audits.
func (m *Manager) Start(ctx context.Context, c *kube.Client, spec Spec) (*Forward, error) {
	return m.start(ctx, c.Info.Context, spec, func(ctx context.Context) (router, error) {
		if spec.Kind == KindService {
			return newServiceRoute(ctx, c.Clientset, spec)
		}
		return newPodRoute(ctx, c.Clientset, spec)
	}, podDialerFor(c, spec.Namespace, DialTimeout))
}

func (m *Manager) start(ctx context.Context, kctx string, spec Spec,
	route func(context.Context) (router, error), dial podDialer) (*Forward, error) {
	if spec.Kind != KindPod && spec.Kind != KindService {
		return nil, fmt.Errorf("cannot forward to a %q", spec.Kind)
	}
	if spec.Remote < 1 || spec.Remote > 65535 {
		return nil, fmt.Errorf("remote port %d is out of range (1–65535)", spec.Remote)
	}
	ln, err := listenLocal(spec.Local)
	if err != nil {
		return nil, err
	}
	r, err := route(ctx)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	f := newForward(spec, kctx, ln, r, dial, m.changed)
	if s, ok := r.(*serviceRoute); ok {
		s.subscribe(f.endpointsChanged)
	}
	m.mu.Lock()
	m.list = append(m.list, f)
	m.mu.Unlock()
	if m.saved != nil {
		if err := m.saved.Add(kctx, spec); err != nil {
			f.set("", "", fmt.Errorf("not saved: %v", err))
		}
	}
	m.changed()
	return f, nil
}

// Stop ends the forward on local port local and forgets it in the saved forwards.
func (m *Manager) Stop(local int) error {
	m.mu.Lock()
	i := slices.IndexFunc(m.list, func(f *Forward) bool { return f.spec.Local == local })
	if i < 0 {
		m.mu.Unlock()
		return fmt.Errorf("no forward on local port %d", local)
	}
	f := m.list[i]
	m.list = slices.Delete(m.list, i, i+1)
	m.mu.Unlock()
	f.Stop()
	m.changed()
	if m.saved != nil {
		return m.saved.Remove(f.context, local)
	}
	return nil
}

// StopAll ends every forward (kdeck is quitting); the saved forwards stay saved.
func (m *Manager) StopAll() {
	m.mu.Lock()
	list := m.list
	m.list = nil
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, f := range list {
		wg.Go(f.Stop)
	}
	wg.Wait()
	m.changed()
}

// Statuses returns every forward's status, by local port.
func (m *Manager) Statuses() []*Status {
	m.mu.Lock()
	list := slices.Clone(m.list)
	m.mu.Unlock()
	out := make([]*Status, len(list))
	for i, f := range list {
		s := f.Status()
		out[i] = &s
	}
	slices.SortFunc(out, func(a, b *Status) int { return cmp.Compare(a.Spec.Local, b.Spec.Local) })
	return out
}

// Saved returns the forwards saved for context kctx.
func (m *Manager) Saved(kctx string) ([]Spec, error) {
	if m.saved == nil {
		return nil, nil
	}
	return m.saved.For(kctx)
}

// Changed returns a channel closed at the next change of any forward's state, pod in use
// or connection count (byte counts change too often to be announced).
func (m *Manager) Changed() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.notice
}

func (m *Manager) changed() {
	m.mu.Lock()
	close(m.notice)
	m.notice = make(chan struct{})
	m.mu.Unlock()
}

// Refresh is how often the forwards cache reports new byte counts and ages.
const Refresh = time.Second

// Cache returns a view of the forwards for a list page: a snapshot on every change and
// once a second. Running or closing it never touches the forwards themselves.
func (m *Manager) Cache() kube.Cache[*Status] {
	return &forwardsCache{m: m, changed: make(chan struct{}, 1)}
}

type forwardsCache struct {
	m       *Manager
	changed chan struct{}
}

// Run implements kube.Cache; the forwards are kdeck's own, so no link is involved.
func (c *forwardsCache) Run(ctx context.Context, _ *kube.Link) {
	t := time.NewTicker(Refresh)
	defer t.Stop()
	for {
		select {
		case c.changed <- struct{}{}:
		default:
		}
		select {
		case <-ctx.Done():
			return
		case <-c.m.Changed():
		case <-t.C:
		}
	}
}

func (c *forwardsCache) Changed() <-chan struct{} { return c.changed }

func (c *forwardsCache) Snapshot() kube.Snapshot[*Status] {
	return kube.Snapshot[*Status]{Rows: c.m.Statuses(), State: c.State()}
}

// State is always live: the forwards are kdeck's own.
func (c *forwardsCache) State() kube.State {
	return kube.State{Phase: kube.PhaseLive, LiveSince: time.Now()}
}
