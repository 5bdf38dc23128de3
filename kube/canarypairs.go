package kube

import (
	"context"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// Kinds of canary kdeck can drive.
const (
	CanaryReplicaRatio = "replica-ratio" // a stable and a canary Deployment behind one Service
)

// CanaryDeploy is the compact row kept per deployment while looking for canary pairs.
type CanaryDeploy struct {
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
	Record          string // the AnnoCanary annotation
	Steps           string // the AnnoCanarySteps annotation
	Gates           string // the AnnoCanaryGates annotation
	Created         time.Time
}

// RowKey implements Row.
func (d *CanaryDeploy) RowKey() Key { return Key{d.Namespace, d.Name} }

// CanaryDeploySource returns the Source for deployments in ns, summarised for pairing.
func CanaryDeploySource(cs kubernetes.Interface, ns string) Source[*CanaryDeploy] {
	c := cs.AppsV1().Deployments(ns)
	return typedSource("deployments", ns, "", c.List, c.Watch,
		func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items }, CanaryDeployRow)
}

// CanaryDeployRow summarises d for canary discovery and the canary screen.
func CanaryDeployRow(d *appsv1.Deployment) *CanaryDeploy {
	base := DeploymentRow(d)
	r := &CanaryDeploy{Namespace: d.Namespace, Name: d.Name, Replicas: base.Desired, Ready: base.Ready,
		Updated: base.UpToDate, Available: base.Available, Rolled: base.Rollout == RolloutDone,
		Track: d.Spec.Template.Labels["track"], Template: d.Spec.Template.Labels, Selector: base.Selector,
		Images: base.Images, Record: d.Annotations[AnnoCanary], Steps: d.Annotations[AnnoCanarySteps],
		Gates: d.Annotations[AnnoCanaryGates], Created: d.CreationTimestamp.Time}
	return r
}

// Canary is one canary kdeck can drive, with everything its list row and screen need
// from the objects that make it up.
type Canary struct {
	Namespace, Name string // the canary object (the one that carries the record)
	Kind            string
	Stable, Canary  *CanaryDeploy // replica-ratio: the two deployments
	Service         string        // the Service in front of both
	HPA             string        // the HPA driving the stable deployment; "" when none
	HPADesired      int32
	Record          *CanaryRecord // nil until kdeck took a step
	Steps           []int
	Thresholds      CanaryThresholds
	Problem         string // a malformed annotation, said once; defaults are used instead
}

// RowKey implements Row.
func (c *Canary) RowKey() Key { return Key{c.Namespace, c.Name} }

// Total is the number of replicas the pair shares (see CanaryTotal).
func (c *Canary) Total() int32 {
	return CanaryTotal(c.Record, c.Stable.Replicas, c.Canary.Replicas, c.HPADesired, c.HPA != "")
}

// Active reports whether a recorded canary is at one of its steps.
func (c *Canary) Active() bool { return c.Record != nil && c.Record.State == CanaryStepping }

// Step is the current step (1-based; 0 when none is recorded or after an abort or promotion).
func (c *Canary) Step() int {
	if !c.Active() {
		return 0
	}
	return c.Record.Step
}

// Weight is the canary's share in percent: the recorded weight, or, before kdeck took a
// step, the canary's share of the replicas.
func (c *Canary) Weight() int {
	if c.Record != nil {
		return c.Record.Weight
	}
	total := c.Stable.Replicas + c.Canary.Replicas
	if total == 0 {
		return 0
	}
	return int(c.Canary.Replicas * 100 / total)
}

// NextStep is the step `next` goes to: the one after the current, or, when none is
// active, the first whose canary replicas are at least the canary's current replicas (so
// starting never shrinks a canary that already runs). 0 when there is none.
func (c *Canary) NextStep() int {
	if c.Active() {
		if c.Record.Step >= len(c.Steps) {
			return 0
		}
		return c.Record.Step + 1
	}
	if c.Record != nil && c.Record.State == CanaryPromoted {
		return 0
	}
	total := c.Total()
	for i, w := range c.Steps {
		if n, _ := StepReplicas(total, w); n >= c.Canary.Replicas {
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

// FindCanaryPairs finds replica-ratio canaries among one namespace's deployments (or
// every namespace's: pairs never cross namespaces): a canary deployment (pod template
// label track=canary, or named NAME-canary) and its stable deployment (named NAME, or
// with track=stable), when one Service's selector matches both pod templates.
// deploys and services must be sorted by key, as store snapshots are.
func FindCanaryPairs(deploys []*CanaryDeploy, services []*Service, hpas []*HPA) []*Canary {
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
func stableFor(c *CanaryDeploy, deploys []*CanaryDeploy, svcs []serviceSelector) (*CanaryDeploy, string) {
	front := func(s *CanaryDeploy) string {
		for _, sv := range svcs {
			if sv.sel.Matches(labels.Set(c.Template)) && sv.sel.Matches(labels.Set(s.Template)) {
				return sv.name
			}
		}
		return ""
	}
	want := strings.TrimSuffix(c.Name, "-canary")
	i, ok := slices.BinarySearchFunc(deploys, Key{c.Namespace, want}, func(d *CanaryDeploy, k Key) int { return d.RowKey().Compare(k) })
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

func newPair(c, stable *CanaryDeploy, svc string, hpas []*HPA) *Canary {
	p := &Canary{Namespace: c.Namespace, Name: c.Name, Kind: CanaryReplicaRatio, Stable: stable, Canary: c, Service: svc}
	var problems []string
	var err error
	if p.Record, err = ParseCanaryRecord(c.Record); err != nil {
		problems = append(problems, err.Error())
	}
	if p.Steps, err = ParseCanarySteps(c.Steps); err != nil {
		problems = append(problems, err.Error())
		p.Steps = DefaultCanarySteps
	}
	if p.Thresholds, err = ParseCanaryThresholds(c.Gates); err != nil {
		problems = append(problems, err.Error())
		p.Thresholds = DefaultCanaryThresholds
	}
	p.Problem = strings.Join(problems, "; ")
	for _, h := range hpas {
		if h.Namespace == stable.Namespace && h.RefKind == "Deployment" && h.RefName == stable.Name {
			p.HPA, p.HPADesired = h.Name, h.Desired
		}
	}
	return p
}

// CanaryCache finds the canaries of a namespace live, from watches of its deployments,
// services and HPAs.
type CanaryCache struct {
	deploys  *Store[*CanaryDeploy]
	services *Store[*Service]
	hpas     *Store[*HPA]
	changed  chan struct{}
}

// NewCanaryCache returns the cache of the canaries in ns ("" for all namespaces).
func NewCanaryCache(cs kubernetes.Interface, ns string) *CanaryCache {
	return &CanaryCache{deploys: NewStore(CanaryDeploySource(cs, ns)), services: NewStore(ServiceSource(cs, ns)),
		hpas: NewStore(HPASource(cs, ns)), changed: make(chan struct{}, 1)}
}

// Run runs the three watches until ctx ends.
func (c *CanaryCache) Run(ctx context.Context) {
	go c.deploys.Run(ctx)
	go c.services.Run(ctx)
	go c.hpas.Run(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.deploys.Changed():
		case <-c.services.Changed():
		case <-c.hpas.Changed():
		}
		select {
		case c.changed <- struct{}{}:
		default:
		}
	}
}

// Changed receives a value when any of the watches changed.
func (c *CanaryCache) Changed() <-chan struct{} { return c.changed }

// Snapshot pairs the current deployments behind the current services. An HPA watch that
// fails (forbidden) does not hold the canaries back.
func (c *CanaryCache) Snapshot() Snapshot[*Canary] {
	d, s, h := c.deploys.Snapshot(), c.services.Snapshot(), c.hpas.Snapshot()
	return Snapshot[*Canary]{Rows: FindCanaryPairs(d.Rows, s.Rows, h.Rows), State: WorseState(d.State, s.State)}
}

// canaryDeployment fetches a deployment for an action.
func canaryDeployment(ctx context.Context, cs kubernetes.Interface, ns, name string) (*appsv1.Deployment, error) {
	return cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
}
