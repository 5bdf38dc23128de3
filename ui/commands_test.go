package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

// `:ns NAME` with a name the API server would refuse is an error in the prompt and changes
// nothing: no namespace switch, no new page, no favourite.
func TestCommandNamespaceValidated(t *testing.T) {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now, Namespace: "shop"}
	opened := 0
	spec := ViewSpec{Name: "t", New: func(env *Env, ns string) Page { opened++; return NewMessage(env, "t in "+ns) }}
	a := New(env, []ViewSpec{spec}, spec)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	page, favourites := a.top(), strings.Join(a.favourites, ",")
	for _, bad := range []string{"Shop", "a/b", "../kube-system", "x y", "shop;rm", "-shop", "shop-", "a.b",
		strings.Repeat("n", 64), "ns\x1b[31m"} {
		a.openCommand()
		a.runCommand("ns " + bad)
		if a.prompt == nil || !strings.Contains(a.prompt.Err, "namespace") {
			t.Errorf("ns %q: prompt %v, want it open with an error", bad, a.prompt)
			continue
		}
		if env.Namespace != "shop" || a.top() != page || opened != 1 || strings.Join(a.favourites, ",") != favourites {
			t.Fatalf("ns %q changed something: namespace %q, pages opened %d, favourites %v", bad, env.Namespace, opened, a.favourites)
		}
	}
	for line, want := range map[string]string{"ns pay-2": "pay-2", "ns all": "", "ns -A": "", "namespace shop": "shop"} {
		a.openCommand()
		a.runCommand(line)
		if a.prompt != nil || env.Namespace != want {
			t.Errorf("%q: prompt %v, namespace %q; want %q", line, a.prompt, env.Namespace, want)
		}
	}
}
