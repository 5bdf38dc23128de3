package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/util/retry"
)

// DebugImage is the image a debug container runs unless the person types another.
const DebugImage = "busybox:1.36"

// DebugStartTimeout bounds the wait for a debug container to start (its image pulled).
const DebugStartTimeout = 2 * time.Minute

// debugPoll is how often WaitEphemeral reads the pod.
const debugPoll = 500 * time.Millisecond

// DebugAccess is every request a debug session makes: the update of the pod's ephemeral
// containers (first, so a refusal names the change), the reads of the pod before it and
// while the container starts, and the attach to it.
func DebugAccess(ns string) []Access {
	return []Access{debugUpdate(ns), {Verb: "get", GVR: GVRPods, Namespace: ns}, AttachAccess(ns)}
}

// debugUpdate is the request that adds the debug container.
func debugUpdate(ns string) Access {
	return Access{Verb: "update", GVR: GVRPods, Subresource: "ephemeralcontainers", Namespace: ns}
}

// DebuggerName is a fresh name for a debug container, "debugger-x7k2p", as kubectl debug
// names its own.
func DebuggerName() string { return "debugger-" + utilrand.String(5) }

// DebugContainer is the ephemeral container Debug adds: image, pulled if not present, with
// a TTY and stdin for the attach, in the process namespace of container target.
func DebugContainer(name, image, target string) corev1.EphemeralContainer {
	return corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: name, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
			Stdin: true, TTY: true, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		},
		TargetContainerName: target,
	}
}

// Debug returns the mutation that adds ec to the ephemeral containers of pod ns/pod, as
// `kubectl debug` does, through the pods/ephemeralcontainers subresource: the pod is read
// and updated with its resourceVersion, read again on a conflict. An ephemeral container
// cannot be removed; it stays in the pod's spec until the pod is deleted.
func (c *Client) Debug(ns, pod string, ec corev1.EphemeralContainer) Mutation {
	summary := fmt.Sprintf("add debug container %s (image %s, target %s)", ec.Name, ec.Image, ec.TargetContainerName)
	return Mutation{Access: debugUpdate(ns), Name: pod, Summary: summary, Do: func(ctx context.Context) error {
		pods := c.Clientset.CoreV1().Pods(ns)
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			p, err := pods.Get(ctx, pod, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if slices.ContainsFunc(p.Spec.EphemeralContainers, func(e corev1.EphemeralContainer) bool { return e.Name == ec.Name }) {
				return fmt.Errorf("pod %s/%s already has an ephemeral container %s", ns, pod, ec.Name)
			}
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, ec)
			_, err = pods.UpdateEphemeralContainers(ctx, pod, p, metav1.UpdateOptions{})
			return err
		})
	}}
}

// startFailures are the waiting reasons of a container that will not start without a
// change: its image cannot be pulled, or the runtime refused to create it.
var startFailures = []string{"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
	"RegistryUnavailable", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"}

// WaitEphemeral reads pod ns/pod every half second until its ephemeral container name
// runs (nil), or cannot: it waits for a reason that will not pass by itself (a failed
// pull: the error names the reason and the kubelet's message), it has ended, or the pod
// is gone. It gives up after DebugStartTimeout, or when ctx ends, naming the last state
// it saw.
func (c *Client) WaitEphemeral(ctx context.Context, ns, pod, name string) error {
	ctx, cancel := context.WithTimeout(ctx, DebugStartTimeout)
	defer cancel()
	last := "no status reported yet"
	for {
		p, err := c.Clientset.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
		if err != nil && ctx.Err() == nil {
			return Classify(err, "get", "pods", ns)
		}
		if err == nil {
			state := ephemeralState(p, name)
			switch {
			case state.Running != nil:
				return nil
			case state.Terminated != nil:
				t := state.Terminated
				return fmt.Errorf("%s has ended: %s (exit %d) %s", name, t.Reason, t.ExitCode, t.Message)
			case state.Waiting != nil && slices.Contains(startFailures, state.Waiting.Reason):
				return fmt.Errorf("%s cannot start: %s: %s", name, state.Waiting.Reason, state.Waiting.Message)
			case state.Waiting != nil:
				last = "waiting: " + state.Waiting.Reason
			}
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%s did not start in time (%s)", name, last)
			}
			return fmt.Errorf("stopped waiting for %s (%s)", name, last)
		case <-time.After(debugPoll):
		}
	}
}

// ephemeralState is the state of p's ephemeral container name; empty while the kubelet
// has reported none.
func ephemeralState(p *corev1.Pod, name string) corev1.ContainerState {
	for _, s := range p.Status.EphemeralContainerStatuses {
		if s.Name == name {
			return s.State
		}
	}
	return corev1.ContainerState{}
}
