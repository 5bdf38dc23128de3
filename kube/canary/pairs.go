package canary

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kdeck/kdeck/kube"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
)

// Kinds of canary kdeck can drive.
const (
	KindReplicaRatio = "replica-ratio" // a stable and a canary Deployment behind one Service
)

// Deploy is the compact row kept per deployment while looking for canary pairs.
type Deploy struct {
	Namespace, Name string
	Replicas        int32 // spec.replicas
	Ready           int32
	Updated         int32
	Available       int32
	Rolled          bool              // the controller observed the spec and every replica is updated and available
	Track           string            // the pod template's `track` label
	Template        map[string]string // the pod template's labels
	Selector        string            // the pod selector as a label selector string
	Images          string
	Record          string // the AnnoRecord annotation
	Steps           string // the AnnoSteps annotation
	Gates           string // the AnnoGates annotation
	Created         time.Time
}

// RowKey implements Row.
func (d *Deploy) RowKey() kube.Key { return kube.Key{Namespace: d.Namespace, Name: d.Name} }

// DeploySource returns the Source for deployments in ns, summarised for pairing.
func DeploySource(client *kube.Client, ns string) kube.Source[*Deploy] {
	api := client.Clientset.AppsV1().Deployments(ns)
	return kube.TypedSource("deployments", ns, "", api.List, api.Watch,
		func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items }, DeployRow)
}

// DeployRow summarises d for canary discovery and the canary screen.
func DeployRow(d *appsv1.Deployment) *Deploy {
	base := kube.DeploymentRow(d)
	r := &Deploy{Namespace: d.Namespace, Name: d.Name, Replicas: base.Desired, Ready: base.Ready,
		Updated: base.UpToDate, Available: base.Available, Rolled: base.Rollout == kube.RolloutDone,
		Track: d.Spec.Template.Labels["track"], Template: d.Spec.Template.Labels, Selector: base.Selector,
		Images: base.Images, Record: d.Annotations[AnnoRecord], Steps: d.Annotations[AnnoSteps],
		Gates: d.Annotations[AnnoGates], Created: d.CreationTimestamp.Time}
	return r
}

// Canary is one canary kdeck can drive, with everything its list row and screen need
// from the objects that make it up.
type Canary struct {
	Namespace, Name string // the canary object (the one that carries the record)
	Kind            string
	Stable, Canary  *Deploy // replica-ratio: the two deployments
	Service         string  // the Service in front of both
	HPA             string  // the HPA driving the stable deployment; "" when none
	HPADesired      int32
	Record          *Record // nil until kdeck took a step
	Steps           []int
	Thresholds      Thresholds
	Problem         string // a malformed annotation, said once; defaults are used instead
	// Traefik is set for a Traefik canary: Stable and Canary then name its two weighted
	// services, with the selectors of the Kubernetes Services of those names.
	Traefik *TraefikWeights
	// Argo is set for an Argo Rollout: Stable and Canary then select the pods of its stable
	// and current ReplicaSets.
	Argo *ArgoRollout
}

// RowKey implements Row.
func (c *Canary) RowKey() kube.Key { return kube.Key{Namespace: c.Namespace, Name: c.Name} }

// Total is the number of replicas the pair shares (see Total).
func (c *Canary) Total() int32 {
	return Total(c.Record, c.Stable.Replicas, c.Canary.Replicas, c.HPADesired, c.HPA != "")
}

// Active reports whether a recorded canary is at one of its steps.
func (c *Canary) Active() bool { return c.Record != nil && c.Record.State == Stepping }

// Step is the current step (1-based; 0 when none is recorded or after an abort or promotion).
func (c *Canary) Step() int {
	if !c.Active() {
		return 0
	}
	return c.Record.Step
}

// Weight is the canary's share in percent: a Traefik canary's weight, an Argo Rollout's
// current setWeight, the recorded weight, or, before kdeck took a step, the canary's share
// of the replicas.
func (c *Canary) Weight() int {
	switch {
	case c.Argo != nil:
		return c.Argo.Weight()
	case c.Traefik != nil:
		return c.Traefik.Percent()
	case c.Record != nil:
		return c.Record.Weight
	}
	total := c.Stable.Replicas + c.Canary.Replicas
	if total == 0 {
		return 0
	}
	return int(c.Canary.Replicas * 100 / total)
}

// NextStep is the step `next` goes to: the one after the current, or, when none is
// active, the first whose canary replicas (a Traefik canary: weight) are at least the
// canary's current ones (so starting never shrinks a canary that already runs). 0 when
// there is none.
func (c *Canary) NextStep() int {
	if c.Active() {
		if c.Record.Step >= len(c.Steps) {
			return 0
		}
		return c.Record.Step + 1
	}
	if c.Record != nil && c.Record.State == Promoted {
		return 0
	}
	total := c.Total()
	for i, w := range c.Steps {
		if c.Traefik != nil && w >= c.Traefik.Percent() {
			return i + 1
		}
		if n, _ := StepReplicas(total, w); c.Traefik == nil && n >= c.Canary.Replicas {
			return i + 1
		}
	}
	return len(c.Steps)
}

// Service is the part of a Service that pairing needs.
type serviceSelector struct {
	name string
	sel  labels.Selector
}

// FindPairs finds replica-ratio canaries among one namespace's deployments (or
// every namespace's: pairs never cross namespaces): a canary deployment (pod template
// label track=canary, or named NAME-canary) and its stable deployment (named NAME, or
// with track=stable), when one Service's selector matches both pod templates.
// deploys and services must be sorted by key, as store snapshots are.
func FindPairs(deploys []*Deploy, services []*kube.Service, hpas []*kube.HPA) []*Canary {
	var out []*Canary
	byNS := map[string][]serviceSelector{}
	for _, s := range services {
		if s.Selector == "" {
			continue
		}
		sel, err := labels.Parse(s.Selector)
		if err != nil {
			continue
		}
		byNS[s.Namespace] = append(byNS[s.Namespace], serviceSelector{s.Name, sel})
	}
	for _, c := range deploys {
		if c.Track != "canary" && !strings.HasSuffix(c.Name, "-canary") {
			continue
		}
		stable, svc := stableFor(c, deploys, byNS[c.Namespace])
		if stable == nil {
			continue
		}
		out = append(out, newPair(c, stable, svc, hpas))
	}
	return out
}

// stableFor finds c's stable deployment and the Service in front of both: NAME for
// NAME-canary first, then any deployment with track=stable.
func stableFor(c *Deploy, deploys []*Deploy, svcs []serviceSelector) (*Deploy, string) {
	front := func(s *Deploy) string {
		for _, sv := range svcs {
			if sv.sel.Matches(labels.Set(c.Template)) && sv.sel.Matches(labels.Set(s.Template)) {
				return sv.name
			}
		}
		return ""
	}
	want := strings.TrimSuffix(c.Name, "-canary")
	i, ok := slices.BinarySearchFunc(deploys, kube.Key{Namespace: c.Namespace, Name: want}, func(d *Deploy, k kube.Key) int { return d.RowKey().Compare(k) })
	if ok && want != c.Name && deploys[i].Track != "canary" {
		if svc := front(deploys[i]); svc != "" {
			return deploys[i], svc
		}
	}
	for _, s := range deploys {
		if s.Namespace == c.Namespace && s.Name != c.Name && s.Track == "stable" {
			if svc := front(s); svc != "" {
				return s, svc
			}
		}
	}
	return nil, ""
}

func newPair(c, stable *Deploy, svc string, hpas []*kube.HPA) *Canary {
	p := &Canary{Namespace: c.Namespace, Name: c.Name, Kind: KindReplicaRatio, Stable: stable, Canary: c, Service: svc}
	p.Problem = p.readAnnotations(c.Record, c.Steps, c.Gates)
	for _, h := range hpas {
		if h.Namespace == stable.Namespace && h.RefKind == "Deployment" && h.RefName == stable.Name {
			p.HPA, p.HPADesired = h.Name, h.Desired
		}
	}
	return p
}

// readAnnotations sets the record, steps and thresholds from the canary object's
// annotations and returns what was malformed ("" when nothing); defaults stand in.
func (c *Canary) readAnnotations(record, steps, gates string) string {
	var problems []string
	var err error
	if c.Record, err = ParseRecord(record); err != nil {
		problems = append(problems, err.Error())
	}
	if c.Steps, err = ParseSteps(steps); err != nil {
		problems = append(problems, err.Error())
		c.Steps = DefaultSteps
	}
	if c.Thresholds, err = ParseThresholds(gates); err != nil {
		problems = append(problems, err.Error())
		c.Thresholds = DefaultThresholds
	}
	return strings.Join(problems, "; ")
}

// Cache finds the canaries of a namespace live, from watches of its deployments,
// services and HPAs, and of its TraefikServices and Rollouts when the cluster serves them.
type Cache struct {
	client   *kube.Client
	ns       string
	deploys  *kube.Store[*Deploy]
	services *kube.Store[*kube.Service]
	hpas     *kube.Store[*kube.HPA]
	traefik  atomic.Pointer[kube.Store[*TraefikService]] // nil until discovery found traefikservices
	rollouts atomic.Pointer[kube.Store[*ArgoRollout]]    // nil until discovery found rollouts
	changed  chan struct{}
}

// NewCache returns the cache of the canaries in ns ("" for all namespaces).
func NewCache(client *kube.Client, ns string) *Cache {
	return &Cache{client: client, ns: ns, deploys: kube.NewStore(DeploySource(client, ns)), services: kube.NewStore(client.ServiceSource(ns)),
		hpas: kube.NewStore(client.HPASource(ns)), changed: make(chan struct{}, 1)}
}

// canaryDiscoveryTimeout bounds the look-up of the Traefik and Argo resources.
const canaryDiscoveryTimeout = 10 * time.Second

// Run runs the watches until ctx ends. TraefikServices and Rollouts are looked up once,
// through the client's discovery, when Run starts: a CRD installed later shows its
// canaries when the view is opened again.
func (c *Cache) Run(ctx context.Context, link *kube.Link) {
	go c.deploys.Run(ctx, link)
	go c.services.Run(ctx, link)
	go c.hpas.Run(ctx, link)
	var traefik, rollouts <-chan struct{}
	if s := startDynamic(ctx, link, c, GVRTraefikServices, TraefikServiceRow); s != nil {
		c.traefik.Store(s)
		traefik = s.Changed()
	}
	if s := startDynamic(ctx, link, c, GVRRollouts, RolloutRow); s != nil {
		c.rollouts.Store(s)
		rollouts = s.Changed()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.deploys.Changed():
		case <-c.services.Changed():
		case <-c.hpas.Changed():
		case <-traefik:
		case <-rollouts:
		}
		select {
		case c.changed <- struct{}{}:
		default:
		}
	}
}

// startDynamic starts a watch of gvr when discovery says the cluster serves it.
func startDynamic[R kube.Row](ctx context.Context, link *kube.Link, c *Cache, gvr schema.GroupVersionResource, convert func(*unstructured.Unstructured) (R, bool)) *kube.Store[R] {
	if c.client == nil || c.client.Resources == nil {
		return nil
	}
	dctx, cancel := context.WithTimeout(ctx, canaryDiscoveryTimeout)
	defer cancel()
	res, err := c.client.Resolve(dctx, gvr.Resource+"."+gvr.Group)
	if err != nil || res.GVR != gvr {
		return nil
	}
	dyn, err := c.client.Dynamic()
	if err != nil {
		return nil
	}
	s := kube.NewStore(kube.DynamicSource(dyn, gvr, c.ns, convert))
	go s.Run(ctx, link)
	return s
}

// Changed receives a value when any of the watches changed.
func (c *Cache) Changed() <-chan struct{} { return c.changed }

// Snapshot pairs the current deployments behind the current services, and adds the
// Traefik and Argo canaries. An HPA, TraefikService or Rollout watch that fails
// (forbidden) does not hold the other canaries back.
func (c *Cache) Snapshot() kube.Snapshot[*Canary] {
	d, s, h := c.deploys.Snapshot(), c.services.Snapshot(), c.hpas.Snapshot()
	rows := FindPairs(d.Rows, s.Rows, h.Rows)
	if t := c.traefik.Load(); t != nil {
		rows = append(rows, FindTraefik(t.Snapshot().Rows, s.Rows)...)
	}
	if r := c.rollouts.Load(); r != nil {
		rows = append(rows, FindArgo(r.Snapshot().Rows)...)
	}
	slices.SortStableFunc(rows, func(a, b *Canary) int { return a.RowKey().Compare(b.RowKey()) })
	return kube.Snapshot[*Canary]{Rows: rows, State: c.State()}
}

// State is the deployments' and services' state, with the Traefik and Argo watches'
// folded in by optionalState.
func (c *Cache) State() kube.State {
	state := kube.WorseState(c.deploys.State(), c.services.State())
	if t := c.traefik.Load(); t != nil {
		state = optionalState(state, t.State())
	}
	if r := c.rollouts.Load(); r != nil {
		state = optionalState(state, r.State())
	}
	return state
}

// optionalState folds the state of an optional watch into state: while it loads the
// canaries load, but a failing one (forbidden to list rollouts) does not mark the
// others stale.
func optionalState(state, optional kube.State) kube.State {
	if optional.Phase == kube.PhaseBroken {
		return state
	}
	return kube.WorseState(state, optional)
}

// canaryDeployment fetches a deployment for an action.
func canaryDeployment(ctx context.Context, cs kubernetes.Interface, ns, name string) (*appsv1.Deployment, error) {
	return cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
}
