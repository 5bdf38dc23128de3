//go:build linux

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/utils/ptr"
)

// Labels that mark the benchmark's pods; the index makes creation idempotent.
const (
	benchLabel = "bench.kdeck.dev/pod"
	indexLabel = "bench.kdeck.dev/index"
	revLabel   = "bench.kdeck.dev/rev"
)

// teams × stages give the 50 namespaces pods are spread over; roles name the workloads.
var (
	teams = []string{"payments", "checkout", "cart", "catalog", "search", "recommendations",
		"identity", "notifications", "shipping", "inventory", "pricing", "reviews", "ads",
		"analytics", "billing", "fraud", "gateway", "media", "messaging", "orders", "profile",
		"promotions", "ratings", "reporting", "loyalty"}
	stages = []string{"prod", "staging"}
	roles  = []string{"api", "worker", "web", "consumer", "scheduler", "cache-proxy", "grpc", "exporter"}
)

// namespaces returns the benchmark's 50 namespaces.
func namespaces() []string { return benchNamespaces }

var benchNamespaces = func() []string {
	var out []string
	for _, s := range stages {
		for _, t := range teams {
			out = append(out, t+"-"+s)
		}
	}
	return out
}()

// podID is where pod i lives and what it is called: pods are dealt round-robin over the
// namespaces, then over a namespace's workloads, with ReplicaSet-style names.
type podID struct {
	Namespace, Team, App, Hash, Name string
}

const alphabet = "bcdfghjklmnpqrstvwxz2456789" // the alphabet of Kubernetes' generated names

func idOf(i int) podID {
	nss := namespaces()
	ns := nss[i%len(nss)]
	team := teams[(i%len(nss))%len(teams)]
	app := team + "-" + roles[(i/len(nss))%len(roles)]
	hash := encode(uint64(fnv(ns+"/"+app)), 10)
	// 5 characters of base 27 hold 14M pods; multiplying by a number prime to 27^5 spreads
	// consecutive indexes without collisions.
	suffix := encode(uint64(i)*7919%14348907, 5)
	return podID{Namespace: ns, Team: team, App: app, Hash: hash, Name: app + "-" + hash + "-" + suffix}
}

func encode(v uint64, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[v%uint64(len(alphabet))]
		v /= uint64(len(alphabet))
	}
	return string(b)
}

func fnv(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// podFor builds a realistic pod: two containers with requests and limits, the usual labels
// and annotations, bound to an emulated node so the scheduler is skipped.
func podFor(i int, node string) *corev1.Pod {
	id := idOf(i)
	q := resource.MustParse
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:      id.Name,
			Namespace: id.Namespace,
			Labels: map[string]string{
				"app.kubernetes.io/name":    id.App,
				"app.kubernetes.io/part-of": id.Team,
				"app.kubernetes.io/version": fmt.Sprintf("1.%d.%d", i%7, i%13),
				"pod-template-hash":         id.Hash,
				"tier":                      []string{"frontend", "backend", "data"}[i%3],
				benchLabel:                  "true",
				indexLabel:                  strconv.Itoa(i),
			},
			Annotations: map[string]string{
				"kubectl.kubernetes.io/default-container": "app",
				"prometheus.io/scrape":                    "true",
				"prometheus.io/port":                      "9090",
				"checksum/config":                         encode(uint64(fnv(id.App))*2654435761, 12),
			},
		},
		Spec: corev1.PodSpec{
			NodeName:    node,
			Tolerations: []corev1.Toleration{{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
			Containers: []corev1.Container{
				{
					Name:  "app",
					Image: fmt.Sprintf("registry.example.com/%s/%s:1.%d.%d", id.Team, id.App, i%7, i%13),
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}, {Name: "metrics", ContainerPort: 9090}},
					Env: []corev1.EnvVar{
						{Name: "LOG_LEVEL", Value: "info"},
						{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
					},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m"), corev1.ResourceMemory: q("128Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceCPU: q("500m"), corev1.ResourceMemory: q("256Mi")},
					},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}},
				},
				{
					Name:  "envoy",
					Image: "envoyproxy/envoy:v1.31.2",
					Ports: []corev1.ContainerPort{{Name: "admin", ContainerPort: 15000}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: q("50m"), corev1.ResourceMemory: q("64Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceMemory: q("128Mi")},
					},
				},
			},
		},
	}
}

// runningPatch is the status kwok's pod-ready stage would write, as a merge patch: pods are
// marked Running by the benchmark itself (32 workers) because kwok's 4 workers fall far
// behind on a busy 2-core machine (8,000 of 10,000 pods still Pending after 4 minutes).
func runningPatch(i int, node int, now time.Time) []byte {
	id := idOf(i)
	ts := now.UTC().Format(time.RFC3339)
	ip := fmt.Sprintf("10.%d.%d.%d", 64+node%64, (i/250)%256, 1+i%250)
	hostIP := fmt.Sprintf("172.20.0.%d", 10+node)
	cond := func(t string) string {
		return fmt.Sprintf(`{"type":%q,"status":"True","lastTransitionTime":%q}`, t, ts)
	}
	ctr := func(name, image string) string {
		return fmt.Sprintf(`{"name":%q,"image":%q,"imageID":"","ready":true,"started":true,"restartCount":0,"state":{"running":{"startedAt":%q}}}`, name, image, ts)
	}
	return []byte(fmt.Sprintf(`{"status":{"phase":"Running","hostIP":%q,"hostIPs":[{"ip":%q}],"podIP":%q,"podIPs":[{"ip":%q}],"startTime":%q,`+
		`"conditions":[%s,%s,%s,%s,%s],"containerStatuses":[%s,%s]}}`,
		hostIP, hostIP, ip, ip, ts,
		cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled"),
		ctr("app", fmt.Sprintf("registry.example.com/%s/%s:1.%d.%d", id.Team, id.App, i%7, i%13)), ctr("envoy", "envoyproxy/envoy:v1.31.2")))
}

// markRunning patches the status of the benchmark's Pending pods to Running.
func markRunning(ctx context.Context, cs kubernetes.Interface, nodes []string) error {
	var pending []int
	opts := metav1.ListOptions{Limit: 5000, LabelSelector: benchLabel + "=true", FieldSelector: "status.phase=Pending"}
	for {
		l, err := cs.CoreV1().Pods("").List(ctx, opts)
		if err != nil {
			return fmt.Errorf("listing pending pods: %w", err)
		}
		for _, p := range l.Items {
			if p.DeletionTimestamp != nil {
				continue // going: populate creates it again
			}
			if i, err := strconv.Atoi(p.Labels[indexLabel]); err == nil {
				pending = append(pending, i)
			}
		}
		if l.Continue == "" {
			break
		}
		opts.Continue = l.Continue
	}
	if len(pending) == 0 {
		return nil
	}
	return parallel(ctx, "marking pods Running", len(pending), func(ctx context.Context, k int) error {
		i := pending[k]
		return retry(ctx, func() error { return setRunning(ctx, cs, i, len(nodes)) })
	})
}

// createPod creates pod, or keeps the one of that name already there unless it is being
// deleted: a pod deleted a moment before lingers until the server has finished with it, and
// counting it as created would leave the cluster one pod short once it goes. It then waits
// (up to a minute) for the old pod to go and creates the new one.
func createPod(ctx context.Context, pods typedcorev1.PodInterface, pod *corev1.Pod) error {
	for wait := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		_, err := pods.Create(ctx, pod, metav1.CreateOptions{})
		if !apierrors.IsAlreadyExists(err) {
			return err
		}
		old, gerr := pods.Get(ctx, pod.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(gerr):
			continue // gone meanwhile
		case gerr != nil:
			return gerr
		case old.DeletionTimestamp == nil:
			return nil // already there, and staying
		case time.Since(wait) > time.Minute:
			return fmt.Errorf("pod %s/%s still being deleted after a minute", pod.Namespace, pod.Name)
		}
	}
}

// setRunning marks pod i Running; a pod that is gone is fine.
func setRunning(ctx context.Context, cs kubernetes.Interface, i, nodes int) error {
	id := idOf(i)
	_, err := cs.CoreV1().Pods(id.Namespace).Patch(ctx, id.Name, types.MergePatchType, runningPatch(i, i%nodes, time.Now()), metav1.PatchOptions{}, "status")
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// census is what the cluster holds: every pod, and the benchmark's pods by index.
type census struct {
	total int
	bench map[int]podID
}

// takeCensus lists every pod, a page at a time.
func takeCensus(ctx context.Context, cs kubernetes.Interface) (census, error) {
	c := census{bench: map[int]podID{}}
	opts := metav1.ListOptions{Limit: 5000}
	for {
		l, err := cs.CoreV1().Pods("").List(ctx, opts)
		if err != nil {
			return c, err
		}
		for _, p := range l.Items {
			c.total++
			if p.Labels[benchLabel] != "true" {
				continue
			}
			if p.DeletionTimestamp != nil {
				continue // going: populate creates it again
			}
			if i, err := strconv.Atoi(p.Labels[indexLabel]); err == nil {
				c.bench[i] = podID{Namespace: p.Namespace, Name: p.Name}
			}
		}
		if l.Continue == "" {
			return c, nil
		}
		opts.Continue = l.Continue
	}
}

// ensureNamespaces creates the benchmark's namespaces that are missing.
func ensureNamespaces(ctx context.Context, cs kubernetes.Interface) error {
	for _, ns := range namespaces() {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating namespace %s: %w", ns, err)
		}
	}
	return nil
}

// populate makes the benchmark's pods exactly indexes 0..size-1: it creates the missing ones
// and deletes those beyond size, with 32 workers, reporting progress on stderr.
func populate(ctx context.Context, cs kubernetes.Interface, nodes []string, size int) error {
	c, err := takeCensus(ctx, cs)
	if err != nil {
		return fmt.Errorf("counting pods: %w", err)
	}
	var create []int
	for i := range size {
		if _, ok := c.bench[i]; !ok {
			create = append(create, i)
		}
	}
	var remove []podID
	for i, id := range c.bench {
		if i >= size {
			remove = append(remove, id)
		}
	}
	logf("cluster has %s pods (%s of the benchmark's); creating %s, deleting %s",
		count(c.total), count(len(c.bench)), count(len(create)), count(len(remove)))
	if len(create) > 0 {
		err := parallel(ctx, "creating pods", len(create), func(ctx context.Context, k int) error {
			i := create[k]
			return retry(ctx, func() error {
				if err := createPod(ctx, cs.CoreV1().Pods(idOf(i).Namespace), podFor(i, nodes[i%len(nodes)])); err != nil {
					return err
				}
				return setRunning(ctx, cs, i, len(nodes))
			})
		})
		if err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		err := parallel(ctx, "deleting pods", len(remove), func(ctx context.Context, k int) error {
			id := remove[k]
			return retry(ctx, func() error {
				err := cs.CoreV1().Pods(id.Namespace).Delete(ctx, id.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
				if apierrors.IsNotFound(err) {
					return nil
				}
				return err
			})
		})
		if err != nil {
			return err
		}
	}
	return markRunning(ctx, cs, nodes)
}

// waitRunning waits until no pod is outside phase Running (kwok has caught up).
func waitRunning(ctx context.Context, cs kubernetes.Interface, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		l, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "status.phase!=Running", Limit: 1})
		if err == nil && len(l.Items) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("pods still not running, e.g. %s/%s (%s)", l.Items[0].Namespace, l.Items[0].Name, l.Items[0].Status.Phase)
			}
			return fmt.Errorf("waiting for pods to run: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// parallel runs do for 0..n-1 on 32 workers, logging progress every two seconds.
func parallel(ctx context.Context, what string, n int, do func(ctx context.Context, k int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var done atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				if err := do(ctx, k); err != nil {
					cancel(err)
					return
				}
				done.Add(1)
			}
		}()
	}
	start := time.Now()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				d := done.Load()
				logf("%s: %s/%s (%.0f/s)", what, count(int(d)), count(n), float64(d)/time.Since(start).Seconds())
			}
		}
	}()
feed:
	for k := range n {
		select {
		case next <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(stop)
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	logf("%s: %s done in %s", what, count(n), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// retry runs op up to five times while it fails with a server-side or timeout error.
func retry(ctx context.Context, op func() error) error {
	var err error
	for attempt := range 5 {
		if err = op(); err == nil || ctx.Err() != nil {
			return err
		}
		if !apierrors.IsServerTimeout(err) && !apierrors.IsTimeout(err) && !apierrors.IsTooManyRequests(err) &&
			!apierrors.IsInternalError(err) && !apierrors.IsServiceUnavailable(err) && !apierrors.IsConflict(err) &&
			!apierrors.IsAlreadyExists(err) {
			return err
		}
		time.Sleep(time.Duration(100<<attempt) * time.Millisecond)
	}
	return err
}

// churnStats counts what a churn run did.
type churnStats struct {
	patched, replaced, failed, skipped atomic.Int64
}

// churn changes perMinute pods a minute among indexes 0..size-1 until ctx ends: two in three
// get a label patched, one in three is deleted and created again (a new pod, same name).
func churn(ctx context.Context, cs kubernetes.Interface, nodes []string, size, perMinute int, st *churnStats) {
	t := time.NewTicker(time.Minute / time.Duration(perMinute))
	defer t.Stop()
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	defer wg.Wait()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		i := rand.IntN(size)
		select {
		case sem <- struct{}{}:
		default:
			st.skipped.Add(1) // the server is too slow to keep the rate: count, don't queue
			continue
		}
		wg.Add(1)
		go func(n, i int) {
			defer wg.Done()
			defer func() { <-sem }()
			id := idOf(i)
			pods := cs.CoreV1().Pods(id.Namespace)
			var err error
			if n%3 == 2 {
				// delete and create again run to the end even when churn has just stopped,
				// or the cluster would be left short of pods
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				err = pods.Delete(ctx, id.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
				if err == nil || apierrors.IsNotFound(err) {
					err = retry(ctx, func() error {
						if err := createPod(ctx, pods, podFor(i, nodes[i%len(nodes)])); err != nil {
							return err
						}
						return setRunning(ctx, cs, i, len(nodes))
					})
				}
				if err == nil {
					st.replaced.Add(1)
				}
			} else {
				patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, revLabel, strconv.Itoa(n))
				_, err = pods.Patch(ctx, id.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
				if err == nil {
					st.patched.Add(1)
				}
			}
			if err != nil && ctx.Err() == nil {
				st.failed.Add(1)
			}
		}(n, i)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
