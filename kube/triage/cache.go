package triage

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/kdeck/kdeck/kube"
)

// Cache is the live triage of a cluster, or of one namespace and the nodes: a store for
// each source, the same list+watch of compact rows the views run (never a LIST per
// problem), and the checks run on their rows at each snapshot. A source kdeck cannot read
// is a problem row of its own.
type Cache struct {
	pods         *kube.Store[*kube.Pod]
	deployments  *kube.Store[*kube.Deployment]
	statefulSets *kube.Store[*kube.StatefulSet]
	daemonSets   *kube.Store[*kube.DaemonSet]
	hpas         *kube.Store[*kube.HPA]
	nodes        *kube.Store[*kube.Node]
	claims       *kube.Store[*kube.PVC]
	jobs         *kube.Store[*kube.Job]
	certs        *kube.Store[*kube.Secret]
	services     *kube.Store[*kube.Service]
	slices       *kube.Store[*kube.EndpointSlice]
	events       *kube.Store[*kube.Event]
	members      []member
	changed      chan struct{}
	now          func() time.Time

	mu   sync.Mutex
	seen map[kube.Key]time.Time // when each problem whose start the cluster does not record was first seen
}

// member is one of the cache's stores.
type member interface {
	Run(ctx context.Context, link *kube.Link)
	Changed() <-chan struct{}
	State() kube.State
}

// NewCache returns the triage of c's namespace ns ("" for all namespaces) and its nodes.
func NewCache(c *kube.Client, ns string) *Cache {
	t := &Cache{
		pods:         kube.NewStore(kube.PodSource(c.PodRows(), ns)),
		deployments:  kube.NewStore(c.DeploymentSource(ns)),
		statefulSets: kube.NewStore(c.StatefulSetSource(ns)),
		daemonSets:   kube.NewStore(c.DaemonSetSource(ns)),
		hpas:         kube.NewStore(c.HPASource(ns)),
		nodes:        kube.NewStore(c.NodeSource()),
		claims:       kube.NewStore(c.PVCSource(ns)),
		jobs:         kube.NewStore(c.JobSource(ns)),
		certs:        kube.NewStore(c.TLSSecretSource(ns, "")),
		services:     kube.NewStore(c.ServiceSource(ns)),
		slices:       kube.NewStore(c.EndpointSliceSource(ns)),
		events:       kube.NewStore(c.EventSource(ns)),
		changed:      make(chan struct{}, 1),
		now:          time.Now,
		seen:         map[kube.Key]time.Time{},
	}
	t.members = []member{t.pods, t.deployments, t.statefulSets, t.daemonSets, t.hpas, t.nodes, t.claims,
		t.jobs, t.certs, t.services, t.slices, t.events}
	return t
}

// Run runs every store until ctx ends.
func (t *Cache) Run(ctx context.Context, link *kube.Link) {
	for _, m := range t.members {
		go m.Run(ctx, link)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-m.Changed():
				}
				select {
				case t.changed <- struct{}{}:
				default:
				}
			}
		}()
	}
	<-ctx.Done()
}

// Changed receives a value when any store changed.
func (t *Cache) Changed() <-chan struct{} { return t.changed }

// State is the least trustworthy state of the stores that can be read: a source that is
// broken has its own problem row, so the list is broken only when every source is.
func (t *Cache) State() kube.State {
	var states []kube.State
	for _, m := range t.members {
		states = append(states, m.State())
	}
	return combine(states)
}

// combine is the state of the triage from its sources' states (see State).
func combine(states []kube.State) kube.State {
	var worst, readable kube.State
	some := false
	for i, st := range states {
		if i == 0 {
			worst = st
		}
		worst = kube.WorseState(worst, st)
		if st.Phase == kube.PhaseBroken {
			continue
		}
		if !some {
			readable, some = st, true
		}
		readable = kube.WorseState(readable, st)
	}
	if !some {
		return worst
	}
	return readable
}

// Snapshot runs the checks on the stores' current rows.
func (t *Cache) Snapshot() kube.Snapshot[*Problem] {
	in, st := t.input()
	problems := Detect(in)
	t.remember(problems, in.Now)
	return kube.Snapshot[*Problem]{Rows: problems, State: st}
}

// Overview is a cluster's health in numbers, for a screen of several clusters.
type Overview struct {
	Nodes, NodesReady  int
	Pods, PodsNotReady int // pods not finished, and those of them not ready
	Problems           map[Severity]int
	State              kube.State
}

// Overview runs the checks on the stores' current rows and counts the nodes and pods
// they read.
func (t *Cache) Overview() Overview {
	in, st := t.input()
	o := Overview{Nodes: len(in.Nodes), Problems: Counts(Detect(in)), State: st}
	for _, n := range in.Nodes {
		if n.Ready {
			o.NodesReady++
		}
	}
	for _, p := range in.Pods {
		if p.Finished {
			continue
		}
		o.Pods++
		if p.Ready < p.Containers {
			o.PodsNotReady++
		}
	}
	return o
}

// input is the stores' current rows as the checks read them, and the triage's state.
func (t *Cache) input() (Input, kube.State) {
	in := Input{Now: t.now()}
	var states []kube.State
	read := func(resource string, st kube.State) bool {
		states = append(states, st)
		if st.Phase == kube.PhaseBroken && st.Err != nil {
			in.Unseen = append(in.Unseen, Unseen{Resource: resource, Err: st.Err})
		}
		return !st.LiveSince.IsZero()
	}
	in.Pods = rowsOf(t.pods, "pods", read)
	in.Deployments = rowsOf(t.deployments, "deployments", read)
	in.StatefulSets = rowsOf(t.statefulSets, "statefulsets", read)
	in.DaemonSets = rowsOf(t.daemonSets, "daemonsets", read)
	in.HPAs = rowsOf(t.hpas, "horizontalpodautoscalers", read)
	in.Nodes = rowsOf(t.nodes, "nodes", read)
	in.Claims = rowsOf(t.claims, "persistentvolumeclaims", read)
	in.Jobs = rowsOf(t.jobs, "jobs", read)
	in.Certs = rowsOf(t.certs, "secrets", read)
	in.Events = rowsOf(t.events, "events", read)
	services := rowsOf(t.services, "services", read)
	slices := t.slices.Snapshot()
	if read("endpointslices", slices.State) { // before every slice is listed, any service would look empty
		in.Services = kube.JoinEndpoints(services, slices.Rows)
	}
	return in, combine(states)
}

// rowsOf is store's current rows, once read has seen its state: rows still loading find
// their problems as they come, and a broken store's last rows stand beside its own row.
func rowsOf[R kube.Row](store *kube.Store[R], resource string, read func(string, kube.State) bool) []R {
	snap := store.Snapshot()
	read(resource, snap.State)
	return snap.Rows
}

// remember gives each problem the cluster records no start for the time it was first
// seen, and forgets the problems that are gone.
func (t *Cache) remember(problems []*Problem, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	keep := make(map[kube.Key]time.Time, len(problems))
	for i, p := range problems {
		if !p.Since.IsZero() {
			continue
		}
		k := p.RowKey()
		first, ok := t.seen[k]
		if !ok {
			first = now
		}
		keep[k] = first
		filled := *p
		filled.Since = first
		problems[i] = &filled
	}
	t.seen = keep
}

// unseenProblems are the rows of the sources kdeck cannot read, one for each error: a
// lost connection breaks every source alike.
func unseenProblems(unseen []Unseen) []*Problem {
	var out []*Problem
	byErr := map[string]*Problem{}
	for _, u := range unseen {
		msg := u.Err.Error()
		if p, ok := byErr[msg]; ok {
			p.Kind += "," + u.Resource
			continue
		}
		p := &Problem{Severity: Unknown, Kind: u.Resource, Check: "unseen", Reason: msg}
		byErr[msg] = p
		out = append(out, p)
	}
	for _, p := range out {
		if n := strings.Count(p.Kind, ",") + 1; n == len(unseen) && n > 1 {
			p.Kind = "every source"
		}
	}
	return out
}
