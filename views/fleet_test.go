package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// renderFleetPods draws the pods view of two clusters at once: prod-eu live, prod-us
// stopped answering two minutes ago (its rows kept, marked stale), each cluster's rows
// merged as the fleet page merges them.
func renderFleetPods(w, h int) string {
	eu, us := testEnv(""), testEnv("")
	eu.Client = &kube.Client{Info: kube.Info{Context: "prod-eu", Cluster: "prod-eu", User: "oncall", ServerVersion: "v1.36.4"}}
	us.Client = &kube.Client{Info: kube.Info{Context: "prod-us", Cluster: "prod-us", User: "oncall", ServerVersion: "v1.36.4"}}
	page := ui.NewFleetPage([]*ui.Env{eu, us}, PodsSpec, "")
	var euRows, usRows []ui.FleetRow[*kube.Pod]
	for i, p := range fixturePods() {
		if i%2 == 0 {
			euRows = append(euRows, ui.FleetRow[*kube.Pod]{Env: eu, Row: p})
		} else {
			usRows = append(usRows, ui.FleetRow[*kube.Pod]{Env: us, Row: p, Stale: true})
		}
	}
	lost := kube.State{Phase: kube.PhaseBroken, Err: kube.ErrLinkLost, LiveSince: ago(2 * time.Minute)}
	merged := kube.NewMerged[ui.FleetRow[*kube.Pod]](
		shownRows[ui.FleetRow[*kube.Pod]]{kube.Snapshot[ui.FleetRow[*kube.Pod]]{Rows: euRows, State: live}},
		shownRows[ui.FleetRow[*kube.Pod]]{kube.Snapshot[ui.FleetRow[*kube.Pod]]{Rows: usRows, State: lost}},
	).Independent([]string{"prod-eu", "prod-us"})
	page.Show(merged.Snapshot())
	return renderPage(eu, page, w, h)
}

// shownRows is a cache that holds the rows and state it was made with.
type shownRows[R kube.Row] struct{ snap kube.Snapshot[R] }

func (c shownRows[R]) Run(context.Context, *kube.Link) {}
func (c shownRows[R]) Changed() <-chan struct{}        { return nil }
func (c shownRows[R]) Snapshot() kube.Snapshot[R]      { return c.snap }
func (c shownRows[R]) State() kube.State               { return c.snap.State }

func TestFleetPodsGolden(t *testing.T) {
	requireGoldenSizes(t, renderFleetPods)
}

func TestFleetPodsEverySize(t *testing.T) {
	requireEverySize(t, renderFleetPods)
}

// Each row names its context; the rows of the cluster that stopped answering are there,
// the title says partly stale and the status line which cluster.
func TestFleetPodsNameTheirCluster(t *testing.T) {
	plain := ansi.Strip(renderFleetPods(200, 50))
	for _, want := range []string{"CONTEXT", "prod-eu", "prod-us", "PARTLY STALE", "prod-us: connection to the API server lost"} {
		if !strings.Contains(plain, want) {
			t.Errorf("no %q:\n%s", want, plain)
		}
	}
	for _, line := range strings.Split(plain, "\n") {
		if strings.Contains(line, "ledger-7c9d5b8f6-2xkqp") && !strings.HasPrefix(strings.TrimSpace(line), "prod-eu") {
			t.Errorf("the first fixture pod is not on prod-eu's row: %q", line)
		}
	}
}
