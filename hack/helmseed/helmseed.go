// Package helmseed installs kdeck's testbed chart (hack/testbed/charts/kdeck-demo-app) as
// Helm releases in the states kdeck's Helm screens must show, with the real helm CLI the
// testbed builds (hack/testbed.sh build prints the directory that holds it). The demo seed
// (hack/seed --helm) and the end-to-end tests (hack/e2e) both use it:
//
//   - shop: three revisions, the last deployed: installed with image 1.0.0, upgraded to
//     1.1.0, then upgraded with new values (3 replicas, debug logs, a rotated password).
//   - billing: two revisions, the last failed: the upgrade changes the component label,
//     part of the Deployment's selector, which the API server refuses as immutable. What
//     Helm applied before the Deployment stays: the Service now selects no pod.
//   - search: two revisions, the last pending-upgrade: its `helm upgrade --wait` waits for
//     a pod that asks for 64 CPUs and can never be scheduled, and is killed (SIGKILL, so it
//     cannot record a failure) once the release says pending-upgrade and the Deployment
//     has the new template.
//
// Every release has a pre-install/pre-upgrade hook Job, a Secret from the auth values
// (user-supplied values hold a password and an API token), a ConfigMap, a Service and a
// Deployment named after the release. Seeding again leaves a release that is already in
// its seeded state alone and reinstalls any other.
package helmseed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Config says which helm to run against which cluster, with which chart.
type Config struct {
	// Helm is the helm binary: the testbed's is BIN_DIR/helm.
	Helm string
	// Kubeconfig is the cluster's kubeconfig file.
	Kubeconfig string
	// Chart is the chart's directory: ChartDir(repository root).
	Chart string
	// HelmHome holds helm's cache, config and data directories; "" means the directory
	// helm beside the kubeconfig, which is where `hack/testbed.sh helm NAME` keeps them.
	HelmHome string
	// Log receives every helm command and its output; nil discards them.
	Log io.Writer
	// Env holds more environment variables for helm ("HELM_DRIVER=configmap").
	Env []string
}

// ChartDir is the testbed chart's directory in the repository whose root is given.
func ChartDir(root string) string {
	return filepath.Join(root, "hack", "testbed", "charts", "kdeck-demo-app")
}

// Namespaces says where each release goes; they may all be the same namespace, and helm
// creates any that does not exist.
type Namespaces struct {
	Shop, Billing, Search string
}

// Demo is where the demo seed puts the releases: beside the company's objects, whose names
// they do not share (the shop namespace's own search Deployment is why search goes to
// platform).
var Demo = Namespaces{Shop: "shop", Billing: "payments", Search: "platform"}

// Release is the state Seed leaves a release in.
type Release struct {
	Name, Namespace string
	// Revisions is the length of its history.
	Revisions int
	// Status is the last revision's: deployed, failed or pending-upgrade.
	Status string
}

// Releases are the releases Seed makes in ns, in the order shop, billing, search.
func Releases(ns Namespaces) []Release {
	return []Release{
		{Name: "shop", Namespace: ns.Shop, Revisions: 3, Status: "deployed"},
		{Name: "billing", Namespace: ns.Billing, Revisions: 2, Status: "failed"},
		{Name: "search", Namespace: ns.Search, Revisions: 2, Status: "pending-upgrade"},
	}
}

// Values the releases are installed with: what a CI pipeline would pass. The auth values
// are what kdeck must mask.
var (
	shopAuth    = []string{"auth.username=shop", "auth.password=Sh0p-db-pass-2026", "auth.apiToken=tok_live_7d1e9b2c4a6f8e0d"}
	billingAuth = []string{"auth.username=billing", "auth.password=b1lling-ledger-pw", "auth.apiToken=tok_live_0c3b5a7e9d1f2a4b"}
	searchAuth  = []string{"auth.username=search", "auth.password=s3arch-index-pw", "auth.apiToken=tok_live_5e8a1c3f7b9d2e6a"}
)

// Seed installs or upgrades the releases of Releases(ns), concurrently, and returns when
// each is in its seeded state.
func Seed(ctx context.Context, c Config, ns Namespaces) error {
	if _, err := os.Stat(filepath.Join(c.Chart, "Chart.yaml")); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	steps := map[string]func(context.Context, Config, string) error{
		"shop": seedShop, "billing": seedBilling, "search": seedSearch,
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, r := range Releases(ns) {
		wg.Go(func() {
			if err := c.ensure(ctx, r, steps[r.Name]); err != nil {
				errs[i] = fmt.Errorf("release %s/%s: %w", r.Namespace, r.Name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ensure leaves r alone when it is in its seeded state, and otherwise uninstalls it (if it
// exists) and runs seed.
func (c Config) ensure(ctx context.Context, r Release, seed func(context.Context, Config, string) error) error {
	got, err := c.History(ctx, r.Name, r.Namespace)
	if err != nil {
		return err
	}
	if len(got) == r.Revisions && got[len(got)-1].Status == r.Status {
		return nil
	}
	if len(got) > 0 {
		if _, err := c.Run(ctx, "uninstall", r.Name, "-n", r.Namespace, "--wait", "--timeout", "2m"); err != nil {
			return err
		}
	}
	if err := seed(ctx, c, r.Namespace); err != nil {
		return err
	}
	got, err = c.History(ctx, r.Name, r.Namespace)
	if err != nil {
		return err
	}
	if len(got) != r.Revisions || got[len(got)-1].Status != r.Status {
		return fmt.Errorf("seeded, but the history is %v, want %d revisions, the last %s", got, r.Revisions, r.Status)
	}
	return nil
}

func seedShop(ctx context.Context, c Config, ns string) error {
	steps := [][]string{
		append([]string{"install", "--create-namespace", "--description", "ci: deploy 1.0.0", "--set", "image.tag=1.0.0"}, sets(shopAuth)...),
		append([]string{"upgrade", "--description", "ci: deploy 1.1.0", "--set", "image.tag=1.1.0"}, sets(shopAuth)...),
		append([]string{"upgrade", "--description", "ops: 3 replicas, debug logs, rotated db password",
			"--set", "image.tag=1.1.0", "--set", "replicaCount=3", "--set", "config.LOG_LEVEL=debug"},
			sets(append(shopAuth[:1:1], "auth.password=Sh0p-db-pass-2027", shopAuth[2]))...),
	}
	for _, s := range steps {
		if _, err := c.Run(ctx, append(s, "shop", c.Chart, "-n", ns)...); err != nil {
			return err
		}
	}
	return nil
}

func seedBilling(ctx context.Context, c Config, ns string) error {
	install := append([]string{"install", "billing", c.Chart, "-n", ns, "--create-namespace",
		"--description", "ci: deploy 1.0.0", "--set", "image.tag=1.0.0"}, sets(billingAuth)...)
	if _, err := c.Run(ctx, install...); err != nil {
		return err
	}
	upgrade := append([]string{"upgrade", "billing", c.Chart, "-n", ns, "--description", "ci: split billing into api and worker",
		"--set", "image.tag=1.1.0", "--set", "component=worker"}, sets(billingAuth)...)
	out, err := c.Run(ctx, upgrade...)
	if err == nil {
		return errors.New("the upgrade that changes the Deployment's selector went through")
	}
	if !strings.Contains(string(out), "field is immutable") {
		return err
	}
	return nil
}

func seedSearch(ctx context.Context, c Config, ns string) error {
	install := append([]string{"install", "search", c.Chart, "-n", ns, "--create-namespace",
		"--description", "ci: deploy 1.4.0", "--set", "image.tag=1.4.0", "--set", "replicaCount=1"}, sets(searchAuth)...)
	if _, err := c.Run(ctx, install...); err != nil {
		return err
	}
	cs, err := clientset(c.Kubeconfig)
	if err != nil {
		return err
	}
	upgrade := append([]string{"upgrade", "search", c.Chart, "-n", ns, "--description", "ci: deploy 2.0.0 (new index needs 64 cores)",
		"--set", "image.tag=2.0.0", "--set", "replicaCount=1", "--set", "resources.requests.cpu=64",
		"--wait", "--timeout", "10m"}, sets(searchAuth)...)
	cmd, out := c.command(ctx, upgrade...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	pending := func() bool {
		rel, err := cs.CoreV1().Secrets(ns).Get(ctx, "sh.helm.release.v1.search.v2", metav1.GetOptions{})
		if err != nil || rel.Labels["status"] != "pending-upgrade" {
			return false
		}
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "search", metav1.GetOptions{})
		return err == nil && len(d.Spec.Template.Spec.Containers) > 0 &&
			strings.HasSuffix(d.Spec.Template.Spec.Containers[0].Image, ":2.0.0")
	}
	deadline := time.After(2 * time.Minute)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for !pending() {
		select {
		case err := <-exited:
			c.log(upgrade, out.Bytes())
			return fmt.Errorf("helm upgrade ended before it was killed (%v): %s", err, out.Bytes())
		case <-deadline:
			_ = cmd.Process.Kill()
			<-exited
			c.log(upgrade, out.Bytes())
			return fmt.Errorf("no pending-upgrade release with the new Deployment after 2 minutes: %s", out.Bytes())
		case <-ctx.Done():
			<-exited
			return ctx.Err()
		case <-tick.C:
		}
	}
	// SIGKILL: on SIGTERM or SIGINT helm records the upgrade as failed
	_ = cmd.Process.Kill()
	<-exited
	c.log(upgrade, append(out.Bytes(), "(killed while waiting, as intended)\n"...))
	return nil
}

// sets turns KEY=VALUE pairs into --set flags.
func sets(kv []string) []string {
	var out []string
	for _, s := range kv {
		out = append(out, "--set", s)
	}
	return out
}

// Revision is one line of a release's history.
type Revision struct {
	Revision    int    `json:"revision"`
	Status      string `json:"status"`
	Chart       string `json:"chart"`
	AppVersion  string `json:"app_version"`
	Description string `json:"description"`
}

// String is "3:deployed".
func (r Revision) String() string { return fmt.Sprintf("%d:%s", r.Revision, r.Status) }

// History is `helm history NAME -n NAMESPACE`, oldest first; none when there is no such
// release.
func (c Config) History(ctx context.Context, name, namespace string) ([]Revision, error) {
	out, err := c.Run(ctx, "history", name, "-n", namespace, "-o", "json")
	if err != nil {
		if strings.Contains(string(out), "release: not found") {
			return nil, nil
		}
		return nil, err
	}
	var revs []Revision
	if err := json.Unmarshal(out, &revs); err != nil {
		return nil, fmt.Errorf("helm history %s: %w: %s", name, err, out)
	}
	return revs, nil
}

// Run runs helm with args against the cluster and returns its combined output; the error
// says the command and its output.
func (c Config) Run(ctx context.Context, args ...string) ([]byte, error) {
	cmd, out := c.command(ctx, args...)
	err := cmd.Run()
	c.log(args, out.Bytes())
	if err != nil {
		return out.Bytes(), fmt.Errorf("helm %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out.Bytes()))
	}
	return out.Bytes(), nil
}

// command is a helm command against the cluster with helm's own directories under
// HelmHome, its stdout and stderr together in the buffer returned.
func (c Config) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer) {
	home := c.HelmHome
	if home == "" {
		home = filepath.Join(filepath.Dir(c.Kubeconfig), "helm")
	}
	cmd := exec.CommandContext(ctx, c.Helm, append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"), "HELM_DATA_HOME="+filepath.Join(home, "data"))
	cmd.Env = append(cmd.Env, c.Env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

var logMu sync.Mutex

func (c Config) log(args []string, out []byte) {
	if c.Log == nil {
		return
	}
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Fprintf(c.Log, "$ helm %s\n%s", strings.Join(args, " "), out)
}

func clientset(kubeconfig string) (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "kdeck-helmseed"
	return kubernetes.NewForConfig(cfg)
}
