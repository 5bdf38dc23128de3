package views

import (
	"context"
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// debugKey adds an ephemeral debug container to a pod and attaches to it (kubectl
// debug -it --target), on the pods and containers views.
var debugKey = ui.NewKey("pods and containers", "debug: add an ephemeral container sharing a container's processes, attach", "b")

// debugAction is the debug key of the pods view: it asks for the target container and
// the image.
func debugAction() ui.Action[*kube.Pod] {
	return ui.Action[*kube.Pod]{Key: debugKey, Mutates: kube.DebugAccess,
		Run: func(env *ui.Env, p *kube.Pod) tea.Cmd { return debugTargetDialog(env, p.Namespace, p.Name) }}
}

// debugTargetDialog reads pod ns/name's containers and asks which one the debug container
// shares processes with (the pod's default container first), then for the image. A pod
// of one container skips the first question.
func debugTargetDialog(env *ui.Env, ns, name string) tea.Cmd {
	client := env.Client
	return asking(env, "debug", func(ctx context.Context) (*ui.Dialog, error) {
		pc, err := client.GetPodContainers(ctx, ns, name)
		if err != nil {
			return nil, err
		}
		var targets []string
		for _, c := range pc.Containers {
			if !c.Init {
				targets = append(targets, c.Name)
			}
		}
		if len(targets) == 0 {
			return nil, fmt.Errorf("pod %s/%s has no containers", ns, name)
		}
		if len(targets) == 1 {
			return debugDialog(env, ns, name, targets[0]), nil
		}
		return &ui.Dialog{Title: "Debug pod " + ns + "/" + name,
			Body:    []string{"Share the processes (and files) of which container? The pod's default container is selected."},
			Choices: targets, Selected: max(0, slices.Index(targets, pc.Default)),
			OK: func(target string) tea.Cmd { return env.Ask(debugDialog(env, ns, name, target)) }}, nil
	})
}

// debugDialog asks for the image of a debug container in pod ns/name sharing target's
// processes. On OK it adds the container (a fresh debugger-xxxxx), waits for it to start,
// and attaches to it.
func debugDialog(env *ui.Env, ns, name, target string) *ui.Dialog {
	image := kube.DebugImage
	return &ui.Dialog{Title: "Debug pod " + ns + "/" + name,
		Body: []string{
			"Adds an ephemeral container debugger-xxxxx sharing the processes of container " + target + ", then attaches to it.",
			"It cannot be removed: it stays in the pod until the pod is deleted.",
			"Image:"},
		Input: &image, Validate: kube.ValidateImage,
		OK: func(image string) tea.Cmd {
			ec := kube.DebugContainer(kube.DebuggerName(), image, target)
			return env.Mutate(env.Client.Debug(ns, name, ec), func() tea.Cmd { return env.Ask(debugWaitDialog(env, ns, name, ec.Name)) })
		}}
}

// debugWaitDialog waits for debug container container of pod ns/name to start and then
// attaches to it; esc stops waiting (the container stays). When it cannot start, the
// status line says why.
func debugWaitDialog(env *ui.Env, ns, name, container string) *ui.Dialog {
	client := env.Client
	return &ui.Dialog{Title: "Debug pod " + ns + "/" + name,
		Body: []string{"Waiting for " + container + " to start…"},
		Wait: func(ctx context.Context) tea.Cmd {
			if err := client.WaitEphemeral(ctx, ns, name, container); err != nil {
				return ui.Notify(ui.LevelError, "debug "+ns+"/"+name+": "+err.Error())
			}
			return terminal(client.Attach(ns, name, container), "debug session in "+name+"/"+container)
		}}
}

// terminal suspends kdeck while t (a shell or an attach) runs in the terminal, and says
// in the status line how it ended; what names it there.
func terminal(t *kube.Shell, what string) tea.Cmd {
	return tea.Exec(t, func(err error) tea.Msg {
		if err != nil {
			return ui.NotifyMsg{Level: ui.LevelError, Text: what + ": " + err.Error()}
		}
		return ui.NotifyMsg{Level: ui.LevelOK, Text: what + " ended"}
	})
}
