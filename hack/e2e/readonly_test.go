//go:build e2e

package e2e

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// countingProxy stands between kdeck and the API server and records every request that
// could change the cluster, so a test can show from the server's side what arrived.
type countingProxy struct {
	mu        sync.Mutex
	mutations []string // "PATCH /apis/apps/v1/…" for every non-read request
	reads     int
}

// mutates says whether a request could change the cluster: anything but GET/HEAD, and the
// GET upgrades of exec, attach and port-forward. Asking RBAC (self access reviews) is a read.
func mutates(r *http.Request) bool {
	p := r.URL.Path
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return strings.HasSuffix(p, "/exec") || strings.HasSuffix(p, "/attach") || strings.HasSuffix(p, "/portforward")
	case http.MethodPost:
		return !strings.HasSuffix(p, "/selfsubjectaccessreviews") && !strings.HasSuffix(p, "/selfsubjectrulesreviews")
	}
	return true
}

// startCountingProxy serves a plain-HTTP proxy to the testbed's API server (with the
// admin credentials) and returns a kubeconfig that points kdeck at it.
func startCountingProxy(t *testing.T, ns string) (*countingProxy, string) {
	t.Helper()
	cp := &countingProxy{}
	return cp, startProxy(t, ns, func(upstream http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cp.mu.Lock()
			if mutates(r) {
				cp.mutations = append(cp.mutations, r.Method+" "+r.URL.Path)
			} else {
				cp.reads++
			}
			cp.mu.Unlock()
			upstream.ServeHTTP(w, r)
		})
	})
}

// startProxy serves a plain-HTTP proxy to the testbed's API server (with the admin
// credentials) through the handler wrap makes of the upstream one, and returns a kubeconfig
// whose context, in namespace ns, points at it.
func startProxy(t *testing.T, ns string, wrap func(upstream http.Handler) http.Handler) string {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	transport, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	upstream, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(upstream)
	rp.Transport = transport
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: wrap(rp)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	kc := clientcmdapi.NewConfig()
	kc.Clusters["proxied"] = &clientcmdapi.Cluster{Server: "http://" + ln.Addr().String()}
	kc.AuthInfos["proxied"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["proxied"] = &clientcmdapi.Context{Cluster: "proxied", AuthInfo: "proxied", Namespace: ns}
	kc.CurrentContext = "proxied"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func (cp *countingProxy) counts() ([]string, int) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return append([]string(nil), cp.mutations...), cp.reads
}

// requireReadsOnly fails t unless the proxy saw reads and no mutating request.
func (cp *countingProxy) requireReadsOnly(t *testing.T) {
	t.Helper()
	muts, reads := cp.counts()
	if len(muts) != 0 {
		t.Fatalf("mutating requests reached the API server in read-only mode: %v", muts)
	}
	if reads == 0 {
		t.Fatal("no read went through the proxy: it is not in the path")
	}
	t.Logf("read-only: %d reads, 0 mutating requests at the API server", reads)
}

// requireRefused presses each key ({key, its help}) of a read-only kdeck and waits for its
// refusal, failing t if one opens a dialog.
func requireRefused(t *testing.T, term *Term, keys ...[2]string) {
	t.Helper()
	for _, k := range keys {
		term.Send(k[0])
		term.WaitText(k[1]+": refused, kdeck is read-only on this context", 5*time.Second)
		if s := term.Screen(); strings.Contains(s, "╭") {
			t.Fatalf("%s opened a dialog in read-only mode:\n%s", k[0], s)
		}
	}
}

// In read-only mode every mutating key (deployments, pods, containers, canary, nodes; secrets and
// port-forwards have their own tests) is refused before anything is asked or sent: the
// proxy in front of the API server sees reads only. The mode comes from --readonly here
// and from the config file for the context in the second half.
func TestReadOnlyRefusesEveryMutation(t *testing.T) {
	ns := newNamespace(t)
	canaryPair(t, ns, 1, 1, nil, nil) // web and web-canary behind one Service
	proxy, kubeconfig := startCountingProxy(t, ns)

	check := func(term *Term) {
		t.Helper()
		term.WaitText("READ-ONLY", 10*time.Second)
		term.Send(":", "d", "e", "p", "l", "o", "y", "Enter")
		term.WaitLine(20*time.Second, "web ", " 1/1 ")
		// Each key's own refusal (named by its help text), so one toast cannot stand in for another.
		refuse := func(keys ...string) {
			t.Helper()
			for i := 0; i < len(keys); i += 2 {
				term.Send(keys[i])
				term.WaitText(keys[i+1]+": refused, kdeck is read-only on this context", 5*time.Second)
				if s := term.Screen(); strings.Contains(s, "╭") {
					t.Fatalf("%s opened a dialog in read-only mode:\n%s", keys[i], s)
				}
			}
		}
		refuse("s", "scale (HPA-aware)", "r", "rollout restart", "u", "undo to a revision", "i", "set image",
			"z", "pause / resume rollout", "e", "edit in $KUBE_EDITOR/$EDITOR: dry-run, diff, then confirm", "C-d", "delete (type the name to confirm)")
		term.Send(":", "p", "o", "d", "s", "Enter")
		term.WaitText("pods("+ns+")[2]", 20*time.Second)
		refuse("C-k", "kill (delete now, grace period 0)", "C-d", "delete (type the name to confirm)")
		term.Send("F")
		term.WaitText("port-forward (prompts for the local port): refused, kdeck is read-only", 5*time.Second)
		term.Send("Enter")
		term.WaitText("containers(", 10*time.Second)
		term.WaitLine(10*time.Second, "app", "running")
		term.Send("s")
		term.WaitText("shell: refused, kdeck is read-only", 5*time.Second)
		term.Send("F")
		term.WaitText("port-forward: refused, kdeck is read-only", 5*time.Second)
		term.Send("?")
		term.WaitText("[disabled: refused, kdeck is read-only on this context]", 5*time.Second)
		term.Send("Escape", "q") // help, then the containers page
		term.Send(":", "c", "a", "n", "a", "r", "y", "Enter")
		term.WaitLine(20*time.Second, "web-canary", "replica-ratio")
		term.Send("Enter")
		term.WaitText("canary("+ns+"/web-canary)", 10*time.Second)
		term.WaitText("n → 10%", 10*time.Second) // the pair has loaded
		refuse("n", "next step", "g", "go to step", "p", "promote", "a", "abort")
		term.Send(":", "n", "o", "d", "e", "s", "Enter")
		term.WaitLine(20*time.Second, "kwok-node-0", "Ready")
		refuse("c", "cordon (no new pods)", "u", "uncordon", "r", "drain: cordon, then evict its pods")
	}

	term := StartKdeck(t, 160, 30, "--kubeconfig", kubeconfig, "--readonly")
	check(term)
	term.Close()

	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "kdeck"), 0o700)
	os.WriteFile(filepath.Join(home, "kdeck", "config.yaml"), []byte("contexts:\n  proxied: {readonly: true}\n"), 0o600)
	check(StartKdeckHome(t, home, 160, 30, "--kubeconfig", kubeconfig))

	muts, reads := proxy.counts()
	if len(muts) != 0 {
		t.Fatalf("mutating requests reached the API server in read-only mode: %v", muts)
	}
	if reads < 10 {
		t.Fatalf("only %d reads went through the proxy: it is not in the path", reads)
	}
	t.Logf("read-only: %d reads, 0 mutating requests at the API server", reads)
}

// With a Role that allows only get/list/watch, a mutating key says which verb on which
// resource is forbidden instead of prompting, and help shows it disabled.
func TestForbiddenActionNeverPrompts(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "web", 1)
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
	})
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-c", "deploy")
	term.WaitLine(20*time.Second, "web ", " 1/1 ")
	term.Send("s")
	term.WaitText("forbidden: cannot update deployments.apps/scale in namespace "+ns, 10*time.Second)
	term.Send("r")
	term.WaitText("forbidden: cannot patch deployments.apps in namespace "+ns, 10*time.Second)
	if strings.Contains(term.Screen(), "╭") {
		t.Fatalf("a forbidden action opened a dialog:\n%s", term.Screen())
	}
	term.Send("?")
	term.WaitText("[disabled: forbidden: cannot delete deployments.apps in namespace "+ns, 10*time.Second)
	term.Send("Escape")
	d := deployment(t, ns, "web")
	if *d.Spec.Replicas != 1 || d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] != "" {
		t.Fatalf("the deployment changed: replicas %d, annotations %v", *d.Spec.Replicas, d.Spec.Template.Annotations)
	}
}

// Permission taken away between the prompt and the send: the 403 is reported in the
// status line, and nothing changes.
func TestForbiddenAtSendTime(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "web", 1)
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "deployments/scale"}, Verbs: []string{"get", "list", "watch", "update"}},
	}) // no HPA access: the prompt says an HPA might exist, and still opens
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-c", "deploy")
	term.WaitLine(20*time.Second, "web ", " 1/1 ")
	term.Send("s")
	term.WaitText("Replicas now: 1", 10*time.Second)
	term.WaitText("HPAs are not visible to you here", time.Second)
	if err := testbed.clientset.RbacV1().Roles(ns).Delete(ctx(t), "limited", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // RBAC caches roles briefly
	term.Send("C-u", "3", "Enter")
	term.WaitText("failed: forbidden: cannot update deployments in namespace "+ns, 10*time.Second)
	if r := *deployment(t, ns, "web").Spec.Replicas; r != 1 {
		t.Fatalf("replicas %d after a forbidden scale", r)
	}
}
