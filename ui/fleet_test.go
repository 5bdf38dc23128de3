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
	"github.com/kdeck/kdeck/ui/uitest"
)

// A fleet page holds the same namespace/name of two clusters as two rows with their
// context; an action on a row runs with that row's Env; marks in two clusters are refused
// and nothing runs; a stale cluster's rows alone say so.
func TestFleetPage(t *testing.T) {
	envA := &Env{Client: &kube.Client{Info: kube.Info{Context: "prod-a"}}, Styles: theme.New(theme.Dark()), Now: time.Now}
	envB := &Env{Client: &kube.Client{Info: kube.Info{Context: "prod-b"}}, Styles: envA.Styles, Now: time.Now}
	var ranWith []string
	spec := ListSpec[*item]{Noun: "items",
		Columns: func(*Env, bool) []Column[*item] {
			return []Column[*item]{{Name: "NAME", Flex: true, Value: func(i *item) string { return i.name }}}
		},
		Actions: []Action[*item]{{Key: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "act")),
			Run: func(env *Env, i *item) tea.Cmd {
				ranWith = append(ranWith, env.Client.Info.Context+":"+i.name)
				return nil
			},
			Marked: func(env *Env, rows []*item) tea.Cmd {
				ranWith = append(ranWith, env.Client.Info.Context+":marked")
				return nil
			}}}}
	p := NewFleetPage([]*Env{envA, envB}, spec, "shop")
	web := &item{"shop", "web"}
	p.Show(kube.Snapshot[FleetRow[*item]]{Rows: []FleetRow[*item]{
		{Env: envA, Row: web, at: 0}, {Env: envB, Row: web, at: 1, Stale: true}},
		State: kube.State{Phase: kube.PhaseLive}})
	view := ansi.Strip(p.View(60, 4))
	if !strings.Contains(view, "prod-a") || !strings.Contains(view, "prod-b") || p.table.Len() != 2 {
		t.Fatalf("want web in both clusters, with their contexts:\n%s", view)
	}
	press := func(k string) tea.Cmd {
		_, cmd := p.Update(uitest.Key(k))
		return cmd
	}
	press("j")
	press("x")
	if strings.Join(ranWith, ",") != "prod-b:web" {
		t.Fatalf("the action on prod-b's row ran as %v", ranWith)
	}
	press("k")
	press("space")
	press("space") // both web rows marked: two marks, two clusters
	if !strings.HasSuffix(p.Title(), "●2 marked") {
		t.Fatalf("title %q: the same name in two clusters should be two marks", p.Title())
	}
	ranWith = nil
	cmd := press("x")
	msg, _ := cmd().(NotifyMsg)
	if len(ranWith) != 0 || msg.Level != LevelError || !strings.Contains(msg.Text, "more than one cluster") {
		t.Fatalf("marks in two clusters: ran %v, said %+v", ranWith, msg)
	}
	if p.table.Stale == nil || !p.table.Stale(p.table.rows[1]) || p.table.Stale(p.table.rows[0]) {
		t.Fatal("only prod-b's row should be stale")
	}
}
