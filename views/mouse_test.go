package views

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// mouseFrame is the app (mouse on) 120x20 around page, with a clock that the clicks move.
// The header is line 0, the title bar line 1, the page from line 2.
func mouseFrame(env *ui.Env, page ui.Page) (click func(y int) tea.Cmd, wheel func(up bool)) {
	now := fixedNow
	env.Mouse, env.Now = true, func() time.Time { return now }
	app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
	app.Update(tea.WindowSizeMsg{Width: 120, Height: 20})
	app.View()
	click = func(y int) tea.Cmd {
		now = now.Add(100 * time.Millisecond)
		_, cmd := app.Update(tea.MouseClickMsg{X: 10, Y: y, Button: tea.MouseLeft})
		app.View()
		return cmd
	}
	wheel = func(up bool) {
		b := tea.MouseWheelDown
		if up {
			b = tea.MouseWheelUp
		}
		app.Update(tea.MouseWheelMsg{X: 10, Y: 8, Button: b})
		app.View()
	}
	return click, wheel
}

// pushed is the title of the page cmd opens, "" for none.
func pushed(cmd tea.Cmd) string {
	if cmd == nil {
		return ""
	}
	if m, ok := cmd().(ui.PushMsg); ok {
		return m.Page.Title()
	}
	return ""
}

// A double click on a pod opens its containers, as enter does.
func TestMousePodsDoubleClick(t *testing.T) {
	env := testEnv("")
	v := NewPods(env, "")
	v.Show(kube.Snapshot[*kube.Pod]{Rows: fixturePods(), State: live})
	click, _ := mouseFrame(env, v)
	click(6) // line 2 is the column header: line 6 is the fourth pod
	if got := pushed(click(6)); got != "containers(shop/web-6b7f9c8d7d-x7k2p)[0]" {
		t.Errorf("double click opened %q", got)
	}
}

// The containers view's rows start below its summary line.
func TestMouseContainersClick(t *testing.T) {
	env := testEnv("")
	v := NewContainers(env, kube.Key{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p"})
	v.Show(kube.Snapshot[*kube.PodDetail]{Rows: []*kube.PodDetail{kube.PodDetailRow(fixtureWebPod())}, State: live})
	click, _ := mouseFrame(env, v)
	click(6) // summary on 2, column header on 3: the third container
	if c, _ := v.table.Selected(); c.Name != "app" {
		t.Errorf("clicked the third container, selected %s", c.Name)
	}
	click(3)
	if c, _ := v.table.Selected(); c.Name != "app" {
		t.Errorf("a click on the column header selected %s", c.Name)
	}
}

// The wheel scrolls a log back, pausing follow.
func TestMouseLogsWheel(t *testing.T) {
	env := testEnv("shop")
	p := logsPage(env, fixtureLogs(100), streaming)
	_, wheel := mouseFrame(env, p)
	top := p.firstShown
	wheel(true)
	if !p.paused || p.firstShown != top-ui.WheelStep {
		t.Errorf("a notch up: paused %v, first line %d, want %d", p.paused, p.firstShown, top-ui.WheelStep)
	}
	wheel(false)
	if p.firstShown != top {
		t.Errorf("a notch down: first line %d, want %d", p.firstShown, top)
	}
}

// A double click on a node of the tree opens it as enter does.
func TestMouseTreeDoubleClick(t *testing.T) {
	env := testEnv("shop")
	p := NewTree(env, kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: "web-7d4b9c-q8zlm"})
	p.fetched.Set(treeFixture(), nil, fixedNow)
	p.show(treeFixture())
	click, _ := mouseFrame(env, p)
	click(3)
	r, _ := p.table.Selected()
	if got, want := pushed(click(3)), p.open(r.node).Title(); got != want {
		t.Errorf("double click on %s opened %q, want %q", r.node.Name, got, want)
	}
}
