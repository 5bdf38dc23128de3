//go:build e2e

package e2e

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The ingresses view shows an ingress's rule, its TLS secret's certificate expiring in 10
// days and "missing" for a TLS entry whose secret does not exist; enter lists the pods of
// its backend service.
func TestIngressesTLSAndBackend(t *testing.T) {
	ns := newNamespace(t)
	pods := webService(t, ns, 1)
	createTLSSecret(t, ns, "shop-tls", "shop.example.com", 10*24*time.Hour+time.Hour)
	in := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "storefront"},
		Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"),
			TLS: []networkingv1.IngressTLS{{Hosts: []string{"shop.example.com"}, SecretName: "shop-tls"},
				{Hosts: []string{"admin.example.com"}, SecretName: "gone-tls"}},
			Rules: []networkingv1.IngressRule{{Host: "shop.example.com", IngressRuleValue: networkingv1.IngressRuleValue{
				HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix),
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web",
						Port: networkingv1.ServiceBackendPort{Number: 80}}}}}}}}}}}
	if _, err := testbed.clientset.NetworkingV1().Ingresses(ns).Create(ctx(t), in, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "ing")
	term.WaitText("ingresses("+ns+")[1]", 20*time.Second)
	term.WaitLine(20*time.Second, "storefront", "nginx", "shop.example.com", "80, 443",
		"shop.example.com/ → web:80", "shop-tls 10d, gone-tls missing")
	term.Send("Enter")
	term.WaitText("pods("+ns+")[1] app=web", 10*time.Second)
	term.WaitLine(20*time.Second, pods[0], "Running")
}

// A volume and a claim bound to it by name (the testbed's PV controller binds them: there
// is no provisioner), and a pod mounting the claim: the claims view shows the binding and
// the pod in USED BY, enter lists the pod, and the volumes view shows the claim; enter
// there opens the claim.
func TestClaimsAndVolumes(t *testing.T) {
	ns := newNamespace(t)
	pvName := ns + "-data"
	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: pvName},
		Spec: corev1.PersistentVolumeSpec{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain, StorageClassName: "manual",
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/" + pvName}}}}
	if _, err := testbed.clientset.CoreV1().PersistentVolumes().Create(ctx(t), pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = testbed.clientset.CoreV1().PersistentVolumes().Delete(ctx(t), pvName, metav1.DeleteOptions{})
	})
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr.To("manual"), VolumeName: pvName,
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	if _, err := testbed.clientset.CoreV1().PersistentVolumeClaims(ns).Create(ctx(t), pvc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"db", "web"} {
		pod := kwokPod(ns, name)
		if name == "db" {
			pod.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}
		}
		if _, err := testbed.clientset.CoreV1().Pods(ns).Create(ctx(t), pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "pvc")
	term.WaitLine(30*time.Second, "data ", "Bound", pvName, "1Gi", "RWO", "manual", " db ")
	term.Send("Enter")
	term.WaitText("pods using data("+ns+")[1]", 10*time.Second)
	term.WaitLine(20*time.Second, "db ", "Running")
	if s := term.Screen(); lineWith(s, "web ") != "" {
		t.Errorf("a pod that does not mount the claim is listed:\n%s", s)
	}

	term.Send(":", "p", "v", "Enter")
	term.WaitText("persistentvolumes(all)", 10*time.Second)
	term.WaitLine(20*time.Second, pvName, "1Gi", "RWO", "Retain", "Bound", ns+"/data", "manual")
	term.Send("/", pvName, "Enter")
	term.WaitText("persistentvolumes(all)[1 of", 10*time.Second)
	term.Send("Enter")
	term.WaitText("claim data("+ns+")[1]", 10*time.Second)
	term.WaitLine(20*time.Second, "data ", "Bound", pvName, " db ")
}

// A user who may list ingresses but not secrets gets the ingresses live, with each TLS
// entry's secret named and neither its expiry nor "missing": the view does not turn
// broken over the secrets it cannot read.
func TestIngressesWithoutSecretAccess(t *testing.T) {
	ns := newNamespace(t)
	createTLSSecret(t, ns, "shop-tls", "shop.example.com", 10*24*time.Hour+time.Hour)
	in := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "storefront"},
		Spec: networkingv1.IngressSpec{TLS: []networkingv1.IngressTLS{{SecretName: "shop-tls"}},
			DefaultBackend: &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web",
				Port: networkingv1.ServiceBackendPort{Number: 80}}}}}
	if _, err := testbed.clientset.NetworkingV1().Ingresses(ns).Create(ctx(t), in, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"ingresses"}, Verbs: []string{"get", "list", "watch"}},
	})
	term := StartKdeck(t, 200, 20, "--kubeconfig", kubeconfig, "-c", "ingresses")
	term.WaitLine(20*time.Second, "storefront", "default → web:80", "shop-tls")
	term.WaitText("live · 1 ingresses", 5*time.Second)
	if s := term.Screen(); lineWith(s, "shop-tls 10d") != "" || lineWith(s, "missing") != "" || lineWith(s, "STALE") != "" {
		t.Errorf("the secrets it may not read:\n%s", s)
	}
}
