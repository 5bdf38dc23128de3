package ui

import (
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

// blankPage is a page that shows nothing, for tests of the frame around it.
type blankPage struct{}

func (blankPage) Init() tea.Cmd                    { return nil }
func (p blankPage) Update(tea.Msg) (Page, tea.Cmd) { return p, nil }
func (blankPage) View(w, h int) string             { return block(nil, w, h) }
func (blankPage) Title() string                    { return "blank" }
func (blankPage) Freshness() Freshness             { return Freshness{Text: "live"} }
func (blankPage) Bindings() []key.Binding          { return nil }
func (blankPage) Close()                           {}

// frame returns the app around a blank page for client, and a function drawing its screen.
func frame(client *kube.Client) (*App, func() string) {
	env := &Env{Client: client, Styles: theme.New(theme.Dark()), Namespace: "shop", Version: "dev", Now: time.Now}
	a := New(env, nil, ViewSpec{Name: "blank", New: func(*Env, string) Page { return blankPage{} }})
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 10})
	return a, func() string { return ansi.Strip(a.View().Content) }
}

// The header names the identity in effect: the server given with --server rather than a
// cluster entry, and the user impersonated with --as beside the credentials' user.
func TestHeaderNamesTheIdentityInEffect(t *testing.T) {
	_, screen := frame(&kube.Client{Info: kube.Info{Context: "prod", Cluster: "prod-cluster", User: "ci-bot", Server: "https://10.0.0.1:6443"}})
	if h := strings.Split(screen(), "\n")[0]; !strings.Contains(h, "cluster prod-cluster │ user ci-bot │") {
		t.Errorf("plain header: %s", h)
	}
	_, screen = frame(&kube.Client{Info: kube.Info{Context: "prod", User: "alice", As: "bob", Server: "https://10.0.0.9:6443"}})
	if h := strings.Split(screen(), "\n")[0]; !strings.Contains(h, "server https://10.0.0.9:6443 │ user alice as bob │") {
		t.Errorf("--server --user --as header: %s", h)
	}
}
