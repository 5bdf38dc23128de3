//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// startTwoContainerPod starts pod name in ns with containers app and sidecar, running.
func startTwoContainerPod(t *testing.T, ns, name string) {
	t.Helper()
	pod := kwokPod(ns, name)
	pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "sidecar", Image: "registry.example.com/proxy:1.0"})
	runPod(t, pod)
}

// ephemeral returns pod ns/name's ephemeral containers and their statuses by name.
func ephemeral(t *testing.T, ns, name string) ([]corev1.EphemeralContainer, map[string]corev1.ContainerState) {
	t.Helper()
	p, err := testbed.clientset.CoreV1().Pods(ns).Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]corev1.ContainerState{}
	for _, s := range p.Status.EphemeralContainerStatuses {
		states[s.Name] = s.State
	}
	return p.Spec.EphemeralContainers, states
}

// appendAttachLine appends text to the file the testbed's kwok serves every attach from
// (see ClusterAttach in hack/testbed/config/kwokctl.yaml), as a container's output line.
func appendAttachLine(t *testing.T, text string) {
	t.Helper()
	path := filepath.Join(filepath.Dir(testbed.kubeconfig), "testbed", "logs", "attach.log")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s stdout F %s\n", time.Now().UTC().Format(time.RFC3339Nano), text); err != nil {
		t.Fatal(err)
	}
}

// `b` on a pod of two containers: pick sidecar, edit the image, confirm. The pod gets an
// ephemeral debugger-xxxxx container with that image and target (and a TTY), kdeck waits
// for it to run (the testbed's kdeck-pod-ephemeral stage starts it) and attaches: the
// container's output reaches the terminal. The update and the attach are audited.
func TestDebugAttach(t *testing.T) {
	ns := newNamespace(t)
	startTwoContainerPod(t, ns, "box")
	term := StartKdeck(t, 120, 30, "-n", ns)
	term.WaitLine(20*time.Second, "box", "2/2", "Running")
	term.Send("b")
	term.WaitText("Share the processes (and files) of which container?", 10*time.Second)
	term.WaitText("› app", 5*time.Second) // the pod's default container
	term.Send("Down", "Enter")
	term.WaitText("container sidecar, then attaches", 5*time.Second)
	term.WaitText("> busybox:1.36", 5*time.Second)
	term.Send("BSpace", "BSpace", "BSpace", "BSpace", "1.37")
	term.WaitText("> busybox:1.37", 5*time.Second)
	term.Send("Enter")
	term.WaitText("If you don't see a command prompt, try pressing enter.", 20*time.Second)

	ecs, states := ephemeral(t, ns, "box")
	if len(ecs) != 1 {
		t.Fatalf("%d ephemeral containers: %+v", len(ecs), ecs)
	}
	ec := ecs[0]
	if !strings.HasPrefix(ec.Name, "debugger-") || len(ec.Name) != len("debugger-xxxxx") || ec.Image != "busybox:1.37" ||
		ec.TargetContainerName != "sidecar" || !ec.TTY || !ec.Stdin || ec.ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("ephemeral container %+v", ec)
	}
	if states[ec.Name].Running == nil {
		t.Errorf("attached before %s ran: %+v", ec.Name, states[ec.Name])
	}
	// kwok follows the file from its end once the stream is up: a line written before that
	// is not sent, so one is written every half second until one arrives
	last := time.Time{}
	term.WaitFor("the container's output", 10*time.Second, func(screen string) bool {
		if time.Since(last) > 500*time.Millisecond {
			appendAttachLine(t, "hello from "+ec.Name)
			last = time.Now()
		}
		return strings.Contains(screen, "hello from "+ec.Name)
	})

	var got []string
	for _, e := range auditEntries(t, term) {
		got = append(got, e["verb"]+" "+e["resource"]+" "+e["name"]+" "+e["result"])
	}
	want := "update pods/ephemeralcontainers box ok, create pods/attach box started"
	if strings.Join(got, ", ") != want {
		t.Errorf("audit log %q, want %q", got, want)
	}
}

// A bad image is refused in the dialog and nothing changes; an image that cannot be
// pulled (the stage's kdeck-unpullable tag) is added, and the wait ends at once with the
// kubelet's reason in the status line, back on the pods view.
func TestDebugBadImage(t *testing.T) {
	ns := newNamespace(t)
	startPod(t, ns, "box", nil, "main")
	term := StartKdeck(t, 160, 30, "-n", ns)
	term.WaitLine(20*time.Second, "box", "1/1", "Running")
	term.Send("b")
	term.WaitText("container main, then attaches", 10*time.Second) // one container: no picker
	term.Send("C-u", "BusyBox!")
	term.WaitText("not a valid image reference", 5*time.Second)
	term.Send("Enter")
	time.Sleep(time.Second)
	term.WaitText("not a valid image reference", time.Second) // still open
	if ecs, _ := ephemeral(t, ns, "box"); len(ecs) != 0 {
		t.Fatalf("a bad image changed the pod: %+v", ecs)
	}

	term.Send("C-u", "busybox:kdeck-unpullable")
	term.WaitGone("not a valid image reference", 5*time.Second)
	term.Send("Enter")
	term.WaitText("cannot start: ErrImagePull: failed to pull and unpack image", 20*time.Second)
	term.WaitGone("╭", 5*time.Second)
	term.WaitLine(5*time.Second, "box", "Running")
	ecs, states := ephemeral(t, ns, "box")
	if len(ecs) != 1 || ecs[0].Image != "busybox:kdeck-unpullable" || ecs[0].TargetContainerName != "main" {
		t.Fatalf("ephemeral containers %+v", ecs)
	}
	if w := states[ecs[0].Name].Waiting; w == nil || w.Reason != "ErrImagePull" {
		t.Errorf("status %+v", states[ecs[0].Name])
	}
}

// In read-only mode b is refused on the pods and the containers views before any dialog,
// and the API server sees no mutating request.
func TestDebugReadOnly(t *testing.T) {
	ns := newNamespace(t)
	startPod(t, ns, "box", nil, "main")
	proxy, kubeconfig := startCountingProxy(t, ns)
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "--readonly")
	term.WaitLine(20*time.Second, "box", "Running")
	requireRefused(t, term, [2]string{"b", "debug: add an ephemeral container sharing a container's processes, attach"})
	term.Send("Enter")
	term.WaitLine(10*time.Second, "main", "running")
	requireRefused(t, term, [2]string{"b", "debug"})
	proxy.requireReadsOnly(t)
	if ecs, _ := ephemeral(t, ns, "box"); len(ecs) != 0 {
		t.Fatalf("read-only mode changed the pod: %+v", ecs)
	}
}
