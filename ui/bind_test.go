package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

// twoContexts returns an app on context a, and a client for context b.
func twoContexts() (*App, *Env, *kube.Client) {
	a := &kube.Client{Info: kube.Info{Context: "a", Namespace: "shop"}}
	b := &kube.Client{Info: kube.Info{Context: "b", Namespace: "shop"}}
	env := &Env{Client: a, Styles: theme.New(theme.Dark()), Now: time.Now}
	app := New(env, nil, ViewSpec{Name: "t", New: func(env *Env, _ string) Page { return NewMessage(env, "t") }})
	app.width, app.height = 100, 30
	return app, env, b
}

// A dialog opened for context a acts on a: after a switch to b it is closed if open, and
// dropped if it arrives later; each time the status line says so. Its title names a.
func TestDialogsAreBoundToTheirContext(t *testing.T) {
	app, envA, b := twoContexts()
	sent := false
	confirm := &Dialog{Title: "Scale deployment shop/web", OK: func(string) tea.Cmd { sent = true; return nil }}

	app.Update(envA.Ask(confirm)())
	if app.dialog != confirm {
		t.Fatal("the dialog did not open on its own context")
	}
	if v := app.View().Content; !strings.Contains(v, "Scale deployment shop/web · ctx a") {
		t.Errorf("the dialog does not name its context:\n%s", v)
	}
	app.Update(contextSwitchedMsg{clients: []*kube.Client{b}})
	if app.dialog != nil {
		t.Fatal("the dialog opened on a survived the switch to b")
	}
	if !strings.Contains(app.toast.Text, "dialog for a was closed") {
		t.Errorf("status line %q does not say the dialog was closed", app.toast.Text)
	}
	if app.env.Client != b || envA.Client.Info.Context != "a" {
		t.Fatalf("after the switch the app is on %q and the old env on %q", app.env.Client.Info.Context, envA.Client.Info.Context)
	}

	late := &Dialog{Title: "Restart deployment shop/web", OK: func(string) tea.Cmd { sent = true; return nil }}
	app.Update(envA.Ask(late)()) // its reads finished after the switch
	if app.dialog != nil {
		t.Fatal("a dialog for a opened on b")
	}
	if !strings.Contains(app.toast.Text, "came after the switch to b") {
		t.Errorf("status line %q does not say the late dialog was dropped", app.toast.Text)
	}
	app.Update(guardedMsg{env: envA, what: "scale", then: func() tea.Cmd { sent = true; return nil }})
	if sent {
		t.Fatal("an action checked on a ran after the switch to b")
	}
	if app.Update(app.env.Ask(&Dialog{Title: "on b"})()); app.dialog == nil {
		t.Fatal("a dialog of the current context did not open")
	}
}
