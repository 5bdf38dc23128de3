package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/ui"
)

// forwardKey starts a port-forward from a pod, container or service (shift-f).
var forwardKey = ui.NewKey("pods, containers and services", "port-forward (prompts for the local port)", "F")

// forwardAction is the shift-f action of a list of pods or services.
func forwardAction[R kube.Row](kind forward.Kind) ui.Action[R] {
	needs := func(ns string) []kube.Access { return forward.Access(kind, ns) }
	return ui.Action[R]{Key: forwardKey, Mutates: needs, Run: func(env *ui.Env, row R) tea.Cmd {
		k := row.RowKey()
		return askForward(env, kind, k.Namespace, k.Name, "")
	}}
}

// askForward reads the ports the target declares (off the UI goroutine), then asks which
// one when there are several, then the local port.
func askForward(env *ui.Env, kind forward.Kind, ns, name, container string) tea.Cmd {
	client := env.Client
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ports, err := forward.Ports(ctx, client, kind, ns, name, container)
		if err != nil {
			return ui.NotifyMsg{Level: ui.LevelError, Text: "port-forward: " + err.Error()}
		}
		target := forward.Spec{Namespace: ns, Kind: kind, Name: name}
		if len(ports) <= 1 {
			remote := 0
			if len(ports) == 1 {
				remote = ports[0].Port
			}
			return env.Ask(forwardDialog(env, target, remote))()
		}
		labels := make([]string, len(ports))
		for i, p := range ports {
			labels[i] = p.Label
		}
		return env.Ask(&ui.Dialog{Title: fmt.Sprintf("Port-forward %s %s/%s: which port?", kind, ns, name),
			Choices: labels, OK: func(label string) tea.Cmd {
				for _, p := range ports {
					if p.Label == label {
						return env.Ask(forwardDialog(env, target, p.Port))
					}
				}
				return nil
			}})()
	}
}

// forwardDialog asks for the local port (default: the remote one; "LOCAL:REMOTE" also
// picks the remote port), refusing inline a port out of range or in use.
func forwardDialog(env *ui.Env, target forward.Spec, remote int) *ui.Dialog {
	initial := ""
	body := []string{"Local port on 127.0.0.1, or LOCAL:REMOTE."}
	if remote > 0 {
		initial = strconv.Itoa(remote)
		body = append(body, fmt.Sprintf("Remote port %d.", remote))
	} else {
		body = append(body, "It declares no port: type the remote one too.")
	}
	parse := func(v string) (forward.Spec, error) {
		spec := target
		var err error
		spec.Local, spec.Remote, err = parseForwardPorts(v, remote)
		return spec, err
	}
	return &ui.Dialog{
		Title:    fmt.Sprintf("Port-forward %s %s/%s", target.Kind, target.Namespace, target.Name),
		Body:     body,
		Input:    &initial,
		Validate: func(v string) error { _, err := parse(v); return err },
		Check: func(v string) error { // a listen on the port, off the UI goroutine
			spec, err := parse(v)
			if err != nil {
				return err
			}
			return forward.CheckLocalPort(spec.Local)
		},
		OK: func(v string) tea.Cmd {
			spec, err := parse(v)
			if err != nil {
				return ui.Notify(ui.LevelError, "port-forward: "+err.Error())
			}
			return startForward(env, spec)
		},
	}
}

// parseForwardPorts reads "LOCAL" (the remote port is remote, or LOCAL when remote is 0)
// or "LOCAL:REMOTE".
func parseForwardPorts(v string, remote int) (local, rem int, err error) {
	l, r, both := strings.Cut(strings.TrimSpace(v), ":")
	port := func(s, which string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("%s port %q is not a number", which, s)
		}
		if n < 1 || n > 65535 {
			return 0, fmt.Errorf("%s port %d is out of range (1–65535)", which, n)
		}
		return n, nil
	}
	if local, err = port(l, "local"); err != nil {
		return 0, 0, err
	}
	switch {
	case both:
		rem, err = port(r, "remote")
	case remote > 0:
		rem = remote
	default:
		rem = local
	}
	return local, rem, err
}

// startForward starts spec through the mutation door: refused in read-only mode, audited.
func startForward(env *ui.Env, spec forward.Spec) tea.Cmd {
	return env.Mutate(env.Forwards.StartMutation(env.Client, spec), nil)
}
