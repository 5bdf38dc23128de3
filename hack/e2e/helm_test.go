//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdeck/kdeck/hack/helmseed"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// helmBinary is the testbed's helm (built by testbed.sh with the rest; a warm build only
// prints the bin directory).
var helmBinary = sync.OnceValues(func() (string, error) {
	out, err := testbedCmd("build")
	return filepath.Join(strings.TrimSpace(out), "helm"), err
})

// helmConfig runs the testbed's helm against the cluster whose kubeconfig is given, with
// the testbed chart; helm's own directories are the cluster's (as `hack/testbed.sh helm`).
func helmConfig(t *testing.T, kubeconfig string) helmseed.Config {
	t.Helper()
	bin, err := helmBinary()
	if err != nil {
		t.Fatalf("testbed helm: %v", err)
	}
	return helmseed.Config{Helm: bin, Kubeconfig: kubeconfig, Chart: helmseed.ChartDir(testbed.root)}
}

// helm runs the testbed's helm CLI with args against the cluster whose kubeconfig is given
// (testbed.kubeconfig for the shared one) and returns its output, stdout and stderr
// together; it fails the test if helm fails.
func helm(t *testing.T, kubeconfig string, args ...string) string {
	t.Helper()
	return helmEnv(t, kubeconfig, nil, args...)
}

// helmEnv is helm with more environment variables for it ("HELM_DRIVER=configmap").
func helmEnv(t *testing.T, kubeconfig string, env []string, args ...string) string {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := helmConfig(t, kubeconfig)
	cfg.Env = env
	out, err := cfg.Run(c, args...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// seedHelmReleases installs helmseed's releases (shop: 3 revisions, deployed; billing: 2,
// failed; search: 2, pending-upgrade) into ns on the cluster whose kubeconfig is given, and
// returns what they are. Helm creates a namespace that does not exist; delete the
// namespaces (newNamespace does) to remove the releases. About 10 s.
func seedHelmReleases(t *testing.T, kubeconfig string, ns helmseed.Namespaces) []helmseed.Release {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := helmConfig(t, kubeconfig)
	var log bytes.Buffer
	cfg.Log = &log
	start := time.Now()
	if err := helmseed.Seed(c, cfg, ns); err != nil {
		t.Fatalf("seeding helm releases: %v\n%s", err, log.Bytes())
	}
	t.Logf("helm releases seeded in %s", time.Since(start).Round(time.Millisecond))
	return helmseed.Releases(ns)
}

// The seeded releases are what the real helm CLI says they are: shop has three revisions,
// the third deployed; billing's last revision failed (the API server refused its selector
// change); search is pending-upgrade.
func TestHelmSeed(t *testing.T) {
	ns := newNamespace(t)
	seedHelmReleases(t, testbed.kubeconfig, helmseed.Namespaces{Shop: ns, Billing: ns, Search: ns})

	var history []struct {
		Revision int    `json:"revision"`
		Status   string `json:"status"`
	}
	out := helm(t, testbed.kubeconfig, "history", "shop", "-n", ns, "-o", "json")
	if err := json.Unmarshal([]byte(out), &history); err != nil {
		t.Fatalf("helm history shop: %v: %s", err, out)
	}
	want := []string{"1 superseded", "2 superseded", "3 deployed"}
	var got []string
	for _, h := range history {
		got = append(got, fmt.Sprintf("%d %s", h.Revision, h.Status))
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("helm history shop: %q, want %q", got, want)
	}

	for _, c := range []struct {
		name, status, description string
		revision                  int
	}{
		{"billing", "failed", "field is immutable", 2},
		{"search", "pending-upgrade", "Preparing upgrade", 2},
	} {
		var st struct {
			Version int `json:"version"`
			Info    struct {
				Status      string `json:"status"`
				Description string `json:"description"`
			} `json:"info"`
		}
		out := helm(t, testbed.kubeconfig, "status", c.name, "-n", ns, "-o", "json")
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatalf("helm status %s: %v", c.name, err)
		}
		if st.Version != c.revision || st.Info.Status != c.status || !strings.Contains(st.Info.Description, c.description) {
			t.Errorf("helm status %s: revision %d %s %q, want revision %d %s with %q",
				c.name, st.Version, st.Info.Status, st.Info.Description, c.revision, c.status, c.description)
		}
	}

	// the table a person reads says the same
	list := helm(t, testbed.kubeconfig, "list", "-n", ns)
	for _, want := range [][3]string{{"shop", "3", "deployed"}, {"billing", "2", "failed"}, {"search", "2", "pending-upgrade"}} {
		found := false
		for _, l := range strings.Split(list, "\n") {
			f := strings.Fields(l)
			found = found || len(f) > 3 && f[0] == want[0] && f[2] == want[1] && slices.Contains(f, want[2])
		}
		if !found {
			t.Errorf("helm list has no line NAME %s REVISION %s STATUS %s:\n%s", want[0], want[1], want[2], list)
		}
	}
}

// helmSeeded seeds the three releases into one new namespace and returns it.
func helmSeeded(t *testing.T) string {
	t.Helper()
	ns := newNamespace(t)
	seedHelmReleases(t, testbed.kubeconfig, helmseed.Namespaces{Shop: ns, Billing: ns, Search: ns})
	return ns
}

// onShop seeds the releases and opens kdeck's releases view on them (200x40) with the
// cursor on shop, the last row (revision 3, deployed).
func onShop(t *testing.T) (string, *Term) {
	t.Helper()
	ns := helmSeeded(t)
	term := StartKdeck(t, 200, 40, "-n", ns, "-c", "helm")
	term.WaitLine(20*time.Second, "shop", " 3 ", "deployed")
	term.Send("G")
	return ns, term
}

// :helm lists the seeded releases with their newest revision and status; enter shows a
// release's history; its values are masked until x reveals one (audited); its manifest
// shows the Secret's data masked; d diffs two revisions.
func TestHelmReleasesHistoryValuesDiff(t *testing.T) {
	ns := helmSeeded(t)
	const password, token = "s3cr3t-rotated-pw", "tok_live_7d1e9b2c4a6f8e0d"
	term := StartKdeck(t, 200, 40, "-n", ns, "-c", "helm")
	term.WaitLine(20*time.Second, "billing", " 2 ", "failed")
	term.WaitLine(5*time.Second, "search", " 2 ", "pending-upgrade")
	term.WaitLine(5*time.Second, "shop", " 3 ", "kdeck-demo-app-0.1.0", "deployed")

	term.Send("G", "Enter") // shop, the last row
	term.WaitText("history shop("+ns+")[3]", 10*time.Second)
	term.WaitLine(10*time.Second, " 3 ", "deployed", "ops: 3 replicas")
	term.WaitLine(5*time.Second, " 1 ", "superseded", "ci: deploy 1.0.0")

	term.Send("v") // the newest revision: the cursor starts on the first row
	term.WaitText("values "+ns+"/shop revision 3", 10*time.Second)
	term.WaitLine(10*time.Second, "password:", "••••••••")
	assertNotShown(t, term.Screen(), password, token)
	term.Send("x")
	term.WaitText("Reveal a value of release", 10*time.Second) // a long namespace cuts the title
	term.WaitLine(5*time.Second, "›", "auth.apiToken")
	term.Send("Enter") // the first masked path: auth.apiToken
	term.WaitLine(10*time.Second, "apiToken:", token)
	assertNotShown(t, term.Screen(), password)
	auditLog(t, term, []string{`"verb":"reveal"`, `"name":"sh.helm.release.v1.shop.v3"`, "show the value auth.apiToken of release shop revision 3"}, token)

	term.Send("q", "m")
	term.WaitText("manifest "+ns+"/shop revision 3", 10*time.Second)
	term.Send("/", "password", "Enter")
	term.WaitLine(10*time.Second, "password:", "••••••••")
	assertNotShown(t, term.Screen(), password, token)

	term.Send("Escape", "q", "d")
	term.WaitText("Diff "+ns, 10*time.Second)
	term.WaitLine(5*time.Second, "›", "2 ", "ci: deploy 1.1.0")
	term.Send("Enter") // revision 2
	term.WaitText("diff "+ns+"/shop revision 2 → 3", 10*time.Second)
	term.WaitText("+replicaCount: 3", 10*time.Second)
	term.WaitText(`-  LOG_LEVEL: "info"`, 5*time.Second)
	term.WaitText(`+  LOG_LEVEL: "debug"`, 5*time.Second)
	assertNotShown(t, term.Screen(), password, token)
}

// u rolls a release back to the revision chosen; helm history then says the new revision
// is a rollback to it, deployed. ctrl+d, keeping history, uninstalls it: helm says so.
func TestHelmRollbackAndUninstall(t *testing.T) {
	ns, term := onShop(t)
	term.Send("u")
	term.WaitText("Roll back release "+ns, 10*time.Second)
	term.WaitText("Now: 3 ", 5*time.Second)
	term.Send("Down", "Enter") // from revision 2 (preselected) down to 1
	// "✓ rollback …" is replaced as soon as the release's history is read again (often
	// before a capture sees it): what stays is the outcome, read from the release
	term.WaitLine(60*time.Second, "release "+ns+"/shop is at revision 4: deployed (Rollback to 1)")
	term.WaitLine(20*time.Second, "shop", " 4 ", "deployed")

	var history []struct {
		Revision    int    `json:"revision"`
		Status      string `json:"status"`
		Description string `json:"description"`
	}
	out := helm(t, testbed.kubeconfig, "history", "shop", "-n", ns, "-o", "json")
	if err := json.Unmarshal([]byte(out), &history); err != nil {
		t.Fatalf("helm history: %v: %s", err, out)
	}
	if n := len(history); n != 4 || history[3].Status != "deployed" || history[3].Description != "Rollback to 1" {
		t.Fatalf("helm history after the rollback: %+v", history)
	}
	if img := deployment(t, ns, "shop").Spec.Template.Spec.Containers[0].Image; !strings.HasSuffix(img, ":1.0.0") {
		t.Fatalf("after the rollback to revision 1 the deployment runs %s, want tag 1.0.0", img)
	}
	auditLog(t, term, []string{`"verb":"rollback"`, `"name":"shop"`, "revision 3 (kdeck-demo-app-0.1.0, app 1.0.0) → revision 1", `"result":"ok"`})

	term.Send("C-d")
	term.WaitText("Uninstall release "+ns+"/shop", 10*time.Second)
	term.Send("Down", "Enter") // keep history
	term.WaitText("Type the name to confirm", 5*time.Second)
	typeText(term, "shop", "Enter")
	term.WaitLine(60*time.Second, "✓ uninstall releases "+ns+"/shop") // no follow-up replaces this one
	term.WaitLine(20*time.Second, "shop", " 4 ", "uninstalled")
	if st := helm(t, testbed.kubeconfig, "status", "shop", "-n", ns); !strings.Contains(st, "STATUS: uninstalled") {
		t.Fatalf("helm status after the uninstall:\n%s", st)
	}
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Get(ctx(t), "shop", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the release's deployment is still there after the uninstall: %v", err)
	}
}

// In read-only mode rollback and uninstall are refused before any prompt, and the API
// server sees no mutating request; values stay readable.
func TestHelmReadOnly(t *testing.T) {
	ns := helmSeeded(t)
	proxy, kubeconfig := startCountingProxy(t, ns)
	term := StartKdeck(t, 200, 40, "--kubeconfig", kubeconfig, "--readonly", "-c", "helm")
	term.WaitLine(20*time.Second, "shop", " 3 ", "deployed")
	term.Send("G")
	refusedReadOnly(t, term, proxy)
	if out := helm(t, testbed.kubeconfig, "history", "shop", "-n", ns); strings.Count(out, "\n") != 4 {
		t.Fatalf("the history changed:\n%s", out)
	}
}

// refusedReadOnly presses u and ctrl+d on the selected release in read-only mode: each is
// refused before any dialog opens; then v shows its values, masked; the API server has
// seen reads and no mutating request.
func refusedReadOnly(t *testing.T, term *Term, proxy *countingProxy) {
	t.Helper()
	term.Send("u")
	term.WaitText("roll back to a revision: refused, kdeck is read-only on this context", 5*time.Second)
	term.Send("C-d")
	term.WaitText("uninstall (type the name to confirm): refused, kdeck is read-only", 5*time.Second)
	if strings.Contains(term.Screen(), "╭") {
		t.Fatalf("a refused Helm action opened a dialog:\n%s", term.Screen())
	}
	term.Send("v")
	term.WaitLine(10*time.Second, "password:", "••••••••")
	if muts, reads := proxy.counts(); len(muts) != 0 || reads == 0 {
		t.Fatalf("read-only Helm: mutating requests %v, reads %d", muts, reads)
	}
}

// A user who may list pods but not secrets sees why no release is shown, not an empty list.
func TestHelmForbiddenNamespace(t *testing.T) {
	ns := helmSeeded(t)
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
	})
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-c", "helm")
	term.WaitText("cannot list secrets in namespace "+ns, 20*time.Second)
	term.WaitText("Helm keeps its releases in Secrets", 5*time.Second)
}

// D lists the deployed revision's objects against the cluster: after kubectl set image, a
// deleted ConfigMap and a scale through the scale subresource (as an HPA does), the
// deployment is changed in its image only, the ConfigMap deleted, the rest in sync; enter
// describes an object.
func TestHelmDrift(t *testing.T) {
	ns, term := onShop(t)
	term.Send("D")
	term.WaitText("objects of shop revision 3("+ns+")[4]", 20*time.Second)
	for _, kind := range []string{"Secret", "ConfigMap", "Service"} {
		term.WaitLine(5*time.Second, kind, "exists", "in sync")
	}
	term.WaitLine(5*time.Second, "Deployment", "ready ", "in sync")

	kubectl(t, "-n", ns, "set", "image", "deployment/shop", "app=registry.example.com/demo/app:9.9.9")
	if err := testbed.clientset.CoreV1().ConfigMaps(ns).Delete(ctx(t), "shop-config", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	kubectl(t, "-n", ns, "scale", "deployment/shop", "--replicas=7")
	// compared again within helm.DriftInterval (10 s)
	term.WaitLine(30*time.Second, "Deployment", "shop", "/7", "changed: spec.template.spec.containers[name=app].image")
	term.WaitLine(5*time.Second, "ConfigMap", "shop-config", "missing", "deleted")
	term.WaitLine(5*time.Second, "Secret", "shop-auth", "in sync")
	if s := term.Screen(); strings.Contains(s, "spec.replicas") {
		t.Fatalf("a scale through the scale subresource was shown as drift:\n%s", s)
	}
	term.Send("/", "Deployment", "Enter")
	term.WaitText("[1 of 4] /Deployment", 10*time.Second) // the filter has applied
	term.Send("Enter")
	term.WaitText("describe deployments/"+ns+"/shop", 10*time.Second)
	term.WaitText("registry.example.com/demo/app:9.9.9", 10*time.Second)
}

// kubectl runs the testbed's kubectl with args against the shared cluster, as a person
// would change what Helm deployed; it fails the test if kubectl fails.
func kubectl(t *testing.T, args ...string) {
	t.Helper()
	bin, err := helmBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx(t), filepath.Join(filepath.Dir(bin), "kubectl"), append([]string{"--kubeconfig", testbed.kubeconfig}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// A user who may write the release storage but not the release's Deployments is refused a
// rollback up front, naming the request RBAC would stop, and the release is untouched
// (Helm would otherwise record a failed revision half applied).
func TestHelmRollbackForbiddenKind(t *testing.T) {
	ns := helmSeeded(t)
	all := []string{"get", "list", "watch", "create", "update", "patch", "delete"}
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets", "configmaps", "services"}, Verbs: all},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get", "list", "watch"}},
	})
	term := StartKdeck(t, 200, 40, "--kubeconfig", kubeconfig, "-c", "helm")
	term.WaitLine(20*time.Second, "shop", " 3 ", "deployed")
	term.Send("G", "u")
	term.WaitText("Roll back release "+ns, 10*time.Second)
	term.Send("Enter")
	term.WaitText("roll back to a revision: forbidden: cannot patch deployments.apps in namespace "+ns, 20*time.Second)
	if out := helm(t, testbed.kubeconfig, "history", "shop", "-n", ns); strings.Count(out, "\n") != 4 {
		t.Fatalf("the history changed:\n%s", out)
	}
}
