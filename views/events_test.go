package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
)

func fixtureEvents() []*kube.Event {
	return []*kube.Event{
		{Namespace: "payments", Name: "ledger.1", LastSeen: ago(4 * time.Second), Type: "Warning", Reason: "BackOff",
			Object: "pod/ledger-7c9d5b8f6-9fj2w", Message: "Back-off restarting failed container app in pod ledger-7c9d5b8f6-9fj2w_payments", Count: 9},
		{Namespace: "shop", Name: "checkout.1", LastSeen: ago(90 * time.Second), Type: "Warning", Reason: "FailedScheduling",
			Object: "pod/checkout-5d8f7c6b9-abcde", Message: "0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available", Count: 3},
		{Namespace: "shop", Name: "web.1", LastSeen: ago(3 * time.Minute), Type: "Normal", Reason: "ScalingReplicaSet",
			Object: "deployment/web", Message: "Scaled up replica set web-6b7f9c8d7d from 1 to 2", Count: 1},
		{Namespace: "shop", Name: "web.2", LastSeen: ago(40 * time.Minute), Type: "Normal", Reason: "Pulled",
			Object: "pod/web-6b7f9c8d7d-x7k2p", Message: "Container image \"registry.example.com/web:2.1\" already present on machine", Count: 1},
	}
}

// renderEvents draws the events view holding rows in the order the feed delivers them.
func renderEvents(ns string, w, h int) string {
	env := testEnv(ns)
	rows := fixtureEvents()
	slices.Reverse(rows) // the store's key order is not the display order
	slices.SortStableFunc(rows, EventsSpec.Less)
	v := NewEvents(env, ns)
	v.Show(kube.Snapshot[*kube.Event]{Rows: rows, State: kube.State{Phase: kube.PhaseLive}})
	return renderPage(env, v, w, h)
}

func TestEventsGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderEvents("", w, h) })
}

// Newest first; warnings drawn in the bad colour.
func TestEventsOrderAndColour(t *testing.T) {
	out := renderEvents("", 200, 50)
	plain := ansi.Strip(out)
	if i, j := strings.Index(plain, "BackOff"), strings.Index(plain, "Pulled"); i < 0 || j < i {
		t.Errorf("events are not newest first:\n%s", plain)
	}
	bad := testEnv("").Styles.Bad.Render("FailedScheduling")
	if !strings.Contains(out, strings.TrimSuffix(bad, "\x1b[m")) {
		t.Error("a Warning's reason is not drawn in the bad colour")
	}
}

func TestEventsEverySize(t *testing.T) {
	requireEverySize(t, func(w, h int) string { return renderEvents("", w, h) })
}
