//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/hack/helmseed"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// configMapDriver makes helm keep a release's records in ConfigMaps.
var configMapDriver = []string{"HELM_DRIVER=configmap"}

// The values flags is installed with: kdeck must mask them.
const flagsPassword, flagsToken = "Fl4gs-cm-pass-2026", "tok_live_cm_5a7e9d1f2a4b"

// installFlags installs the testbed chart as release flags into ns with HELM_DRIVER=configmap
// and upgrades it once (image 1.0.0, then 1.1.0), and checks that helm kept its two
// revisions in ConfigMaps and none in Secrets.
func installFlags(t *testing.T, ns string) {
	t.Helper()
	chart := helmConfig(t, testbed.kubeconfig).Chart
	auth := []string{"--set", "auth.password=" + flagsPassword, "--set", "auth.apiToken=" + flagsToken}
	helmEnv(t, testbed.kubeconfig, configMapDriver, append([]string{"install", "flags", chart, "-n", ns,
		"--description", "ci: deploy 1.0.0", "--set", "image.tag=1.0.0"}, auth...)...)
	helmEnv(t, testbed.kubeconfig, configMapDriver, append([]string{"upgrade", "flags", chart, "-n", ns,
		"--description", "ci: deploy 1.1.0", "--set", "image.tag=1.1.0"}, auth...)...)
	if cms, secrets := flagsRecords(t, ns); cms != 2 || secrets != 0 {
		t.Fatalf("helm with HELM_DRIVER=configmap kept %d ConfigMaps and %d Secrets, want 2 and 0", cms, secrets)
	}
}

// flagsRecords counts release flags's records in ns: ConfigMaps and Secrets.
func flagsRecords(t *testing.T, ns string) (configMaps, secrets int) {
	t.Helper()
	sel := metav1.ListOptions{LabelSelector: "owner=helm,name=flags"}
	cms, err := testbed.clientset.CoreV1().ConfigMaps(ns).List(ctx(t), sel)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := testbed.clientset.CoreV1().Secrets(ns).List(ctx(t), sel)
	if err != nil {
		t.Fatal(err)
	}
	return len(cms.Items), len(ss.Items)
}

// flagsHistory is `helm history flags` with HELM_DRIVER=configmap, oldest first.
func flagsHistory(t *testing.T, ns string) []helmseed.Revision {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := helmConfig(t, testbed.kubeconfig)
	cfg.Env = configMapDriver
	h, err := cfg.History(c, "flags", ns)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A release kept in ConfigMaps is listed beside those kept in Secrets; its history has
// both revisions, its values are masked, its diff, objects (drift) and tree are read from
// its ConfigMaps; u rolls it back (helm, with HELM_DRIVER=configmap,
// then says revision 3 is a rollback to 1, and no record went to Secrets); ctrl+d
// uninstalls it, and its ConfigMaps are gone.
func TestHelmConfigMapRelease(t *testing.T) {
	ns := helmSeeded(t)
	installFlags(t, ns)
	term := StartKdeck(t, 200, 40, "-n", ns, "-c", "helm")
	term.WaitLine(20*time.Second, "flags", " 2 ", "deployed", "configmap")
	term.WaitLine(5*time.Second, "shop", " 3 ", "deployed", "secret")
	term.WaitLine(5*time.Second, "billing", " 2 ", "failed", "secret")

	term.Send("j", "Enter") // billing, then flags

	term.WaitText("history flags (configmap)("+ns+")[2]", 10*time.Second)
	term.WaitLine(10*time.Second, " 2 ", "deployed", "ci: deploy 1.1.0")
	term.WaitLine(5*time.Second, " 1 ", "superseded", "ci: deploy 1.0.0")

	term.Send("v") // revision 2: the cursor starts on the first row
	term.WaitText("values "+ns+"/flags revision 2", 10*time.Second)
	term.WaitLine(10*time.Second, "password:", "••••••••")
	term.WaitLine(5*time.Second, "apiToken:", "••••••••")
	assertNotShown(t, term.Screen(), flagsPassword, flagsToken)

	term.Send("q", "d")
	term.WaitText("Diff "+ns, 10*time.Second)
	term.Send("Enter") // revision 1, the only other
	term.WaitText("diff "+ns+"/flags revision 1 → 2", 10*time.Second)
	term.WaitLine(10*time.Second, "+", "tag:", "1.1.0")
	assertNotShown(t, term.Screen(), flagsPassword, flagsToken)

	term.Send("q", "D")
	term.WaitText("objects of flags revision 2("+ns+")[4]", 20*time.Second)
	term.WaitLine(20*time.Second, "Deployment", "flags", "in sync")

	term.Send("q", "T")
	term.WaitText("tree(helm/"+ns+"/flags)", 10*time.Second)
	term.WaitLine(20*time.Second, "HelmRelease/flags", "deployed, revision 2")
	term.WaitLine(10*time.Second, "Deployment/flags")

	term.Send("q", "u")
	term.WaitText("Roll back release "+ns, 10*time.Second)
	term.WaitText("Now: 2 ", 5*time.Second)
	term.Send("Enter") // revision 1, the only other
	term.WaitLine(60*time.Second, "release "+ns+"/flags is at revision 3: deployed (Rollback to 1)")
	term.WaitLine(20*time.Second, " 3 ", "deployed", "Rollback to 1")
	if h := flagsHistory(t, ns); len(h) != 3 || h[2].Status != "deployed" || h[2].Description != "Rollback to 1" {
		t.Fatalf("helm history after the rollback: %+v", h)
	}
	if cms, secrets := flagsRecords(t, ns); cms != 3 || secrets != 0 {
		t.Fatalf("after the rollback flags has %d ConfigMaps and %d Secrets, want 3 and 0", cms, secrets)
	}
	if img := deployment(t, ns, "flags").Spec.Template.Spec.Containers[0].Image; !strings.HasSuffix(img, ":1.0.0") {
		t.Fatalf("after the rollback to revision 1 the deployment runs %s, want tag 1.0.0", img)
	}
	auditLog(t, term, []string{`"verb":"rollback"`, `"name":"flags"`, "revision 2 (kdeck-demo-app-0.1.0, app 1.0.0) → revision 1", `"result":"ok"`})

	term.Send("C-d")
	term.WaitText("Uninstall release "+ns+"/flags", 10*time.Second)
	term.Send("Enter") // delete its history
	term.WaitText("Type the name to confirm", 5*time.Second)
	typeText(term, "flags", "Enter")
	term.WaitLine(60*time.Second, "✓ uninstall releases "+ns+"/flags")
	if cms, secrets := flagsRecords(t, ns); cms != 0 || secrets != 0 {
		t.Fatalf("after the uninstall flags has %d ConfigMaps and %d Secrets, want none", cms, secrets)
	}
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Get(ctx(t), "flags", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the release's deployment is still there after the uninstall: %v", err)
	}
	deployment(t, ns, "shop") // the release kept in Secrets is still there
}

// In read-only mode rollback and uninstall of a release kept in ConfigMaps are refused
// before any prompt, and the API server sees no mutating request; values stay readable.
func TestHelmConfigMapReadOnly(t *testing.T) {
	ns := newNamespace(t)
	installFlags(t, ns)
	proxy, kubeconfig := startCountingProxy(t, ns)
	term := StartKdeck(t, 200, 40, "--kubeconfig", kubeconfig, "--readonly", "-c", "helm")
	term.WaitLine(20*time.Second, "flags", " 2 ", "deployed", "configmap")
	refusedReadOnly(t, term, proxy)
	assertNotShown(t, term.Screen(), flagsPassword, flagsToken)
	if h := flagsHistory(t, ns); len(h) != 2 {
		t.Fatalf("the history changed: %+v", h)
	}
}

// A user who may use ConfigMaps but not Secrets sees the releases kept in ConfigMaps,
// live, and is told that those kept in Secrets are not shown; a rollback asks RBAC about
// ConfigMaps, which this user may write, so its dialog opens.
func TestHelmConfigMapNoSecrets(t *testing.T) {
	ns := newNamespace(t)
	installFlags(t, ns)
	helm(t, testbed.kubeconfig, "install", "shop", helmConfig(t, testbed.kubeconfig).Chart, "-n", ns)
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch", "create", "update", "delete"}},
	})
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-c", "helm")
	term.WaitLine(20*time.Second, "flags", " 2 ", "deployed", "configmap")
	term.WaitText("forbidden: cannot list secrets in namespace "+ns+": releases kept in secrets are not shown", 10*time.Second)
	if s := term.Screen(); strings.Contains(s, "STALE") || strings.Contains(s, " shop ") {
		t.Fatalf("the releases kept in ConfigMaps should be live, without those kept in Secrets:\n%s", s)
	}
	term.Send("u")
	term.WaitText("Roll back release "+ns, 10*time.Second)
	term.Send("Escape")
}

// A user who may read Secrets but not ConfigMaps sees the releases kept in Secrets, live,
// and is told that those kept in ConfigMaps are not shown.
func TestHelmConfigMapNoConfigMaps(t *testing.T) {
	ns := newNamespace(t)
	installFlags(t, ns)
	helm(t, testbed.kubeconfig, "install", "shop", helmConfig(t, testbed.kubeconfig).Chart, "-n", ns)
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list", "watch"}},
	})
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-c", "helm")
	term.WaitLine(20*time.Second, "shop", " 1 ", "deployed", "secret")
	term.WaitText("forbidden: cannot list configmaps in namespace "+ns+": releases kept in configmaps are not shown", 10*time.Second)
	if s := term.Screen(); strings.Contains(s, "STALE") || strings.Contains(s, "flags") {
		t.Fatalf("the releases kept in Secrets should be live, without those kept in ConfigMaps:\n%s", s)
	}
}
