//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// patch sends a merge patch (a strategic one for a deployment) of the object kind ns/name.
func patch(t *testing.T, kind, ns, name, body string) {
	t.Helper()
	cs, p, opts := testbed.clientset, []byte(body), metav1.PatchOptions{}
	var err error
	switch kind {
	case "node":
		_, err = cs.CoreV1().Nodes().Patch(ctx(t), name, types.MergePatchType, p, opts)
	case "deployment":
		_, err = cs.AppsV1().Deployments(ns).Patch(ctx(t), name, types.StrategicMergePatchType, p, opts)
	case "hpa":
		_, err = cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Patch(ctx(t), name, types.MergePatchType, p, opts)
	default:
		t.Fatalf("patch of a %s", kind)
	}
	if err != nil {
		t.Fatalf("patch %s %s/%s with %s: %v", kind, ns, name, body, err)
	}
}

// `kdeck --triage` on a namespace with one of each problem: a crash loop, a pod the
// scheduler has no node for (with its reason), an HPA pinned at its max, a cordoned node, a
// certificate expiring in 5 days and a stalled rollout. Each row appears, enter on one
// opens its object's view, and each clears once fixed, while the view stays live.
func TestTriage(t *testing.T) {
	ns := newNamespace(t)
	cs := testbed.clientset
	nodes, err := cs.CoreV1().Nodes().List(ctx(t), metav1.ListOptions{LabelSelector: "type=kwok"})
	if err != nil || len(nodes.Items) < 2 {
		t.Fatalf("want two kwok nodes: %v", err)
	}
	cordoned, spare := nodes.Items[0].Name, nodes.Items[1].Name
	t.Cleanup(func() {
		patch(t, "node", "", cordoned, `{"spec":{"unschedulable":null}}`)
		patch(t, "node", "", spare, `{"metadata":{"labels":{"kdeck.dev/triage":null}}}`)
	})

	// a rollout that will stall: running first, then a template whose pods no node takes (a
	// template whose pods crash is no stall on kwok: each new pod runs a few seconds first,
	// which counts as progress)
	web := kwokDeployment(ns, "web", 1)
	web.Spec.ProgressDeadlineSeconds = ptr.To[int32](10)
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx(t), web, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "web available", time.Minute, func() bool { return deployment(t, ns, "web").Status.AvailableReplicas == 1 })

	term := StartKdeck(t, 200, 50, "-n", ns, "--triage")
	title := "problems(" + ns + ")["
	term.WaitText(title, 15*time.Second)

	crash := kwokPod(ns, "crash")
	crash.Labels["kdeck.dev/chaos"] = "crashloop"
	pending := kwokPod(ns, "pending")
	pending.Spec.NodeSelector["kdeck.dev/triage"] = ns
	for _, p := range []*corev1.Pod{crash, pending} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx(t), p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	busy := kwokDeployment(ns, "busy", 1)
	busy.Spec.Template.Annotations = map[string]string{"kwok.x-k8s.io/usage-cpu": "90m"}
	busy.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("100m")
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx(t), busy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "busy"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "busy"},
			MinReplicas:    ptr.To[int32](1), MaxReplicas: 1,
			Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
				Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50)}}}}}}
	if _, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx(t), hpa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	createTLSSecret(t, ns, "shop-tls", "shop.example", 5*24*time.Hour)
	patch(t, "node", "", cordoned, `{"spec":{"unschedulable":true}}`)
	patch(t, "deployment", ns, "web", `{"spec":{"template":{"spec":{"nodeSelector":{"kdeck.dev/nowhere":"true"}}}}}`)

	start := time.Now()
	for _, row := range [][]string{
		{"critical", "pod/crash", "crash-looping", "restart"},
		{"warning", "pod/pending", "cannot be scheduled: 0/", "node(s) didn't match Pod's node affinity/selector"},
		{"warning", "secret/shop-tls", "certificate expires soon", "expires in 4d"},
		{"notice", "node/" + cordoned, "cordoned: no new pods are scheduled on it"},
		{"critical", "deployment/web", "rollout stalled", "ProgressDeadlineExceeded", "1/1 updated, 1 available"},
		{"warning", "hpa/busy", "At max: cpu at", "of request vs target 50% wants 2 replicas; max is 1, so pinned at 1", "1 replica, min 1, max 1"},
	} {
		term.WaitLine(3*time.Minute, row...)
		t.Logf("%s on screen %s after the cluster was broken", row[1], time.Since(start).Round(time.Second))
	}

	// enter on the first row, the stalled rollout, opens the deployments with the cursor on web
	term.Send("g")
	term.Send("Enter")
	term.WaitText("deployments("+ns+")", 10*time.Second)
	term.WaitLine(5*time.Second, "web", "stalled")
	term.Send("Escape")
	term.WaitText(title, 5*time.Second)

	// the fixes, each clearing its row
	if err := cs.CoreV1().Pods(ns).Delete(ctx(t), "crash", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	patch(t, "node", "", spare, fmt.Sprintf(`{"metadata":{"labels":{"kdeck.dev/triage":%q}}}`, ns))
	renewTLSSecret(t, ns, "shop-tls", "shop.example", 90*24*time.Hour)
	patch(t, "node", "", cordoned, `{"spec":{"unschedulable":false}}`)
	patch(t, "deployment", ns, "web", `{"spec":{"template":{"spec":{"nodeSelector":{"kdeck.dev/nowhere":null}}}}}`)
	patch(t, "hpa", ns, "busy", `{"spec":{"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":200}}}]}}`)
	start = time.Now()
	// (the warning events of the crash loop and the pending pod stay, as events do, for an hour)
	for _, gone := range [][]string{{"pod/crash", "crash-looping"}, {"pod/pending", "cannot be scheduled"}, {"secret/shop-tls"},
		{"node/" + cordoned}, {"deployment/web"}, {"hpa/busy", "At max"}} {
		term.WaitFor(fmt.Sprintf("no line with %q on the live triage", gone), 2*time.Minute, func(s string) bool {
			return strings.Contains(s, title) && strings.Contains(s, "live ·") && lineWith(s, gone...) == ""
		})
		t.Logf("%s gone %s after the fixes", gone[0], time.Since(start).Round(time.Second))
	}
}

// renewTLSSecret replaces the certificate and key of TLS secret ns/name with a new pair
// for cn valid for validFor.
func renewTLSSecret(t *testing.T, ns, name, cn string, validFor time.Duration) {
	t.Helper()
	certPath, keyPath := writePair(t, t.TempDir(), cn, validFor)
	s, err := testbed.clientset.CoreV1().Secrets(ns).Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for key, path := range map[string]string{corev1.TLSCertKey: certPath, corev1.TLSPrivateKeyKey: keyPath} {
		if s.Data[key], err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := testbed.clientset.CoreV1().Secrets(ns).Update(ctx(t), s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
