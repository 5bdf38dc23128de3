// Command seed fills a cluster with the objects of a small made-up company (a shop, its
// payments, an internal platform and monitoring), in every state kdeck should show well:
// healthy, mid-rollout, unschedulable and crash-looping deployments, services with and
// without endpoints, HPAs that scale, sit at their maximum or lack metrics, secrets of
// every common type, ingresses behind TLS certificates (fine, expiring, missing), a
// volume bound to the claim prometheus mounts beside a claim left Pending, and a
// disruption budget that blocks draining a node ledger runs on. It is meant for the kwok testbed (hack/testbed.sh): pods tolerate the
// kwok taint and carry kwok's usage annotations. With --helm (the testbed's helm binary) it
// also installs the testbed chart as Helm releases: shop with three revisions, billing with
// a failed upgrade and search left pending-upgrade (see hack/helmseed).
//
//	go run ./hack/seed --kubeconfig FILE [--helm "$(hack/testbed.sh build)/helm"]
//
// Re-running it updates what exists; it never fails on AlreadyExists, and leaves releases
// already in their seeded state alone.
package main

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kdeck/kdeck/hack/helmseed"
	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster to seed")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up after this long")
	helm := flag.String("helm", "", "helm binary to install the Helm releases with (none: no releases)")
	chart := flag.String("chart", helmseed.ChartDir("."), "the testbed chart's directory")
	flag.Parse()
	if *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "seed: --kubeconfig (or KUBECONFIG) is required")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	s, err := newSeeder(*kubeconfig)
	if err == nil {
		err = s.run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
	fmt.Printf("seeded %d namespaces, %d deployments, %d services, %d hpas, %d secrets, %d configmaps, %d cronjobs, %d jobs, %d poddisruptionbudgets, %d daemonsets, %d statefulsets, %d ingresses, %d persistentvolumeclaims, %d persistentvolumes (%d created, %d updated; usage spread over %d pods) in %.1fs\n",
		s.count.namespaces.Load(), s.count.deployments.Load(), s.count.services.Load(), s.count.hpas.Load(),
		s.count.secrets.Load(), s.count.configMaps.Load(), s.count.cronJobs.Load(), s.count.jobs.Load(), s.count.budgets.Load(), s.count.daemonSets.Load(), s.count.statefulSets.Load(),
		s.count.ingresses.Load(), s.count.claims.Load(), s.count.volumes.Load(), s.count.created.Load(), s.count.updated.Load(),
		s.count.pods.Load(), time.Since(start).Seconds())
	if *helm == "" {
		return
	}
	start = time.Now()
	err = helmseed.Seed(ctx, helmseed.Config{Helm: *helm, Kubeconfig: *kubeconfig, Chart: *chart}, helmseed.Demo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed: helm releases:", err)
		os.Exit(1)
	}
	var rels []string
	for _, r := range helmseed.Releases(helmseed.Demo) {
		rels = append(rels, fmt.Sprintf("%s/%s (%d revisions, %s)", r.Namespace, r.Name, r.Revisions, r.Status))
	}
	fmt.Printf("seeded helm releases %s in %.1fs\n", strings.Join(rels, ", "), time.Since(start).Seconds())
}

// seeder holds the client and what it has written so far.
type seeder struct {
	cs    kubernetes.Interface
	count struct {
		namespaces, deployments, services, hpas, secrets, configMaps, cronJobs, jobs, budgets, daemonSets, statefulSets, ingresses, claims, volumes, pods, created, updated atomic.Int32
	}
}

func newSeeder(kubeconfig string) (*seeder, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	cfg.QPS, cfg.Burst = 1000, 2000
	cfg.UserAgent = "kdeck-seed"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &seeder{cs: cs}, nil
}

// run writes namespaces first, then everything else concurrently.
func (s *seeder) run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, ns := range namespaces() {
		g.Go(func() error {
			return done(put(gctx, s, "namespace", s.cs.CoreV1().Namespaces(), ns, nil, &s.count.namespaces))
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}

	tls, err := tlsSecret("payments", "payments-tls", "payments.example.com",
		[]string{"payments.example.com", "api.payments.example.com", "payments-api.payments.svc.cluster.local"},
		20*24*time.Hour)
	if err != nil {
		return err
	}
	shopTLS, err := tlsSecret("shop", "shop-tls", "shop.example.com", []string{"shop.example.com"}, 60*24*time.Hour)
	if err != nil {
		return err
	}
	pvs, pvcs := volumes()
	g, gctx = errgroup.WithContext(ctx)
	for _, d := range deployments() {
		g.Go(func() error { return s.putDeployment(gctx, d) })
	}
	g.Go(func() error { return s.rollout(gctx, checkout()) })
	for _, svc := range services() {
		g.Go(func() error {
			return done(put(gctx, s, "service", s.cs.CoreV1().Services(svc.Namespace), svc, keepAllocated, &s.count.services))
		})
	}
	for _, h := range hpas() {
		g.Go(func() error {
			return done(put(gctx, s, "hpa", s.cs.AutoscalingV2().HorizontalPodAutoscalers(h.Namespace), h, nil, &s.count.hpas))
		})
	}
	for _, in := range ingresses() {
		g.Go(func() error {
			return done(put(gctx, s, "ingress", s.cs.NetworkingV1().Ingresses(in.Namespace), in, nil, &s.count.ingresses))
		})
	}
	for _, pv := range pvs { // a bound volume's spec is the binder's (its claimRef)
		g.Go(func() error {
			return done(put(gctx, s, "persistentvolume", s.cs.CoreV1().PersistentVolumes(), pv,
				func(live, obj *corev1.PersistentVolume) { obj.Spec = live.Spec }, &s.count.volumes))
		})
	}
	for _, pvc := range pvcs { // a claim's spec is immutable once made
		g.Go(func() error {
			return done(put(gctx, s, "persistentvolumeclaim", s.cs.CoreV1().PersistentVolumeClaims(pvc.Namespace), pvc,
				func(live, obj *corev1.PersistentVolumeClaim) { obj.Spec = live.Spec }, &s.count.claims))
		})
	}
	for _, sec := range append(secrets(), tls, shopTLS) {
		g.Go(func() error {
			return done(put(gctx, s, "secret", s.cs.CoreV1().Secrets(sec.Namespace), sec, nil, &s.count.secrets))
		})
	}
	for _, cj := range cronJobs() {
		g.Go(func() error {
			return done(put(gctx, s, "cronjob", s.cs.BatchV1().CronJobs(cj.Namespace), cj, nil, &s.count.cronJobs))
		})
	}
	for _, b := range budgets() {
		g.Go(func() error {
			return done(put(gctx, s, "poddisruptionbudget", s.cs.PolicyV1().PodDisruptionBudgets(b.Namespace), b, nil, &s.count.budgets))
		})
	}
	for _, j := range jobs() {
		g.Go(func() error { // a job's spec is the server's once made (selector, template labels)
			return done(put(gctx, s, "job", s.cs.BatchV1().Jobs(j.Namespace), j, func(live, obj *batchv1.Job) { obj.Spec = live.Spec }, &s.count.jobs))
		})
	}
	for _, ds := range daemonSets() {
		g.Go(func() error {
			return done(put(gctx, s, "daemonset", s.cs.AppsV1().DaemonSets(ds.Namespace), ds, nil, &s.count.daemonSets))
		})
	}
	for _, sts := range statefulSets() {
		g.Go(func() error {
			return done(put(gctx, s, "statefulset", s.cs.AppsV1().StatefulSets(sts.Namespace), sts, nil, &s.count.statefulSets))
		})
	}
	for _, cm := range configMaps() {
		g.Go(func() error {
			return done(put(gctx, s, "configmap", s.cs.CoreV1().ConfigMaps(cm.Namespace), cm, nil, &s.count.configMaps))
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return s.spreadUsage(ctx)
}

// spreadUsage gives each pod its own emulated usage, within about a quarter of what its
// Deployment's template says, so that pods of one Deployment do not all show the same
// numbers. It waits a few seconds for the pods to exist; pods made later (an HPA scaling
// up) keep the template's values. The spread is a hash of the pod name, so re-runs agree.
func (s *seeder) spreadUsage(ctx context.Context) error {
	apps := map[string]app{}
	want := map[string]int{}
	for _, a := range slices.Concat(company, []app{checkoutApp}) {
		apps[a.ns+"/"+a.name] = a
		want[a.ns] += int(a.replicas)
	}
	pods := map[string][]corev1.Pod{}
	for deadline := time.Now().Add(5 * time.Second); ; {
		ready := true
		for _, ns := range namespaceNames {
			list, err := s.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return fmt.Errorf("list pods in %s: %w", ns, err)
			}
			pods[ns] = list.Items
			ready = ready && len(list.Items) >= want[ns]
		}
		if ready || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	g, gctx := errgroup.WithContext(ctx)
	for ns, list := range pods {
		for _, p := range list {
			a, ok := apps[ns+"/"+deploymentOf(p.Name)]
			if !ok {
				continue
			}
			cpu := scaleQuantity(a.useCPU, spread(p.Name, "cpu", 0.25), true)
			f := spread(p.Name, "mem", 0.15)
			if a.mem != "" { // stay under the memory limit (= request), as a live pod does
				limit, use := resource.MustParse(a.mem), resource.MustParse(a.useMem)
				f = min(f, 0.97*float64(limit.Value())/float64(use.Value()))
			}
			mem := scaleQuantity(a.useMem, f, false)
			if p.Annotations[annoUsageCPU] == cpu && p.Annotations[annoUsageMemory] == mem {
				continue
			}
			patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q,%q:%q}}}`, annoUsageCPU, cpu, annoUsageMemory, mem)
			g.Go(func() error {
				_, err := s.cs.CoreV1().Pods(ns).Patch(gctx, p.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
				if apierrors.IsNotFound(err) {
					return nil
				}
				if err == nil {
					s.count.pods.Add(1)
				}
				return err
			})
		}
	}
	return g.Wait()
}

// deploymentOf is the Deployment part of a pod name: name-<replicaset hash>-<suffix>.
func deploymentOf(pod string) string {
	parts := strings.Split(pod, "-")
	if len(parts) < 3 {
		return ""
	}
	return strings.Join(parts[:len(parts)-2], "-")
}

// spread maps a pod name to a factor in [1-width, 1+width].
func spread(pod, salt string, width float64) float64 {
	h := fnv.New32a()
	h.Write([]byte(salt + "/" + pod))
	return 1 - width + 2*width*float64(h.Sum32()%1001)/1000
}

// scaleQuantity multiplies q by f and prints it in millicores or Mi.
func scaleQuantity(q string, f float64, cpu bool) string {
	v := resource.MustParse(q)
	if cpu {
		return fmt.Sprintf("%dm", max(1, int64(float64(v.MilliValue())*f)))
	}
	return fmt.Sprintf("%dMi", max(1, int64(float64(v.Value())*f)>>20))
}

// object is what every typed API object pointer satisfies.
type object interface {
	metav1.Object
	runtime.Object
}

// client is the slice of a typed client-go resource interface that put needs.
type client[T object] interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
	Get(context.Context, string, metav1.GetOptions) (T, error)
	Update(context.Context, T, metav1.UpdateOptions) (T, error)
}

// put creates obj, or replaces the existing object with it, keeping annotations others
// added (a Deployment's revision). merge, when set, copies into obj what else must survive
// from the live object (allocated IPs, replicas owned by an HPA).
func put[T object](ctx context.Context, s *seeder, kind string, c client[T], obj T, merge func(live, obj T), n *atomic.Int32) (T, error) {
	id := kind + " " + obj.GetNamespace() + "/" + obj.GetName()
	got, err := c.Create(ctx, obj, metav1.CreateOptions{})
	if err == nil {
		s.count.created.Add(1)
		n.Add(1)
		return got, nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return got, fmt.Errorf("create %s: %w", id, err)
	}
	for attempt := 0; ; attempt++ {
		live, err := c.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			return live, fmt.Errorf("get %s: %w", id, err)
		}
		obj.SetResourceVersion(live.GetResourceVersion())
		if ann := obj.GetAnnotations(); len(live.GetAnnotations()) > 0 {
			if ann == nil {
				ann = map[string]string{}
			}
			for k, v := range live.GetAnnotations() {
				if _, ok := ann[k]; !ok {
					ann[k] = v
				}
			}
			obj.SetAnnotations(ann)
		}
		if merge != nil {
			merge(live, obj)
		}
		got, err = c.Update(ctx, obj, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) && attempt < 5 {
			continue
		}
		if err != nil {
			return got, fmt.Errorf("update %s: %w", id, err)
		}
		s.count.updated.Add(1)
		n.Add(1)
		return got, nil
	}
}

// done drops put's result for callers that only need the error.
func done[T any](_ T, err error) error { return err }

// keepAllocated keeps the cluster IPs and node ports the apiserver allocated.
func keepAllocated(live, obj *corev1.Service) {
	obj.Spec.ClusterIP, obj.Spec.ClusterIPs = live.Spec.ClusterIP, live.Spec.ClusterIPs
	obj.Spec.IPFamilies, obj.Spec.IPFamilyPolicy = live.Spec.IPFamilies, live.Spec.IPFamilyPolicy
	for i := range obj.Spec.Ports {
		for _, lp := range live.Spec.Ports {
			if lp.Name == obj.Spec.Ports[i].Name && obj.Spec.Ports[i].NodePort == 0 {
				obj.Spec.Ports[i].NodePort = lp.NodePort
			}
		}
	}
}

// putDeployment writes d; when an HPA owns its scale, the live replica count is kept.
func (s *seeder) putDeployment(ctx context.Context, d *appsv1.Deployment) error {
	return done(put(ctx, s, "deployment", s.cs.AppsV1().Deployments(d.Namespace), d, func(live, obj *appsv1.Deployment) {
		if hpaTargets[obj.Namespace+"/"+obj.Name] {
			obj.Spec.Replicas = live.Spec.Replicas
		}
	}, &s.count.deployments))
}

// rollout keeps checkout mid-rollout: the first run creates it on the old version, lets the
// pods come up, then moves it to the new version, which minReadySeconds makes slow. Later
// runs leave a rollout in flight alone and start the next one when the last has finished.
func (s *seeder) rollout(ctx context.Context, d *appsv1.Deployment) error {
	c := s.cs.AppsV1().Deployments(d.Namespace)
	oldImage, newImage := d.Spec.Template.Spec.Containers[0].Image, checkoutNext
	live, err := c.Get(ctx, d.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		first := d.DeepCopy()
		first.Spec.MinReadySeconds = 0
		first.Annotations = map[string]string{"kubernetes.io/change-cause": "ci: deploy " + oldImage}
		if _, err := put(ctx, s, "deployment", c, first, nil, &s.count.deployments); err != nil {
			return err
		}
		s.count.deployments.Add(-1) // counted once, below
		waitAvailable(ctx, c, d.Name, *d.Spec.Replicas, 20*time.Second)
		d.Spec.Template.Spec.Containers[0].Image = newImage
	case err != nil:
		return fmt.Errorf("get deployment %s/%s: %w", d.Namespace, d.Name, err)
	default:
		image := live.Spec.Template.Spec.Containers[0].Image
		if rolledOut(live) {
			if image == newImage {
				image = oldImage
			} else {
				image = newImage
			}
		}
		d.Spec.Template.Spec.Containers[0].Image = image
	}
	d.Annotations = map[string]string{"kubernetes.io/change-cause": "ci: deploy " + d.Spec.Template.Spec.Containers[0].Image}
	_, err = put(ctx, s, "deployment", c, d, nil, &s.count.deployments)
	return err
}

// rolledOut reports whether d's latest rollout has finished.
func rolledOut(d *appsv1.Deployment) bool {
	st, want := d.Status, int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	return st.ObservedGeneration >= d.Generation && st.UpdatedReplicas == want &&
		st.Replicas == want && st.AvailableReplicas == want
}

// waitAvailable polls until deployment name has n available replicas or the wait ends.
func waitAvailable(ctx context.Context, c client[*appsv1.Deployment], name string, n int32, wait time.Duration) {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		d, err := c.Get(ctx, name, metav1.GetOptions{})
		if err == nil && d.Status.ObservedGeneration >= d.Generation && d.Status.AvailableReplicas >= n {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
