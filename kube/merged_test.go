package kube

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// fixedCache is a Cache with rows and a state that change only when the test says.
type fixedCache struct {
	snap    Snapshot[*Secret]
	changed chan struct{}
}

func newFixed(st State, keys ...string) *fixedCache {
	c := &fixedCache{changed: make(chan struct{}, 1), snap: Snapshot[*Secret]{State: st}}
	for _, k := range keys {
		ns, name, _ := strings.Cut(k, "/")
		c.snap.Rows = append(c.snap.Rows, &Secret{Namespace: ns, Name: name})
	}
	return c
}

func (c *fixedCache) Run(ctx context.Context, _ *Link) { <-ctx.Done() }
func (c *fixedCache) Changed() <-chan struct{}         { return c.changed }
func (c *fixedCache) Snapshot() Snapshot[*Secret]      { return c.snap }
func (c *fixedCache) State() State                     { return c.snap.State }

func secretKeys(rows []*Secret) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Namespace + "/" + r.Name
	}
	return out
}

// Several namespaces' rows are one list in namespace order; the state is the worst, and
// a change of any part wakes the list.
func TestMergedNamespaces(t *testing.T) {
	pay := newFixed(State{Phase: PhaseLive}, "pay/a", "pay/b")
	shop := newFixed(State{Phase: PhaseLoading}, "shop/a")
	m := NewMerged[*Secret](pay, shop)
	snap := m.Snapshot()
	if got, want := secretKeys(snap.Rows), []string{"pay/a", "pay/b", "shop/a"}; !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if snap.State.Phase != PhaseLoading || m.State().Phase != PhaseLoading {
		t.Fatalf("state %v, want loading (the worse of live and loading)", snap.State.Phase)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx, nil)
	shop.changed <- struct{}{}
	<-m.Changed()

	broken := errors.New("watch failed")
	shop.snap.State = State{Phase: PhaseBroken, Err: broken}
	if st := m.State(); st.Phase != PhaseBroken || st.Partial != nil {
		t.Fatalf("one namespace broken: state %+v, want broken (namespaces stand or fall together)", st)
	}
}

// Independent parts (clusters): one broken leaves the others' state, with Partial naming
// it; all broken is broken.
func TestMergedIndependent(t *testing.T) {
	a := newFixed(State{Phase: PhaseLive}, "shop/web")
	b := newFixed(State{Phase: PhaseBroken, Err: ErrLinkLost}, "shop/web")
	m := NewMerged[*Secret](a, b).Independent([]string{"kind-a", "kind-b"})
	st := m.State()
	if st.Phase != PhaseLive || st.Partial == nil || !strings.Contains(st.Partial.Error(), "kind-b: ") ||
		!errors.Is(st.Partial, ErrLinkLost) {
		t.Fatalf("state %+v, want live with kind-b's error as Partial", st)
	}
	a.snap.State = State{Phase: PhaseBroken, Err: ErrLinkLost}
	if st := m.State(); st.Phase != PhaseBroken || st.Partial != nil {
		t.Fatalf("both broken: state %+v, want broken", st)
	}
}

func TestValidNamespaces(t *testing.T) {
	for in, want := range map[string]string{"shop": "shop", "shop,pay": "pay,shop", " shop , pay": "pay,shop"} {
		if got, err := ValidNamespaces(in); err != nil || got != want {
			t.Errorf("ValidNamespaces(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"shop,", "shop,shop", "Shop", ",", "shop,pay_x"} {
		if _, err := ValidNamespaces(bad); err == nil {
			t.Errorf("ValidNamespaces(%q) accepted", bad)
		}
	}
	if got := Namespaces(""); got != nil {
		t.Errorf("Namespaces(\"\") = %v, want none (all namespaces)", got)
	}
}
