//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdeck/kdeck/hack/helmseed"
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
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := helmConfig(t, kubeconfig).Run(c, args...)
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
