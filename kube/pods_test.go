package kube

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// podStatusCase is a pod and the status, restarts and ready count its row must show.
type podStatusCase struct {
	name     string
	pod      corev1.Pod
	status   string
	restarts int32
	ready    int16
}

// crashFinished is when the crash-looping pod of podStatusCases last terminated.
var crashFinished = metav1.NewTime(time.Date(2026, 11, 23, 11, 59, 0, 0, time.UTC))

// podStatusCases covers each rule of podStatus; every pod has one container per status.
func podStatusCases() []podStatusCase {
	finished := crashFinished
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	waiting := func(r string) corev1.ContainerState {
		return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: r}}
	}
	terminated := func(reason string, code int32, signal int32) corev1.ContainerState {
		return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: code, Signal: signal}}
	}
	cases := []podStatusCase{
		{"pending, unscheduled", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending}}, "Pending", 0, 0},
		{"running and ready", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning,
			ContainerStatuses: []corev1.ContainerStatus{{Ready: true, State: running}}}}, "Running", 0, 1},
		{"crash loop with restarts", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning,
			ContainerStatuses: []corev1.ContainerStatus{{State: waiting("CrashLoopBackOff"), RestartCount: 7,
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, FinishedAt: finished}}}}}},
			"CrashLoopBackOff", 7, 0},
		{"image pull", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending,
			ContainerStatuses: []corev1.ContainerStatus{{State: waiting("ImagePullBackOff")}}}}, "ImagePullBackOff", 0, 0},
		{"terminated by signal", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed,
			ContainerStatuses: []corev1.ContainerStatus{{State: terminated("", 137, 9)}}}}, "Signal:9", 0, 0},
		{"terminated with exit code", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed,
			ContainerStatuses: []corev1.ContainerStatus{{State: terminated("", 3, 0)}}}}, "ExitCode:3", 0, 0},
		{"completed job", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodSucceeded,
			ContainerStatuses: []corev1.ContainerStatus{{State: terminated("Completed", 0, 0)}}}}, "Completed", 0, 0},
		{"init container waiting", corev1.Pod{
			Spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: "a"}, {Name: "b"}}},
			Status: corev1.PodStatus{Phase: corev1.PodPending, InitContainerStatuses: []corev1.ContainerStatus{
				{Name: "a", State: terminated("Completed", 0, 0)}, {Name: "b", State: waiting("PodInitializing")}}}},
			"Init:1/2", 0, 0},
		{"init container failing", corev1.Pod{
			Spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: "a"}}},
			Status: corev1.PodStatus{Phase: corev1.PodPending, InitContainerStatuses: []corev1.ContainerStatus{
				{Name: "a", State: waiting("CrashLoopBackOff"), RestartCount: 3}}}},
			"Init:CrashLoopBackOff", 3, 0},
		{"running sidecar does not block", corev1.Pod{
			Spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: "proxy", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning,
				InitContainerStatuses: []corev1.ContainerStatus{{Name: "proxy", Started: ptr.To(true), State: running}},
				ContainerStatuses:     []corev1.ContainerStatus{{Ready: true, State: running}}}},
			"Running", 0, 1},
		{"being deleted", corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &finished},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Ready: true, State: running}}}},
			"Terminating", 0, 1},
		{"evicted", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted"}}, "Evicted", 0, 0},
	}
	for i := range cases {
		cases[i].pod.Spec.Containers = make([]corev1.Container, max(1, len(cases[i].pod.Status.ContainerStatuses)))
	}
	return cases
}

func TestPodStatus(t *testing.T) {
	cases := podStatusCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := PodRow(&tc.pod)
			if r.Status != tc.status || r.Restarts != tc.restarts || r.Ready != tc.ready {
				t.Errorf("got status %q restarts %d ready %d; want %q %d %d", r.Status, r.Restarts, r.Ready, tc.status, tc.restarts, tc.ready)
			}
		})
	}
	crash := cases[2].pod
	if r := PodRow(&crash); !r.LastRestart.Equal(crashFinished.Time) {
		t.Errorf("last restart %v, want %v", r.LastRestart, crashFinished.Time)
	}
}
