package kube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
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

// Info names what client-go actually uses: --server, --user and --as win over the
// context's entries, and the server sees the impersonation.
func TestConnectInfoIsTheIdentityInEffect(t *testing.T) {
	impersonated := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		impersonated <- r.Header.Get("Impersonate-User")
		w.Write([]byte(`{"gitVersion":"v1.37.2"}`))
	}))
	defer srv.Close()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- {name: prod-cluster, cluster: {server: "`+srv.URL+`"}}
users:
- {name: ci-bot, user: {token: t1}}
- {name: alice, user: {token: t2}}
contexts:
- {name: prod, context: {cluster: prod-cluster, user: ci-bot}}
current-context: prod
`), 0o600)
	connect := func(args ...string) Info {
		t.Helper()
		flags := genericclioptions.NewConfigFlags(true)
		fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
		flags.AddFlags(fs)
		if err := fs.Parse(append([]string{"--kubeconfig", kubeconfig}, args...)); err != nil {
			t.Fatal(err)
		}
		c, err := Connect(context.Background(), flags, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return c.Info
	}

	plain := connect()
	if plain.Cluster != "prod-cluster" || plain.User != "ci-bot" || plain.As != "" || plain.Identity() != "ci-bot" || plain.Server != srv.URL {
		t.Errorf("no flags: %+v", plain)
	}
	if got := <-impersonated; got != "" {
		t.Errorf("impersonated %q without --as", got)
	}

	other := "http://" + srv.Listener.Addr().String() + "/"
	flagged := connect("--server", other, "--user", "alice", "--as", "bob")
	if flagged.Cluster != "" || flagged.User != "alice" || flagged.As != "bob" || flagged.Identity() != "bob" || flagged.Server != other {
		t.Errorf("--server %s --user alice --as bob: %+v", other, flagged)
	}
	if got := <-impersonated; got != "bob" {
		t.Errorf("the server saw Impersonate-User %q, want bob", got)
	}
}

func TestInfoWhoNamesTheIdentityInEffect(t *testing.T) {
	cases := []struct {
		info Info
		want string
	}{
		{Info{User: "alice"}, "alice"},
		{Info{User: "alice", As: "bob"}, "alice as bob"},
		{Info{User: "alice", As: "bob", Groups: []string{"ops", "dev"}}, "alice as bob (groups ops, dev)"},
		{Info{User: "alice", Token: true}, "token from --token"},
		{Info{User: "alice", Token: true, As: "bob"}, "token from --token as bob"},
	}
	for _, c := range cases {
		if got := c.info.Who(); got != c.want {
			t.Errorf("%+v: Who() = %q, want %q", c.info, got, c.want)
		}
	}
}
