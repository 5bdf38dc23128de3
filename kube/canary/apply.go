package canary

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// MoveKind says what a move does.
type MoveKind int8

// Kinds of canary move.
const (
	MoveStep    MoveKind = iota // to one of the steps below 100%
	MovePromote                 // to 100%: stable takes the canary's template, canary to 0
	MoveAbort                   // to 0%: canary to 0, stable back to the total
)

// Move is one change of a replica-ratio canary's weight, planned from its live state.
type Move struct {
	Kind                   MoveKind
	Step                   int // the step moved to (1-based); 0 for an abort
	Weight                 int
	Total                  int32
	CanaryFrom, CanaryTo   int32
	StableFrom, StableTo   int32
	StableName, CanaryName string
	Image                  string // promote: the canary's images, which the stable takes
	// Weights is set for a Traefik canary, whose move changes weights, not replicas.
	Weights *WeightChange
}

// WeightChange is how a Traefik canary's weights change, within their total.
type WeightChange struct {
	Total                int
	CanaryFrom, CanaryTo int
	StableFrom, StableTo int
	CanaryIndex          int // the canary's position in spec.weighted.services
	StableIndex          int
	Typed                bool // both entries had a weight field
}

// PlanMove plans moving c to step (1-based index into c.Steps; 0 aborts). A step at
// 100% promotes.
func PlanMove(c *Canary, step int) Move {
	m := Move{Step: step, Total: c.Total(), CanaryFrom: c.Canary.Replicas, StableFrom: c.Stable.Replicas,
		StableName: c.Stable.Name, CanaryName: c.Canary.Name}
	if step > 0 && step <= len(c.Steps) {
		m.Weight = c.Steps[step-1]
	}
	switch {
	case step <= 0:
		m.Kind, m.Step = MoveAbort, 0
		m.CanaryTo, m.StableTo = 0, m.Total
	case m.Weight >= 100:
		m.Kind, m.Weight = MovePromote, 100
		m.CanaryTo, m.StableTo = 0, m.Total
		m.Image = c.Canary.Images
	default:
		m.CanaryTo, m.StableTo = StepReplicas(m.Total, m.Weight)
	}
	if w := c.Traefik; w != nil {
		total := w.Total()
		ch := &WeightChange{Total: total, CanaryFrom: w.CanaryWeight, StableFrom: w.StableWeight,
			CanaryIndex: w.CanaryIndex, StableIndex: w.StableIndex, Typed: w.Typed}
		ch.CanaryTo, ch.StableTo = StepWeights(total, m.Weight)
		if m.Kind == MoveAbort {
			ch.CanaryTo, ch.StableTo = 0, total
		}
		m.Weights, m.Total, m.Image = ch, int32(total), ""
	}
	return m
}

// Describe says exactly what the move changes: "web-canary 1 → 2 replicas, web 4 → 3".
func (m Move) Describe() string {
	if m.Weights != nil {
		return describeWeights(m)
	}
	if m.Kind == MovePromote {
		return fmt.Sprintf("%s takes %s's containers (%s) and rolls to %d replicas; then %s %d → 0",
			m.StableName, m.CanaryName, m.Image, m.Total, m.CanaryName, m.CanaryFrom)
	}
	return fmt.Sprintf("%s %d → %d replicas, %s %d → %d", m.CanaryName, m.CanaryFrom, m.CanaryTo, m.StableName, m.StableFrom, m.StableTo)
}

// Reason is the Event reason recording the move.
func (m Move) Reason() string {
	switch m.Kind {
	case MovePromote:
		return "CanaryPromoted"
	case MoveAbort:
		return "CanaryAborted"
	}
	return "CanaryStep"
}

// NextRecord is the record written after m: who, when, the gates as they were and
// the restart counts the next step's restarts are counted from.
func NextRecord(c *Canary, m Move, by string, now time.Time, gates []Gate, forced bool, restarts map[string]int32) Record {
	r := Record{State: Stepping, Step: m.Step, Weight: m.Weight, Steps: slices.Clone(c.Steps), Total: m.Total,
		By: by, At: now.UTC(), StartedAt: now.UTC(), Forced: forced, Restarts: restarts}
	if c.Active() {
		r.StartedAt = c.Record.StartedAt
	}
	switch m.Kind {
	case MovePromote:
		r.State = Promoted
	case MoveAbort:
		r.State = Aborted
	}
	r.Gates = gateMap(gates)
	return r
}

// gateMap is the record's form of gates: name → "pass: …"; nil for none.
func gateMap(gates []Gate) map[string]string {
	if len(gates) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, g := range gates {
		m[g.Name] = g.String()
	}
	return m
}

// Stage is one stage of a move: a mutation (sent through Client.Apply, audited), or
// a wait for the cluster to catch up before the next one.
type Stage struct {
	Mutation *kube.Mutation
	Wait     func(ctx context.Context) error
	What     string // what a wait waits for
}

// Stages returns the stages that carry out m on c through client and record rec, of
// whichever kind: a Traefik canary's weights (TraefikStages) or replicas
// (replicaStages). The guard checks MoveAccess before any of them is sent.
func Stages(client *kube.Client, c *Canary, m Move, rec Record) []Stage {
	if c.Traefik != nil {
		return TraefikStages(client, c, m, rec)
	}
	return replicaStages(client.Clientset, c, m, rec)
}

// MoveAccess is every request a move of c in ns (a step, a promotion or an abort) makes,
// so none is refused half way: a replica canary's scale patches and, for a promotion, the
// stable deployment's patch and reads, or a Traefik canary's weights patch; then the
// record and its Event (recordAccess).
func MoveAccess(c *Canary, ns string) []kube.Access {
	if c != nil && c.Traefik != nil {
		return recordAccess(GVRTraefikServices, ns) // the weights patch is a patch of the same object
	}
	scale := kube.Access{Verb: "patch", GVR: kube.GVRDeployments, Subresource: "scale", Namespace: ns}
	return append([]kube.Access{scale}, recordAccess(kube.GVRDeployments, ns)...)
}

// recordAccess is what writing a canary's record on its object (of gvr, in ns) and the
// Event about it need: a patch of the object, a read of it (the Event names its uid) and
// the Event's creation.
func recordAccess(gvr schema.GroupVersionResource, ns string) []kube.Access {
	return []kube.Access{{Verb: "patch", GVR: gvr, Namespace: ns}, {Verb: "get", GVR: gvr, Namespace: ns},
		{Verb: "create", GVR: kube.GVREventsAPI, Namespace: ns}}
}

// replicaStages returns the stages that move a replica-ratio canary: capacity never
// drops (the side that grows is scaled first; a promotion waits until the stable has
// rolled out before the canary goes to 0), then the record annotation and an Event.
func replicaStages(cs kubernetes.Interface, c *Canary, m Move, rec Record) []Stage {
	ns := c.Namespace
	var stages []Stage
	scale := func(name string, from, to int32) {
		if from != to {
			stages = append(stages, Stage{Mutation: scaleMutation(cs, ns, name, from, to)})
		}
	}
	switch {
	case m.Kind == MovePromote:
		stages = append(stages, Stage{Mutation: promoteMutation(cs, c, m)},
			Stage{What: m.StableName + " to roll out", Wait: func(ctx context.Context) error {
				return WaitRolledOut(ctx, cs, ns, m.StableName, m.Total)
			}})
		scale(m.CanaryName, m.CanaryFrom, 0)
	case m.CanaryTo >= m.CanaryFrom:
		scale(m.CanaryName, m.CanaryFrom, m.CanaryTo)
		scale(m.StableName, m.StableFrom, m.StableTo)
	default:
		scale(m.StableName, m.StableFrom, m.StableTo)
		scale(m.CanaryName, m.CanaryFrom, m.CanaryTo)
	}
	target := deploymentTarget(cs, ns, m.CanaryName)
	return append(stages, Stage{Mutation: target.record(rec)},
		Stage{Mutation: target.event(m.Reason(), Note(m, rec), rec)})
}

// RunStages runs stages in order through client, stopping at the first error.
func RunStages(ctx context.Context, client *kube.Client, stages []Stage) error {
	for _, s := range stages {
		var err error
		if s.Mutation != nil {
			err = client.Apply(ctx, *s.Mutation)
		} else {
			err = s.Wait(ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func scaleMutation(cs kubernetes.Interface, ns, name string, from, to int32) *kube.Mutation {
	return &kube.Mutation{Access: kube.Access{Verb: "patch", GVR: kube.GVRDeployments, Subresource: "scale", Namespace: ns}, Name: name,
		Summary: fmt.Sprintf("canary: replicas %d → %d", from, to),
		Do: func(ctx context.Context) error {
			patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, to)
			_, err := cs.AppsV1().Deployments(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}, "scale")
			return err
		}}
}

// promoteMutation gives the stable deployment the canary's containers and the total
// replicas, which rolls it out.
func promoteMutation(cs kubernetes.Interface, c *Canary, m Move) *kube.Mutation {
	ns := c.Namespace
	return &kube.Mutation{Access: kube.Access{Verb: "patch", GVR: kube.GVRDeployments, Namespace: ns}, Name: m.StableName,
		Summary: fmt.Sprintf("canary promoted: containers of %s (%s), replicas %d → %d", m.CanaryName, m.Image, m.StableFrom, m.Total),
		Do: func(ctx context.Context) error {
			canary, err := canaryDeployment(ctx, cs, ns, m.CanaryName)
			if err != nil {
				return err
			}
			patch, err := json.Marshal([]map[string]any{
				{"op": "replace", "path": "/spec/template/spec/containers", "value": canary.Spec.Template.Spec.Containers},
				{"op": "replace", "path": "/spec/replicas", "value": m.Total},
			})
			if err != nil {
				return err
			}
			_, err = cs.AppsV1().Deployments(ns).Patch(ctx, m.StableName, types.JSONPatchType, patch, metav1.PatchOptions{})
			return err
		}}
}

// canaryTarget is the object a canary's record annotation and Events are about.
type canaryTarget struct {
	cs        kubernetes.Interface // for the Events
	gvr       schema.GroupVersionResource
	ns, name  string
	patch     func(ctx context.Context, mergePatch []byte) error
	regarding func(ctx context.Context) (corev1.ObjectReference, error)
}

// deploymentTarget is a replica-ratio canary's canary deployment.
func deploymentTarget(cs kubernetes.Interface, ns, name string) canaryTarget {
	return canaryTarget{cs: cs, gvr: kube.GVRDeployments, ns: ns, name: name,
		patch: func(ctx context.Context, data []byte) error {
			_, err := cs.AppsV1().Deployments(ns).Patch(ctx, name, types.MergePatchType, data, metav1.PatchOptions{})
			return err
		},
		regarding: func(ctx context.Context) (corev1.ObjectReference, error) {
			d, err := canaryDeployment(ctx, cs, ns, name)
			if err != nil {
				return corev1.ObjectReference{}, err
			}
			return corev1.ObjectReference{Kind: "Deployment", APIVersion: "apps/v1", Namespace: ns, Name: d.Name, UID: d.UID}, nil
		}}
}

// record writes rec in the AnnoRecord annotation of the target.
func (t canaryTarget) record(rec Record) *kube.Mutation {
	return &kube.Mutation{Access: kube.Access{Verb: "patch", GVR: t.gvr, Namespace: t.ns}, Name: t.name,
		Summary: fmt.Sprintf("canary record: %s step %d, weight %d%%", rec.State, rec.Step, rec.Weight),
		Do: func(ctx context.Context) error {
			patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{AnnoRecord: rec.JSON()}}})
			if err != nil {
				return err
			}
			return t.patch(ctx, patch)
		}}
}

// Note is the Event note of a move: step, weight, replicas, who and the gates.
func Note(m Move, rec Record) string {
	var b strings.Builder
	switch m.Kind {
	case MovePromote:
		fmt.Fprintf(&b, "promoted to 100%% by %s: %s", rec.By, m.Describe())
	case MoveAbort:
		fmt.Fprintf(&b, "aborted by %s: %s", rec.By, m.Describe())
	default:
		fmt.Fprintf(&b, "step %d/%d weight %d%% by %s: %s", m.Step, len(rec.Steps), m.Weight, rec.By, m.Describe())
	}
	if rec.Forced {
		b.WriteString("; FORCED over failing gates")
	}
	if len(rec.Gates) > 0 {
		b.WriteString("; gates:")
		for _, k := range slices.Sorted(maps.Keys(rec.Gates)) {
			fmt.Fprintf(&b, " %s %s;", k, rec.Gates[k])
		}
	}
	return strings.TrimSuffix(b.String(), ";")
}

// event creates an events.k8s.io Event about the target with reason and note.
func (t canaryTarget) event(reason, note string, rec Record) *kube.Mutation {
	return &kube.Mutation{Access: kube.Access{Verb: "create", GVR: kube.GVREventsAPI, Namespace: t.ns}, Name: t.name,
		Summary: "event " + reason,
		Do: func(ctx context.Context) error {
			ref, err := t.regarding(ctx)
			if err != nil {
				return err
			}
			if len(note) > 1024 { // the API's limit on a note
				note = note[:1021] + "..."
			}
			ev := &eventsv1.Event{
				// named the way client-go's event recorder names events: object.timestamp
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", t.name, time.Now().UnixNano()), Namespace: t.ns},
				EventTime:  metav1.NewMicroTime(rec.At), ReportingController: "kdeck.dev/kdeck",
				ReportingInstance: "kdeck", Action: reason, Reason: reason, Type: corev1.EventTypeNormal,
				Regarding: ref, Note: note,
			}
			_, err = t.cs.EventsV1().Events(t.ns).Create(ctx, ev, metav1.CreateOptions{})
			return err
		}}
}

// WaitRolledOut waits until deployment ns/name runs replicas updated, available replicas
// and no old ones, or ctx ends.
func WaitRolledOut(ctx context.Context, cs kubernetes.Interface, ns, name string, replicas int32) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		d, err := canaryDeployment(ctx, cs, ns, name)
		if err != nil {
			return kube.Classify(err, "get", "deployments", ns)
		}
		st := d.Status
		if st.ObservedGeneration >= d.Generation && st.UpdatedReplicas == replicas && st.AvailableReplicas == replicas && st.Replicas == replicas {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s has not rolled out: %d/%d updated, %d available", name, st.UpdatedReplicas, replicas, st.AvailableReplicas)
		case <-tick.C:
		}
	}
}
