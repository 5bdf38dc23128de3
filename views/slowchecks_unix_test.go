//go:build unix

package views

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/uitest"
)

// r on :pf reads the saved forwards in a command: a forwards.yaml that blocks (a FIFO no
// one writes, like a file on a hung network mount) leaves Update free.
func TestRestartSavedReadsOffTheUIGoroutine(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "forwards.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	t.Cleanup(func() { // lets a reader still blocked on the FIFO go
		if f, err := os.OpenFile(fifo, os.O_RDWR, 0); err == nil {
			f.Close()
		}
	})
	env := testEnv("")
	env.Forwards = forward.NewManager(forward.NewSaved(fifo))
	app := ui.New(env, Registry, ui.ViewSpec{Name: "pf", New: func(env *ui.Env, _ string) ui.Page { return NewForwards(env) }})
	app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})

	returned := make(chan tea.Cmd, 1)
	go func() { _, cmd := app.Update(uitest.Key("r")); returned <- cmd }()
	var cmd tea.Cmd
	select {
	case cmd = <-returned:
	case <-time.After(2 * time.Second):
		t.Fatal("Update blocked on reading the saved forwards")
	}
	read := make(chan tea.Msg, 1)
	go func() { read <- cmd() }()
	select {
	case <-read:
		t.Fatal("the command returned before the saved forwards could be read")
	case <-time.After(100 * time.Millisecond):
	}
	if err := os.WriteFile(fifo, []byte("contexts: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var msg tea.Msg
	select {
	case msg = <-read:
	case <-time.After(2 * time.Second):
		t.Fatal("the command did not read the saved forwards")
	}
	_, next := app.Update(msg)
	n, ok := next().(ui.NotifyMsg)
	if !ok || !strings.Contains(n.Text, "no saved port-forward to restart for context kdeck-demo") {
		t.Errorf("after the read: %#v", n)
	}
}
