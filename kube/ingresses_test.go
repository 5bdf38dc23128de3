package kube

import (
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
)

func ingressPath(path, svc string, port networkingv1.ServiceBackendPort) networkingv1.HTTPIngressPath {
	return networkingv1.HTTPIngressPath{Path: path, PathType: ptr.To(networkingv1.PathTypePrefix),
		Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: svc, Port: port}}}
}

func shopIngress() *networkingv1.Ingress {
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "storefront"},
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr.To("nginx"),
			TLS:              []networkingv1.IngressTLS{{Hosts: []string{"shop.example.com"}, SecretName: "shop-tls"}, {SecretName: "gone-tls"}},
			Rules: []networkingv1.IngressRule{
				{Host: "shop.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
					ingressPath("/", "web", networkingv1.ServiceBackendPort{Number: 80}),
					ingressPath("/api", "api", networkingv1.ServiceBackendPort{Name: "http"}),
				}}}},
				{Host: "admin.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
					ingressPath("", "web", networkingv1.ServiceBackendPort{Number: 80}),
				}}}},
			},
		},
		Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{
			{IP: "203.0.113.7"}, {Hostname: "lb.example.net"}}}},
	}
}

// An ingress's row reads like kubectl's, with its rules summarised host+path → service:port,
// its distinct backends in order and its TLS entries' secrets.
func TestIngressRow(t *testing.T) {
	r := IngressRow(shopIngress())
	want := &Ingress{Namespace: "shop", Name: "storefront", Class: "nginx", Hosts: "shop.example.com,admin.example.com",
		Address: "203.0.113.7,lb.example.net", Ports: "80, 443",
		Rules:    "shop.example.com/ → web:80, /api → api:http, admin.example.com/ → web:80",
		Backends: []string{"web", "api"}, TLS: []IngressTLS{{Secret: "shop-tls"}, {Secret: "gone-tls"}}}
	if r.Class != want.Class || r.Hosts != want.Hosts || r.Address != want.Address || r.Ports != want.Ports ||
		r.Rules != want.Rules || !slices.Equal(r.Backends, want.Backends) || !slices.Equal(r.TLS, want.TLS) {
		t.Errorf("row\n%+v\nwant\n%+v", r, want)
	}

	bare := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "legacy",
		Annotations: map[string]string{"kubernetes.io/ingress.class": "traefik"}},
		Spec: networkingv1.IngressSpec{DefaultBackend: &networkingv1.IngressBackend{
			Resource: &corev1.TypedLocalObjectReference{Kind: "StorageBucket", Name: "static"}}}}
	r = IngressRow(bare)
	if r.Class != "traefik" || r.Hosts != "*" || r.Ports != "80" || r.Rules != "default → StorageBucket/static" ||
		len(r.Backends) != 0 || r.TLS != nil || r.Address != "" {
		t.Errorf("bare ingress %+v", r)
	}
	bare.Annotations = nil
	if r = IngressRow(bare); r.Class != "<none>" {
		t.Errorf("no class: %q", r.Class)
	}
}

// Each TLS entry's secret is looked up among the namespace's TLS secrets: found with its
// expiry or certificate error, missing once they are listed, unknown before; unchanged
// rows are kept, changed ones copied.
func TestJoinIngressCerts(t *testing.T) {
	end := time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
	in := IngressRow(shopIngress())
	in.TLS = append(in.TLS, IngressTLS{}) // the controller's default certificate
	other := &Ingress{Namespace: "web", Name: "plain"}
	certs := []*Secret{
		{Namespace: "other", Name: "gone-tls", Type: "kubernetes.io/tls", Expires: end}, // same name, other namespace
		{Namespace: "shop", Name: "shop-tls", Type: "kubernetes.io/tls", Expires: end},
	}
	loading := JoinIngressCerts([]*Ingress{in, other}, certs, false)
	if got := loading[0].TLS; got[0].State != CertFound || !got[0].Expires.Equal(end) || got[1].State != CertUnknown || got[2] != (IngressTLS{}) {
		t.Errorf("while loading: %+v", got)
	}
	if loading[1] != other {
		t.Error("an ingress without TLS was copied")
	}
	if in.TLS[0].State != CertUnknown {
		t.Error("the join modified its input")
	}
	joined := JoinIngressCerts([]*Ingress{in}, certs, true)
	if got := joined[0].TLS; got[0].State != CertFound || got[1].State != CertMissing || got[2].State != CertUnknown {
		t.Errorf("loaded: %+v", got)
	}
	if again := JoinIngressCerts(joined, certs, true); again[0] != joined[0] {
		t.Error("an unchanged row was copied")
	}
	certs[1] = &Secret{Namespace: "shop", Name: "shop-tls", Type: "kubernetes.io/tls", CertErr: "bad certificate"}
	if got := JoinIngressCerts(joined, certs, true)[0].TLS[0]; got.CertErr != "bad certificate" || !got.Expires.IsZero() {
		t.Errorf("renewed with a bad certificate: %+v", got)
	}
}

// The ingresses' cache reads the TLS secrets alone: its secret requests carry the field
// selector on their type.
func TestIngressCacheWatchesTLSOnly(t *testing.T) {
	requireTLSOnly(t, func(c *Client) Source[*Secret] { return c.IngressCache("shop", "").secondary.src })
}

// A user who may list ingresses but not secrets sees the ingresses live, their TLS entries
// unknown (never "missing"); any other failure of the secrets still marks the list broken.
func TestIngressCacheWithoutSecretAccess(t *testing.T) {
	c := &Client{Clientset: fake.NewClientset(), Config: &rest.Config{Host: "http://127.0.0.1:1"}}
	cache := c.IngressCache("shop", "")
	live := State{Phase: PhaseLive, LiveSince: time.Now()}
	cache.primary.upsert(IngressRow(shopIngress()))
	cache.primary.setState(live)
	forbidden := &Error{Kind: KindForbidden, Verb: "list", Resource: "secrets", Namespace: "shop"}
	cache.secondary.setState(State{Phase: PhaseBroken, Err: forbidden})
	snap := cache.Snapshot()
	if snap.State.Phase != PhaseLive || cache.State().Phase != PhaseLive {
		t.Errorf("state %+v, %+v; want live", snap.State, cache.State())
	}
	if tls := snap.Rows[0].TLS; tls[0].State != CertUnknown || tls[1].State != CertUnknown {
		t.Errorf("TLS entries %+v; want unknown", tls)
	}
	cache.secondary.setState(State{Phase: PhaseBroken, Err: &Error{Kind: KindUnreachable}})
	if st := cache.Snapshot().State; st.Phase != PhaseBroken {
		t.Errorf("an unreachable secrets list: state %+v", st)
	}
}
