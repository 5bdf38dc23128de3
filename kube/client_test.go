package kube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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
	if plain.Cluster != "prod-cluster" || plain.User != "ci-bot" || plain.As != "" || plain.Identity() != "ci-bot" || plain.Server != srv.URL ||
		plain.Kubeconfig != kubeconfig {
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

// For a list of several clusters, a context whose server refuses connections joins with
// Unanswered set and no version, while one whose credentials are refused still fails them all; a single
// switch to the unreachable context is refused, as it always was.
func TestJoinContextsKeepsAnUnreachableCluster(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"gitVersion":"v1.37.2"}`))
	}))
	defer srv.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}`, http.StatusUnauthorized)
	}))
	defer refusing.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	gone := closed.URL
	closed.Close() // nothing listens there any more
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- {name: up, cluster: {server: "`+srv.URL+`"}}
- {name: down, cluster: {server: "`+gone+`"}}
- {name: refusing, cluster: {server: "`+refusing.URL+`"}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: a, context: {cluster: up, user: u}}
- {name: b, context: {cluster: down, user: u}}
- {name: broken, context: {cluster: refusing, user: u}}
current-context: a
`), 0o600)
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &kubeconfig
	a, err := Connect(context.Background(), flags, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Unanswered || a.Info.ServerVersion != "v1.37.2" {
		t.Errorf("a: unanswered %v, version %q", a.Unanswered, a.Info.ServerVersion)
	}
	joined, err := a.JoinContexts(context.Background(), []string{"b"})
	if err != nil {
		t.Fatalf("b, unreachable, did not join: %v", err)
	}
	if b := joined[0]; !b.Unanswered || b.Info.ServerVersion != "" || b.Info.Context != "b" {
		t.Errorf("b joined with unanswered %v, version %q, context %q", b.Unanswered, b.Info.ServerVersion, b.Info.Context)
	}
	if _, err := a.JoinContexts(context.Background(), []string{"b", "broken"}); err == nil || !strings.Contains(err.Error(), "broken:") {
		t.Errorf("a context whose credentials are refused joined: %v", err)
	}
	if _, err := a.SwitchContexts(context.Background(), []string{"b"}); KindOf(err) != KindUnreachable || !strings.Contains(err.Error(), "b:") {
		t.Errorf("a switch to b alone: %v, want unreachable, naming b", err)
	}
}
