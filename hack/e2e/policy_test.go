//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeConfig writes text as kdeck's config file under a new scratch home and returns
// the home, for StartKdeckHome.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "kdeck"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "kdeck", "config.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

// testbedContext is the name of the testbed kubeconfig's current context.
func testbedContext(t *testing.T) string {
	t.Helper()
	kc, err := clientcmd.LoadFromFile(testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	return kc.CurrentContext
}

// A context's entry in the config file overrides only the fields it sets: a top-level
// readonly still holds on a context whose entry sets only neverReveal.
func TestPolicyContextEntryInherits(t *testing.T) {
	const plain = "e2e-inherit-pw-6e21"
	ns := newNamespace(t)
	createSecret(t, ns, "db-creds", map[string]string{"password": plain})
	home := writeConfig(t, "readonly: true\ncontexts:\n  "+testbedContext(t)+": {neverReveal: true}\n")
	term := StartKdeckHome(t, home, 140, 24, "-n", ns, "-c", "secrets")
	term.WaitText("db-creds", 10*time.Second)
	term.WaitText("READ-ONLY", time.Second)
	term.Send("n")
	term.WaitText("refused, kdeck is read-only on this context", 5*time.Second)
	term.Send("Enter")
	term.WaitText("secret("+ns+"/db-creds)[1]", 5*time.Second)
	term.Send("x")
	term.WaitText("secret values are never revealed on this context", 5*time.Second)
	assertNotShown(t, term.Screen(), plain)
}

// A config file named with --config must exist and parse: otherwise one line on stderr
// and a non-zero exit, before any screen.
func TestPolicyExplicitConfigMustExist(t *testing.T) {
	malformed := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(malformed, []byte("contexts: {prod: {readonly: maybe}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/nonexistent/typo.yaml": "kdeck: config: /nonexistent/typo.yaml: does not exist",
		malformed:                "kdeck: config: " + malformed + ":1: \"maybe\" is not true or false",
	} {
		stderr, code, took := runKdeck(t, nil, "--kubeconfig", testbed.kubeconfig, "--config", path)
		t.Logf("--config %s: exit %d in %s: %s", path, code, took.Round(time.Millisecond), strings.TrimSpace(stderr))
		if code == 0 || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("--config %s: exit %d, stderr %q; want non-zero and one line starting %q", path, code, stderr, want)
		}
	}
}

// grantUser gives user (a name the admin impersonates) the rules in ns.
func grantUser(t *testing.T, ns, user string, rules []rbacv1.PolicyRule) {
	t.Helper()
	rbac := testbed.clientset.RbacV1()
	if _, err := rbac.Roles(ns).Create(ctx(t), &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: user}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := rbac.RoleBindings(ns).Create(ctx(t), &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		Subjects:   []rbacv1.Subject{{Kind: "User", Name: user, APIGroup: "rbac.authorization.k8s.io"}},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: user},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// With --server, --user, --as and --as-group, the header and the audit log name that
// server, that user entry and the impersonated user and group, not the context's entries. The context's cluster
// points nowhere, so only --server can have reached the cluster, and the impersonated
// user's Role is what allows the scale.
func TestIdentityFlagsInHeaderAndAudit(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "web", 1)
	grantUser(t, ns, "e2e-bob", []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments/scale"}, Verbs: []string{"get", "update", "patch"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
	})
	proxy, proxied := startCountingProxy(t, ns)
	kc, err := clientcmd.LoadFromFile(proxied)
	if err != nil {
		t.Fatal(err)
	}
	server := kc.Clusters["proxied"].Server
	kc.Clusters["proxied"].Server = "http://127.0.0.1:1" // nothing listens there
	kc.AuthInfos["e2e-alice"] = &clientcmdapi.AuthInfo{}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		t.Fatal(err)
	}

	term := StartKdeck(t, 220, 30, "--kubeconfig", kubeconfig, "--server", server, "--user", "e2e-alice", "--as", "e2e-bob", "--as-group", "e2e-team", "-c", "deploy")
	term.WaitLine(20*time.Second, "web ", " 1/1 ")
	header := strings.Split(term.Screen(), "\n")[0]
	for _, want := range []string{"ctx proxied", "server " + server, "user e2e-alice as e2e-bob (groups e2e-team)"} {
		if !strings.Contains(header, want) {
			t.Errorf("header lacks %q: %s", want, header)
		}
	}
	if strings.Contains(header, "cluster proxied") || strings.Contains(header, "user proxied") {
		t.Errorf("header names the context's entries: %s", header)
	}
	term.Send("s")
	term.WaitText("Replicas now: 1", 10*time.Second)
	term.Send("C-u", "2", "Enter")
	term.WaitText("✓ update deployments "+ns+"/web", 10*time.Second)
	eventually(t, "spec.replicas 2", 10*time.Second, func() bool { return *deployment(t, ns, "web").Spec.Replicas == 2 })
	if muts, _ := proxy.counts(); len(muts) == 0 {
		t.Error("the scale did not go through --server")
	}
	e := auditEntries(t, term)
	if len(e) != 1 || e[0]["user"] != "e2e-bob" || e[0]["impersonator"] != "e2e-alice" || e[0]["groups"] != "e2e-team" || e[0]["server"] != server || e[0]["context"] != "proxied" {
		t.Fatalf("audit log: %v", e)
	}
}
