package kube

import (
	"net/http"
	"net/url"
	"testing"
)

func TestIsRead(t *testing.T) {
	cases := []struct {
		method, path string
		read         bool
	}{
		{"GET", "/api/v1/namespaces/shop/pods", true},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/log", true},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/exec", false},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/portforward", false},
		{"POST", "/api/v1/namespaces/shop/pods/web-1/portforward", false},
		{"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", true},
		{"POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", true},
		{"POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", false},
		{"POST", "/api/v1/namespaces/shop/secrets", false},
		{"PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale", false},
		{"PUT", "/apis/apps/v1/namespaces/shop/deployments/web", false},
		{"DELETE", "/api/v1/namespaces/shop/pods/web-1", false},
	}
	for _, c := range cases {
		r := &http.Request{Method: c.method, URL: &url.URL{Path: c.path}}
		if got := isRead(r); got != c.read {
			t.Errorf("%s %s: read = %v, want %v", c.method, c.path, got, c.read)
		}
	}
}

func TestReadOnlyTransportNeverCallsThrough(t *testing.T) {
	called := 0
	rt := readOnlyTransport{roundTripFunc(func(*http.Request) (*http.Response, error) {
		called++
		return &http.Response{StatusCode: 200}, nil
	})}
	_, err := rt.RoundTrip(&http.Request{Method: "PATCH", URL: &url.URL{Path: "/apis/apps/v1/namespaces/a/deployments/b"}})
	if KindOf(err) != KindReadOnly || called != 0 {
		t.Fatalf("PATCH: err %v, calls %d; want a read-only refusal and no call", err, called)
	}
	if _, err := rt.RoundTrip(&http.Request{Method: "GET", URL: &url.URL{Path: "/api/v1/pods"}}); err != nil || called != 1 {
		t.Fatalf("GET: err %v, calls %d; want it passed through", err, called)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Behind a path prefix (Rancher's /k8s/clusters/ID, any gateway's) the same requests are
// reads and writes as without: the access reviews pass, exec, attach, port-forward and
// every change are refused, and an access review's path reached through a proxy
// subresource is a write to whatever the proxy reaches.
func TestIsReadBehindAPathPrefix(t *testing.T) {
	cases := []struct {
		method, path string
		read         bool
	}{
		{"GET", "/api/v1/namespaces/shop/pods", true},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/log", true},
		{"GET", "/apis/apps/v1/namespaces/shop/deployments/web", true},
		{"HEAD", "/api", true},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/exec", false},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/exec/", false},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/attach", false},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/portforward", false},
		{"POST", "/api/v1/namespaces/shop/pods/web-1/exec", false},
		{"POST", "/api/v1/namespaces/shop/pods/web-1/portforward", false},
		{"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", true},
		{"POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", true},
		{"POST", "/apis/authorization.k8s.io/v1beta1/selfsubjectaccessreviews", true},
		{"POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", false},
		{"POST", "/apis/authorization.k8s.io/v1/namespaces/shop/localsubjectaccessreviews", false},
		{"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/x", false},
		{"POST", "/api/v1/namespaces/shop/services/web/proxy/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", false},
		{"POST", "/api/v1/namespaces/shop/pods/web-1/proxy/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", false},
		{"POST", "/apis/example.com/v1/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", false},
		{"POST", "/api/v1/namespaces/shop/secrets", false},
		{"PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale", false},
		{"PUT", "/apis/apps/v1/namespaces/shop/deployments/web", false},
		{"DELETE", "/api/v1/namespaces/shop/pods/web-1", false},
	}
	for _, prefix := range []string{"", "/k8s/clusters/c-m-4x7qz", "/k8s/clusters/local", "/gateway/api/kube", "/apis/x"} {
		for _, c := range cases {
			path := prefix + c.path
			r := &http.Request{Method: c.method, URL: &url.URL{Path: path}}
			if got := isRead(r); got != c.read {
				t.Errorf("%s %s: read = %v, want %v", c.method, path, got, c.read)
			}
		}
	}
	for _, v := range []string{"v1", "v2", "v1beta1", "v2alpha3", "v10"} {
		if !isAPIVersion(v) {
			t.Errorf("%q is a version", v)
		}
	}
	for _, v := range []string{"", "v", "1", "v0", "v01", "vbeta1", "v1beta", "v1gamma1", "version", "v1beta1x"} {
		if isAPIVersion(v) {
			t.Errorf("%q is not a version", v)
		}
	}
}
