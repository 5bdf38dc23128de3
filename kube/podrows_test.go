package kube

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
)

// fullPod is a pod as a Deployment's ReplicaSet and the kubelet leave it: every field a row
// reads is set, beside the many it does not (managed fields, labels, env, probes, volumes).
func fullPod(name string) *corev1.Pod {
	created := metav1.NewTime(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	finished := metav1.NewTime(time.Date(2026, 11, 23, 11, 30, 0, 0, time.UTC))
	q := resource.MustParse
	res := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m"), corev1.ResourceMemory: q("128Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: q("500m"), corev1.ResourceMemory: q("256Mi")},
	}
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: "payments-prod", UID: "0b4a6c1e-1111-2222-3333-444455556666",
			ResourceVersion: "123456", GenerateName: "api-7c9f8d6b5-", CreationTimestamp: created,
			Labels:          map[string]string{"app": "api", "pod-template-hash": "7c9f8d6b5", "tier": "backend"},
			Annotations:     map[string]string{"prometheus.io/scrape": "true", "checksum/config": strings.Repeat("ab", 32)},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "api-7c9f8d6b5", UID: "u", Controller: ptr.To(true)}},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate,
				APIVersion: "v1", FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:labels":{}}}`)}}},
		},
		Spec: corev1.PodSpec{
			NodeName: "kwok-node-3",
			InitContainers: []corev1.Container{
				{Name: "migrate", Image: "registry.example.com/api:1.2.3", Resources: res},
				{Name: "proxy", Image: "envoyproxy/envoy:v1.31.2", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways), Resources: res},
			},
			Containers: []corev1.Container{
				{Name: "app", Image: "registry.example.com/api:1.2.3", Resources: res, ReadinessProbe: probe, LivenessProbe: probe,
					Ports:        []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					Env:          []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}},
					VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/app"}}},
				{Name: "worker", Image: "registry.example.com/worker:1.2.3",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: q("50m")}}},
			},
			Volumes:     []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "api"}}}}},
			Tolerations: []corev1.Toleration{{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists}},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning, PodIP: "10.64.3.17", HostIP: "172.20.0.13", StartTime: &created,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", Message: "containers with unready status: [worker]"},
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
			},
			InitContainerStatuses: []corev1.ContainerStatus{
				{Name: "migrate", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}},
				{Name: "proxy", Started: ptr.To(true), Ready: true, RestartCount: 1, Image: "envoyproxy/envoy:v1.31.2",
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: created}}},
			},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "app", Ready: true, Started: ptr.To(true), RestartCount: 2, Image: "registry.example.com/api:1.2.3", ImageID: "sha256:abc",
					ContainerID: "containerd://0123", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: created}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled", FinishedAt: finished}}},
				{Name: "worker", RestartCount: 5,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 5m0s restarting failed container"}}},
			},
		},
	}
}

// encodeProtobuf encodes obj as the API server does for Accept: application/vnd.kubernetes.protobuf.
func encodeProtobuf(t testing.TB, obj runtime.Object) []byte {
	t.Helper()
	info, _ := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	var b bytes.Buffer
	if err := scheme.Codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion).Encode(obj, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rowDecoder is the decoder PodRowsClient's clients decode protobuf answers with.
func rowDecoder() runtime.Decoder {
	info, _ := runtime.SerializerInfoForMediaType(podRowCodecs{scheme.Codecs.WithoutConversion()}.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	return info.Serializer
}

// fullDecoder is the protobuf decoder every other client uses.
func fullDecoder() runtime.Decoder {
	info, _ := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	return info.Serializer
}

// rowPods are pods that exercise every field a row is computed from.
func rowPods() []*corev1.Pod {
	pods := []*corev1.Pod{fullPod("api-7c9f8d6b5-x2k4p")}
	deleting := fullPod("api-7c9f8d6b5-q9w8e")
	deleting.DeletionTimestamp = ptr.To(metav1.NewTime(time.Date(2026, 11, 23, 11, 59, 0, 0, time.UTC)))
	deleting.Status.Reason = "NodeLost"
	podLevel := fullPod("api-7c9f8d6b5-r5t6y")
	podLevel.Spec.Resources = &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}}
	completed := fullPod("api-7c9f8d6b5-c0mp1")
	completed.Status.ContainerStatuses[1].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}
	completed.Status.Conditions[0].Status = corev1.ConditionTrue
	pods = append(pods, deleting, podLevel, completed, unscheduledPod())
	for _, tc := range podStatusCases() {
		p := tc.pod
		p.Name, p.Namespace = strings.ReplaceAll(tc.name, " ", "-"), "default"
		pods = append(pods, &p)
	}
	return pods
}

// unscheduledPod is a pod the scheduler found no node for.
func unscheduledPod() *corev1.Pod {
	p := fullPod("api-7c9f8d6b5-p3nd1")
	p.Spec.NodeName, p.Status.PodIP = "", ""
	p.Status.Phase, p.Status.InitContainerStatuses, p.Status.ContainerStatuses = corev1.PodPending, nil, nil
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
		Message: "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector."}}
	return p
}

// The fields triage reads: when deletion was asked for, the scheduler's reason and why the
// last restarted container ended, read alike from protobuf and from a decoded Pod.
func TestPodRowTriageFields(t *testing.T) {
	deleting := fullPod("api-7c9f8d6b5-q9w8e")
	deleted := time.Date(2026, 11, 23, 11, 59, 0, 0, time.UTC)
	deleting.DeletionTimestamp = ptr.To(metav1.NewTime(deleted))
	for _, c := range []struct {
		pod                   *corev1.Pod
		deleted               time.Time
		unscheduled, lastExit string
	}{
		{fullPod("api-7c9f8d6b5-x2k4p"), time.Time{}, "", "OOMKilled"},
		{deleting, deleted, "", "OOMKilled"},
		{unscheduledPod(), time.Time{}, "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector.", ""},
	} {
		obj, _, err := rowDecoder().Decode(encodeProtobuf(t, c.pod), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for how, r := range map[string]*Pod{"protobuf": obj.(*podRowObject).row, "PodRow": PodRow(c.pod)} {
			if !r.Deleted.Equal(c.deleted) || r.Unscheduled != c.unscheduled || r.LastExit != c.lastExit {
				t.Errorf("%s, from %s: deleted %v, unscheduled %q, last exit %q; want %v, %q, %q", c.pod.Name, how,
					r.Deleted, r.Unscheduled, r.LastExit, c.deleted, c.unscheduled, c.lastExit)
			}
		}
	}
}

func TestPodRowDecoderMatchesPodRow(t *testing.T) {
	for _, p := range rowPods() {
		t.Run(p.Name, func(t *testing.T) {
			data := encodeProtobuf(t, p)
			full, _, err := fullDecoder().Decode(data, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			obj, _, err := rowDecoder().Decode(data, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := obj.(*podRowObject)
			if !ok {
				t.Fatalf("decoded a %T, want a row", obj)
			}
			if want := PodRow(full.(*corev1.Pod)); !reflect.DeepEqual(got.row, want) {
				t.Errorf("row read from protobuf:\n%+v\nwant (from the decoded Pod)\n%+v", got.row, want)
			}
			if got.Namespace != p.Namespace || got.Name != p.Name || got.ResourceVersion != p.ResourceVersion {
				t.Errorf("metadata %s/%s rv %q, want %s/%s rv %q", got.Namespace, got.Name, got.ResourceVersion, p.Namespace, p.Name, p.ResourceVersion)
			}
		})
	}
}

func TestPodSourceConvertsRowsAndPods(t *testing.T) {
	src := PodSource(fake.NewClientset().CoreV1(), "")
	p := fullPod("api")
	obj, _, err := rowDecoder().Decode(encodeProtobuf(t, p), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromRow, ok1 := src.Convert(obj)
	fromPod, ok2 := src.Convert(p)
	if !ok1 || !ok2 || fromRow.Name != "api" || fromRow.Status != fromPod.Status || fromRow.ReqLim != fromPod.ReqLim {
		t.Errorf("rows differ: %+v (%v) from the decoder, %+v (%v) from the Pod", fromRow, ok1, fromPod, ok2)
	}
	if _, ok := src.Convert(&corev1.Service{}); ok {
		t.Error("a Service converted to a pod row")
	}
}

func TestPodRowDecoderLeavesListsGetsBookmarksAndStatuses(t *testing.T) {
	list := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "99", Continue: "next"}, Items: []corev1.Pod{*fullPod("a")}}
	obj, _, err := rowDecoder().Decode(encodeProtobuf(t, list), nil, nil)
	if l, ok := obj.(*corev1.PodList); err != nil || !ok || l.Continue != "next" || len(l.Items) != 1 || len(l.Items[0].Labels) == 0 {
		t.Errorf("a list decoded to %T (%v)", obj, err)
	}
	into := &corev1.Pod{}
	if obj, _, err := rowDecoder().Decode(encodeProtobuf(t, fullPod("b")), nil, into); err != nil || obj != into || into.Spec.Containers[0].Image == "" {
		t.Errorf("a get into a Pod decoded to %T (%v)", obj, err)
	}
	bookmark := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "77",
		Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}}
	obj, _, err = rowDecoder().Decode(encodeProtobuf(t, bookmark), nil, nil)
	if b, ok := obj.(*corev1.Pod); err != nil || !ok || b.ResourceVersion != "77" || b.Annotations[metav1.InitialEventsAnnotationKey] != "true" {
		t.Errorf("a bookmark decoded to %+v (%v)", obj, err)
	}
	status := &metav1.Status{Status: metav1.StatusFailure, Reason: metav1.StatusReasonExpired, Code: 410}
	if obj, _, err := rowDecoder().Decode(encodeProtobuf(t, status), nil, nil); err != nil {
		t.Errorf("a Status: %v", err)
	} else if s, ok := obj.(*metav1.Status); !ok || s.Code != 410 {
		t.Errorf("a Status decoded to %+v", obj)
	}
}

func TestPodRowDecoderRefusesDamagedPods(t *testing.T) {
	data := encodeProtobuf(t, fullPod("api"))
	for _, cut := range []int{len(data) - 1, len(data) / 2, len(protobufMagic) + 3} {
		if _, _, err := rowDecoder().Decode(data[:cut], nil, nil); err == nil {
			t.Errorf("a pod cut at %d of %d bytes decoded without error", cut, len(data))
		}
	}
	pod := fullPod("api")
	pod.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.Quantity{}
	damaged := bytes.Replace(encodeProtobuf(t, pod), []byte("128Mi"), []byte("128Mx"), 1)
	if _, _, err := rowDecoder().Decode(damaged, nil, nil); err == nil || !strings.Contains(err.Error(), "128Mx") {
		t.Errorf("a bad quantity: %v", err)
	}
}

func BenchmarkDecodePodForRow(b *testing.B) {
	data := encodeProtobuf(b, fullPod("api-7c9f8d6b5-x2k4p"))
	full, row := fullDecoder(), rowDecoder()
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obj, _, err := full.Decode(data, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			_ = PodRow(obj.(*corev1.Pod))
		}
	})
	b.Run("row", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := row.Decode(data, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
