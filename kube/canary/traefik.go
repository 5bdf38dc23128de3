package canary

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// GVRTraefikServices is Traefik's weighted (and mirroring) service resource.
var GVRTraefikServices = schema.GroupVersionResource{Group: "traefik.io", Version: "v1alpha1", Resource: "traefikservices"}

// KindTraefik is the kind of a canary made of a TraefikService's two weighted services.
const KindTraefik = "traefik"

// AnnoService on a TraefikService names which of its two weighted services is the
// canary (else the one whose name ends in -canary).
const AnnoService = "kdeck.dev/canary-service"

// TraefikRoute is one entry of a TraefikService's spec.weighted.services.
type TraefikRoute struct {
	Name   string
	Kind   string // "Service" (or empty), or "TraefikService"
	Weight int
	// HasWeight is false when the entry gives no weight (Traefik then counts it as 1).
	HasWeight bool
}

// TraefikService is the compact row kept per TraefikService while looking for canaries.
type TraefikService struct {
	Namespace, Name string
	UID             string
	Routes          []TraefikRoute // spec.weighted.services; nil when not weighted
	Record          string         // the AnnoRecord annotation
	Steps           string         // the AnnoSteps annotation
	Gates           string         // the AnnoGates annotation
	CanaryService   string         // the AnnoService annotation
	Created         time.Time
}

// RowKey implements Row.
func (t *TraefikService) RowKey() kube.Key { return kube.Key{Namespace: t.Namespace, Name: t.Name} }

// TraefikServiceRow summarises a TraefikService; every one is kept (an object that stops
// being a canary must replace its old row, not linger).
func TraefikServiceRow(u *unstructured.Unstructured) (*TraefikService, bool) {
	a := u.GetAnnotations()
	t := &TraefikService{Namespace: u.GetNamespace(), Name: u.GetName(), UID: string(u.GetUID()),
		Record: a[AnnoRecord], Steps: a[AnnoSteps], Gates: a[AnnoGates], CanaryService: a[AnnoService],
		Created: u.GetCreationTimestamp().Time}
	list, _, _ := unstructured.NestedSlice(u.Object, "spec", "weighted", "services")
	for _, item := range list {
		m, _ := item.(map[string]any)
		r := TraefikRoute{}
		r.Name, _ = m["name"].(string)
		r.Kind, _ = m["kind"].(string)
		if w, ok := m["weight"]; ok {
			switch v := w.(type) {
			case int64:
				r.Weight, r.HasWeight = int(v), true
			case float64:
				r.Weight, r.HasWeight = int(v), true
			}
		}
		t.Routes = append(t.Routes, r)
	}
	return t, true
}

// TraefikWeights is where a Traefik canary's two weighted services stand.
type TraefikWeights struct {
	Object                   string // the TraefikService
	StableIndex, CanaryIndex int    // their positions in spec.weighted.services
	StableWeight             int
	CanaryWeight             int
	// Typed is false when either entry has no weight field yet (Traefik counts it as 1).
	Typed bool
}

// Total is the weights' sum; 100 when they sum to nothing.
func (w TraefikWeights) Total() int {
	if t := w.StableWeight + w.CanaryWeight; t > 0 {
		return t
	}
	return 100
}

// Percent is the canary's share in percent, rounded down.
func (w TraefikWeights) Percent() int { return w.CanaryWeight * 100 / w.Total() }

// StepWeights splits total at percent: the canary gets total × percent / 100 rounded
// half up, the stable the rest; 0 or less is all stable, 100 or more all canary.
func StepWeights(total, percent int) (canary, stable int) {
	switch {
	case percent <= 0:
		return 0, total
	case percent >= 100:
		return total, 0
	}
	canary = (total*percent + 50) / 100
	return canary, total - canary
}

// FindTraefik finds the canaries among TraefikServices: exactly two weighted
// services, one of which is the canary (named by AnnoService, else the one whose
// name ends in -canary). The Kubernetes Services of that name (when found) give the
// pods the gates look at.
func FindTraefik(tss []*TraefikService, services []*kube.Service) []*Canary {
	selectors := map[kube.Key]string{}
	for _, s := range services {
		selectors[s.RowKey()] = s.Selector
	}
	var out []*Canary
	for _, t := range tss {
		if len(t.Routes) != 2 {
			continue
		}
		ci := -1
		for i, r := range t.Routes {
			if (t.CanaryService != "" && r.Name == t.CanaryService) || (t.CanaryService == "" && strings.HasSuffix(r.Name, "-canary")) {
				if ci >= 0 { // both look like the canary: ambiguous
					ci = -2
					break
				}
				ci = i
			}
		}
		if ci < 0 {
			continue
		}
		si := 1 - ci
		side := func(r TraefikRoute) *Deploy {
			d := &Deploy{Namespace: t.Namespace, Name: r.Name, Created: t.Created}
			if r.Kind == "" || r.Kind == "Service" {
				d.Selector = selectors[kube.Key{Namespace: t.Namespace, Name: r.Name}]
			}
			return d
		}
		w := &TraefikWeights{Object: t.Name, StableIndex: si, CanaryIndex: ci, StableWeight: t.Routes[si].Weight,
			CanaryWeight: t.Routes[ci].Weight, Typed: t.Routes[si].HasWeight && t.Routes[ci].HasWeight}
		if !t.Routes[si].HasWeight {
			w.StableWeight = 1
		}
		if !t.Routes[ci].HasWeight {
			w.CanaryWeight = 1
		}
		c := &Canary{Namespace: t.Namespace, Name: t.Name, Kind: KindTraefik, Stable: side(t.Routes[si]),
			Canary: side(t.Routes[ci]), Service: t.Name, Traefik: w}
		c.Problem = c.readAnnotations(t.Record, t.Steps, t.Gates)
		out = append(out, c)
	}
	return out
}

// describeWeights is "web-canary weight 10 → 25, web 90 → 75", with a note when the
// weights do not total 100.
func describeWeights(m Move) string {
	w := m.Weights
	s := fmt.Sprintf("%s weight %d → %d, %s %d → %d", m.CanaryName, w.CanaryFrom, w.CanaryTo, m.StableName, w.StableFrom, w.StableTo)
	if w.Total != 100 {
		s += fmt.Sprintf(" (the weights total %d: %d%% scaled to it)", w.Total, m.Weight)
	}
	if m.Kind == MovePromote {
		s += "; weights only: Traefik has no templates"
	}
	return s
}

// TraefikStages returns the stages that carry out m on a Traefik canary: one JSON patch
// of the two weights that first tests both current weights (so a change made meanwhile
// by someone else fails the patch instead of being overwritten), then the record
// annotation on the TraefikService and an Event.
func TraefikStages(client *kube.Client, c *Canary, m Move, rec Record) []Stage {
	ns, obj, w := c.Namespace, c.Traefik.Object, m.Weights
	path := func(i int) string { return fmt.Sprintf("/spec/weighted/services/%d/weight", i) }
	var ops []map[string]any
	if w.Typed {
		ops = append(ops, map[string]any{"op": "test", "path": path(w.CanaryIndex), "value": w.CanaryFrom},
			map[string]any{"op": "test", "path": path(w.StableIndex), "value": w.StableFrom})
	}
	// "add" sets a member whether or not it exists yet (an entry may lack a weight)
	ops = append(ops, map[string]any{"op": "add", "path": path(w.CanaryIndex), "value": w.CanaryTo},
		map[string]any{"op": "add", "path": path(w.StableIndex), "value": w.StableTo})
	patch, _ := json.Marshal(ops) // maps of strings and ints: cannot fail
	target := dynamicTarget(client, GVRTraefikServices, "TraefikService", ns, obj)
	weights := &kube.Mutation{Access: kube.Access{Verb: "patch", GVR: GVRTraefikServices, Namespace: ns}, Name: obj,
		Summary: "canary weights: " + m.Describe(),
		Do: func(ctx context.Context) error {
			err := dynamicPatch(client, GVRTraefikServices, ns, obj, types.JSONPatchType, patch)(ctx)
			if err != nil && (apierrors.IsInvalid(err) || apierrors.IsConflict(err) || strings.Contains(err.Error(), "test failed")) {
				return weightsChanged(ctx, client, c, m, err)
			}
			return err
		}}
	return []Stage{{Mutation: weights}, {Mutation: target.record(rec)},
		{Mutation: target.event(m.Reason(), Note(m, rec), rec)}}
}

// weightsChanged explains a refused weights patch: the API server answers a failed JSON
// patch test with a bare 422, so the object is read again and, when its weights are no
// longer those the move was planned from, the error says so; otherwise err stands.
func weightsChanged(ctx context.Context, client *kube.Client, c *Canary, m Move, err error) error {
	dyn, derr := client.Dynamic()
	if derr != nil {
		return err
	}
	u, gerr := dyn.Resource(GVRTraefikServices).Namespace(c.Namespace).Get(ctx, c.Traefik.Object, metav1.GetOptions{})
	if gerr != nil {
		return err
	}
	now, _ := TraefikServiceRow(u)
	w := m.Weights
	if len(now.Routes) == 2 && now.Routes[w.CanaryIndex].Weight == w.CanaryFrom && now.Routes[w.StableIndex].Weight == w.StableFrom &&
		now.Routes[w.CanaryIndex].Name == m.CanaryName {
		return err
	}
	return fmt.Errorf("the weights of %s changed meanwhile (planned from %s %d, %s %d): nothing was changed; look again before the next step",
		c.Traefik.Object, m.CanaryName, w.CanaryFrom, m.StableName, w.StableFrom)
}
