package views

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// secretTarget is where a new secret goes: a namespace, or (typedNS) a namespace typed
// with the name as NAMESPACE/NAME, starting from ns.
type secretTarget struct {
	ns, name string
	typedNS  bool
}

// parse reads the typed name (NAMESPACE/NAME when typedNS) into a copy of t.
func (t secretTarget) parse(text string) (secretTarget, error) {
	if t.typedNS {
		ns, name, ok := strings.Cut(text, "/")
		if !ok {
			return t, fmt.Errorf("type NAMESPACE/NAME")
		}
		if err := kube.ValidNamespaceName(ns); err != nil {
			return t, err
		}
		t.ns, text = ns, name
	}
	t.name = text
	return t, kube.ValidSecretName(text)
}

// askSecretName opens the dialog for a new secret's name, then next with it.
func askSecretName(env *ui.Env, t secretTarget, title string, next func(secretTarget) tea.Cmd) tea.Cmd {
	initial := ""
	body := []string{"Name (a DNS-1123 subdomain: lowercase, digits, '-', '.'):"}
	if t.typedNS {
		initial = t.ns + "/"
		body = []string{"NAMESPACE/NAME of the new secret:"}
	} else {
		title += " in namespace " + t.ns
	}
	return env.Ask(&ui.Dialog{Title: title, Body: body, Input: &initial,
		Validate: func(v string) error { _, err := t.parse(v); return err },
		OK: func(v string) tea.Cmd {
			t, _ := t.parse(v)
			return next(t)
		}})
}

// askGenericSecret opens the dialogs that create an Opaque secret, one key at a time.
func askGenericSecret(env *ui.Env, t secretTarget) tea.Cmd {
	return askSecretName(env, t, "New generic secret", func(t secretTarget) tea.Cmd { return askSecretEntry(env, t, nil) })
}

// askSecretEntry asks for the next key of a new generic secret holding data so far (never
// modified: each step gets a copy); an empty line creates it.
func askSecretEntry(env *ui.Env, t secretTarget, data map[string][]byte) tea.Cmd {
	body := []string{"Keys so far:"}
	if len(data) == 0 {
		body = []string{"No keys yet."}
	}
	for _, k := range slices.Sorted(maps.Keys(data)) {
		body = append(body, fmt.Sprintf("  %s  %s", k, kube.MaskedValue(len(data[k]))))
	}
	body = append(body, "", "KEY=VALUE, KEY=@/path/to/file, or KEY alone to type the value hidden;",
		"an empty line creates the secret.")
	empty := ""
	with := func(k string, v []byte) map[string][]byte {
		next := maps.Clone(data)
		if next == nil {
			next = map[string][]byte{}
		}
		next[k] = v
		return next
	}
	return env.Ask(&ui.Dialog{Title: "New secret " + t.ns + "/" + t.name, Body: body, Input: &empty,
		Validate: func(v string) error {
			if v == "" {
				if len(data) == 0 {
					return fmt.Errorf("add at least one key")
				}
				return nil
			}
			in, err := kube.ParseSecretSyntax(v)
			if err == nil && data[in.Key] != nil {
				err = fmt.Errorf("key %s is already set", in.Key)
			}
			return err
		},
		Check: func(v string) error { // KEY=@PATH: a regular file within 1 MiB
			if v == "" { // an empty line creates the secret: Validate has judged it
				return nil
			}
			if in, err := kube.ParseSecretSyntax(v); err != nil || in.Path == "" {
				return err
			}
			_, err := kube.ParseSecretInput(v)
			return err
		},
		OK: func(v string) tea.Cmd {
			if v == "" {
				return env.Mutate(env.Client.CreateSecret(kube.NewGenericSecret(t.ns, t.name, data)), nil)
			}
			in, _ := kube.ParseSecretSyntax(v)
			switch {
			case in.Ask:
				return askSecretValue(env, "Value of "+in.Key+" in new secret "+t.ns+"/"+t.name, nil,
					func(value string) tea.Cmd { return askSecretEntry(env, t, with(in.Key, []byte(value))) })
			case in.Path != "":
				// the file Check accepted, read off the UI goroutine; the next dialog comes back
				return func() tea.Msg {
					b, err := kube.ReadSecretFile(in.Path)
					if err != nil {
						return ui.NotifyMsg{Level: ui.LevelError, Text: err.Error()}
					}
					return askSecretEntry(env, t, with(in.Key, b))()
				}
			}
			return askSecretEntry(env, t, with(in.Key, []byte(in.Value)))
		}})
}

// askSecretValue opens a dialog for a secret value, masked as it is typed.
func askSecretValue(env *ui.Env, title string, body []string, ok func(string) tea.Cmd) tea.Cmd {
	empty := ""
	return env.Ask(&ui.Dialog{Title: title, Body: append(body, "The value is hidden as you type it."),
		Input: &empty, Password: true, OK: ok})
}

// askTLSSecret opens the dialogs that create a kubernetes.io/tls secret from a certificate
// file and a key file, refused inline unless they are a matching pair. The files are
// checked and read off the UI goroutine.
func askTLSSecret(env *ui.Env, t secretTarget) tea.Cmd {
	return askSecretName(env, t, "New TLS secret", func(t secretTarget) tea.Cmd {
		empty := ""
		title := "New TLS secret " + t.ns + "/" + t.name
		return env.Ask(&ui.Dialog{Title: title, Body: []string{"Certificate file (PEM, tls.crt):"}, Input: &empty,
			Validate: kube.ValidSecretPath, Check: kube.CheckSecretFile,
			OK: func(certPath string) tea.Cmd {
				return env.Ask(&ui.Dialog{Title: title, Body: []string{"Certificate " + certPath, "Private key file (PEM, tls.key):"},
					Input: &empty, Validate: kube.ValidSecretPath,
					Check: func(keyPath string) error {
						_, _, _, err := kube.ReadTLSPair(certPath, keyPath)
						return err
					},
					OK: func(keyPath string) tea.Cmd { return createTLSSecret(env, t, certPath, keyPath) }})
			}})
	})
}

// createTLSSecret reads the pair the dialog's Check accepted (two local files of at most
// 1 MiB, read again off the UI goroutine) and creates the secret.
func createTLSSecret(env *ui.Env, t secretTarget, certPath, keyPath string) tea.Cmd {
	return env.Background("create tls secret", func() func() tea.Cmd {
		cert, key, _, err := kube.ReadTLSPair(certPath, keyPath)
		if err != nil {
			return func() tea.Cmd { return ui.Notify(ui.LevelError, err.Error()) }
		}
		return func() tea.Cmd {
			return env.Mutate(env.Client.CreateSecret(kube.NewTLSSecret(t.ns, t.name, cert, key)), nil)
		}
	})
}
