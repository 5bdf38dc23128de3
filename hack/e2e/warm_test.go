//go:build e2e

package e2e

import (
	"net/http"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// loadCounter records, per resource, the requests that load a whole list from the API
// server: a LIST, or a WatchList (a watch with sendInitialEvents).
type loadCounter struct {
	mu    sync.Mutex
	loads map[string]int // path → loads
}

func (c *loadCounter) wrap(upstream http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method == http.MethodGet && (q.Get("watch") != "true" || q.Get("sendInitialEvents") == "true") {
			c.mu.Lock()
			c.loads[r.URL.Path]++
			c.mu.Unlock()
		}
		upstream.ServeHTTP(w, r)
	})
}

// of is how many times the list at path was loaded.
func (c *loadCounter) of(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loads[path]
}

// Going back to a view seen in the last minutes shows its whole list at once from the store
// kept running, with no new LIST or WatchList at the API server (counted by a proxy), and
// with what changed meanwhile (a pod added while another view was shown). `[` and `]` go
// back and forward through the views visited.
func TestViewsStayWarm(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "web", 3)
	counter := &loadCounter{loads: map[string]int{}}
	kubeconfig := startProxy(t, ns, counter.wrap)
	term := StartKdeck(t, 160, 30, "--kubeconfig", kubeconfig)
	term.WaitText("pods("+ns+")[3]", 20*time.Second)
	term.WaitText("live · 3 pods", 10*time.Second)
	podsPath, deployPath := "/api/v1/namespaces/"+ns+"/pods", "/apis/apps/v1/namespaces/"+ns+"/deployments"
	pods := counter.of(podsPath)
	if pods != 1 {
		t.Fatalf("pods were loaded %d times at the start, want once", pods)
	}

	term.Send(":", "d", "e", "p", "l", "o", "y", "Enter")
	term.WaitLine(10*time.Second, "web ", " 3/3 ")
	scale := `{"spec":{"replicas":4}}`
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Patch(ctx(t), "web", types.MergePatchType, []byte(scale), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	term.WaitLine(30*time.Second, "web ", " 4/4 ")
	term.Send(":", "p", "o", "d", "s", "Enter")
	took := term.WaitText("pods("+ns+")[4]", 5*time.Second)
	term.WaitText("live · 4 pods", time.Second)
	t.Logf("back on pods: %d rows on screen after %s (tmux polling included)", 4, took)

	term.Send("[")
	term.WaitLine(5*time.Second, "web ", " 4/4 ")
	term.Send("[")
	term.WaitText("pods("+ns+")[4]", 5*time.Second)
	term.Send("[")
	term.WaitText("no view before this one", 5*time.Second)
	term.Send("]")
	term.WaitText("deployments("+ns+")[1]", 5*time.Second)
	term.Send("]", "]")
	term.WaitText("pods("+ns+")[4]", 5*time.Second)
	term.WaitText("no view after this one", 5*time.Second)

	if got := counter.of(podsPath); got != pods {
		t.Fatalf("returning to pods loaded them again: %d loads, %d before", got, pods)
	}
	if got := counter.of(deployPath); got != 1 {
		t.Fatalf("deployments were loaded %d times, want once", got)
	}
}
