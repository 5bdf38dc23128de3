package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/kubectl/pkg/drain"
)

// Drain timings: a whole drain gives up after DrainTimeout; an eviction a disruption
// budget refused is asked again after DrainRetry; an evicted pod is looked for every
// DrainPoll until it is gone.
const (
	DrainTimeout = 5 * time.Minute
	DrainRetry   = 5 * time.Second
	DrainPoll    = time.Second
)

// CordonAccess is what Cordon needs: a patch of the node.
func CordonAccess(string) Access { return Access{Verb: "patch", GVR: GVRNodes} }

// Cordon returns the mutation that marks node unschedulable (on) or schedulable again,
// as `kubectl cordon` and `uncordon` do; it changes nothing when the node already is.
func (c *Client) Cordon(node string, on bool) Mutation {
	summary := "uncordon: schedulable again"
	if on {
		summary = "cordon: no new pods are scheduled on it"
	}
	return Mutation{Access: CordonAccess(""), Name: node, Summary: summary,
		Do: func(ctx context.Context) error { return c.cordon(ctx, node, on) }}
}

func (c *Client) cordon(ctx context.Context, node string, on bool) error {
	n, err := c.Clientset.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if err != nil {
		return err
	}
	h := drain.NewCordonHelper(n)
	if !h.UpdateIfRequired(on) {
		return nil
	}
	err, patchErr := h.PatchOrReplaceWithContext(ctx, c.Clientset, false)
	return errors.Join(err, patchErr)
}

// DrainAccess is every request a drain makes: the node's cordon, the list of its pods, the
// read of a DaemonSet owning one, an eviction and a read of each evicted pod, in any
// namespace.
func DrainAccess(string) []Access {
	return []Access{CordonAccess(""), {Verb: "create", GVR: GVRPods, Subresource: "eviction"},
		{Verb: "list", GVR: GVRPods}, {Verb: "get", GVR: GVRPods}, {Verb: "get", GVR: GVRDaemonSets}}
}

// DrainPlan is what draining a node will do, shown before anything changes.
type DrainPlan struct {
	Node  string
	Evict []corev1.Pod // evicted: a controller recreates them elsewhere
	// Risky pods are evicted only when the person says so: their emptyDir data is lost,
	// or no controller recreates them.
	Risky   []RiskyPod
	Ignored string // kubectl's note on the pods a drain leaves: "ignoring DaemonSet-managed Pods: …"
}

// RiskyPod is a pod whose eviction loses something, and what.
type RiskyPod struct {
	Pod corev1.Pod
	Why string // "emptyDir data is lost", "no controller recreates it"
}

// PlanDrain lists node's pods and sorts them as `kubectl drain --ignore-daemonsets` does:
// DaemonSet and mirror pods stay, pods with emptyDir data or no controller are risky, the
// rest are evicted.
func (c *Client) PlanDrain(ctx context.Context, node string) (*DrainPlan, error) {
	safe, err := c.drainable(ctx, node, false)
	if err != nil {
		return nil, err
	}
	all, err := c.drainable(ctx, node, true)
	if err != nil {
		return nil, err
	}
	p := &DrainPlan{Node: node, Evict: safe.Pods(), Ignored: ignoredNote(safe.Warnings())}
	for _, pod := range all.Pods() {
		if !slices.ContainsFunc(p.Evict, func(s corev1.Pod) bool { return s.UID == pod.UID }) {
			p.Risky = append(p.Risky, RiskyPod{Pod: pod, Why: riskOf(&pod)})
		}
	}
	return p, nil
}

// drainable lists node's pods through kubectl's drain filters; with risky set, pods with
// emptyDir data or no controller are included (kubectl's --delete-emptydir-data --force).
func (c *Client) drainable(ctx context.Context, node string, risky bool) (*drain.PodDeleteList, error) {
	h := c.drainHelper(ctx)
	h.Force, h.DeleteEmptyDirData = risky, risky
	list, errs := h.GetPodsForDeletion(node)
	if list == nil { // the LIST itself failed; otherwise errs only name the risky pods
		return nil, Classify(errors.Join(errs...), "list", "pods", "")
	}
	return list, nil
}

func (c *Client) drainHelper(ctx context.Context) *drain.Helper {
	return &drain.Helper{Ctx: ctx, Client: c.Clientset, IgnoreAllDaemonSets: true,
		GracePeriodSeconds: -1} // each pod's own grace period, as kubectl
}

// ignoredNote keeps kubectl's note on ignored pods, one line without its trailing newline.
func ignoredNote(w string) string { return strings.Join(strings.Fields(w), " ") }

// riskOf says what evicting p loses.
func riskOf(p *corev1.Pod) string {
	var why []string
	if slices.ContainsFunc(p.Spec.Volumes, func(v corev1.Volume) bool { return v.EmptyDir != nil }) {
		why = append(why, "emptyDir data is lost")
	}
	if metav1.GetControllerOf(p) == nil {
		why = append(why, "no controller recreates it")
	}
	return strings.Join(why, "; ")
}

// DrainState is where one pod of a drain stands.
type DrainState int8

// The states of a drained pod, in the order they pass.
const (
	DrainWaiting     DrainState = iota // not asked yet
	DrainEvicting                      // eviction asked
	DrainBlocked                       // a disruption budget refused; asked again every DrainRetry
	DrainTerminating                   // evicted; waiting until it is gone
	DrainGone                          // deleted (or replaced by a pod of the same name)
	DrainFailed                        // the eviction failed: the pod is left as it is
	DrainLeft                          // not evicted: risky and not confirmed, or the drain stopped
)

// String is the state as the drain page shows it.
func (s DrainState) String() string {
	return [...]string{"waiting", "evicting", "blocked", "terminating", "gone", "failed", "left"}[s]
}

// DrainPod is one pod of a running drain.
type DrainPod struct {
	Namespace, Name string
	State           DrainState
	Why             string // the budget's refusal, the error, or why the pod was left
}

// DrainStatus is a snapshot of a drain.
type DrainStatus struct {
	Node    string
	Started time.Time
	Pods    []DrainPod
	Done    bool
	Err     error // why it did not finish: pods left, cancelled, timed out; nil when every pod is gone
}

// Drain is a drain in progress: its Mutation runs it, pages follow it with Changed and
// Status, and Cancel stops it (the node stays cordoned, as with kubectl).
type Drain struct {
	node        string
	changed     chan struct{}
	retry, poll time.Duration // DrainRetry, DrainPoll; shorter in tests

	mu      sync.Mutex
	status  DrainStatus
	cancel  context.CancelFunc
	stopped bool // Cancel was called
}

// NewDrain returns the drain of plan's node: the mutation that cordons the node and evicts
// its pods, and the Drain that follows it. The pods evicted are the node's safe pods at the
// time it runs (after the cordon, so nothing new arrives), plus, when risky is set, the
// risky pods the plan showed (matched by UID): a risky pod that arrived since is left.
func (c *Client) NewDrain(plan *DrainPlan, risky bool) (Mutation, *Drain) {
	d := &Drain{node: plan.Node, changed: make(chan struct{}, 1), retry: DrainRetry, poll: DrainPoll}
	confirmed := map[types.UID]bool{}
	n := len(plan.Evict)
	if risky {
		for _, r := range plan.Risky {
			confirmed[r.Pod.UID] = true
		}
		n += len(plan.Risky)
	}
	summary := fmt.Sprintf("cordon, then evict %d of its pods (disruption budgets honoured)", n)
	m := Mutation{Access: Access{Verb: "drain", GVR: GVRNodes}, Name: plan.Node, Summary: summary, Long: true,
		Do: func(ctx context.Context) error { return d.run(ctx, c, confirmed) }}
	return m, d
}

// Changed receives a value (coalesced) whenever the status changed.
func (d *Drain) Changed() <-chan struct{} { return d.changed }

// Status returns a snapshot of the drain.
func (d *Drain) Status() DrainStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.status
	s.Node = d.node
	s.Pods = slices.Clone(s.Pods)
	return s
}

// Cancel stops the drain: no eviction is asked any more; evictions already granted go on
// on the server. The node stays cordoned.
func (d *Drain) Cancel() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.cancel != nil {
		d.cancel()
	}
}

// update changes the drain's status under its lock and signals Changed.
func (d *Drain) update(f func(s *DrainStatus)) {
	d.mu.Lock()
	f(&d.status)
	d.mu.Unlock()
	select {
	case d.changed <- struct{}{}:
	default:
	}
}

// setPod sets pod i's state and reason.
func (d *Drain) setPod(i int, state DrainState, why string) {
	d.update(func(s *DrainStatus) { s.Pods[i].State, s.Pods[i].Why = state, why })
}

func (d *Drain) run(ctx context.Context, c *Client, confirmed map[types.UID]bool) error {
	ctx, cancel := context.WithTimeout(ctx, DrainTimeout)
	defer cancel()
	d.mu.Lock()
	d.cancel, d.status.Started = cancel, time.Now()
	if d.stopped {
		cancel()
	}
	d.mu.Unlock()
	err := d.evictAll(ctx, c, confirmed)
	d.update(func(s *DrainStatus) { s.Done, s.Err = true, err })
	return err
}

// evictAll cordons the node, evicts every pod it should and waits until they are gone.
func (d *Drain) evictAll(ctx context.Context, c *Client, confirmed map[types.UID]bool) error {
	if err := c.cordon(ctx, d.node, true); err != nil {
		return Classify(err, "patch", "nodes", "")
	}
	plan, err := c.PlanDrain(ctx, d.node)
	if err != nil {
		return err
	}
	pods := slices.Clone(plan.Evict)
	var left []DrainPod
	for _, r := range plan.Risky {
		if confirmed[r.Pod.UID] {
			pods = append(pods, r.Pod)
		} else {
			left = append(left, DrainPod{Namespace: r.Pod.Namespace, Name: r.Pod.Name, State: DrainLeft,
				Why: "not confirmed: " + r.Why})
		}
	}
	d.update(func(s *DrainStatus) {
		for _, p := range pods {
			s.Pods = append(s.Pods, DrainPod{Namespace: p.Namespace, Name: p.Name})
		}
		s.Pods = append(s.Pods, left...)
	})
	h := c.drainHelper(ctx)
	var wg sync.WaitGroup
	for i, p := range pods {
		wg.Go(func() { d.evict(ctx, c, h, i, p) })
	}
	wg.Wait()
	return d.outcome(ctx)
}

// evict evicts pod i (p) through the Eviction API until it is gone, a budget keeps
// refusing until ctx ends, or the eviction fails; it never deletes a pod itself.
func (d *Drain) evict(ctx context.Context, c *Client, h *drain.Helper, i int, p corev1.Pod) {
	for {
		d.setPod(i, DrainEvicting, "")
		err := h.EvictPod(p, policyV1)
		switch {
		case err == nil:
			d.setPod(i, DrainTerminating, "")
			d.waitGone(ctx, c, i, p)
			return
		case apierrors.IsNotFound(err):
			d.setPod(i, DrainGone, "")
			return
		case apierrors.IsTooManyRequests(err):
			d.setPod(i, DrainBlocked, budgetRefusal(err))
		case ctx.Err() != nil:
			d.setPod(i, DrainLeft, stopReason(ctx))
			return
		default:
			d.setPod(i, DrainFailed, Classify(err, "create", "pods/eviction", p.Namespace).Error())
			return
		}
		select {
		case <-ctx.Done():
			d.setPod(i, DrainLeft, d.Status().Pods[i].Why+"; "+stopReason(ctx))
			return
		case <-time.After(d.retry):
		}
	}
}

// waitGone polls pod i until it is gone or replaced by a new pod of the same name.
func (d *Drain) waitGone(ctx context.Context, c *Client, i int, p corev1.Pod) {
	api := c.Clientset.CoreV1().Pods(p.Namespace)
	for {
		now, err := api.Get(ctx, p.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err) || (err == nil && now.UID != p.UID):
			d.setPod(i, DrainGone, "")
			return
		case ctx.Err() != nil:
			d.setPod(i, DrainLeft, "evicted, still terminating; "+stopReason(ctx))
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(d.poll):
		}
	}
}

// policyV1 is the Eviction API's version every supported server serves.
var policyV1 = policyv1.SchemeGroupVersion

// budgetRefusal is a disruption budget's refusal in one line: the budget's own cause when
// the server gives it ("The disruption budget web needs 2 healthy pods and has 2 currently").
func budgetRefusal(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		if det := status.Status().Details; det != nil {
			for _, c := range det.Causes {
				if c.Message != "" {
					return c.Message
				}
			}
		}
	}
	return err.Error()
}

// stopReason says why ctx ended: the person cancelled, or the drain timed out.
func stopReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("timed out after %s", DrainTimeout)
	}
	return "cancelled"
}

// outcome is the drain's error: nil when every pod is gone, else how many were not.
func (d *Drain) outcome(ctx context.Context) error {
	st := d.Status()
	counts := map[DrainState]int{}
	for _, p := range st.Pods {
		counts[p.State]++
	}
	notGone := len(st.Pods) - counts[DrainGone]
	if notGone == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d of %d pods not evicted", notGone, len(st.Pods))
	if ctx.Err() != nil {
		msg += " (" + stopReason(ctx) + ")"
	}
	if counts[DrainFailed] > 0 {
		msg += fmt.Sprintf(", %d failed", counts[DrainFailed])
	}
	return &Error{Kind: KindUnknown, Err: errors.New(msg + "; the node stays cordoned")}
}
