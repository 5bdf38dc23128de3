//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
)

// limitedKubeconfig writes a kubeconfig for a new ServiceAccount in ns whose Role grants
// only rules, and returns its path.
func limitedKubeconfig(t *testing.T, ns string, rules []rbacv1.PolicyRule) string {
	t.Helper()
	cs := testbed.clientset
	sa, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx(t), &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "limited"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().Roles(ns).Create(ctx(t), &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "limited"}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx(t), &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "limited"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa.Name, Namespace: ns}},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "limited"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx(t), sa.Name, &authv1.TokenRequest{
		Spec: authv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := clientcmd.LoadFromFile(testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cluster := admin.Clusters[admin.Contexts[admin.CurrentContext].Cluster]
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["testbed"] = cluster
	cfg.AuthInfos["limited"] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
	cfg.Contexts["limited"] = &clientcmdapi.Context{Cluster: "testbed", AuthInfo: "limited", Namespace: ns}
	cfg.CurrentContext = "limited"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// A 403 on the pods list says which verb on which resource in which namespace is
// forbidden, in the table and the status line, without crashing.
func TestForbiddenList(t *testing.T) {
	ns := newNamespace(t)
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get", "list", "watch"}},
	})
	term := StartKdeck(t, 140, 20, "--kubeconfig", kubeconfig)
	term.WaitText("forbidden: cannot list pods in namespace "+ns, 10*time.Second)
	term.WaitText("retrying", 2*time.Second)
	term.Send("?")
	term.WaitText("first row", 2*time.Second) // still responsive
	term.Send("Escape")
	term.WaitGone("first row", 2*time.Second)

	// Other views keep working: deployments are allowed.
	term.Send(":", "d", "e", "p", "l", "o", "y", "Enter")
	term.WaitText("deployments("+ns+")[0]", 5*time.Second)
	term.WaitText("live · 0 deployments", 5*time.Second)
}

// A canary step sends scale patches, then the record patch, then an Event. A user who may
// patch deployments and their scale but not create Events is refused before the step
// dialog opens, with the missing permission named, and the cluster is left as it was (it
// used to scale the pair and write the record, then fail on the Event).
func TestCanaryStepRefusedWithoutEventCreate(t *testing.T) {
	ns := newNamespace(t)
	canaryPair(t, ns, 4, 1, nil, nil)
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "deployments/scale"}, Verbs: []string{"patch"}},
	})
	term := StartKdeck(t, 160, 45, "--kubeconfig", kubeconfig, "-c", "canary")
	term.WaitText("web-canary", 15*time.Second)
	term.Send("Enter")
	term.WaitText("not started", 10*time.Second)
	term.Send("n")
	refusal := "next step: forbidden: cannot create events.events.k8s.io in namespace " + ns
	term.WaitFor("the refusal or the step dialog", 10*time.Second, func(s string) bool {
		return strings.Contains(s, refusal) || strings.Contains(s, "Move web-canary to step 1")
	})
	if strings.Contains(term.Screen(), "Move web-canary to step 1") {
		term.Send("y") // what the person would do: shows what a half-checked step leaves behind
		time.Sleep(3 * time.Second)
	}
	s := readCanary(t, ns)
	if s.stable != 4 || s.canary != 1 || s.record != nil {
		t.Fatalf("cluster changed by a refused step: stable %d, canary %d, record %+v", s.stable, s.canary, s.record)
	}
	if !strings.Contains(term.Screen(), refusal) {
		t.Fatalf("no refusal %q on screen:\n%s", refusal, term.Screen())
	}
}
