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

// `[` and `]` go back and forward through the views and namespaces visited; opening a view
// after going back drops the ones ahead, as in a browser.
func TestEarlierAndLaterViews(t *testing.T) {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now, Namespace: "shop"}
	view := func(name string) ViewSpec {
		return ViewSpec{Name: name, New: func(env *Env, ns string) Page { return NewMessage(env, name+" in "+ns) }}
	}
	pods, deploy, svc := view("pods"), view("deploy"), view("svc")
	a := New(env, []ViewSpec{pods, deploy, svc}, pods)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	shown := func() string { return a.top().Title() }
	press := func(k string) { a.Update(tea.KeyPressMsg{Code: rune(k[0]), Text: k}) }
	command := func(line string) {
		a.openCommand()
		a.runCommand(line)
	}
	command("deploy")
	command("ns pay")
	for _, step := range []struct{ key, want string }{
		{"[", "deploy in shop"}, {"[", "pods in shop"}, {"[", "pods in shop"}, {"]", "deploy in shop"}, {"]", "deploy in pay"}, {"]", "deploy in pay"},
	} {
		press(step.key)
		_, ns, _ := strings.Cut(step.want, " in ")
		if got := shown(); got != step.want || env.Namespace != ns {
			t.Fatalf("after %s: %q in namespace %q, want %q", step.key, got, env.Namespace, step.want)
		}
	}
	press("[")
	command("svc") // drops "deploy in pay"
	press("]")
	if got := shown(); got != "svc in shop" || !strings.Contains(a.toast.Text, "no view after this one") {
		t.Fatalf("after a new view, ] shows %q (%v)", got, a.toast)
	}
}
