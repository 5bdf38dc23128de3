//go:build e2e

package e2e

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var updateGolden = flag.Bool("update", false, "rewrite hack/e2e/testdata/golden/*.golden from the screens")

// goldenNamespace is fixed so titles (centred in rules of dashes) are the same every run.
const goldenNamespace = "e2e-golden"

// Masks for what differs from one run to the next; everything else on screen must match.
var (
	maskPodHash = regexp.MustCompile(`\b(web|api)-[a-z0-9]{8,10}-[a-z0-9]{5}\b`)
	maskIP      = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	maskNode    = regexp.MustCompile(`\bkwok-node-\d+\b`)
	maskAge     = regexp.MustCompile(`\b\d+(s|m|h|d)$`) // AGE is every view's last column
	maskSpaces  = regexp.MustCompile(` +`)
)

// normalize masks a screen's run-dependent parts: the header (cluster names), pod hashes,
// IPs, nodes and ages; runs of spaces become one, as masked values differ in width.
func normalize(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	for i, l := range lines {
		if i == 0 && strings.HasPrefix(l, "kdeck ") {
			l = "<header>"
		}
		l = maskPodHash.ReplaceAllString(l, "$1-<hash>")
		l = maskIP.ReplaceAllString(l, "<ip>")
		l = maskNode.ReplaceAllString(l, "<node>")
		l = maskAge.ReplaceAllString(strings.TrimRight(l, " "), "<age>")
		lines[i] = strings.TrimRight(maskSpaces.ReplaceAllString(l, " "), " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// goldenObjects creates the golden namespace's objects: two deployments behind services,
// a service without endpoints, an Opaque secret.
func goldenObjects(t *testing.T) {
	t.Helper()
	cs := testbed.clientset
	nss := cs.CoreV1().Namespaces()
	_ = nss.Delete(ctx(t), goldenNamespace, metav1.DeleteOptions{})
	eventually(t, "old golden namespace gone", 60*time.Second, func() bool {
		_, err := nss.Get(ctx(t), goldenNamespace, metav1.GetOptions{})
		return err != nil
	})
	if _, err := nss.Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: goldenNamespace}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nss.Delete(ctx(t), goldenNamespace, metav1.DeleteOptions{}) })
	ns := goldenNamespace
	createDeployment(t, ns, "web", 3)
	createDeployment(t, ns, "api", 1)
	for name, sel := range map[string]map[string]string{"web": {"app": "web"}, "api": {"app": "api"}, "legacy": {"app": "gone"}} {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
		if _, err := cs.CoreV1().Services(ns).Create(ctx(t), svc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "db"},
		Data: map[string][]byte{"user": []byte("admin"), "password": []byte("s3cr3t-golden")}}
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx(t), sec, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Every resource view on data from the testbed, at 80x24 and 200x50, against golden
// screens (run-dependent parts masked). `-update` rewrites them; check them by eye.
func TestGoldenScreensFromTheTestbed(t *testing.T) {
	goldenObjects(t)
	views := []struct{ name, ready string }{
		{"deploy", "live · 2 deployments"},
		{"pods", "live · 4 pods"},
		{"svc", "live · 3 services"},
		{"secrets", "live · 1 secrets"},
	}
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, v := range views {
			t.Run(fmt.Sprintf("%s/%dx%d", v.name, size[0], size[1]), func(t *testing.T) {
				term := StartKdeck(t, size[0], size[1], "-n", goldenNamespace, "-c", v.name)
				term.WaitText(v.ready, 30*time.Second)
				switch v.name {
				case "svc":
					term.WaitLine(30*time.Second, "web", "3/3") // endpoints settle after pods
				case "pods":
					term.WaitGone("n/a", 120*time.Second) // kwok's usage (1m, 1Mi) reaches metrics-server
				}
				time.Sleep(300 * time.Millisecond) // one more snapshot, if any is due
				got := normalize(term.Screen())
				if strings.Contains(got, "s3cr3t-golden") || strings.Contains(got, "admin") {
					t.Fatalf("a secret value is on screen:\n%s", got)
				}
				path := filepath.Join("testdata", "golden", fmt.Sprintf("%s-%dx%d.golden", v.name, size[0], size[1]))
				if *updateGolden {
					os.MkdirAll(filepath.Dir(path), 0o755)
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					t.Fatalf("screen differs from %s\n--- got\n%s--- want\n%s", path, got, want)
				}
			})
		}
	}
}
