//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// On a cluster of its own (a drain moves every pod of a node): `:nodes` lists the nodes
// with their pods; `r` drains the node a web pod runs on, with a bare pod using emptyDir
// beside it. The dialog names that pod as risky; the safe choice leaves it. The web pod's
// eviction is refused by its disruption budget (the page says so, nothing is deleted),
// goes through once the budget allows it, and the pod is replaced on another node. A second
// drain is cancelled while blocked, and `u` uncordons; the cluster is checked after each.
func TestNodesCordonDrainUncordon(t *testing.T) {
	kubeconfig, cs := startCluster(t, fmt.Sprintf("kdeck-e2e-drain-%d", os.Getpid()))
	const ns = "shop"
	if _, err := cs.CoreV1().Namespaces().Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx(t), kwokDeployment(ns, "web", 4), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(4)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	if _, err := cs.PolicyV1().PodDisruptionBudgets(ns).Create(ctx(t), pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var node string
	var webPod corev1.Pod
	eventually(t, "4 web pods running and counted by the budget", 90*time.Second, func() bool {
		pods, err := cs.CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil || len(pods.Items) != 4 {
			return false
		}
		for _, p := range pods.Items {
			if p.Status.Phase != corev1.PodRunning {
				return false
			}
		}
		webPod, node = pods.Items[0], pods.Items[0].Spec.NodeName
		b, err := cs.PolicyV1().PodDisruptionBudgets(ns).Get(ctx(t), "web", metav1.GetOptions{})
		return err == nil && b.Status.CurrentHealthy == 4
	})
	scratch := kwokPod(ns, "scratch")
	scratch.Spec.NodeName = node
	scratch.Spec.Volumes = []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx(t), scratch, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-c", "nodes")
	term.WaitLine(60*time.Second, node, "Ready", "2/110") // web and scratch
	term.Send("/")
	term.Send(strings.Split(node, "")...)
	term.Send("Enter")
	term.WaitText("[1 of 4] /"+node, 5*time.Second)

	term.Send("r")
	term.WaitText("Drain node "+node, 10*time.Second)
	term.WaitText(ns+"/scratch: emptyDir data is lost; no controller recreates it", 5*time.Second)
	term.WaitText("evict the safe ones (1); leave these (1)", 5*time.Second)
	if n := getNode(t, cs, node); n.Spec.Unschedulable {
		t.Fatal("the node was cordoned before the drain was confirmed")
	}
	term.Send("Enter") // the first choice: the safe ones
	term.WaitText("drain("+node+")", 10*time.Second)
	term.WaitLine(20*time.Second, ns+"/"+webPod.Name, "blocked", "The disruption budget web needs 4 healthy pods")
	term.WaitLine(5*time.Second, ns+"/scratch", "left", "not confirmed")
	if n := getNode(t, cs, node); !n.Spec.Unschedulable {
		t.Fatal("draining, but the node is not cordoned")
	}
	if _, err := cs.CoreV1().Pods(ns).Get(ctx(t), webPod.Name, metav1.GetOptions{}); err != nil {
		t.Fatalf("a pod the budget protects is gone: %v", err)
	}

	setMinAvailable(t, cs, ns, 3)
	term.WaitLine(30*time.Second, ns+"/"+webPod.Name, "gone")
	term.WaitText("1 of 2 pods not evicted; the node stays cordoned", 10*time.Second)
	if _, err := cs.CoreV1().Pods(ns).Get(ctx(t), webPod.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the evicted pod is still there: %v", err)
	}
	if _, err := cs.CoreV1().Pods(ns).Get(ctx(t), "scratch", metav1.GetOptions{}); err != nil {
		t.Fatalf("the pod left out of the drain is gone: %v", err)
	}
	eventually(t, "web back at 4 pods, none on the cordoned node", 60*time.Second, func() bool {
		pods, err := cs.CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil || len(pods.Items) != 4 {
			return false
		}
		for _, p := range pods.Items {
			if p.Spec.NodeName == node || p.Status.Phase != corev1.PodRunning {
				return false
			}
		}
		return true
	})

	// a drain of another node, blocked and then cancelled: nothing deleted, node cordoned
	setMinAvailable(t, cs, ns, 4)
	eventually(t, "the budget allows no disruption", 30*time.Second, func() bool {
		b, err := cs.PolicyV1().PodDisruptionBudgets(ns).Get(ctx(t), "web", metav1.GetOptions{})
		return err == nil && b.Status.DisruptionsAllowed == 0 && b.Status.CurrentHealthy == 4
	})
	pods, err := cs.CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	second := pods.Items[0]
	term.Send("Escape", "Escape") // the drain page, then the filter
	term.WaitText("nodes(all)[4]", 5*time.Second)
	term.Send("/")
	term.Send(strings.Split(second.Spec.NodeName, "")...)
	term.Send("Enter")
	term.WaitText("[1 of 4] /"+second.Spec.NodeName, 5*time.Second)
	term.Send("r")
	term.WaitText("Drain node "+second.Spec.NodeName, 10*time.Second)
	term.Send("y")
	term.WaitLine(20*time.Second, ns+"/"+second.Name, "blocked")
	term.Send("c")
	term.WaitLine(10*time.Second, ns+"/"+second.Name, "left", "cancelled")
	term.WaitText("pods not evicted (cancelled)", 10*time.Second)
	if got, err := cs.CoreV1().Pods(ns).Get(ctx(t), second.Name, metav1.GetOptions{}); err != nil || got.UID != second.UID {
		t.Fatalf("a cancelled drain removed pod %s: %v", second.Name, err)
	}
	if n := getNode(t, cs, second.Spec.NodeName); !n.Spec.Unschedulable {
		t.Fatal("a cancelled drain uncordoned the node")
	}

	term.Send("Escape")
	term.WaitText("nodes(all)[1 of 4]", 5*time.Second)
	term.WaitLine(10*time.Second, second.Spec.NodeName, "Ready,SchedulingDisabled")
	term.Send("u")
	term.WaitText("Uncordon node "+second.Spec.NodeName, 10*time.Second)
	term.Send("Enter")
	term.WaitText("✓ patch nodes "+second.Spec.NodeName+": uncordon", 10*time.Second)
	eventually(t, "the node schedulable again", 10*time.Second, func() bool {
		return !getNode(t, cs, second.Spec.NodeName).Spec.Unschedulable
	})

	var verbs []string
	for _, e := range auditEntries(t, term) {
		verbs = append(verbs, e["verb"]+" "+e["name"]+" "+e["result"])
	}
	want := []string{"drain " + node + " started", "drain " + node + " error",
		"drain " + second.Spec.NodeName + " started", "drain " + second.Spec.NodeName + " error",
		"patch " + second.Spec.NodeName + " ok"}
	if strings.Join(verbs, "|") != strings.Join(want, "|") {
		t.Fatalf("audit log:\n got %v\nwant %v", verbs, want)
	}
}

// getNode reads a node from the cluster.
func getNode(t *testing.T, cs kubernetes.Interface, name string) *corev1.Node {
	t.Helper()
	n, err := cs.CoreV1().Nodes().Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// setMinAvailable sets the web budget's minAvailable.
func setMinAvailable(t *testing.T, cs kubernetes.Interface, ns string, n int) {
	t.Helper()
	patch := fmt.Sprintf(`{"spec":{"minAvailable":%d}}`, n)
	if _, err := cs.PolicyV1().PodDisruptionBudgets(ns).Patch(ctx(t), "web", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}
