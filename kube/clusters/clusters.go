// Package clusters keeps every context of a kubeconfig in view at a glance, for the
// clusters screen: whether its API server answers, its version, its nodes and pods, and its
// problems by severity (the triage of kube/triage).
package clusters

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/triage"
)

// Cluster is one context of the kubeconfig as the screen shows it.
type Cluster struct {
	Context string
	Server  string // the API server's address in the kubeconfig
	// Client is the connection to the context once its server answered (nil before): a
	// switch to the context uses it as it is.
	Client *kube.Client
	// Err is why the last attempt to connect failed, while Client is nil; nil while the
	// first attempt is under way.
	Err error
	// Lost is set while a connected server has stopped answering (see kube.Link).
	Lost bool
	// Overview is the cluster's nodes, pods and problems, once connected.
	triage.Overview
}

// RowKey implements kube.Row: one row a context.
func (c *Cluster) RowKey() kube.Key { return kube.Key{Name: c.Context} }

// Version is the server's version once connected, else "".
func (c *Cluster) Version() string {
	if c.Client == nil {
		return ""
	}
	return c.Client.Info.ServerVersion
}

// Connect connects to the context name of the kubeconfig (kube.Client.SwitchContext).
type Connect func(ctx context.Context, name string) (*kube.Client, error)

// How connections are tried: at most MaxConnecting at once, each for at most ConnectTimeout,
// a failed one again after RetryAfter.
const (
	MaxConnecting  = 8
	ConnectTimeout = 10 * time.Second
	RetryAfter     = 15 * time.Second
)

// Cache connects to every context given and keeps each one's overview current: one triage
// cache a cluster (its list+watch stores; never a LIST per problem), run while the cache runs.
type Cache struct {
	members []*member
	connect Connect
	changed chan struct{}
	slots   chan struct{} // one token a connection under way
	started time.Time
	// retryAfter is RetryAfter; tests shorten it.
	retryAfter time.Duration
}

// member is one context's connection and triage.
type member struct {
	name, server string

	mu     sync.Mutex
	client *kube.Client
	err    error
	triage *triage.Cache
}

// New returns the overview of the contexts names, in that order; servers are their
// addresses by name, known the clients already connected (the clusters shown now), used as
// they are; connect connects to every other.
func New(names []string, servers map[string]string, known []*kube.Client, connect Connect) *Cache {
	c := &Cache{connect: connect, changed: make(chan struct{}, 1), slots: make(chan struct{}, MaxConnecting), started: time.Now(), retryAfter: RetryAfter}
	for _, name := range names {
		m := &member{name: name, server: servers[name]}
		for _, k := range known {
			if k.Info.Context == name {
				m.client = k
			}
		}
		c.members = append(c.members, m)
	}
	return c
}

// Run connects to every context and keeps its overview current until ctx ends; each
// cluster runs on its own link, whatever link is given.
func (c *Cache) Run(ctx context.Context, _ *kube.Link) {
	var wg sync.WaitGroup
	for _, m := range c.members {
		wg.Go(func() { c.follow(ctx, m) })
	}
	c.notify()
	wg.Wait()
}

// follow connects to m's context (again every RetryAfter until it answers), then runs its
// triage until ctx ends.
func (c *Cache) follow(ctx context.Context, m *member) {
	m.mu.Lock()
	client := m.client
	m.mu.Unlock()
	for client == nil {
		var err error
		if client, err = c.dial(ctx, m.name); ctx.Err() != nil {
			return
		}
		if err != nil {
			m.mu.Lock()
			m.err = err
			m.mu.Unlock()
			c.notify()
			select {
			case <-ctx.Done():
				return
			case <-time.After(c.retryAfter):
			}
		}
	}
	t := triage.NewCache(client, "")
	m.mu.Lock()
	m.client, m.err, m.triage = client, nil, t
	m.mu.Unlock()
	c.notify()
	defer client.Link.Hold()()
	go c.forward(ctx, t.Changed())
	go c.watchLink(ctx, client.Link)
	t.Run(ctx, client.Link)
}

// dial connects to context name, waiting for a free slot first.
func (c *Cache) dial(ctx context.Context, name string) (*kube.Client, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case c.slots <- struct{}{}:
	}
	defer func() { <-c.slots }()
	ctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
	defer cancel()
	return c.connect(ctx, name)
}

// forward tells the cache's reader of every change of a cluster's triage.
func (c *Cache) forward(ctx context.Context, changed <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			c.notify()
		}
	}
}

// watchLink tells the cache's reader whenever link is lost or found again.
func (c *Cache) watchLink(ctx context.Context, link *kube.Link) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-link.State().Changed:
			c.notify()
		}
	}
}

func (c *Cache) notify() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// Changed receives a value (coalesced) when any cluster changed.
func (c *Cache) Changed() <-chan struct{} { return c.changed }

// Snapshot is every context's row now, in the order given to New.
func (c *Cache) Snapshot() kube.Snapshot[*Cluster] {
	rows := make([]*Cluster, len(c.members))
	for i, m := range c.members {
		rows[i] = m.row()
	}
	return kube.Snapshot[*Cluster]{Rows: rows, State: c.State()}
}

// row is m's row now.
func (m *member) row() *Cluster {
	m.mu.Lock()
	r := &Cluster{Context: m.name, Server: m.server, Client: m.client, Err: m.err}
	t := m.triage
	m.mu.Unlock()
	if t != nil {
		r.Overview = t.Overview()
		r.Lost = r.Client.Link.State().Lost
	}
	return r
}

// State is live from the start: the rows are the kubeconfig's contexts, each saying how it
// answers. Partial counts the contexts that do not answer.
func (c *Cache) State() kube.State {
	st := kube.State{Phase: kube.PhaseLive, LiveSince: c.started}
	silent := 0
	for _, m := range c.members {
		if m.silent() {
			silent++
		}
	}
	if silent > 0 {
		st.Partial = fmt.Errorf("%d of %d contexts not answering", silent, len(c.members))
	}
	return st
}

// silent says m's context is not answering: its connection failed, or its link is lost.
func (m *member) silent() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err != nil || (m.triage != nil && m.client.Link.State().Lost)
}
