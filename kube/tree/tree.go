// Package tree builds the owner tree of a Kubernetes object: the controllers that own it,
// up to the topmost, and everything that topmost owner owns, down to containers. A service
// stands in for an owner of its endpoint slices and of the pods they point at.
package tree

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kdeck/kdeck/kube"
)

// Health is how a node of the tree is doing, for its colour.
type Health int

// Healths, from fine to broken.
const (
	HealthOK      Health = iota // running and ready, complete, nothing wanted
	HealthPending               // on its way: rolling, scheduling, starting, suspended
	HealthBad                   // failing: crash-looping, stalled, failed, no ready endpoints
)

// KindContainer is the kind of a container's node, the only node that is not an object.
const KindContainer = "Container"

// Node is one object of an owner tree.
type Node struct {
	Ref     kube.ObjectRef // the object; for a container, its pod
	Kind    string         // "Deployment", "ReplicaSet", "Pod", "Container", "EndpointSlice" …
	Name    string         // the object's name, or the container's
	Role    string         // a container's role: "init", "sidecar", "ephemeral" or ""
	Status  string         // what it is doing, in a few words: "Running 1/1", "3/3 ready"
	Health  Health
	Created time.Time // zero for containers
	Focus   bool      // the object the tree was asked for
	// Err says why the node's children could not be listed ("pods: forbidden"): the node
	// is shown without them rather than the whole tree failing.
	Err      string
	Children []*Node
	uid      types.UID
}

// maxOwners bounds the climb up the owner chain: a cycle of owner references is invalid,
// not impossible.
const maxOwners = 8

// Build returns the owner tree that holds ref: rooted at ref's topmost owner (ref itself
// when nothing owns it), with ref's node marked Focus. It fails only when ref itself
// cannot be read; an owner that is gone or cannot be read ends the climb below it.
func Build(ctx context.Context, c *kube.Client, ref kube.ObjectRef) (*Node, error) {
	b, err := newBuilder(ctx, c)
	if err != nil {
		return nil, err
	}
	obj, err := b.get(ref)
	if err != nil {
		return nil, err
	}
	focus := obj.meta.GetUID()
	for range maxOwners {
		owner, err := b.owner(obj)
		if err != nil || owner == nil {
			break
		}
		obj = owner
	}
	root := b.node(obj)
	markFocus(root, focus)
	return root, nil
}

// Owner returns the object that controls ref (with no controller, its first owner); ok
// is false when nothing owns ref or its owner is gone.
func Owner(ctx context.Context, c *kube.Client, ref kube.ObjectRef) (owner kube.ObjectRef, ok bool, err error) {
	b, err := newBuilder(ctx, c)
	if err != nil {
		return kube.ObjectRef{}, false, err
	}
	obj, err := b.get(ref)
	if err != nil {
		return kube.ObjectRef{}, false, err
	}
	o, err := b.owner(obj)
	if err != nil || o == nil {
		return kube.ObjectRef{}, false, err
	}
	return o.ref, true, nil
}

// BuildAll fills in members, nodes naming objects (Ref, Kind and Name set), each with all
// it owns, as children of root (a node of kdeck's own, such as a Helm release): a member
// that cannot be read says why, one of a kind the cluster does not serve says so.
func BuildAll(ctx context.Context, c *kube.Client, root *Node, members []*Node) (*Node, error) {
	b, err := newBuilder(ctx, c)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if m.Ref.GVR.Empty() {
			m.Status, m.Health = "the cluster does not serve this kind", HealthBad
			root.Children = append(root.Children, m)
			continue
		}
		obj, err := b.get(m.Ref)
		if err != nil {
			m.Status, m.Health = "cannot read: "+err.Error(), HealthBad
			if kube.KindOf(err) == kube.KindNotFound {
				m.Status = "missing: not in the cluster"
			}
			root.Children = append(root.Children, m)
			continue
		}
		root.Children = append(root.Children, b.node(obj))
	}
	return root, nil
}

// markFocus marks the node of the object uid and reports whether it found it.
func markFocus(n *Node, uid types.UID) bool {
	if n.uid == uid {
		n.Focus = true
		return true
	}
	for _, c := range n.Children {
		if markFocus(c, uid) {
			return true
		}
	}
	return false
}

// builder reads the objects of one tree through one client.
type builder struct {
	ctx context.Context
	c   *kube.Client
	cs  kubernetes.Interface
}

// newBuilder returns a builder reading through c.
func newBuilder(ctx context.Context, c *kube.Client) (*builder, error) {
	if !c.Connected() {
		return nil, &kube.Error{Kind: kube.KindConfig, Err: errors.New("not connected to a cluster")}
	}
	return &builder{ctx: ctx, c: c, cs: c.Clientset}, nil
}

// object is one object the builder read: typed for the kinds it knows (typed is then a
// *appsv1.Deployment, *corev1.Pod …), unstructured for the others.
type object struct {
	ref   kube.ObjectRef
	kind  string
	meta  metav1.Object
	typed any
}

// get reads the object ref names.
func (b *builder) get(ref kube.ObjectRef) (*object, error) {
	k, ok := typedKinds[ref.GVR.GroupResource()]
	if !ok {
		u, err := b.c.GetObject(b.ctx, ref)
		if err != nil {
			return nil, err
		}
		return &object{ref: ref, kind: u.GetKind(), meta: u}, nil
	}
	o, err := k.get(b.ctx, b.cs, ref.Namespace, ref.Name)
	if err != nil {
		return nil, kube.Classify(err, "get", ref.GVR.Resource, ref.Namespace)
	}
	return &object{ref: ref, kind: k.kind, meta: o, typed: o}, nil
}

// typedKind is a kind the builder reads typed, to say how it is doing and what it owns.
type typedKind struct {
	kind string
	get  func(ctx context.Context, cs kubernetes.Interface, ns, name string) (metav1.Object, error)
}

// typedGet adapts a typed client's Get, chosen by client for a namespace, to typedKind's.
func typedGet[T metav1.Object](client func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (T, error)) func(context.Context, kubernetes.Interface, string, string) (metav1.Object, error) {
	return func(ctx context.Context, cs kubernetes.Interface, ns, name string) (metav1.Object, error) {
		return client(cs, ns)(ctx, name, metav1.GetOptions{})
	}
}

// typedKinds are the kinds node has rules for, by resource.
var typedKinds = map[schema.GroupResource]typedKind{
	kube.GVRPods.GroupResource(): {"Pod", typedGet(func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (*corev1.Pod, error) {
		return cs.CoreV1().Pods(ns).Get
	})},
	kube.GVRServices.GroupResource(): {"Service", typedGet(func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (*corev1.Service, error) {
		return cs.CoreV1().Services(ns).Get
	})},
	kube.GVRDeployments.GroupResource(): {"Deployment", typedGet(func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (*appsv1.Deployment, error) {
		return cs.AppsV1().Deployments(ns).Get
	})},
	kube.GVRReplicaSets.GroupResource(): {"ReplicaSet", typedGet(func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (*appsv1.ReplicaSet, error) {
		return cs.AppsV1().ReplicaSets(ns).Get
	})},
	kube.GVRStatefulSets.GroupResource(): {"StatefulSet", typedGet(func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (*appsv1.StatefulSet, error) {
		return cs.AppsV1().StatefulSets(ns).Get
	})},
	kube.GVRDaemonSets.GroupResource(): {"DaemonSet", typedGet(func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (*appsv1.DaemonSet, error) {
		return cs.AppsV1().DaemonSets(ns).Get
	})},
	kube.GVRJobs.GroupResource(): {"Job", typedGet(func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (*batchv1.Job, error) {
		return cs.BatchV1().Jobs(ns).Get
	})},
	kube.GVRCronJobs.GroupResource(): {"CronJob", typedGet(func(cs kubernetes.Interface, ns string) func(context.Context, string, metav1.GetOptions) (*batchv1.CronJob, error) {
		return cs.BatchV1().CronJobs(ns).Get
	})},
}

// owner reads the object that controls obj (with no controller, its first owner); nil
// when nothing owns obj, or the owner is gone or replaced by another of the same name.
func (b *builder) owner(obj *object) (*object, error) {
	o := metav1.GetControllerOfNoCopy(obj.meta)
	if o == nil {
		refs := obj.meta.GetOwnerReferences()
		if len(refs) == 0 {
			return nil, nil
		}
		o = &refs[0]
	}
	gvr, namespaced, err := b.resourceOf(o.APIVersion, o.Kind)
	if err != nil {
		return nil, err
	}
	ns := obj.ref.Namespace
	if !namespaced {
		ns = ""
	}
	owner, err := b.get(kube.ObjectRef{GVR: gvr, Namespace: ns, Name: o.Name})
	if err != nil {
		if kube.KindOf(err) == kube.KindNotFound {
			return nil, nil
		}
		return nil, err
	}
	if owner.meta.GetUID() != o.UID {
		return nil, nil
	}
	return owner, nil
}

// wellKnown are the owner kinds found without asking discovery.
var wellKnown = map[schema.GroupKind]schema.GroupVersionResource{
	{Group: "apps", Kind: "Deployment"}:  kube.GVRDeployments,
	{Group: "apps", Kind: "ReplicaSet"}:  kube.GVRReplicaSets,
	{Group: "apps", Kind: "StatefulSet"}: kube.GVRStatefulSets,
	{Group: "apps", Kind: "DaemonSet"}:   kube.GVRDaemonSets,
	{Group: "batch", Kind: "Job"}:        kube.GVRJobs,
	{Group: "batch", Kind: "CronJob"}:    kube.GVRCronJobs,
	{Kind: "Pod"}:                        kube.GVRPods,
	{Kind: "Service"}:                    kube.GVRServices,
	{Kind: "Node"}:                       kube.GVRNodes,
}

// resourceOf is the resource of an owner reference's apiVersion and kind, and whether
// its objects live in a namespace.
func (b *builder) resourceOf(apiVersion, kind string) (gvr schema.GroupVersionResource, namespaced bool, err error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return gvr, false, err
	}
	if gvr, ok := wellKnown[gv.WithKind(kind).GroupKind()]; ok {
		return gvr, gvr != kube.GVRNodes, nil
	}
	name := strings.ToLower(kind)
	if gv.Group != "" {
		name += "." + gv.Group
	}
	r, err := b.c.Resolve(b.ctx, name)
	return r.GVR, r.Namespaced, err
}

// node is obj's node with everything it owns.
func (b *builder) node(obj *object) *Node {
	n := &Node{Ref: obj.ref, Kind: obj.kind, Name: obj.meta.GetName(), Created: obj.meta.GetCreationTimestamp().Time, uid: obj.meta.GetUID()}
	ns, uid := obj.ref.Namespace, obj.meta.GetUID()
	var err error
	switch o := obj.typed.(type) {
	case *appsv1.Deployment:
		r := kube.DeploymentRow(o)
		n.Status, n.Health = workload(r.Ready, r.Desired, r.Rollout, r.RolloutText)
		n.Children, err = b.replicaSets(ns, o.Spec.Selector, uid)
	case *appsv1.ReplicaSet:
		r := kube.ReplicaSetRow(o)
		n.Status, n.Health = workload(r.Ready, r.Desired, kube.RolloutDone, "")
		n.Children, err = b.pods(ns, o.Spec.Selector, uid)
	case *appsv1.StatefulSet:
		r := kube.StatefulSetRow(o)
		n.Status, n.Health = workload(r.Ready, r.Desired, r.Rollout, r.RolloutText)
		n.Children, err = b.pods(ns, o.Spec.Selector, uid)
	case *appsv1.DaemonSet:
		r := kube.DaemonSetRow(o)
		n.Status, n.Health = workload(r.Ready, r.Desired, r.Rollout, r.RolloutText)
		n.Children, err = b.pods(ns, o.Spec.Selector, uid)
	case *batchv1.Job:
		setJob(n, o)
		n.Children, err = b.pods(ns, o.Spec.Selector, uid)
	case *batchv1.CronJob:
		n.Status, n.Health = "schedule "+o.Spec.Schedule, HealthOK
		if o.Spec.Suspend != nil && *o.Spec.Suspend {
			n.Status, n.Health = n.Status+", suspended", HealthPending
		}
		n.Children, err = b.jobs(ns, uid)
	case *corev1.Service:
		b.service(n, o)
	case *corev1.Pod:
		setPod(n, o)
	default:
		// a custom resource kdeck has no rules for (an Argo Rollout, say): what it owns is
		// most likely replica sets, as for a deployment; the built-in kinds left (config
		// maps, service accounts …) own none
		if g := obj.ref.GVR.Group; ns != "" && strings.Contains(g, ".") && !strings.HasSuffix(g, ".k8s.io") {
			n.Children, err = b.replicaSets(ns, nil, uid)
		}
	}
	if err != nil {
		n.Err = err.Error()
	}
	return n
}

// workload is the status of a controller of pods: ready of desired, and its rollout.
func workload(ready, desired int32, phase kube.RolloutPhase, rollout string) (string, Health) {
	s := fmt.Sprintf("%d/%d ready", ready, desired)
	if rollout != "" {
		s += ", " + rollout
	}
	switch {
	case phase == kube.RolloutStalled:
		return s, HealthBad
	case ready < desired || phase != kube.RolloutDone:
		return s, HealthPending
	}
	return s, HealthOK
}

// setJob sets a job's status from its row.
func setJob(n *Node, j *batchv1.Job) {
	r := kube.JobRow(j)
	n.Status = r.Status + " " + r.Completions
	switch r.Phase {
	case kube.JobComplete:
		n.Health = HealthOK
	case kube.JobFailed:
		n.Health = HealthBad
	default:
		n.Health = HealthPending
	}
}

// replicaSets are the replica sets in ns matching selector (nil: every one) that uid
// controls, newest first: the current one on top, the old ones kept for undo below it.
func (b *builder) replicaSets(ns string, selector *metav1.LabelSelector, uid types.UID) ([]*Node, error) {
	opts, err := listOptions(selector)
	if err != nil {
		return nil, err
	}
	list, err := b.cs.AppsV1().ReplicaSets(ns).List(b.ctx, opts)
	if err != nil {
		return nil, kube.Classify(err, "list", "replicasets", ns)
	}
	var out []*Node
	for i := range list.Items {
		if rs := &list.Items[i]; controlledBy(rs, uid) {
			out = append(out, b.node(&object{ref: ref(kube.GVRReplicaSets, rs), kind: "ReplicaSet", meta: rs, typed: rs}))
		}
	}
	slices.SortStableFunc(out, func(a, b *Node) int { return b.Created.Compare(a.Created) })
	return out, nil
}

// jobs are the jobs in ns that uid controls, newest first.
func (b *builder) jobs(ns string, uid types.UID) ([]*Node, error) {
	list, err := b.cs.BatchV1().Jobs(ns).List(b.ctx, metav1.ListOptions{})
	if err != nil {
		return nil, kube.Classify(err, "list", "jobs", ns)
	}
	var out []*Node
	for i := range list.Items {
		if j := &list.Items[i]; controlledBy(j, uid) {
			out = append(out, b.node(&object{ref: ref(kube.GVRJobs, j), kind: "Job", meta: j, typed: j}))
		}
	}
	slices.SortStableFunc(out, func(a, b *Node) int { return b.Created.Compare(a.Created) })
	return out, nil
}

// pods are the pods in ns matching selector that uid controls, by name.
func (b *builder) pods(ns string, selector *metav1.LabelSelector, uid types.UID) ([]*Node, error) {
	if selector == nil {
		return nil, nil // a controller without a selector selects nothing
	}
	opts, err := listOptions(selector)
	if err != nil {
		return nil, err
	}
	list, err := b.cs.CoreV1().Pods(ns).List(b.ctx, opts)
	if err != nil {
		return nil, kube.Classify(err, "list", "pods", ns)
	}
	var out []*Node
	for i := range list.Items {
		if p := &list.Items[i]; controlledBy(p, uid) {
			out = append(out, podNode(p))
		}
	}
	slices.SortFunc(out, func(a, b *Node) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// service sets a service's status and children: its endpoint slices, each with the pods
// its endpoints point at.
func (b *builder) service(n *Node, svc *corev1.Service) {
	n.Health = HealthOK
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		n.Status = "ExternalName " + svc.Spec.ExternalName
		return
	}
	ns := svc.Namespace
	slicesList, err := b.cs.DiscoveryV1().EndpointSlices(ns).List(b.ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + svc.Name})
	if err != nil {
		n.Err = kube.Classify(err, "list", "endpointslices", ns).Error()
		return
	}
	pods := map[string]*corev1.Pod{}
	if len(svc.Spec.Selector) > 0 {
		list, err := b.cs.CoreV1().Pods(ns).List(b.ctx, metav1.ListOptions{LabelSelector: metav1.FormatLabelSelector(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector})})
		if err != nil {
			n.Err = kube.Classify(err, "list", "pods", ns).Error()
		} else {
			for i := range list.Items {
				pods[list.Items[i].Name] = &list.Items[i]
			}
		}
	}
	var ready, total int
	for i := range slicesList.Items {
		s := &slicesList.Items[i]
		sn := &Node{Ref: ref(kube.GVREndpointSlices, s), Kind: "EndpointSlice", Name: s.Name, Created: s.CreationTimestamp.Time, uid: s.UID}
		r := 0
		for _, e := range s.Endpoints {
			if e.Conditions.Ready == nil || *e.Conditions.Ready {
				r++
			}
			if t := e.TargetRef; t != nil && t.Kind == "Pod" {
				if p, ok := pods[t.Name]; ok {
					sn.Children = append(sn.Children, podNode(p))
				} else {
					sn.Children = append(sn.Children, &Node{Ref: kube.ObjectRef{GVR: kube.GVRPods, Namespace: ns, Name: t.Name},
						Kind: "Pod", Name: t.Name, Status: "not selected by the service", Health: HealthPending, uid: t.UID})
				}
			}
		}
		sn.Status, sn.Health = fmt.Sprintf("%d/%d ready", r, len(s.Endpoints)), HealthOK
		if r < len(s.Endpoints) {
			sn.Health = HealthPending
		}
		ready, total = ready+r, total+len(s.Endpoints)
		n.Children = append(n.Children, sn)
	}
	slices.SortFunc(n.Children, func(a, b *Node) int { return cmp.Compare(a.Name, b.Name) })
	n.Status = fmt.Sprintf("%s, %d/%d endpoints ready", svc.Spec.Type, ready, total)
	if ready == 0 && len(svc.Spec.Selector) > 0 {
		n.Health = HealthBad
	}
}

// podNode is a pod's node with its containers.
func podNode(p *corev1.Pod) *Node {
	n := &Node{Ref: ref(kube.GVRPods, p), Kind: "Pod", Name: p.Name, Created: p.CreationTimestamp.Time, uid: p.UID}
	setPod(n, p)
	return n
}

// setPod sets a pod's status, kubectl's word with ready containers and restarts, and its
// containers as children: init containers first, then the app containers, then ephemeral ones.
func setPod(n *Node, p *corev1.Pod) {
	r := kube.PodRow(p)
	n.Status = fmt.Sprintf("%s %d/%d", r.Status, r.Ready, r.Containers)
	if r.Restarts > 0 {
		n.Status += fmt.Sprintf(", %d restarts", r.Restarts)
	}
	switch {
	case r.Status == "Completed" || r.Status == "Running" && r.Ready == r.Containers:
		n.Health = HealthOK
	case r.Status == "Running" || r.Status == "Pending" || r.Status == "ContainerCreating" ||
		r.Status == "PodInitializing" || r.Status == "Terminating" || strings.HasPrefix(r.Status, "Init:"):
		n.Health = HealthPending
	default:
		n.Health = HealthBad
	}
	status := map[string]corev1.ContainerStatus{}
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses, p.Status.EphemeralContainerStatuses} {
		for _, s := range list {
			status[s.Name] = s
		}
	}
	add := func(name, role string) {
		s, ok := status[name]
		c := &Node{Ref: n.Ref, Kind: KindContainer, Name: name, Role: role}
		c.Status, c.Health = containerState(s, ok)
		n.Children = append(n.Children, c)
	}
	for _, c := range p.Spec.InitContainers {
		role := "init"
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			role = "sidecar"
		}
		add(c.Name, role)
	}
	for _, c := range p.Spec.Containers {
		add(c.Name, "")
	}
	for _, c := range p.Spec.EphemeralContainers {
		add(c.Name, "ephemeral")
	}
}

// badWaiting are the waiting reasons that mean a container will not start by itself.
var badWaiting = []string{"CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
	"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}

// containerState is a container's state in a few words; ok is false before the kubelet
// has reported on it.
func containerState(s corev1.ContainerStatus, ok bool) (string, Health) {
	restarts := ""
	if s.RestartCount > 0 {
		restarts = fmt.Sprintf(", %d restarts", s.RestartCount)
	}
	switch st := s.State; {
	case !ok:
		return "Waiting", HealthPending
	case st.Running != nil && s.Ready:
		return "Running" + restarts, HealthOK
	case st.Running != nil:
		return "Running, not ready" + restarts, HealthPending
	case st.Terminated != nil:
		text := fmt.Sprintf("%s (exit %d)%s", cmp.Or(st.Terminated.Reason, "Terminated"), st.Terminated.ExitCode, restarts)
		if st.Terminated.ExitCode != 0 {
			return text, HealthBad
		}
		return text, HealthOK
	case st.Waiting != nil && slices.Contains(badWaiting, st.Waiting.Reason):
		return st.Waiting.Reason + restarts, HealthBad
	case st.Waiting != nil:
		return cmp.Or(st.Waiting.Reason, "Waiting") + restarts, HealthPending
	}
	return "Waiting", HealthPending
}

// listOptions lists the objects selector matches.
func listOptions(selector *metav1.LabelSelector) (metav1.ListOptions, error) {
	if selector == nil {
		return metav1.ListOptions{}, nil
	}
	s, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return metav1.ListOptions{}, &kube.Error{Kind: kube.KindInvalid, Err: fmt.Errorf("bad selector: %w", err)}
	}
	return metav1.ListOptions{LabelSelector: s.String()}, nil
}

// controlledBy reports whether uid is obj's controller.
func controlledBy(obj metav1.Object, uid types.UID) bool {
	c := metav1.GetControllerOfNoCopy(obj)
	return c != nil && c.UID == uid
}

// ref is the reference of obj, an object of gvr.
func ref(gvr schema.GroupVersionResource, obj metav1.Object) kube.ObjectRef {
	return kube.ObjectRef{GVR: gvr, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}
