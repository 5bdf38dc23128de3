package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/rest"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metrics "k8s.io/metrics/pkg/client/clientset/versioned"
)

// metricsAnswer is a PodMetricsList as metrics-server sends it: labels, timestamps, windows
// and two containers per pod, with nanocore CPU.
func metricsAnswer(n int) *metricsv1beta1.PodMetricsList {
	list := &metricsv1beta1.PodMetricsList{
		TypeMeta: metav1.TypeMeta{APIVersion: "metrics.k8s.io/v1beta1", Kind: "PodMetricsList"},
		ListMeta: metav1.ListMeta{ResourceVersion: "42"},
	}
	for i := range n {
		list.Items = append(list.Items, metricsv1beta1.PodMetrics{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: fmt.Sprintf("ns-%d", i%3), Name: fmt.Sprintf("web-%d", i),
				Labels:            map[string]string{"app": "web", "pod-template-hash": "6b7f9c8d7d", "tier": strings.Repeat("x", 40)},
				CreationTimestamp: metav1.NewTime(time.Unix(1700000000, 0)),
			},
			Timestamp: metav1.NewTime(time.Unix(1700000100, 0)),
			Window:    metav1.Duration{Duration: 15 * time.Second},
			Containers: []metricsv1beta1.ContainerMetrics{
				{Name: "app", Usage: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse(fmt.Sprintf("%dn", 89995117+i)),
					corev1.ResourceMemory: resource.MustParse(fmt.Sprintf("%dKi", 102400+i)),
				}},
				{Name: "proxy", Usage: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("5m"),
					corev1.ResourceMemory: resource.MustParse("20Mi"),
				}},
			},
		})
	}
	return list
}

func protobufBytes(t testing.TB, list *metricsv1beta1.PodMetricsList) []byte {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := metricsv1beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := protobuf.NewSerializer(scheme, scheme).Encode(list, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The streaming protobuf reader keeps exactly what a full decode by the API machinery
// keeps, for both encodings metrics APIs answer in.
func TestDecodePodMetricsMatchesFullDecode(t *testing.T) {
	list := metricsAnswer(200)
	want := PodSamples(list.Items)
	if want[7].Key != (Key{Namespace: "ns-1", Name: "web-7"}) || want[7].Containers[0] != (ContainerSample{"app", Sample{CPU: 90, MemKi: 102407}}) ||
		want[7].Containers[1] != (ContainerSample{"proxy", Sample{CPU: 5, MemKi: 20 << 10}}) {
		t.Fatalf("reference decode: %+v", want[7])
	}
	pb := protobufBytes(t, list)
	js, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"protobuf": pb, "json": js} {
		got, err := decodePodMetrics(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: decoded %d pods, first %+v; want %d, first %+v", name, len(got), got[0], len(want), want[0])
		}
	}
	empty, err := decodePodMetrics(bytes.NewReader(protobufBytes(t, metricsAnswer(0))))
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty list: %v, %v", empty, err)
	}
}

// A cut or corrupt answer is an error, never a partial list taken as the whole.
func TestDecodePodMetricsRejectsDamage(t *testing.T) {
	pb := protobufBytes(t, metricsAnswer(20))
	for name, body := range map[string][]byte{
		"empty":        nil,
		"cut":          pb[:len(pb)-7],
		"cut in magic": pb[:2],
		"bad json":     []byte(`{"items": [`),
		"bad varint":   append(append([]byte{}, pb[:4]...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	} {
		if got, err := decodePodMetrics(bytes.NewReader(body)); err == nil {
			t.Errorf("%s: no error, %d pods", name, len(got))
		}
	}
}

// The lister asks for protobuf at the namespaced path and passes API errors through, so
// a missing metrics API still reads as "not installed".
func TestMetricsListerAsksForProtobuf(t *testing.T) {
	pb := protobufBytes(t, metricsAnswer(3))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods" &&
			strings.HasPrefix(r.Header.Get("Accept"), "application/vnd.kubernetes.protobuf"):
			w.Header().Set("Content-Type", "application/vnd.kubernetes.protobuf")
			_, _ = w.Write(pb)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
				Status: metav1.StatusFailure, Reason: metav1.StatusReasonNotFound, Code: 404, Message: "the server could not find the requested resource"})
		}
	}))
	defer srv.Close()
	mcs, err := metrics.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	list := MetricsLister(mcs.MetricsV1beta1().RESTClient())
	got, err := list(context.Background(), "shop")
	if err != nil || len(got) != 3 || got[2].Key != (Key{Namespace: "ns-2", Name: "web-2"}) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := list(context.Background(), ""); !apierrors.IsNotFound(err) || metricsReason(Classify(err, "list", "pods.metrics.k8s.io", "")) != ReasonNotInstalled {
		t.Fatalf("all namespaces on a server without them: %v", err)
	}
}

// BenchmarkDecodePodMetrics10k measures decoding one 10,000-pod protobuf answer.
func BenchmarkDecodePodMetrics10k(b *testing.B) {
	pb := protobufBytes(b, metricsAnswer(10000))
	b.ReportAllocs()
	b.SetBytes(int64(len(pb)))
	for b.Loop() {
		if _, err := decodePodMetrics(bytes.NewReader(pb)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePodMetricsFull10k decodes the same answer into whole objects, as the typed
// client does, for comparison.
func BenchmarkDecodePodMetricsFull10k(b *testing.B) {
	pb := protobufBytes(b, metricsAnswer(10000))
	scheme := runtime.NewScheme()
	_ = metricsv1beta1.AddToScheme(scheme)
	s := protobuf.NewSerializer(scheme, scheme)
	b.ReportAllocs()
	for b.Loop() {
		var l metricsv1beta1.PodMetricsList
		if _, _, err := s.Decode(pb, nil, &l); err != nil {
			b.Fatal(err)
		}
	}
}
