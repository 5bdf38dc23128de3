package kube

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
)

// A claim's and a volume's rows read like kubectl's: access modes abbreviated in its order,
// capacity from the claim's status and the volume's spec, the beta class annotation, and
// Terminating while deleted.
func TestPVCAndPVRows(t *testing.T) {
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "pv-data", StorageClassName: ptr.To("manual"),
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany, corev1.ReadWriteOnce}},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound,
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod, corev1.ReadWriteMany, corev1.ReadWriteOnce, corev1.ReadOnlyMany},
			Capacity:    corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}}}
	r := PVCRow(pvc)
	if r.Status != "Bound" || r.Volume != "pv-data" || r.Capacity != "10Gi" || r.AccessModes != "RWO,ROX,RWX,RWOP" ||
		r.StorageClass != "manual" || r.RowKey() != (Key{Namespace: "shop", Name: "data"}) {
		t.Errorf("claim row %+v", r)
	}
	pending := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "cache",
		Annotations: map[string]string{corev1.BetaStorageClassAnnotation: "fast"}},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}}
	if r := PVCRow(pending); r.Status != "Pending" || r.Capacity != "" || r.AccessModes != "" || r.StorageClass != "fast" {
		t.Errorf("pending claim row %+v", r)
	}
	pending.DeletionTimestamp = ptr.To(metav1.Now())
	if r := PVCRow(pending); r.Status != "Terminating" {
		t.Errorf("deleted claim: %q", r.Status)
	}

	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-data"},
		Spec: corev1.PersistentVolumeSpec{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain, StorageClassName: "manual",
			ClaimRef: &corev1.ObjectReference{Namespace: "shop", Name: "data"}},
		Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeReleased, Reason: "ClaimDeleted"}}
	v := PVRow(pv)
	if v.Capacity != "10Gi" || v.AccessModes != "RWO" || v.ReclaimPolicy != "Retain" || v.Status != "Released" ||
		v.Claim() != "shop/data" || v.StorageClass != "manual" || v.Reason != "ClaimDeleted" || v.RowKey() != (Key{Name: "pv-data"}) {
		t.Errorf("volume row %+v", v)
	}
	pv.Spec.ClaimRef = nil
	if v := PVRow(pv); v.Claim() != "" {
		t.Errorf("an unclaimed volume's claim: %q", v.Claim())
	}
}

// claimPod is a pod of ns mounting claims (and a config map).
func claimPod(ns, name string, claims ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	p.Spec.Volumes = []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}}}
	for _, c := range claims {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: c,
			VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c}}})
	}
	return p
}

// A pod's claims row keeps its claims' names, sorted and once each, with the claim of a
// generic ephemeral volume; pods that mount none are not kept.
func TestPodClaimsRow(t *testing.T) {
	p := claimPod("shop", "db-0", "data", "wal", "data")
	p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "scratch",
		VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{}}})
	if got := PodClaimsRow(p).Claims; !slices.Equal(got, []string{"data", "db-0-scratch", "wal"}) {
		t.Errorf("claims %q", got)
	}
	src := (&Client{Clientset: fake.NewClientset()}).PodClaimsSource("shop")
	if _, ok := src.Convert(claimPod("shop", "web")); ok {
		t.Error("a pod without claims is kept")
	}
	if r, ok := src.Convert(claimPod("shop", "db-0", "data")); !ok || r.Name != "db-0" {
		t.Errorf("a pod with a claim: %+v %v", r, ok)
	}
	a, b := PodClaimsRow(claimPod("shop", "db-0", "data")), PodClaimsRow(claimPod("shop", "db-0", "data"))
	if !a.Equal(b) || a.Equal(PodClaimsRow(claimPod("shop", "db-0", "wal"))) {
		t.Error("Equal")
	}
}

// Each claim lists the pods of its own namespace that mount it, "not joined" until the pods
// are listed; unchanged rows are kept and changed ones copied.
func TestJoinClaimUsers(t *testing.T) {
	claims := []*PVC{{Namespace: "shop", Name: "data"}, {Namespace: "shop", Name: "logs"}, {Namespace: "web", Name: "data"}}
	pods := []*PodClaims{
		PodClaimsRow(claimPod("shop", "db-0", "data", "logs")),
		PodClaimsRow(claimPod("shop", "db-1", "data")),
		PodClaimsRow(claimPod("web", "other", "cache")),
	}
	partial := JoinClaimUsers(claims, pods[:1], false)
	if partial[0].Joined || !slices.Equal(partial[0].UsedBy, []string{"db-0"}) {
		t.Errorf("while loading: %+v", partial[0])
	}
	joined := JoinClaimUsers(claims, pods, true)
	for i, want := range [][]string{{"db-0", "db-1"}, {"db-0"}, nil} {
		if !joined[i].Joined || !slices.Equal(joined[i].UsedBy, want) {
			t.Errorf("claim %v used by %q, want %q", joined[i].RowKey(), joined[i].UsedBy, want)
		}
	}
	if claims[0].UsedBy != nil || claims[0].Joined {
		t.Error("the join modified its input")
	}
	again := JoinClaimUsers(joined, pods, true)
	for i := range again {
		if again[i] != joined[i] {
			t.Errorf("unchanged claim %v was copied", again[i].RowKey())
		}
	}
}

// The pods using a claim are those of its namespace whose claims name it.
func TestPodsMounting(t *testing.T) {
	pods := []*Pod{{Namespace: "shop", Name: "db-0"}, {Namespace: "shop", Name: "db-1"}, {Namespace: "shop", Name: "web"}, {Namespace: "web", Name: "db-0"}}
	users := []*PodClaims{PodClaimsRow(claimPod("shop", "db-0", "data")), PodClaimsRow(claimPod("shop", "db-1", "logs")),
		PodClaimsRow(claimPod("web", "db-0", "data"))}
	got := PodsMounting(pods, users, Key{Namespace: "shop", Name: "data"})
	if len(got) != 1 || got[0] != pods[0] {
		t.Errorf("pods mounting shop/data: %v", got)
	}
}

// BenchmarkPodClaimsRow is what the claims view pays per pod event: a whole protobuf
// decode (volumes are not in the compact row) and the claims row.
func BenchmarkPodClaimsRow(b *testing.B) {
	pod := fullPod("db-7c9f8d6b5-x2k4p")
	pod.Spec.Volumes = append(pod.Spec.Volumes, claimPod("", "", "data").Spec.Volumes[1])
	data := encodeProtobuf(b, pod)
	dec := fullDecoder()
	b.ReportAllocs()
	for b.Loop() {
		obj, _, err := dec.Decode(data, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		_ = PodClaimsRow(obj.(*corev1.Pod))
	}
	b.ReportMetric(float64(len(data)), "wire-bytes/pod")
}
