//go:build e2e

package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	metrics "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/kdeck/kdeck/kube"
)

// metricsPod is a kwok pod requesting 100m CPU and 128Mi whose emulated usage is 90m and
// 100Mi (kwok's usage-from-annotation, scraped by the real metrics-server).
func metricsPod(ns, name string) *corev1.Pod {
	p := kwokPod(ns, name)
	p.Annotations = map[string]string{"kwok.x-k8s.io/usage-cpu": "90m", "kwok.x-k8s.io/usage-memory": "100Mi"}
	p.Spec.Containers[0].Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
	}
	return p
}

// metricsServed reports, once, how long after now metrics-server first lists pod ns/name
// (asked every 500 ms through the metrics API, as kubectl top does).
func metricsServed(t *testing.T, ns, name string) <-chan time.Duration {
	cfg, err := clientcmd.BuildConfigFromFlags("", testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	mcs, err := metrics.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan time.Duration, 1)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	go func() {
		for ctx.Err() == nil {
			if _, err := mcs.MetricsV1beta1().PodMetricses(ns).Get(ctx, name, metav1.GetOptions{}); err == nil {
				out <- time.Since(start)
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
	}()
	return out
}

// A pod using 90m of its 100m request shows 90m and 90% in the pods view once
// metrics-server has scraped it; Enter opens its containers with the same numbers and the
// pod's requests and limits, and follows a change of usage; esc goes back to the pods.
func TestMetricsPodsAndContainers(t *testing.T) {
	ns := newNamespace(t)
	if _, err := testbed.clientset.CoreV1().Pods(ns).Create(ctx(t), metricsPod(ns, "busy"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	start := time.Now()
	served := metricsServed(t, ns, "busy")
	term := StartKdeck(t, 200, 30, "-n", ns)
	term.WaitText("busy", 10*time.Second)
	// the first poll comes before metrics-server has scraped the new pod: n/a, not zero
	term.WaitText("n/a", 10*time.Second)
	took := term.WaitFor("90m and 90% on the busy row", 150*time.Second, func(s string) bool {
		l := lineWith(s, "busy")
		return strings.Contains(l, " 90m ") && strings.Contains(l, " 90% ")
	})
	shown := time.Since(start)
	select {
	case at := <-served:
		lag := shown - at
		t.Logf("metrics-server first listed the pod %s after it was created; kdeck showed it %s later (on screen %s after kdeck started)",
			at.Round(time.Millisecond), lag.Round(time.Millisecond), took.Round(time.Millisecond))
		if lag > kube.DefaultMetricsInterval+3*time.Second {
			t.Errorf("kdeck showed metrics %s after metrics-server had them: more than one poll interval", lag)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("kdeck shows metrics that metrics-server does not list")
	}
	row := lineWith(term.Screen(), "busy")
	// 100Mi of 128Mi requested = 78%; of the 200m / 256Mi limits: 45% and 39%
	for _, want := range []string{"100Mi", "78%", "45%", "39%"} {
		if !strings.Contains(row, want) {
			t.Errorf("pods row lacks %q: %q", want, row)
		}
	}

	term.Send("Enter")
	term.WaitText("containers("+ns+"/busy)[1]", 5*time.Second)
	term.WaitText("requests cpu 100m mem 128Mi · limits cpu 200m mem 256Mi", 5*time.Second)
	term.WaitFor("container app with 90m", 10*time.Second, func(s string) bool {
		return strings.Contains(lineWith(s, "registry.example.com/app:1.0"), " 90m ")
	})
	screen := term.Screen()
	app := lineWith(screen, "registry.example.com/app:1.0")
	for _, want := range []string{"running", "90%", "45%", "100Mi", "78%", "39%"} {
		if !strings.Contains(app, want) {
			t.Errorf("containers row lacks %q: %q", want, app)
		}
	}
	if !regexp.MustCompile(`[▁▂▃▄▅▆▇█]`).MatchString(app) {
		t.Errorf("no CPU sparkline on the app row: %q", app)
	}
	if !strings.Contains(screen, "using cpu 90m (90% of req)") {
		t.Errorf("pod usage line missing:\n%s", screen)
	}

	// usage rises to 150m: the open containers view follows within a scrape and a poll
	patch := []byte(`{"metadata":{"annotations":{"kwok.x-k8s.io/usage-cpu":"150m"}}}`)
	if _, err := testbed.clientset.CoreV1().Pods(ns).Patch(ctx(t), "busy", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatalf("patch usage: %v", err)
	}
	took = term.WaitFor("150m and 150% on the app row", 90*time.Second, func(s string) bool {
		l := lineWith(s, "registry.example.com/app:1.0")
		return strings.Contains(l, " 150m ") && strings.Contains(l, " 150% ")
	})
	t.Logf("usage change on screen %s after the patch", took)

	term.Send("Escape")
	term.WaitText("pods("+ns+")[1]", 3*time.Second)
	if l := lineWith(term.Screen(), "busy"); !strings.Contains(l, " 150m ") {
		t.Errorf("back on the pods view, the numbers are not current: %q", l)
	}
}

// On a cluster whose metrics API is not installed (its APIService deleted), usage columns
// say n/a, the status line says why, and the rest of the view works.
func TestMetricsNotInstalled(t *testing.T) {
	name := "kdeck-e2e-nometrics"
	kubeconfig, cs := startCluster(t, name)
	if out, err := testbedCmd("kubectl", name, "delete", "apiservice", "v1beta1.metrics.k8s.io"); err != nil {
		t.Fatalf("delete apiservice: %v: %s", err, out)
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx(t), metricsPod("default", "busy"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-n", "default")
	term.WaitText("metrics API not installed", 20*time.Second)
	term.WaitText("Running", 30*time.Second)
	screen := term.Screen()
	row := lineWith(screen, "busy")
	if strings.Count(row, "n/a") != 6 {
		t.Errorf("a pod row must show n/a in its six usage columns: %q\n%s", row, screen)
	}
	term.Send("Enter")
	term.WaitText("containers(", 5*time.Second)
	term.WaitText("metrics API not installed", 5*time.Second)
	term.Send("Escape")
	term.WaitText("pods(default)[1]", 3*time.Second)
}
