// Command helmbench measures the Helm releases list at scale: it fills a testbed cluster
// with -releases releases of -revisions revisions each (records written by Helm's own
// storage driver, every one holding a chart and a manifest of realistic size), then times
// kdeck's releases list (kube/helm.ReleaseCache, until it is live) and, when -helm names the
// helm CLI, `helm list -A` on the same cluster.
//
//	go run ./hack/helmbench -kubeconfig KUBECONFIG [-releases 1000 -revisions 10] [-helm HELM]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/helm"
	chartcommon "helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/release/common"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the testbed cluster")
	releases := flag.Int("releases", 1000, "releases to create")
	revisions := flag.Int("revisions", 10, "revisions per release")
	namespaces := flag.Int("namespaces", 20, "namespaces the releases are spread over")
	helmCLI := flag.String("helm", "", "helm CLI to time `helm list -A` with (none: skip)")
	flag.Parse()
	if err := run(*kubeconfig, *releases, *revisions, *namespaces, *helmCLI); err != nil {
		fmt.Fprintln(os.Stderr, "helmbench:", err)
		os.Exit(1)
	}
}

func run(kubeconfig string, releases, revisions, namespaces int, helmCLI string) error {
	ctx := context.Background()
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &kubeconfig
	c, err := kube.Connect(ctx, flags, kube.Options{UserAgent: "kdeck-helmbench"})
	if err != nil {
		return err
	}
	start := time.Now()
	created, err := seed(ctx, c, releases, revisions, namespaces)
	if err != nil {
		return err
	}
	fmt.Printf("records: %d releases x %d revisions in %d namespaces (%d created in %s)\n",
		releases, revisions, namespaces, created, time.Since(start).Round(time.Millisecond))

	for run := 1; run <= 3; run++ {
		d, rows, err := loadList(ctx, c)
		if err != nil {
			return err
		}
		fmt.Printf("kdeck releases list, run %d: %d releases live in %s\n", run, rows, d.Round(time.Millisecond))
	}
	if helmCLI != "" {
		for run := 1; run <= 3; run++ {
			start := time.Now()
			out, err := exec.Command(helmCLI, "--kubeconfig", kubeconfig, "list", "-A", "--max", "0").Output()
			if err != nil {
				return fmt.Errorf("helm list: %w", err)
			}
			fmt.Printf("helm list -A, run %d: %d lines in %s\n", run, strings.Count(string(out), "\n"), time.Since(start).Round(time.Millisecond))
		}
	}
	return nil
}

// loadList runs kdeck's releases list until it is live and says how long that took.
func loadList(ctx context.Context, c *kube.Client) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	cache := helm.ReleaseCache(c, "")
	go cache.Run(ctx, nil)
	for {
		select {
		case <-ctx.Done():
			return 0, 0, fmt.Errorf("the list never went live: %v", cache.State().Err)
		case <-cache.Changed():
		}
		if cache.State().Phase == kube.PhaseLive {
			return time.Since(start), len(cache.Snapshot().Rows), nil
		}
	}
}

// seed writes the records that are missing, through Helm's secrets driver; it returns how
// many it created.
func seed(ctx context.Context, c *kube.Client, releases, revisions, namespaces int) (int, error) {
	var mu sync.Mutex
	var firstErr error
	created := 0
	work := make(chan [2]int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range work {
				n, err := seedRelease(ctx, c, job[0], job[1], revisions)
				mu.Lock()
				created += n
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for ns := range namespaces {
		name := fmt.Sprintf("helmbench-%02d", ns)
		_, err := c.Clientset.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		if err != nil && !strings.Contains(err.Error(), "already exists") {
			return 0, err
		}
	}
	for r := range releases {
		work <- [2]int{r % namespaces, r}
	}
	close(work)
	wg.Wait()
	return created, firstErr
}

// seedRelease writes the revisions of release number r in namespace number ns: all
// superseded but the last, deployed.
func seedRelease(ctx context.Context, c *kube.Client, ns, r, revisions int) (int, error) {
	namespace, name := fmt.Sprintf("helmbench-%02d", ns), fmt.Sprintf("app-%04d", r)
	d := driver.NewSecrets(c.Clientset.CoreV1().Secrets(namespace))
	d.SetLogger(slog.DiscardHandler)
	if _, err := d.Get(fmt.Sprintf("sh.helm.release.v1.%s.v%d", name, revisions)); err == nil {
		return 0, nil // seeded already
	}
	n := 0
	for rev := 1; rev <= revisions; rev++ {
		status := common.StatusSuperseded
		if rev == revisions {
			status = common.StatusDeployed
		}
		rel := &rspb.Release{Name: name, Namespace: namespace, Version: rev, Manifest: manifest(name, rev),
			Config: map[string]any{"image": map[string]any{"tag": fmt.Sprintf("1.%d.0", rev)}, "replicaCount": 2},
			Chart: &chart.Chart{Metadata: &chart.Metadata{Name: "app", Version: "1.0.0", AppVersion: fmt.Sprintf("1.%d.0", rev)},
				Templates: []*chartcommon.File{{Name: "templates/deployment.yaml", Data: []byte(manifest("{{ .Release.Name }}", 0))}},
				Values:    map[string]any{"replicaCount": 1, "image": map[string]any{"repository": "registry.example.com/app", "tag": "latest"}}},
			Info: &rspb.Info{Status: status, Description: "Upgrade complete", LastDeployed: time.Now()}}
		if err := d.Create(fmt.Sprintf("sh.helm.release.v1.%s.v%d", name, rev), rel); err != nil {
			if strings.Contains(err.Error(), "already exists") {
				continue
			}
			return n, err
		}
		n++
	}
	return n, ctx.Err()
}

// manifest is a release's rendered objects: a Deployment and a Service, about 2 KB.
func manifest(name string, rev int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\n# Source: app/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  ports:\n  - port: 80\n    targetPort: 8080\n  selector:\n    app: %s\n", name, name)
	fmt.Fprintf(&b, "---\n# Source: app/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  labels:\n    app: %s\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: %s\n  template:\n    metadata:\n      labels:\n        app: %s\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/app:1.%d.0\n        env:\n", name, name, name, name, rev)
	for i := range 20 {
		fmt.Fprintf(&b, "        - name: SETTING_%02d\n          value: \"value-%d-%d\"\n", i, rev, i)
	}
	return b.String()
}
