//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// newNamespace creates a namespace for one test and deletes it afterwards.
func newNamespace(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("e2e-%s-%d", strings.ToLower(sanitize(t.Name())), time.Now().UnixNano()%100000)
	name = strings.ReplaceAll(name, "_", "-")
	_, err := testbed.clientset.CoreV1().Namespaces().Create(ctx(t),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() {
		_ = testbed.clientset.CoreV1().Namespaces().Delete(ctx(t), name, metav1.DeleteOptions{})
	})
	return name
}

// runPod creates pod and waits until it runs.
func runPod(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	pods := testbed.clientset.CoreV1().Pods(pod.Namespace)
	if _, err := pods.Create(ctx(t), pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	eventually(t, "pod "+pod.Namespace+"/"+pod.Name+" running", 30*time.Second, func() bool {
		p, err := pods.Get(ctx(t), pod.Name, metav1.GetOptions{})
		return err == nil && p.Status.Phase == "Running"
	})
}

// kwokPod is a pod that the testbed's emulated nodes run.
func kwokPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "registry.example.com/app:1.0",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")}}}},
			Tolerations:  []corev1.Toleration{{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
			NodeSelector: map[string]string{"type": "kwok"},
		},
	}
}

// A pod created in the cluster is on screen within 2 s and leaves it within 2 s of its deletion.
func TestPodAppearsAndDisappears(t *testing.T) {
	ns := newNamespace(t)
	term := StartKdeck(t, 120, 30, "-n", ns)
	term.WaitText("pods("+ns+")[0]", 10*time.Second)
	term.WaitText("live", 10*time.Second)

	pods := testbed.clientset.CoreV1().Pods(ns)
	if _, err := pods.Create(ctx(t), kwokPod(ns, "hello-e2e"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	took := term.WaitText("hello-e2e", 2*time.Second)
	t.Logf("pod on screen %s after create", took)
	term.WaitText("Running", 30*time.Second)

	if err := pods.Delete(ctx(t), "hello-e2e", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatalf("delete pod: %v", err)
	}
	took = term.WaitGone("hello-e2e", 2*time.Second)
	t.Logf("pod gone from screen %s after delete", took)
	if _, err := pods.Get(ctx(t), "hello-e2e", metav1.GetOptions{}); err == nil {
		t.Fatalf("the pod left the screen but still exists in the cluster")
	}
	term.WaitText("pods("+ns+")[0]", 2*time.Second)
}

// The header shows where kdeck is connected, ? shows help and q quits.
func TestHeaderHelpQuit(t *testing.T) {
	term := StartKdeck(t, 160, 30, "-A")
	term.WaitText("pods(all)", 10*time.Second)
	screen := term.Screen()
	for _, want := range []string{"ctx ", "cluster ", "user ", "k8s v1.37.2", "ns all", "connected"} {
		if !strings.Contains(screen, want) {
			t.Errorf("header lacks %q:\n%s", want, screen)
		}
	}
	term.Send("?")
	term.WaitText("first row", 2*time.Second)
	term.Send("Escape")
	term.WaitGone("first row", 2*time.Second)
	term.Send("q")
	term.WaitGone("pods(all)", 3*time.Second)
}
