// Command floor is the floor `make bench` measures kdeck against: the barest client-go load
// of every pod into compact rows, with no UI. It is what PERFORMANCE.md's first row measured:
// a typed clientset (protobuf), one WatchList (a watch with sendInitialEvents) of pods in all
// namespaces, one small row built per event, done at the bookmark that ends the initial
// events. Like kdeck it raises the client's rate limit and turns compression off for a
// server on loopback (the testbed), so the floor is the best such a client does there.
//
// With a comma list of contexts (--context a,b,c) it loads every one at once, one
// goroutine each, and is done when all are: the floor of a fleet view.
//
// It reports through kdeck's bench trace (package ui/benchtrace, env KDECK_BENCH_TRACE):
// "first_rows" when the first row is built, "loaded" when the last context's initial
// events ended, both since process start, as kdeck's own trace does. It prints the number
// of rows on stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/kdeck/kdeck/ui/benchtrace"
)

// row is a compact pod row: what a pods table shows, nothing of the Pod kept.
type row struct {
	namespace, name, status, node, ip string
	created                           time.Time
	restarts                          int32
	ready, containers                 int16
}

func rowOf(p *corev1.Pod) row {
	r := row{namespace: p.Namespace, name: p.Name, status: string(p.Status.Phase), node: p.Spec.NodeName,
		ip: p.Status.PodIP, created: p.CreationTimestamp.Time, containers: int16(len(p.Spec.Containers))}
	for _, c := range p.Status.ContainerStatuses {
		r.restarts += c.RestartCount
		if c.Ready {
			r.ready++
		}
		if c.State.Waiting != nil && c.State.Waiting.Reason != "" {
			r.status = c.State.Waiting.Reason
		}
	}
	return r
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	contexts := flag.String("context", "", "context, or a comma list of contexts loaded at once (default: the current one)")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	n, err := loadAll(ctx, *kubeconfig, strings.Split(*contexts, ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	benchtrace.Loaded()
	fmt.Println(n)
}

// loadAll loads the pods of every context at once and returns how many rows they made.
func loadAll(ctx context.Context, kubeconfig string, contexts []string) (int, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		errs  []error
	)
	for _, name := range contexts {
		wg.Go(func() {
			rows, err := load(ctx, kubeconfig, name)
			mu.Lock()
			defer mu.Unlock()
			total += len(rows)
			if err != nil {
				errs = append(errs, fmt.Errorf("context %q: %w", name, err))
			}
		})
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

// load streams the pods of one context into rows, until the initial events end.
func load(ctx context.Context, kubeconfig, contextName string) ([]row, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: contextName}).ClientConfig()
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 100, 200
	cfg.DisableCompression = true // the testbed is on loopback, as kdeck decides for itself
	cfg.UserAgent = "kdeck-bench-floor"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	w, err := cs.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{
		SendInitialEvents:    ptr.To(true),
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
		AllowWatchBookmarks:  true,
	})
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	var rows []row
	for {
		select {
		case <-ctx.Done():
			return rows, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return rows, errors.New("watch closed before the initial events ended")
			}
			switch ev.Type {
			case watch.Added:
				if p, ok := ev.Object.(*corev1.Pod); ok {
					if rows = append(rows, rowOf(p)); len(rows) == 1 {
						benchtrace.FirstRows()
					}
				}
			case watch.Bookmark:
				if p, ok := ev.Object.(*corev1.Pod); ok && p.Annotations[metav1.InitialEventsAnnotationKey] == "true" {
					return rows, nil
				}
			case watch.Error:
				return rows, fmt.Errorf("watch error: %v", ev.Object)
			}
		}
	}
}
