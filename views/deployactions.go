package views

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// rolloutKeys are the deployment view's rollout keys (the README's key table).
var rolloutKeys = struct{ Scale, Restart, History, Undo, Image, Pause key.Binding }{
	Scale:   ui.NewKey("deployments and other workloads", "scale (HPA-aware)", "s"),
	Restart: ui.NewKey("deployments and other workloads", "rollout restart", "r"),
	History: ui.NewKey("deployments and other workloads", "rollout history", "h"),
	Undo:    ui.NewKey("deployments and other workloads", "undo to a revision", "u"),
	Image:   ui.NewKey("deployments and other workloads", "set image", "i"),
	Pause:   ui.NewKey("deployments and other workloads", "pause / resume rollout", "z"),
}

// requestTimeout bounds the reads an action makes before it asks anything.
const requestTimeout = 15 * time.Second

// asking runs fetch off the UI goroutine and opens the dialog it returns, or reports its
// error; fetch returns a nil dialog (and nil error) when it has said what it needs to.
func asking(env *ui.Env, what string, fetch func(ctx context.Context) (*ui.Dialog, error)) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		d, err := fetch(ctx)
		if err != nil {
			return ui.NotifyMsg{Level: ui.LevelError, Text: what + ": " + err.Error()}
		}
		if d == nil {
			return nil
		}
		return env.Ask(d)()
	}
}

// deploymentActions are the scale and rollout keys of the deployments view.
func deploymentActions() []ui.Action[*kube.Deployment] {
	patch := kube.Only(kube.RolloutAccess)
	return append(append([]ui.Action[*kube.Deployment]{scaleAction[*kube.Deployment](kube.GVRDeployments, "Deployment")},
		rolloutActions(kube.GVRDeployments, "Deployment", func(d *kube.Deployment) string {
			return fmt.Sprintf("Its %d pods are replaced one by one by a rolling update (%s).", d.Desired, d.Strategy)
		})...),
		ui.Action[*kube.Deployment]{Key: rolloutKeys.Image, Mutates: patch, Run: imageDialog},
		ui.Action[*kube.Deployment]{Key: rolloutKeys.Pause, Mutates: patch, Run: pauseDialog},
	)
}

// rolloutActions are the restart (r), history (h) and undo (u) keys of a view of gvr's
// objects (deployments, daemon sets, stateful sets; kind names them in dialogs); restart
// says what a restart does to the row's pods.
func rolloutActions[R kube.Row](gvr schema.GroupVersionResource, kind string, restart func(R) string) []ui.Action[R] {
	return []ui.Action[R]{
		{Key: rolloutKeys.Restart, Mutates: kube.Only(kube.PatchAccess(gvr)), Run: func(env *ui.Env, r R) tea.Cmd {
			return restartDialog(env, rowRef(gvr, r), kind, restart(r))
		}, Marked: func(env *ui.Env, rows []R) tea.Cmd {
			refs := make([]kube.ObjectRef, len(rows))
			for i, r := range rows {
				refs[i] = rowRef(gvr, r)
			}
			return restartMarkedDialog(env, refs)
		}},
		{Key: rolloutKeys.History, Run: func(env *ui.Env, r R) tea.Cmd { return ui.Push(historyPage(env, rowRef(gvr, r))) }},
		{Key: rolloutKeys.Undo, Mutates: kube.UndoAccess(gvr), Run: func(env *ui.Env, r R) tea.Cmd {
			return undoDialog(env, rowRef(gvr, r), kind)
		}},
	}
}

// historyPage shows ref's rollout history.
func historyPage(env *ui.Env, ref kube.ObjectRef) *ui.TextPage {
	return objectPage(env, "history", ref, func(client *kube.Client, ctx context.Context, ref kube.ObjectRef) (string, error) {
		revs, err := client.History(ctx, ref)
		if err != nil {
			return "", err
		}
		return historyText(revs, env.Now(), ref.GVR), nil
	})
}

// followRollout is what runs after a mutation that starts a rollout of ref: its progress
// in the status line until it completes or stalls.
func followRollout(env *ui.Env, ref kube.ObjectRef) func() tea.Cmd {
	client := env.Client
	return func() tea.Cmd {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		ch := client.FollowRollout(ctx, ref)
		return ui.Progress(ref.Namespace+"/"+ref.Name, ch, func(p kube.RolloutProgress) (string, ui.Level, bool) {
			level := ui.LevelInfo
			switch {
			case p.Done && p.OK:
				level = ui.LevelOK
			case p.Done:
				level = ui.LevelError
			}
			if p.Done {
				cancel()
			}
			return p.Text, level, p.Done
		})
	}
}

// scaleDialog reads the current count and asks for a new replica count for ref (a Deployment, ReplicaSet or
// StatefulSet, kind names it). When an HPA drives ref, it says so first and offers to
// change the HPA's range instead, since the HPA would undo a manual count.
func scaleDialog(env *ui.Env, ref kube.ObjectRef, kind string) tea.Cmd {
	client := env.Client
	title := fmt.Sprintf("Scale %s %s/%s", strings.ToLower(kind), ref.Namespace, ref.Name)
	return asking(env, "scale", func(ctx context.Context) (*ui.Dialog, error) {
		current, err := client.Replicas(ctx, ref)
		if err != nil {
			return nil, err
		}
		hpa, err := client.HPAFor(ctx, ref, kind)
		count := countDialog(env, ref, title, current)
		switch {
		case kube.KindOf(err) == kube.KindForbidden: // may scale but not see HPAs: say so, don't block
			count.Body = append(count.Body, "(HPAs are not visible to you here: one may override this count)")
			return count, nil
		case err != nil:
			return nil, err
		case hpa == nil:
			return count, nil
		}
		minR := int32(1)
		if hpa.Spec.MinReplicas != nil {
			minR = *hpa.Spec.MinReplicas
		}
		maxR := hpa.Spec.MaxReplicas
		const useHPA, anyway = "change the HPA's min/max instead", "scale anyway (the HPA will override it)"
		return &ui.Dialog{Title: title,
			Body: []string{
				fmt.Sprintf("HPA %s drives this %s: min %d, max %d, now %d replicas.", hpa.Name, strings.ToLower(kind), minR, maxR, current),
				"A manual count is overridden at the HPA's next sync.",
			},
			Choices: []string{useHPA, anyway},
			OK: func(choice string) tea.Cmd {
				if choice == anyway {
					return env.Ask(count)
				}
				return env.Ask(hpaRangeDialog(env, ref.Namespace, hpa.Name, minR, maxR))
			}}, nil
	})
}

func countDialog(env *ui.Env, ref kube.ObjectRef, title string, current int32) *ui.Dialog {
	initial := strconv.Itoa(int(current))
	return &ui.Dialog{Title: title,
		Body:     []string{fmt.Sprintf("Replicas now: %d. New count:", current)},
		Input:    &initial,
		Validate: func(s string) error { _, err := parseReplicas(s); return err },
		OK: func(s string) tea.Cmd {
			n, _ := parseReplicas(s)
			if n == current {
				return ui.Notify(ui.LevelInfo, "scale: already at "+s+" replicas, nothing sent")
			}
			return env.Mutate(env.Client.Scale(ref, current, n), nil)
		}}
}

// maxReplicas bounds a typed count: a slip of the finger should not ask for a million pods.
const maxReplicas = 10000

// parseReplicas reads a replica count typed by a person.
func parseReplicas(s string) (int32, error) {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a whole number", s)
	case n < 0:
		return 0, errors.New("replicas cannot be negative")
	case n > maxReplicas:
		return 0, fmt.Errorf("more than %d replicas: scale with kubectl if you mean it", maxReplicas)
	}
	return int32(n), nil
}

func hpaRangeDialog(env *ui.Env, ns, name string, minR, maxR int32) *ui.Dialog {
	initial := fmt.Sprintf("%d %d", minR, maxR)
	parse := func(s string) (int32, int32, error) {
		f := strings.Fields(s)
		if len(f) != 2 {
			return 0, 0, errors.New("type MIN MAX, e.g. 2 10")
		}
		lo, err := parseReplicas(f[0])
		if err != nil {
			return 0, 0, err
		}
		hi, err := parseReplicas(f[1])
		switch {
		case err != nil:
			return 0, 0, err
		case lo < 1:
			return 0, 0, errors.New("an HPA's min must be at least 1")
		case hi < lo:
			return 0, 0, errors.New("max must be at least min")
		}
		return lo, hi, nil
	}
	return &ui.Dialog{Title: "HPA " + ns + "/" + name + ": replica range",
		Body:     []string{fmt.Sprintf("Now min %d, max %d. New MIN MAX:", minR, maxR)},
		Input:    &initial,
		Validate: func(s string) error { _, _, err := parse(s); return err },
		OK: func(s string) tea.Cmd {
			lo, hi, _ := parse(s)
			return env.Guard("HPA range", []kube.Access{kube.HPARangeAccess(ns)}, false, func() tea.Cmd {
				return env.Mutate(env.Client.HPARange(ns, name, minR, maxR, lo, hi), nil)
			})
		}}
}

// restartDialog asks before restarting ref's pods (kind names it), saying how they go.
func restartDialog(env *ui.Env, ref kube.ObjectRef, kind, how string) tea.Cmd {
	return env.Ask(&ui.Dialog{Title: "Restart " + strings.ToLower(kind) + " " + ref.Namespace + "/" + ref.Name,
		Body: []string{how},
		OK: func(string) tea.Cmd {
			return env.Mutate(env.Client.Restart(ref, env.Now()), followRollout(env, ref))
		}})
}

// restartMarkedDialog confirms a rollout restart of every marked object (of one kind) at once.
func restartMarkedDialog(env *ui.Env, refs []kube.ObjectRef) tea.Cmd {
	what := fmt.Sprintf("rollout restart of %d %s", len(refs), refs[0].GVR.Resource)
	return env.Ask(&ui.Dialog{Title: fmt.Sprintf("Restart %d %s", len(refs), refs[0].GVR.Resource),
		Body: append(markedLines(refs), "Each one's pods are replaced as its update strategy says."),
		OK: func(string) tea.Cmd {
			ms := make([]kube.Mutation, len(refs))
			for i, r := range refs {
				ms[i] = env.Client.Restart(r, env.Now())
			}
			return env.MutateAll(what, ms)
		}})
}

func pauseDialog(env *ui.Env, d *kube.Deployment) tea.Cmd {
	verb, body := "Pause", "The controller stops rolling out template changes until resumed."
	if d.Paused {
		verb, body = "Resume", "The controller rolls out any template change made while paused."
	}
	return env.Ask(&ui.Dialog{Title: verb + " rollout of deployment " + d.Namespace + "/" + d.Name, Body: []string{body},
		OK: func(string) tea.Cmd {
			var next func() tea.Cmd
			if d.Paused {
				next = followRollout(env, rowRef(kube.GVRDeployments, d))
			}
			return env.Mutate(env.Client.Pause(d.Namespace, d.Name, !d.Paused), next)
		}})
}

// undoDialog reads ref's history and asks which earlier revision to roll back to (kind
// names it).
func undoDialog(env *ui.Env, ref kube.ObjectRef, kind string) tea.Cmd {
	client := env.Client
	kind = strings.ToLower(kind)
	return asking(env, "undo", func(ctx context.Context) (*ui.Dialog, error) {
		revs, err := client.History(ctx, ref)
		if err != nil {
			return nil, err
		}
		var earlier []kube.Revision
		var choices []string
		for _, r := range revs {
			if !r.Current {
				earlier = append(earlier, r)
				choices = append(choices, revisionLine(r))
			}
		}
		if len(earlier) == 0 {
			return nil, errors.New("no earlier revision to go back to")
		}
		return &ui.Dialog{Title: "Roll back " + kind + " " + ref.Namespace + "/" + ref.Name + " to revision",
			Body:    []string{"The " + kind + " takes that revision's pod template and rolls."},
			Choices: choices,
			OK: func(choice string) tea.Cmd {
				for i, c := range choices {
					if c == choice {
						return env.Mutate(client.Undo(ref, earlier[i]), followRollout(env, ref))
					}
				}
				return nil
			}}, nil
	})
}

// revisionLine is one revision in the undo picker: "3  nginx:1.27  (change cause)".
func revisionLine(r kube.Revision) string {
	s := fmt.Sprintf("%-4d %s", r.Number, strings.Join(r.Images, ","))
	if r.ChangeCause != "" {
		s += "  (" + r.ChangeCause + ")"
	}
	return s
}

// historyText renders revisions of a gvr object as `kubectl rollout history` would, with
// images and ages, and a deployment's pods per revision.
func historyText(revs []kube.Revision, now time.Time, gvr schema.GroupVersionResource) string {
	if len(revs) == 0 {
		if gvr == kube.GVRDeployments {
			return "no revisions: the deployment owns no replica sets yet"
		}
		return "no revisions: it owns no controller revisions yet"
	}
	pods := gvr == kube.GVRDeployments
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprint(w, "REVISION\tIMAGES\t")
	if pods {
		fmt.Fprint(w, "PODS\t")
	}
	fmt.Fprintln(w, "AGE\tCHANGE-CAUSE")
	for _, r := range revs {
		n := strconv.FormatInt(r.Number, 10)
		if r.Current {
			n += " (current)"
		}
		cause := r.ChangeCause
		if cause == "" {
			cause = "<none>"
		}
		fmt.Fprintf(w, "%s\t%s\t", n, strings.Join(r.Images, ","))
		if pods {
			fmt.Fprintf(w, "%d\t", r.Replicas)
		}
		fmt.Fprintf(w, "%s\t%s\n", age(r.Created, now), cause)
	}
	w.Flush()
	return b.String()
}

func imageDialog(env *ui.Env, d *kube.Deployment) tea.Cmd {
	client := env.Client
	return asking(env, "set image", func(ctx context.Context) (*ui.Dialog, error) {
		cs, err := client.DeploymentContainers(ctx, d.Namespace, d.Name)
		if err != nil {
			return nil, err
		}
		input := func(name, image string) *ui.Dialog {
			initial := image
			return &ui.Dialog{Title: "Set image of " + d.Namespace + "/" + d.Name + ", container " + name,
				Body:  []string{"Now: " + image},
				Input: &initial,
				Validate: func(s string) error {
					if s == image {
						return errors.New("that is the current image")
					}
					return kube.ValidateImage(s)
				},
				OK: func(s string) tea.Cmd {
					return env.Mutate(client.SetImage(d.Namespace, d.Name, name, image, s), followRollout(env, rowRef(kube.GVRDeployments, d)))
				}}
		}
		if len(cs) == 1 {
			return input(cs[0].Name, cs[0].Image), nil
		}
		var choices []string
		for _, c := range cs {
			choices = append(choices, c.Name+"  "+c.Image)
		}
		return &ui.Dialog{Title: "Set image of " + d.Namespace + "/" + d.Name + ": which container?", Choices: choices,
			OK: func(choice string) tea.Cmd {
				for i, c := range choices {
					if c == choice {
						return env.Ask(input(cs[i].Name, cs[i].Image))
					}
				}
				return nil
			}}, nil
	})
}

// scaleAction is the scale key (s) of a view of gvr's objects, of kind kind.
func scaleAction[R kube.Row](gvr schema.GroupVersionResource, kind string) ui.Action[R] {
	return ui.Action[R]{Key: rolloutKeys.Scale, Mutates: func(ns string) []kube.Access { return kube.ScaleAccess(gvr, ns) },
		Run: func(env *ui.Env, r R) tea.Cmd { return scaleDialog(env, rowRef(gvr, r), kind) }}
}
