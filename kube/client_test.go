package kube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

func TestOnLoopback(t *testing.T) {
	for server, want := range map[string]bool{
		"https://127.0.0.1:6443":        true,
		"https://127.0.0.53":            true,
		"https://[::1]:6443":            true,
		"localhost:8080":                true,
		"https://localhost":             true,
		"https://10.0.0.1:6443":         false,
		"https://192.168.49.2:8443":     false,
		"https://kube.example.com":      false,
		"https://localhost.example.com": false,
		"https://[fe80::1]:6443":        false,
		"":                              false,
		"https://%zz":                   false,
	} {
		if got := onLoopback(server); got != want {
			t.Errorf("onLoopback(%q) = %v, want %v", server, got, want)
		}
	}
}

func TestNoCompressionFromALoopbackServer(t *testing.T) {
	encodings := make(chan string, 1)
	// TLS, as every real cluster: client-go sends plain-HTTP requests through Go's default
	// transport, which ignores DisableCompression.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encodings <- r.Header.Get("Accept-Encoding")
		http.Error(w, "{}", http.StatusNotFound)
	}))
	defer srv.Close()
	cfg := &rest.Config{Host: srv.URL, TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	tune(cfg, "kdeck-test")
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = cs.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
	if got := <-encodings; got != "" {
		t.Errorf("a request to %s asked for Accept-Encoding %q", srv.URL, got)
	}
	remote := &rest.Config{Host: "https://kube.example.com:6443"}
	if tune(remote, "kdeck-test"); remote.DisableCompression {
		t.Error("compression is off for a remote server")
	}
}
