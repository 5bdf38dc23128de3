package views

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/uitest"
	"k8s.io/client-go/kubernetes/fake"
)

func fixtureForwards() []*forward.Status {
	return []*forward.Status{
		{Spec: forward.Spec{Namespace: "shop", Kind: forward.KindService, Name: "web", Local: 8080, Remote: 80},
			Context: "kdeck-demo", Started: ago(3 * time.Minute), State: forward.Active, Pod: "web-6b7f9c8d7d-x7k2p",
			Open: 1, Total: 14, In: 48_213, Out: 2_310},
		{Spec: forward.Spec{Namespace: "shop", Kind: forward.KindPod, Name: "db-0", Local: 15432, Remote: 5432},
			Context: "kdeck-demo", Started: ago(time.Hour), State: forward.Reconnecting, Pod: "db-0",
			Total: 2, In: 512, Out: 90, Err: "pod db-0: error upgrading connection: pods \"db-0\" not found"},
	}
}

func TestForwardsGolden(t *testing.T) {
	render := func(w, h int) string { return renderList(ForwardsSpec, "", w, h, fixtureForwards(), live) }
	requireGoldenSizes(t, render)
	requireEverySize(t, render)
}

func TestParseForwardPorts(t *testing.T) {
	for _, c := range []struct {
		in            string
		remote        int
		local, rem    int
		wantErrSubstr string
	}{
		{"8080", 80, 8080, 80, ""},
		{" 9000:8080 ", 80, 9000, 8080, ""},
		{"5432", 0, 5432, 5432, ""},
		{"", 80, 0, 0, `local port "" is not a number`},
		{"http", 80, 0, 0, `local port "http" is not a number`},
		{"0", 80, 0, 0, "local port 0 is out of range"},
		{"8080:70000", 80, 0, 0, "remote port 70000 is out of range"},
	} {
		l, r, err := parseForwardPorts(c.in, c.remote)
		switch {
		case c.wantErrSubstr != "":
			if err == nil || !strings.Contains(err.Error(), c.wantErrSubstr) {
				t.Errorf("%q: %v, want error %q", c.in, err, c.wantErrSubstr)
			}
		case err != nil || l != c.local || r != c.rem:
			t.Errorf("%q: %d:%d %v, want %d:%d", c.in, l, r, err, c.local, c.rem)
		}
	}
}

// The dialog refuses a busy port inline and accepts a free one. Validate only reads the
// number; the listen that finds the port busy is its Check, run off the UI goroutine.
func TestForwardDialogValidatesLocalPort(t *testing.T) {
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	d := forwardDialog(testEnv("shop"), forward.Spec{Namespace: "shop", Kind: forward.KindService, Name: "web"}, 80)
	if *d.Input != "80" {
		t.Errorf("initial value %q, want the remote port", *d.Input)
	}
	if err := d.Validate(strconv.Itoa(port)); err != nil {
		t.Errorf("Validate probed busy port %d: %v", port, err)
	}
	if err := d.Check(strconv.Itoa(port)); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("busy port %d: %v", port, err)
	}
	free, _ := net.Listen("tcp4", "127.0.0.1:0")
	freePort := free.Addr().(*net.TCPAddr).Port
	free.Close()
	if err := d.Validate(strconv.Itoa(freePort) + ":8080"); err != nil {
		t.Errorf("free port %d: %v", freePort, err)
	}
	if err := d.Check(strconv.Itoa(freePort) + ":8080"); err != nil {
		t.Errorf("free port %d: %v", freePort, err)
	}
}

// A pod with several ports asks which one first, listing every TCP port of its containers.
func TestForwardAsksWhichPort(t *testing.T) {
	env := testEnv("shop")
	env.Client.Clientset = fake.NewClientset(fixtureWebPod())
	msg := askForward(env, forward.KindPod, "shop", "web-6b7f9c8d7d-x7k2p", "")()
	app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return ui.NewMessage(env, "t") }})
	app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	app.Update(msg)
	screen := ansi.Strip(app.View().Content)
	for _, want := range []string{"which port?", "9901 admin (container proxy)", "8080 http (container app)"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "5353") {
		t.Errorf("a UDP port is offered:\n%s", screen)
	}
}

// Read-only mode refuses shift-f on a pod row and on a container before any prompt.
func TestForwardRefusedReadOnly(t *testing.T) {
	env := testEnv("shop")
	env.Client.Policy.ReadOnly = true
	requireRefusedOnPods(t, env, "F")
}

// requireRefusedOnPods presses key on a pod row and on a container of env (read-only)
// and checks both are refused.
func requireRefusedOnPods(t *testing.T, env *ui.Env, key string) {
	t.Helper()
	pods := ui.NewListPage(env, PodsSpec, "shop")
	pods.Show(kube.Snapshot[*kube.Pod]{Rows: []*kube.Pod{{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p"}}, State: live})
	_, cmd := pods.Update(uitest.Key(key))
	requireRefusal(t, "pods", key, cmd)

	c := NewContainers(env, kube.Key{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p"})
	c.Show(kube.Snapshot[*kube.PodDetail]{Rows: []*kube.PodDetail{kube.PodDetailRow(fixtureWebPod())}, State: live})
	_, cmd = c.Update(uitest.Key(key))
	requireRefusal(t, "containers", key, cmd)
}

// requireRefusal checks that cmd, what pressing key on the where view returned, is a
// read-only refusal.
func requireRefusal(t *testing.T, where, key string, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		t.Fatalf("%s: %s did nothing", where, key)
	}
	n, ok := cmd().(ui.NotifyMsg)
	if !ok || n.Level != ui.LevelError || !strings.Contains(n.Text, "read-only") {
		t.Errorf("%s: %s gave %#v, want a read-only refusal", where, key, n)
	}
}
