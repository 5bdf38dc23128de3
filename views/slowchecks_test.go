package views

import (
	"net"
	"path/filepath"
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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// dialogApp is an App of 100x30 over a message page, with the dialog that open brings.
func dialogApp(env *ui.Env, open tea.Cmd) *ui.App {
	app := ui.New(env, Registry, ui.ViewSpec{Name: "t", New: func(env *ui.Env, _ string) ui.Page { return ui.NewMessage(env, "t") }})
	app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	settle(app, open)
	return app
}

// settle runs cmd, feeding every message it brings back to app, and the commands those
// return, until nothing more arrives within 100 ms (a cursor's blink is left running).
func settle(app *ui.App, cmd tea.Cmd) {
	for msgs := uitest.Messages(cmd, 100*time.Millisecond); len(msgs) > 0; {
		var next []tea.Cmd
		for _, m := range msgs {
			_, c := app.Update(m)
			next = append(next, c)
		}
		msgs = uitest.Messages(tea.Batch(next...), 100*time.Millisecond)
	}
}

// typeUnsettled types text into app's dialog and returns the commands Update gave back,
// not yet run.
func typeUnsettled(app *ui.App, text string) tea.Cmd {
	var cmds []tea.Cmd
	for _, r := range text {
		_, c := app.Update(uitest.Key(string(r)))
		cmds = append(cmds, c)
	}
	return tea.Batch(cmds...)
}

func screenOf(app *ui.App) string { return ansi.Strip(app.View().Content) }

// The secret, TLS and port-forward dialogs stat no file and probe no port in Update: what
// a typed path or port is worth shows only once the commands Update returned have run.
func TestDialogChecksRunOffTheUIGoroutine(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	target := secretTarget{ns: "shop", name: "api-keys"}
	for _, c := range []struct {
		name, typed, want string
		open              func(env *ui.Env) *ui.App
	}{
		{"generic secret key from a file", "token=@" + missing, "cannot read", func(env *ui.Env) *ui.App {
			return dialogApp(env, askSecretEntry(env, target, nil))
		}},
		{"TLS certificate file", missing, "cannot read", func(env *ui.Env) *ui.App {
			app := dialogApp(env, askTLSSecret(env, secretTarget{ns: "shop"}))
			settle(app, typeUnsettled(app, "shop-tls"))
			_, cmd := app.Update(uitest.Key("enter"))
			settle(app, cmd)
			return app
		}},
		{"port-forward local port", busyPort, "already in use", func(env *ui.Env) *ui.App {
			app := dialogApp(env, env.Ask(forwardDialog(env, forward.Spec{Namespace: "shop", Kind: forward.KindService, Name: "web"}, 80)))
			for range 2 {
				_, cmd := app.Update(uitest.Key("backspace"))
				settle(app, cmd)
			}
			return app
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := c.open(testEnv("shop"))
			cmd := typeUnsettled(app, c.typed)
			if s := screenOf(app); strings.Contains(s, c.want) {
				t.Fatalf("%q was checked in Update:\n%s", c.typed, s)
			}
			settle(app, cmd)
			if s := screenOf(app); !strings.Contains(s, c.want) {
				t.Fatalf("once its command ran, %q is not refused with %q:\n%s", c.typed, c.want, s)
			}
		})
	}
}

// An empty line in the new-secret dialog creates the secret once it has a key: the
// dialog's Check must not refuse what its Validate allows (it did: "a key name is required").
func TestSecretEntryEmptyLineCreates(t *testing.T) {
	env := testEnv("shop")
	cs := fake.NewClientset()
	env.Client = kube.NewClientFor(cs, nil)
	app := dialogApp(env, askSecretEntry(env, secretTarget{ns: "shop", name: "api-keys"}, map[string][]byte{"user": []byte("admin")}))
	_, cmd := app.Update(uitest.Key("enter"))
	settle(app, cmd)
	s, err := cs.CoreV1().Secrets("shop").Get(t.Context(), "api-keys", metav1.GetOptions{})
	if err != nil || string(s.Data["user"]) != "admin" {
		t.Fatalf("enter on an empty line did not create the secret (%v):\n%s", err, screenOf(app))
	}
}
