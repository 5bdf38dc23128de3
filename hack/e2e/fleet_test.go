//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
)

// `-n a,b` lists the pods of both namespaces (and of no other) in one view with a NAMESPACE
// column, live in each; a kill acts in the row's namespace; `:ns` takes a list too, and a
// typo in one name changes nothing.
func TestSeveralNamespaces(t *testing.T) {
	shop, pay, other := shortNamespace(t, "shop"), shortNamespace(t, "pay"), shortNamespace(t, "other")
	createLabelledPods(t, shop, "web", "web-a")
	createLabelledPods(t, pay, "ledger", "ledger-a")
	createLabelledPods(t, other, "hidden", "hidden-a")
	term := StartKdeck(t, 160, 30, "-n", pay+","+shop, "-c", "pods")
	term.WaitLine(20*time.Second, shop, "web-a")
	term.WaitLine(10*time.Second, pay, "ledger-a")
	scope := strings.Join(sortedPair(pay, shop), ",")
	term.WaitText("pods("+scope+")[2]", 5*time.Second)
	if s := term.Screen(); strings.Contains(s, "hidden-a") || !strings.Contains(s, "NAMESPACE") {
		t.Fatalf("want both namespaces' pods, with a NAMESPACE column, and nothing of %s:\n%s", other, s)
	}

	createLabelledPods(t, pay, "ledger", "ledger-b") // each namespace's watch is live
	term.WaitLine(20*time.Second, pay, "ledger-b")

	term.Send("/", "w", "e", "b", "Enter")
	term.WaitText("pods("+scope+")[1 of 3]", 5*time.Second)
	term.Send("C-k")
	term.WaitText("Kill pod "+shop+"/web-a", 5*time.Second)
	term.Send("y")
	eventually(t, "web-a killed", 15*time.Second, func() bool {
		_, err := testbed.clientset.CoreV1().Pods(shop).Get(ctx(t), "web-a", metav1.GetOptions{})
		return err != nil
	})
	for _, ns := range []string{pay, other} { // nothing else was touched
		if l, err := testbed.clientset.CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{}); err != nil || len(l.Items) == 0 {
			t.Fatalf("pods of %s: %v %v", ns, l, err)
		}
	}
	term.Send("Escape")

	term.command("ns " + other + ",Bad_Name")
	term.WaitText(`namespace "Bad_Name"`, 5*time.Second)
	term.Send("Escape")
	if s := term.Screen(); !strings.Contains(s, "ledger-a") {
		t.Fatalf("a typo in :ns changed the view:\n%s", s)
	}
	term.command("ns " + other + "," + pay)
	term.WaitLine(20*time.Second, other, "hidden-a")
	term.WaitLine(10*time.Second, pay, "ledger-a")
	term.WaitFor("web-a's row gone", 5*time.Second, func(screen string) bool {
		for _, line := range strings.Split(screen, "\n") {
			if strings.Contains(line, "web-a") && strings.Contains(line, "Running") {
				return false
			}
		}
		return true
	})
}

// shortNamespace creates a namespace whose name fits a NAMESPACE column: what, after a
// number that differs from run to run.
func shortNamespace(t *testing.T, what string) string {
	t.Helper()
	name := fmt.Sprintf("n%d-%s", time.Now().UnixNano()%100000, what)
	if _, err := testbed.clientset.CoreV1().Namespaces().Create(ctx(t),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testbed.clientset.CoreV1().Namespaces().Delete(ctx(t), name, metav1.DeleteOptions{}) })
	return name
}

// sortedPair is a and b in order.
func sortedPair(a, b string) []string {
	if a > b {
		return []string{b, a}
	}
	return []string{a, b}
}

// `--context a,b` shows both clusters' pods in one view with a CONTEXT column; a kill on a
// row of the second cluster deletes that cluster's pod only (the same name lives in both),
// and the dialog names the context. When the second cluster stops, its rows and its header
// entry say so while the first stays live; when it is back, its rows are live again.
func TestSeveralClusters(t *testing.T) {
	name := fmt.Sprintf("kdeck-e2e-fleet-%d", os.Getpid())
	kubeconfigB, csB := startCluster(t, name)
	ns := newNamespace(t)
	if _, err := csB.CoreV1().Namespaces().Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	createLabelledPods(t, ns, "web", "web-a")
	if _, err := csB.CoreV1().Pods(ns).Create(ctx(t), kwokPod(ns, "web-a"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	merged, ctxA, ctxB := mergedKubeconfig(t, testbed.kubeconfig, kubeconfigB)

	term := StartKdeck(t, 200, 30, "--kubeconfig", merged, "--context", ctxA+","+ctxB, "-n", ns, "-c", "pods")
	term.WaitLine(20*time.Second, ctxA, "web-a")
	term.WaitLine(20*time.Second, ctxB, "web-a")
	term.WaitText("2 contexts", 5*time.Second)

	term.Send("/")
	term.Send(strings.Split(ctxB, "")...)
	term.Send("Enter")
	term.WaitText("[1 of 2]", 5*time.Second)
	term.Send("C-k")
	term.WaitText("Kill pod "+ns+"/web-a", 5*time.Second)
	term.WaitText(ctxB, time.Second) // the dialog names the cluster it acts on
	term.Send("y")
	eventually(t, "web-a killed on "+ctxB, 15*time.Second, func() bool {
		_, err := csB.CoreV1().Pods(ns).Get(ctx(t), "web-a", metav1.GetOptions{})
		return err != nil
	})
	if _, err := testbed.clientset.CoreV1().Pods(ns).Get(ctx(t), "web-a", metav1.GetOptions{}); err != nil {
		t.Fatalf("web-a on %s is gone too: %v", ctxA, err)
	}
	term.Send("Escape")

	if _, err := csB.CoreV1().Pods(ns).Create(ctx(t), kwokPod(ns, "web-b"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	term.WaitLine(20*time.Second, ctxB, "web-b")
	if _, err := testbedCmd("stop", name); err != nil {
		t.Fatal(err)
	}
	took := term.WaitText("PARTLY STALE", 30*time.Second)
	term.WaitText(ctxB+" ○ no answer", 15*time.Second) // the header follows the link: lost after 7 s of silence
	t.Logf("the stopped cluster was marked %s after its stop returned", took)
	createLabelledPods(t, ns, "api", "api-a") // the other cluster stays live
	term.WaitLine(20*time.Second, ctxA, "api-a")
	if s := term.Screen(); !strings.Contains(s, "web-b") {
		t.Fatalf("the stopped cluster's rows are gone instead of shown stale:\n%s", s)
	}
	if _, err := testbedCmd("start", name); err != nil {
		t.Fatal(err)
	}
	term.WaitGone("PARTLY STALE", 60*time.Second)
	term.WaitLine(5*time.Second, ctxB, "web-b")
}

// `:clusters` lists every context of the kubeconfig: the one shown marked (*), a second
// testbed cluster live with its version, nodes and pods (its counts follow the cluster),
// and a context whose server refuses connections unreachable with the reason. When the
// second cluster's API server stops answering its row says so, and again live once it
// answers. Enter shows a context with the screen's own connection, marks show several at
// once, and enter on the unreachable one changes nothing.
func TestClustersScreen(t *testing.T) {
	name := fmt.Sprintf("kdeck-e2e-clusters-%d", os.Getpid())
	kubeconfigB, csB := startCluster(t, name)
	ns := newNamespace(t)
	if _, err := csB.CoreV1().Namespaces().Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := csB.CoreV1().Pods(ns).Create(ctx(t), kwokPod(ns, "only-on-b"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	merged, ctxA, ctxB := mergedKubeconfig(t, testbed.kubeconfig, kubeconfigB)
	addUnreachableContext(t, merged, "gone", ctxA)

	term := StartKdeck(t, 200, 30, "--kubeconfig", merged, "-n", ns, "-c", "pods")
	term.WaitText("ctx "+ctxA, 20*time.Second)
	term.command("clusters")
	term.WaitLine(20*time.Second, ctxA+" (*)", "live")
	term.WaitLine(20*time.Second, ctxB, "live", "v1.")
	term.WaitLine(20*time.Second, "gone", "unreachable: cannot reach the API server")
	term.WaitText("1 of 3 contexts not answering", 5*time.Second)

	nodes, err := csB.CoreV1().Nodes().List(ctx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	row := term.clusterRow(t, ctxB)
	if want := fmt.Sprintf("%d/%d", len(nodes.Items), len(nodes.Items)); row.nodes != want || row.notReady != "0" {
		t.Fatalf("%s: nodes %q (want %s), not ready %q (want 0)", ctxB, row.nodes, want, row.notReady)
	}
	pending := kwokPod(ns, "nowhere")
	pending.Spec.NodeSelector = map[string]string{"kdeck.dev/nowhere": "true"}
	if _, err := csB.CoreV1().Pods(ns).Create(ctx(t), pending, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	term.WaitFor("a pending pod counted not ready on "+ctxB, 20*time.Second, func(string) bool {
		return term.clusterRow(t, ctxB).notReady == "1"
	})

	thaw := freeze(t, kubeconfigB)
	took := term.WaitLine(20*time.Second, ctxB, "no answer · retrying")
	t.Logf("%s's stopped API server was shown after %s", ctxB, took)
	term.WaitText("2 of 3 contexts not answering", 5*time.Second)
	thaw()
	term.WaitLine(20*time.Second, ctxB, "live")

	term.Send("/")
	term.Send(strings.Split(ctxB, "")...)
	term.Send("Enter")
	term.WaitText("[1 of 3]", 5*time.Second)
	term.Send("Enter")
	term.WaitText("ctx "+ctxB, 10*time.Second)
	term.command("ns " + ns)                              // a switch goes to the context's own namespace, as :ctx does
	term.WaitLine(20*time.Second, "only-on-b", "Running") // the view visited before :clusters, on B

	term.command("clusters")
	term.WaitLine(20*time.Second, ctxB+" (*)", "live")
	term.WaitLine(20*time.Second, ctxA, "live")
	rows := []string{ctxA, ctxB, "gone"}
	slices.Sort(rows) // the screen's order
	to := func(context string) {
		term.Send("g")
		for range slices.Index(rows, context) {
			term.Send("Down")
		}
	}
	to(ctxA)
	term.Send("Space")
	to(ctxB)
	term.Send("Space")
	term.WaitText("●2 marked", 5*time.Second)
	term.Send("Enter")
	term.WaitText("2 contexts", 10*time.Second)
	term.command("ns " + ns)
	term.WaitLine(20*time.Second, ctxB, "only-on-b")

	term.command("clusters")
	term.WaitLine(20*time.Second, "gone", "unreachable")
	to("gone")
	term.Send("Enter")
	term.WaitText("cannot show gone: unreachable", 5*time.Second)
	if s := term.Screen(); !strings.Contains(s, "2 contexts") {
		t.Fatalf("a refused switch changed the clusters shown:\n%s", s)
	}
}

// `--context a,gone`, where gone's server is down, starts anyway: a's rows live, gone
// marked in the header from the first frame on and the title partly stale. `:ctx gone`
// alone is refused, and changes nothing.
func TestSeveralClustersOneDownAtStart(t *testing.T) {
	ns := newNamespace(t)
	createLabelledPods(t, ns, "web", "web-a")
	cfg, err := clientcmd.LoadFromFile(testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig.yaml")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	addUnreachableContext(t, path, "gone", cfg.CurrentContext)

	term := StartKdeck(t, 200, 30, "--kubeconfig", path, "--context", cfg.CurrentContext+",gone", "-n", ns, "-c", "pods")
	term.WaitText("gone ○ no answer", 20*time.Second)
	term.WaitLine(10*time.Second, cfg.CurrentContext, "web-a")
	term.WaitText("PARTLY STALE", 20*time.Second)
	createLabelledPods(t, ns, "web", "web-b") // the answering cluster is live
	term.WaitLine(20*time.Second, cfg.CurrentContext, "web-b")

	term.command("ctx gone")
	term.WaitText("context switch failed: gone: cannot reach the API server", 20*time.Second)
	if s := term.Screen(); !strings.Contains(s, "web-b") || !strings.Contains(s, "2 contexts") {
		t.Fatalf("a refused switch changed the view:\n%s", s)
	}
}

// addUnreachableContext adds context name to the kubeconfig at path: like context like's,
// but for a server on a port of this machine where nothing listens.
func addUnreachableContext(t *testing.T, path, name, like string) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now: connections are refused at once
	cluster := *cfg.Clusters[cfg.Contexts[like].Cluster]
	cluster.Server = "https://" + addr
	cfg.Clusters[name] = &cluster
	c := *cfg.Contexts[like]
	c.Cluster = name
	cfg.Contexts[name] = &c
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
}

// clusterCells are the cells of a context's row on the clusters screen that tests read.
type clusterCells struct{ nodes, notReady string }

// clusterRow reads context's row on the clusters screen (200 columns wide: CONTEXT STATUS
// VERSION NODES PODS NOT READY CRITICAL WARNING SERVER).
func (term *Term) clusterRow(t *testing.T, context string) clusterCells {
	t.Helper()
	for _, line := range strings.Split(term.Screen(), "\n") {
		f := strings.Fields(line)
		if len(f) >= 9 && f[0] == context && f[1] == "live" {
			return clusterCells{nodes: f[3], notReady: f[5]}
		}
	}
	return clusterCells{}
}
