package views

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/ui/uitest"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// withMetrics gives env a metrics poller that has polled fixtureMetrics 20 times (so
// containers have history), without a goroutine.
func withMetrics(env *ui.Env) *ui.Env {
	round := 0
	list := func(_ context.Context, ns string) ([]kube.PodSample, error) {
		return kube.PodSamples(fixtureMetrics(round).Items), nil
	}
	env.Client.Metrics = kube.NewMetricsPoller(list, 0)
	for ; round < 20; round++ {
		env.Client.Metrics.Poll(context.Background())
	}
	return env
}

// fixtureMetrics is what metrics-server reports for the fixture pods at poll round: steady
// ledger, web's app climbing, its proxy flat, canary over its request.
func fixtureMetrics(round int) *metricsv1beta1.PodMetricsList {
	pm := func(ns, name string, containers ...metricsv1beta1.ContainerMetrics) metricsv1beta1.PodMetrics {
		return metricsv1beta1.PodMetrics{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Containers: containers}
	}
	c := func(name string, milli int64, mem string) metricsv1beta1.ContainerMetrics {
		return metricsv1beta1.ContainerMetrics{Name: name, Usage: corev1.ResourceList{
			corev1.ResourceCPU: *resource.NewMilliQuantity(milli, resource.DecimalSI), corev1.ResourceMemory: resource.MustParse(mem)}}
	}
	return &metricsv1beta1.PodMetricsList{Items: []metricsv1beta1.PodMetrics{
		pm("payments", "ledger-7c9d5b8f6-2xkqp", c("ledger", 90, "100Mi")),
		pm("shop", "web-6b7f9c8d7d-x7k2p", c("proxy", 5, "20Mi"), c("app", int64(10+10*round), fmt.Sprintf("%dMi", 60+round))),
		pm("shop", "web-canary-84c6d9f5b-q2w3e", c("app", 120, "300Mi")),
	}}
}

func fixturePods() []*kube.Pod {
	return []*kube.Pod{
		{Namespace: "payments", Name: "ledger-7c9d5b8f6-2xkqp", Status: "Running", Ready: 1, Containers: 1, IP: "10.0.1.12", Node: "kwok-node-1", Created: ago(26 * time.Hour),
			ReqLim: kube.ReqLim{CPUReq: 100, CPULim: 200, MemReq: 128 << 20, MemLim: 256 << 20}},
		{Namespace: "payments", Name: "ledger-7c9d5b8f6-9fj2w", Status: "CrashLoopBackOff", Ready: 0, Containers: 1, Restarts: 9, LastRestart: ago(4 * time.Second), IP: "10.0.1.13", Node: "kwok-node-2", Created: ago(40 * time.Minute),
			ReqLim: kube.ReqLim{CPUReq: 100, CPULim: 200, MemReq: 128 << 20, MemLim: 256 << 20}},
		{Namespace: "shop", Name: "checkout-5d8f7c6b9-abcde", Status: "Pending", Ready: 0, Containers: 2, Created: ago(90 * time.Second)},
		{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p", Status: "Running", Ready: 2, Containers: 2, IP: "10.0.2.20", Node: "kwok-node-3", Created: ago(3 * 24 * time.Hour),
			ReqLim: kube.ReqLim{CPUReq: 300, MemReq: 256 << 20}},
		{Namespace: "shop", Name: "web-canary-84c6d9f5b-q2w3e", Status: "Terminating", Ready: 1, Containers: 1, IP: "10.0.2.21", Node: "kwok-node-4", Created: ago(5 * time.Minute),
			ReqLim: kube.ReqLim{CPUReq: 100, CPULim: 100, MemReq: 256 << 20, MemLim: 512 << 20}},
	}
}

// render draws the whole app frame around a pods view holding rows, with the fixture
// metrics, as plain text.
func render(t *testing.T, ns string, w, h int, rows []*kube.Pod, state kube.State) string {
	t.Helper()
	return renderEnv(t, withMetrics(testEnv(ns)), w, h, rows, state)
}

// renderEnv draws the whole app frame around a pods view of env's namespace holding rows.
func renderEnv(t *testing.T, env *ui.Env, w, h int, rows []*kube.Pod, state kube.State) string {
	t.Helper()
	v := NewPods(env, env.Namespace)
	v.Show(kube.Snapshot[*kube.Pod]{Rows: rows, State: state})
	return renderPage(env, v, w, h)
}

func TestPodsGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return render(t, "", w, h, fixturePods(), live) })
	// Without metrics (here: the API is not installed) every usage cell says n/a, the status
	// line says why, and nothing else changes.
	t.Run("nometrics", func(t *testing.T) {
		env := testEnv("")
		gr := schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}
		env.Client.Metrics = kube.NewMetricsPoller(func(context.Context, string) ([]kube.PodSample, error) {
			return nil, apierrors.NewNotFound(gr, "")
		}, 0)
		env.Client.Metrics.Poll(context.Background())
		out := ansi.Strip(renderEnv(t, env, 200, 12, fixturePods(), live))
		golden.RequireEqual(t, out)
		if !strings.Contains(out, kube.ReasonNotInstalled) || strings.Contains(out, "90m") {
			t.Errorf("metrics not installed must show n/a and say why:\n%s", out)
		}
	})
	t.Run("broken", func(t *testing.T) {
		broken := kube.State{Phase: kube.PhaseBroken, LiveSince: fixedNow.Add(-40 * time.Second),
			Retry: fixedNow.Add(3 * time.Second),
			Err:   &kube.Error{Kind: kube.KindUnreachable, Err: fmt.Errorf("connection refused")}}
		out := ansi.Strip(render(t, "shop", 100, 12, fixturePods()[2:], broken))
		golden.RequireEqual(t, out)
		for _, want := range []string{"disconnected, reconnecting", "rows from 40s ago", "retrying in 3s"} {
			if !strings.Contains(out, want) {
				t.Errorf("a broken watch must say %q:\n%s", want, out)
			}
		}
	})
}

// Status words carry their colour: a crash loop is drawn in the "bad" colour.
func TestPodsStatusColour(t *testing.T) {
	env := testEnv("")
	out := render(t, "", 200, 50, fixturePods(), kube.State{Phase: kube.PhaseLive})
	bad := env.Styles.Bad.Render("CrashLoopBackOff")
	if !strings.Contains(out, strings.TrimSuffix(bad, "\x1b[m")) {
		t.Errorf("CrashLoopBackOff is not drawn in the bad colour")
	}
}

// Every terminal size from 1x1 to 300x60 renders without panicking, in exactly the
// requested number of lines, none wider than the terminal.
func TestPodsEverySize(t *testing.T) {
	rows := fixturePods()
	env := withMetrics(testEnv(""))
	requireEverySize(t, func(w, h int) string { return renderEnv(t, env, w, h, rows, kube.State{Phase: kube.PhaseLive}) })
}

// shift-c sorts by CPU, largest first, over the metrics of the moment; pods without
// metrics go last; shift-m sorts by memory.
func TestPodsSortByUsage(t *testing.T) {
	env := withMetrics(testEnv(""))
	v := NewPods(env, "")
	v.Show(kube.Snapshot[*kube.Pod]{Rows: fixturePods(), State: live})
	order := func(k string) []string {
		_, cmd := v.Update(uitest.Key(k))
		if cmd == nil {
			t.Fatalf("%s started no sort", k)
		}
		v.Update(cmd())
		var names []string
		for _, line := range strings.Split(ansi.Strip(v.View(200, 8)), "\n")[1:6] {
			names = append(names, strings.Fields(line)[1])
		}
		return names
	}
	want := []string{"web-6b7f9c8d7d-x7k2p", "web-canary-84c6d9f5b-q2w3e", "ledger-7c9d5b8f6-2xkqp", "ledger-7c9d5b8f6-9fj2w", "checkout-5d8f7c6b9-abcde"}
	if got := order("C"); !slices.Equal(got, want) {
		t.Errorf("by CPU: %v\nwant %v", got, want)
	}
	want = []string{"web-canary-84c6d9f5b-q2w3e", "ledger-7c9d5b8f6-2xkqp", "web-6b7f9c8d7d-x7k2p", "ledger-7c9d5b8f6-9fj2w", "checkout-5d8f7c6b9-abcde"}
	if got := order("M"); !slices.Equal(got, want) {
		t.Errorf("by MEM: %v\nwant %v", got, want)
	}
}
