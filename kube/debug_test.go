package kube

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// debugPod is shop/web-1 with containers app and proxy, running.
func debugPod() *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-1", ResourceVersion: "7"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "web:2"}, {Name: "proxy", Image: "envoy:1"}}}}
}

func TestDebuggerName(t *testing.T) {
	a, b := DebuggerName(), DebuggerName()
	if !regexp.MustCompile(`^debugger-[a-z0-9]{5}$`).MatchString(a) || a == b {
		t.Errorf("names %q and %q", a, b)
	}
}

// The container kdeck adds is the one `kubectl debug -it --image=IMAGE --target=TARGET`
// adds: a TTY and stdin for the attach, the target's process namespace, pulled if missing.
func TestDebugContainer(t *testing.T) {
	ec := DebugContainer("debugger-abcde", "busybox:1.36", "app")
	if ec.Name != "debugger-abcde" || ec.Image != "busybox:1.36" || ec.TargetContainerName != "app" ||
		!ec.TTY || !ec.Stdin || ec.StdinOnce || ec.ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("container %+v", ec)
	}
}

// Debug reads the pod and updates its ephemeralcontainers subresource with the container
// added (and nothing else); the mutation is the update of that subresource.
func TestDebug(t *testing.T) {
	cs := fake.NewClientset(debugPod())
	c := &Client{Clientset: cs}
	m := c.Debug("shop", "web-1", DebugContainer("debugger-abcde", "busybox:1.36", "proxy"))
	want := Access{Verb: "update", GVR: GVRPods, Subresource: "ephemeralcontainers", Namespace: "shop"}
	if m.Access != want || m.Name != "web-1" || m.Summary != "add debug container debugger-abcde (image busybox:1.36, target proxy)" {
		t.Fatalf("mutation %+v", m)
	}
	if DebugAccess("shop")[0] != want {
		t.Errorf("DebugAccess does not name the update first: %v", DebugAccess("shop"))
	}
	if err := c.Apply(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	acts := cs.Actions()
	if len(acts) != 2 || acts[0].GetVerb() != "get" || acts[1].GetVerb() != "update" || acts[1].GetSubresource() != "ephemeralcontainers" {
		t.Fatalf("requests %v", acts)
	}
	sent := acts[1].(k8stesting.UpdateAction).GetObject().(*corev1.Pod)
	if sent.ResourceVersion != "7" || len(sent.Spec.EphemeralContainers) != 1 || len(sent.Spec.Containers) != 2 {
		t.Fatalf("update sent %+v", sent.Spec)
	}
	if got := sent.Spec.EphemeralContainers[0]; got.Name != "debugger-abcde" || got.TargetContainerName != "proxy" || got.Image != "busybox:1.36" {
		t.Errorf("ephemeral container %+v", got)
	}
	// the same name again is refused before any update
	before := len(cs.Actions())
	err := c.Apply(context.Background(), c.Debug("shop", "web-1", DebugContainer("debugger-abcde", "busybox:1.36", "app")))
	if err == nil || !strings.Contains(err.Error(), "already has an ephemeral container debugger-abcde") {
		t.Errorf("second debugger of that name: %v", err)
	}
	for _, a := range cs.Actions()[before:] {
		if a.GetVerb() != "get" {
			t.Errorf("a refused debugger sent %s %s", a.GetVerb(), a.GetSubresource())
		}
	}
	if err := c.Apply(context.Background(), c.Debug("shop", "gone", DebugContainer("debugger-x", "busybox", "app"))); KindOf(err) != KindNotFound {
		t.Errorf("debug of a missing pod: %v", err)
	}
}

// In read-only mode neither the debug container nor an attach sends a request.
func TestDebugReadOnly(t *testing.T) {
	cs := fake.NewClientset(debugPod())
	c := &Client{Clientset: cs, Policy: Policy{ReadOnly: true}}
	if err := c.Apply(context.Background(), c.Debug("shop", "web-1", DebugContainer("debugger-abcde", DebugImage, "app"))); KindOf(err) != KindReadOnly {
		t.Errorf("read-only debug: %v", err)
	}
	if err := c.Attach("shop", "web-1", "debugger-abcde").Run(); KindOf(err) != KindReadOnly {
		t.Errorf("read-only attach: %v", err)
	}
	if n := len(cs.Actions()); n != 0 {
		t.Errorf("read-only mode sent %d requests", n)
	}
}

// An attach is the attach subresource with stdin and a TTY, audited as one.
func TestAttach(t *testing.T) {
	s := (&Client{}).Attach("shop", "web-1", "debugger-abcde")
	o, ok := s.options.(*corev1.PodAttachOptions)
	if !ok || o.Container != "debugger-abcde" || !o.Stdin || !o.Stdout || !o.TTY || o.Stderr {
		t.Errorf("options %+v", s.options)
	}
	if s.access != AttachAccess("shop") || s.access.Subresource != "attach" || s.summary != "attach to container debugger-abcde" {
		t.Errorf("access %+v, summary %q", s.access, s.summary)
	}
	if DebugAccess("shop")[2] != AttachAccess("shop") {
		t.Errorf("DebugAccess lacks the attach: %v", DebugAccess("shop"))
	}
}

// withEphemeralStatus makes cs answer reads of shop/web-1 with the pod reporting state for
// debugger-abcde after the first read (none at first, as right after the update).
func withEphemeralStatus(cs *fake.Clientset, state corev1.ContainerState) {
	reads := 0
	cs.PrependReactor("get", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		reads++
		p := debugPod()
		p.Spec.EphemeralContainers = []corev1.EphemeralContainer{DebugContainer("debugger-abcde", DebugImage, "app")}
		if reads > 1 {
			p.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "debugger-abcde", State: state}}
		}
		return true, p, nil
	})
}

// WaitEphemeral returns once the container runs, at once with the reason when it cannot
// start or has ended, and names the last state it saw when it gives up.
func TestWaitEphemeral(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state corev1.ContainerState
		want  string // "" for success
	}{
		{"running", corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}, ""},
		{"pull error", corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull",
			Message: `failed to pull image "busybox:nope": not found`}},
			`debugger-abcde cannot start: ErrImagePull: failed to pull image "busybox:nope": not found`},
		{"ended", corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 127}},
			"debugger-abcde has ended: Error (exit 127)"},
		{"still creating", corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}},
			"debugger-abcde did not start in time (waiting: ContainerCreating)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset()
			withEphemeralStatus(cs, tc.state)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			start := time.Now()
			err := (&Client{Clientset: cs}).WaitEphemeral(ctx, "shop", "web-1", "debugger-abcde")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("error %v, want %q", err, tc.want)
			case tc.name != "still creating" && time.Since(start) > 2*time.Second:
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
	t.Run("gone", func(t *testing.T) {
		err := (&Client{Clientset: fake.NewClientset()}).WaitEphemeral(context.Background(), "shop", "web-1", "debugger-abcde")
		if KindOf(err) != KindNotFound {
			t.Errorf("pod gone: %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(700*time.Millisecond, cancel)
		cs := fake.NewClientset(debugPod())
		err := (&Client{Clientset: cs}).WaitEphemeral(ctx, "shop", "web-1", "debugger-abcde")
		if err == nil || err.Error() != "stopped waiting for debugger-abcde (no status reported yet)" {
			t.Errorf("cancelled: %v", err)
		}
	})
}

func TestValidateImage(t *testing.T) {
	for in, want := range map[string]string{
		"busybox:1.36": "", "ghcr.io/acme/tools@sha256:" + strings.Repeat("ab", 32): "", "localhost:5000/debug": "",
		"":         "empty",
		"busy box": "spaces", "BusyBox:1": "not a valid image reference", "busybox:": "not a valid image reference",
		"busybox@sha256:12": "not a valid image reference",
	} {
		err := ValidateImage(in)
		if (err == nil) != (want == "") || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("ValidateImage(%q) = %v, want %q", in, err, want)
		}
	}
}
