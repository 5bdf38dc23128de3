//go:build e2e

package e2e

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/hack/netfault"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
)

// proxiedKubeconfig writes a copy of the testbed's kubeconfig whose server is reached
// through a netfault proxy, and returns its path and the proxy.
func proxiedKubeconfig(t *testing.T) (string, *netfault.Proxy) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	var proxy *netfault.Proxy
	for _, c := range cfg.Clusters {
		u, err := url.Parse(c.Server)
		if err != nil {
			t.Fatal(err)
		}
		if proxy, err = netfault.Start(u.Host); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proxy.Close)
		u.Host = proxy.Addr()
		c.Server = u.String()
	}
	path := filepath.Join(t.TempDir(), "kubeconfig.yaml")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path, proxy
}

// The network path to the API server goes silent (a dropped VPN, a dead NAT entry: no RST,
// no FIN, no byte): within 10 s the header leaves "● connected", the rows are marked STALE
// and the status line says plainly that the connection is lost. When the path returns,
// the view is live again within 2 s and shows what changed meanwhile, a pod created and a
// pod deleted.
func TestSilentNetworkPath(t *testing.T) {
	ns := newNamespace(t)
	pods := testbed.clientset.CoreV1().Pods(ns)
	for _, name := range []string{"before-silence", "deleted-in-silence"} {
		if _, err := pods.Create(ctx(t), kwokPod(ns, name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	kubeconfig, proxy := proxiedKubeconfig(t)
	term := StartKdeck(t, 200, 24, "--kubeconfig", kubeconfig, "-n", ns)
	term.WaitText("deleted-in-silence", 15*time.Second)
	term.WaitText("● connected", 5*time.Second)
	term.WaitText("live · 2 pods", 5*time.Second)

	frozen := time.Now()
	proxy.Freeze()
	term.WaitFor("the lost path on screen", 10*time.Second, func(s string) bool {
		return strings.Contains(s, "no answer from the API server") && strings.Contains(s, "STALE") &&
			strings.Contains(s, "connection to the API server lost")
	})
	detected := time.Since(frozen)
	screen := term.Screen()
	if strings.Contains(screen, "● connected") || strings.Contains(screen, "live ·") {
		t.Errorf("a silent path still reads as connected and live:\n%s", screen)
	}
	if !strings.Contains(screen, "before-silence") {
		t.Errorf("the last known rows must stay on screen, marked stale:\n%s", screen)
	}
	if strings.Contains(screen, "an error on the server") || strings.Contains(screen, "http2") {
		t.Errorf("the status line must speak plainly, not in client-go's words:\n%s", screen)
	}

	if _, err := pods.Create(ctx(t), kwokPod(ns, "created-in-silence"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pods.Delete(ctx(t), "deleted-in-silence", metav1.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // kdeck's questions meanwhile go unanswered

	thawed := time.Now()
	proxy.Thaw()
	term.WaitFor("the view live again with what changed", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "created-in-silence") && !strings.Contains(s, "deleted-in-silence") &&
			strings.Contains(s, "● connected") && strings.Contains(s, "live · 2 pods") && !strings.Contains(s, "STALE")
	})
	recovered := time.Since(thawed)
	t.Logf("silent path shown after %s; live again %s after the path returned", detected.Round(10*time.Millisecond), recovered.Round(10*time.Millisecond))
	if recovered > 2*time.Second {
		t.Errorf("live again only %s after the path returned, want within 2 s", recovered)
	}
}
