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
	Scale:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "scale (HPA-aware)")),
	Restart: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rollout restart")),
	History: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "rollout history")),
	Undo:    key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo to a revision")),
	Image:   key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "set image")),
	Pause:   key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "pause / resume rollout")),
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
	return []ui.Action[*kube.Deployment]{
		{Key: rolloutKeys.Scale, Mutates: func(ns string) []kube.Access { return kube.ScaleAccess(kube.GVRDeployments, ns) },
			Run: func(env *ui.Env, d *kube.Deployment) tea.Cmd {
				return scaleDialog(env, kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: d.Namespace, Name: d.Name}, "Deployment")
			}},
		{Key: rolloutKeys.Restart, Mutates: patch, Run: restartDialog, Marked: restartMarkedDialog},
		{Key: rolloutKeys.History, Run: func(env *ui.Env, d *kube.Deployment) tea.Cmd {
			client := env.Client
			return ui.Push(ui.NewTextPage(env, "history deployments/"+d.Namespace+"/"+d.Name, func(ctx context.Context) (string, error) {
				revs, err := client.History(ctx, d.Namespace, d.Name)
				if err != nil {
					return "", err
				}
				return historyText(revs, env.Now()), nil
			}))
		}},
		{Key: rolloutKeys.Undo, Mutates: kube.UndoAccess, Run: undoDialog},
		{Key: rolloutKeys.Image, Mutates: patch, Run: imageDialog},
		{Key: rolloutKeys.Pause, Mutates: patch, Run: pauseDialog},
	}
}

// followRollout is what runs after a mutation that starts a rollout: its progress in the
// status line until it completes or stalls.
func followRollout(env *ui.Env, ns, name string) func() tea.Cmd {
	client := env.Client
	return func() tea.Cmd {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		ch := client.FollowRollout(ctx, ns, name)
		return ui.Progress(ns+"/"+name, ch, func(p kube.RolloutProgress) (string, ui.Level, bool) {
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

func restartDialog(env *ui.Env, d *kube.Deployment) tea.Cmd {
	return env.Ask(&ui.Dialog{Title: "Restart deployment " + d.Namespace + "/" + d.Name,
		Body: []string{fmt.Sprintf("Its %d pods are replaced one by one by a rolling update (%s).", d.Desired, d.Strategy)},
		OK: func(string) tea.Cmd {
			return env.Mutate(env.Client.Restart(d.Namespace, d.Name, env.Now()), followRollout(env, d.Namespace, d.Name))
		}})
}

// restartMarkedDialog confirms a rollout restart of every marked deployment at once.
func restartMarkedDialog(env *ui.Env, ds []*kube.Deployment) tea.Cmd {
	refs := make([]kube.ObjectRef, len(ds))
	for i, d := range ds {
		refs[i] = kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: d.Namespace, Name: d.Name}
	}
	what := fmt.Sprintf("rollout restart of %d deployments", len(ds))
	return env.Ask(&ui.Dialog{Title: fmt.Sprintf("Restart %d deployments", len(ds)),
		Body: append(markedLines(refs), "Each one's pods are replaced by a rolling update."),
		OK: func(string) tea.Cmd {
			ms := make([]kube.Mutation, len(ds))
			for i, d := range ds {
				ms[i] = env.Client.Restart(d.Namespace, d.Name, env.Now())
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
				next = followRollout(env, d.Namespace, d.Name)
			}
			return env.Mutate(env.Client.Pause(d.Namespace, d.Name, !d.Paused), next)
		}})
}

func undoDialog(env *ui.Env, d *kube.Deployment) tea.Cmd {
	client := env.Client
	return asking(env, "undo", func(ctx context.Context) (*ui.Dialog, error) {
		revs, err := client.History(ctx, d.Namespace, d.Name)
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
		return &ui.Dialog{Title: "Roll back deployment " + d.Namespace + "/" + d.Name + " to revision",
			Body:    []string{"The deployment takes that revision's pod template and rolls."},
			Choices: choices,
			OK: func(choice string) tea.Cmd {
				for i, c := range choices {
					if c == choice {
						return env.Mutate(client.Undo(d.Namespace, d.Name, earlier[i]), followRollout(env, d.Namespace, d.Name))
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

// historyText renders revisions as `kubectl rollout history` would, with images and ages.
func historyText(revs []kube.Revision, now time.Time) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "REVISION\tIMAGES\tPODS\tAGE\tCHANGE-CAUSE")
	for _, r := range revs {
		n := strconv.FormatInt(r.Number, 10)
		if r.Current {
			n += " (current)"
		}
		cause := r.ChangeCause
		if cause == "" {
			cause = "<none>"
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", n, strings.Join(r.Images, ","), r.Replicas, age(r.Created, now), cause)
	}
	w.Flush()
	if len(revs) == 0 {
		return "no revisions: the deployment owns no replica sets yet"
	}
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
					return env.Mutate(client.SetImage(d.Namespace, d.Name, name, image, s), followRollout(env, d.Namespace, d.Name))
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

// scalableKinds are the kinds the generic view can scale, by resource.
var scalableKinds = map[schema.GroupVersionResource]string{
	kube.GVRReplicaSets:  "ReplicaSet",
	kube.GVRStatefulSets: "StatefulSet",
}

// scaleAction is the scale key of the generic view of a scalable kind.
func scaleAction(gvr schema.GroupVersionResource, kind string) ui.Action[*kube.TableRow] {
	return ui.Action[*kube.TableRow]{Key: rolloutKeys.Scale, Mutates: func(ns string) []kube.Access { return kube.ScaleAccess(gvr, ns) },
		Run: func(env *ui.Env, r *kube.TableRow) tea.Cmd {
			return scaleDialog(env, kube.ObjectRef{GVR: gvr, Namespace: r.Namespace, Name: r.Name}, kind)
		}}
}
