package ui

import (
	"context"
	"os"
	"path/filepath"
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

// A failed append to the audit log reaches the status line, beside the action's result,
// and the action itself is not held up.
func TestStatusLineShowsAuditFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.Mkdir(path, 0o700); err != nil { // a directory where the file should be
		t.Fatal(err)
	}
	client := &kube.Client{Info: kube.Info{Context: "prod", User: "alice"}, Audit: kube.NewAuditLog(path)}
	a, screen := frame(client)
	wait := a.Init() // the batch includes the watch on audit failures
	ran := false
	m := kube.Mutation{Access: kube.RolloutAccess("shop"), Name: "cart", Summary: "restarted",
		Do: func(context.Context) error { ran = true; return nil }}
	a.Update(a.env.Mutate(m, nil)())
	if !ran {
		t.Fatal("the mutation did not run")
	}
	for _, msg := range runBatch(wait) {
		a.Update(msg)
	}
	status := strings.Split(screen(), "\n")[9]
	for _, want := range []string{"audit log " + path + " could not be written: is a directory", "✓ patch deployments shop/cart: restarted"} {
		if !strings.Contains(status, want) {
			t.Errorf("status line lacks %q: %s", want, status)
		}
	}
}

// runBatch runs cmd and the commands of a batch it returns, each once, and returns the
// messages other than batches; a command that would wait for more than a second is skipped.
func runBatch(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(time.Second):
		return nil
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, runBatch(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// initCounter is a blank page that counts its Inits and says so in its command.
type initCounter struct {
	blankPage
	inits *int
}

type initedMsg int

func (p initCounter) Init() tea.Cmd {
	*p.inits++
	n := *p.inits
	return func() tea.Msg { return initedMsg(n) }
}

// Preload runs the first page's Init once, before the program starts; Init hands on the
// command it gave rather than running the page's Init again.
func TestPreloadInitsTheFirstPageOnce(t *testing.T) {
	inits := 0
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now}
	a := New(env, nil, ViewSpec{Name: "counted", New: func(*Env, string) Page { return initCounter{inits: &inits} }})
	a.Preload()
	a.Preload()
	if inits != 1 {
		t.Fatalf("Preload ran Init %d times, want 1", inits)
	}
	batch, ok := a.Init()().(tea.BatchMsg)
	if !ok || inits != 1 {
		t.Fatalf("after Init: %d Inits, want 1 (a batch: %v)", inits, ok)
	}
	msgs := make(chan tea.Msg, len(batch))
	for _, c := range batch {
		if c != nil {
			go func() { msgs <- c() }() // the clock's tick takes a second: not waited for
		}
	}
	for timeout := time.After(500 * time.Millisecond); ; {
		select {
		case m := <-msgs:
			if m == initedMsg(1) {
				return
			}
		case <-timeout:
			t.Fatal("Init's batch does not hold the command Preload got")
		}
	}
}
