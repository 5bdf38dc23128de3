package views

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/helm"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// HelmSpec declares the Helm releases view: each release's newest revision, live; enter
// opens its history, and the keys show its values, manifest and notes, diff two
// revisions, roll back and uninstall.
var HelmSpec = ui.ListSpec[*helm.Release]{
	Noun:    "releases",
	Warm:    "releases",
	Columns: releaseColumns,
	Cache: func(env *ui.Env, ns, _ string) kube.Cache[*helm.Release] {
		return helm.ReleaseCache(env.Client, ns)
	},
	Actions: releaseActions(),
	Enter: func(env *ui.Env, r *helm.Release) ui.Page {
		return NewReleaseHistory(env, r.Ref())
	},
	FilterText: func(r *helm.Release) string {
		return r.Namespace + "/" + r.Name + " " + r.Chart + " " + r.Status + " " + r.Storage.String()
	},
}

// NewReleases returns the Helm releases view for namespace ns ("" for all namespaces).
func NewReleases(env *ui.Env, ns string) *ui.ListPage[*helm.Release] {
	return ui.NewListPage(env, HelmSpec, ns)
}

// helmKeys act on a release row (its newest revision) or a history row (that revision).
var helmKeys = struct{ Values, AllValues, Manifest, Notes, Diff, Drift, Rollback, Uninstall key.Binding }{
	Values:    ui.NewKey("helm releases", "values supplied (secret-looking ones masked)", "v"),
	AllValues: ui.NewKey("helm releases", "all values, computed with the chart's defaults", "a"),
	Manifest:  ui.NewKey("helm releases", "manifest (secrets masked)", "m"),
	Notes:     ui.NewKey("helm releases", "notes", "n"),
	Diff:      ui.NewKey("helm releases", "diff with another revision (values and manifest)", "d"),
	Drift:     ui.NewKey("helm releases", "objects: each one's live state and drift from the revision; enter describes", "D"),
	Rollback:  ui.NewKey("helm releases", "roll back to a revision", "u"),
	Uninstall: ui.NewKey("helm releases", "uninstall (type the name to confirm)", "ctrl+d"),
}

// releaseActions are the keys of release and history rows.
func releaseActions() []ui.Action[*helm.Release] {
	return []ui.Action[*helm.Release]{
		{Key: helmKeys.Values, Run: func(env *ui.Env, r *helm.Release) tea.Cmd {
			return ui.Push(NewReleaseValues(env, r, false))
		}},
		{Key: helmKeys.AllValues, Run: func(env *ui.Env, r *helm.Release) tea.Cmd {
			return ui.Push(NewReleaseValues(env, r, true))
		}},
		{Key: helmKeys.Manifest, Run: func(env *ui.Env, r *helm.Release) tea.Cmd {
			return ui.Push(releaseText(env, "manifest", r, func(rel *helm.Record) string {
				return helm.MaskManifest(rel.Manifest, helm.HiddenValues(rel))
			}))
		}},
		{Key: helmKeys.Notes, Run: func(env *ui.Env, r *helm.Release) tea.Cmd {
			return ui.Push(releaseText(env, "notes", r, helm.Notes))
		}},
		{Key: helmKeys.Diff, Run: diffDialog},
		{Key: helmKeys.Drift, Run: func(env *ui.Env, r *helm.Release) tea.Cmd { return ui.Push(NewReleaseObjects(env, r)) }},
		{Key: treeKeys.Tree, Run: func(env *ui.Env, r *helm.Release) tea.Cmd { return ui.Push(NewReleaseTree(env, r)) }},
		{Key: helmKeys.Rollback, MutatesRow: storageAccess(helm.RollbackAccess), Run: rollbackDialog},
		{Key: helmKeys.Uninstall, MutatesRow: storageAccess(helm.UninstallAccess), Run: uninstallDialog},
	}
}

// storageAccess is what an action on a release row asks of its storage (Secrets or
// ConfigMaps), for ui.Action.MutatesRow.
func storageAccess(access func(helm.Ref) []kube.Access) func(*helm.Release) []kube.Access {
	return func(r *helm.Release) []kube.Access { return access(r.Ref()) }
}

func releaseColumns(env *ui.Env, allNamespaces bool) []ui.Column[*helm.Release] {
	type col = ui.Column[*helm.Release]
	return withNamespaceName(allNamespaces, func(r *helm.Release) string { return r.Name },
		col{Name: "REVISION", Align: ui.Right, Drop: 3, Value: revisionText,
			Compare: func(a, b *helm.Release) int { return a.Revision - b.Revision }},
		col{Name: "CHART", Max: 40, Drop: 1, Value: func(r *helm.Release) string { return r.Chart }},
		col{Name: "APP VERSION", Max: 20, Drop: 5, Value: func(r *helm.Release) string { return r.AppVersion }},
		statusColumn(),
		col{Name: "STORAGE", Drop: 6, Value: func(r *helm.Release) string { return r.Storage.String() }},
		updatedColumn(env),
	)
}

func revisionText(r *helm.Release) string { return strconv.Itoa(r.Revision) }

// statusColumn is a release's status in its colour: deployed good, pending warn, failed bad.
func statusColumn() ui.Column[*helm.Release] {
	return ui.Column[*helm.Release]{Name: "STATUS", Max: 18, SortKey: "S",
		Value: func(r *helm.Release) string { return r.Status },
		Style: func(st *theme.Styles, r *helm.Release) lipgloss.Style {
			switch good, pending, bad := helm.StatusLevel(r.Status); {
			case good:
				return st.Good
			case pending:
				return st.Warn
			case bad:
				return st.Bad
			}
			return st.Muted
		}}
}

// updatedColumn is when a revision was deployed, as an age; newest first when sorted.
func updatedColumn(env *ui.Env) ui.Column[*helm.Release] {
	c := ageColumn(env, func(r *helm.Release) time.Time { return r.Updated })
	c.Name, c.SortKey = "UPDATED", "U"
	return c
}

// releaseText is a page showing what render makes of a release's revision, fetched whole.
func releaseText(env *ui.Env, what string, r *helm.Release, render func(*helm.Record) string) *ui.TextPage {
	client, ref, rev := env.Client, r.Ref(), r.Revision
	title := fmt.Sprintf("%s %s/%s revision %d", what, ref.Namespace, ref.Name, rev)
	return ui.NewTextPage(env, title, func(ctx context.Context) (string, error) {
		rel, err := helm.Get(ctx, client, ref, rev)
		if err != nil {
			return "", err
		}
		return render(rel), nil
	})
}

// revisionChoice is one revision in a picker: "3  web-0.2.0  app 1.1  superseded  Upgrade complete".
func revisionChoice(r *helm.Release) string {
	s := fmt.Sprintf("%-4d %s  app %s  %s", r.Revision, r.Chart, r.AppVersion, r.Status)
	if d, _, _ := strings.Cut(r.Description, "\n"); d != "" {
		s += "  " + ansi.Truncate(d, 60, "…")
	}
	return s
}

// pickRevision opens a picker of the revisions of r's release other than skip (0: none),
// starting at r's own revision or, when that is skipped, the one before it, and gives the
// chosen one, with the whole history, to then.
func pickRevision(env *ui.Env, what, title string, r *helm.Release, skip func(rev, newest int) bool,
	body func(newest *helm.Release) []string,
	then func(chosen, newest *helm.Release) tea.Cmd) tea.Cmd {
	client := env.Client
	return asking(env, what, func(ctx context.Context) (*ui.Dialog, error) {
		revs, err := helm.History(ctx, client, r.Ref())
		if err != nil {
			return nil, err
		}
		if len(revs) == 0 {
			return nil, fmt.Errorf("release %s/%s has no revisions", r.Namespace, r.Name)
		}
		newest := revs[len(revs)-1]
		var picks []*helm.Release
		var choices []string
		for i := len(revs) - 1; i >= 0; i-- { // newest first
			if !skip(revs[i].Revision, newest.Revision) {
				picks = append(picks, revs[i])
				choices = append(choices, revisionChoice(revs[i]))
			}
		}
		if len(picks) == 0 {
			return nil, errors.New("no other revision to choose")
		}
		// r's own revision, or the newest one before it
		selected := max(slices.IndexFunc(picks, func(p *helm.Release) bool { return p.Revision <= r.Revision }), 0)
		return &ui.Dialog{Title: title, Body: body(newest), Choices: choices, Selected: selected,
			OK: func(choice string) tea.Cmd {
				i := slices.Index(choices, choice)
				if i < 0 {
					return nil
				}
				return then(picks[i], newest)
			}}, nil
	})
}

// diffDialog picks the revision to compare r's with, then shows the diff.
func diffDialog(env *ui.Env, r *helm.Release) tea.Cmd {
	return pickRevision(env, "diff", fmt.Sprintf("Diff %s/%s revision %d with", r.Namespace, r.Name, r.Revision), r,
		func(rev, _ int) bool { return rev == r.Revision },
		func(*helm.Release) []string { return []string{"Values (masked) and manifest, older revision first."} },
		func(chosen, _ *helm.Release) tea.Cmd {
			from, to := min(chosen.Revision, r.Revision), max(chosen.Revision, r.Revision)
			return ui.Push(NewReleaseDiff(env, r.Ref(), from, to))
		})
}

// rollbackDialog picks the revision to roll back to; the dialog names both sides.
func rollbackDialog(env *ui.Env, r *helm.Release) tea.Cmd {
	client := env.Client
	return pickRevision(env, "rollback", fmt.Sprintf("Roll back release %s/%s to revision", r.Namespace, r.Name), r,
		func(rev, newest int) bool { return rev == newest },
		func(newest *helm.Release) []string {
			return []string{"Now: " + revisionChoice(newest),
				"Helm deploys the chosen revision's chart and values as a new revision (hooks run)."}
		},
		func(chosen, newest *helm.Release) tea.Cmd {
			summary := fmt.Sprintf("revision %d (%s, app %s) → revision %d (%s, app %s)",
				newest.Revision, newest.Chart, newest.AppVersion, chosen.Revision, chosen.Chart, chosen.AppVersion)
			m := helm.Rollback(client, r.Ref(), newest.Revision, chosen.Revision, summary)
			return guardObjects(env, helmKeys.Rollback, r, helm.RollbackVerbs, []int{newest.Revision, chosen.Revision},
				func() tea.Cmd { return env.Mutate(m, releaseOutcome(env, r.Ref())) })
		})
}

// guardObjects runs act once RBAC allows verbs on every resource of the release's
// revisions revs (read off the UI goroutine), so that Helm is not stopped half way: the
// storage access was checked before the dialog opened, the objects' kinds are known only
// from the records.
func guardObjects(env *ui.Env, k key.Binding, r *helm.Release, verbs []string, revs []int, act func() tea.Cmd) tea.Cmd {
	client, what := env.Client, k.Help().Desc
	return env.Background(what, func() func() tea.Cmd {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		needs, err := helm.ObjectAccess(ctx, client, r.Ref(), verbs, revs...)
		if err != nil {
			return func() tea.Cmd { return ui.Notify(ui.LevelError, what+": "+err.Error()) }
		}
		return func() tea.Cmd { return env.Guard(what, needs, false, act) }
	})
}

// uninstallDialog asks whether to keep the history, then for the release's name. It names
// the release's newest revision (r may be an older one, from its history), which must
// still be the newest when Helm starts.
func uninstallDialog(env *ui.Env, r *helm.Release) tea.Cmd {
	client := env.Client
	const purge, keep = "uninstall and delete its history", "uninstall, keep its history (it can be rolled back)"
	title := "Uninstall release " + r.Namespace + "/" + r.Name
	return asking(env, "uninstall", func(ctx context.Context) (*ui.Dialog, error) {
		revs, err := helm.History(ctx, client, r.Ref())
		if err != nil || len(revs) == 0 {
			return nil, cmp.Or(err, fmt.Errorf("release %s/%s has no revisions", r.Namespace, r.Name))
		}
		newest := revs[len(revs)-1]
		return &ui.Dialog{Title: title, Danger: true, Choices: []string{purge, keep},
			Body: []string{"Now: " + revisionChoice(newest),
				"Helm deletes every object of the release (hooks run; resources with keep policy stay)."},
			OK: func(choice string) tea.Cmd {
				keepHistory := choice == keep
				return env.Ask(&ui.Dialog{Title: title, Danger: true, Expect: r.Name,
					Body: []string{choice + ".", "Type the name to confirm:", r.Name},
					OK: func(string) tea.Cmd {
						summary := fmt.Sprintf("revision %d (%s)", newest.Revision, newest.Chart)
						if keepHistory {
							summary += ", history kept"
						}
						m := helm.Uninstall(client, r.Ref(), newest.Revision, keepHistory, summary)
						return guardObjects(env, helmKeys.Uninstall, r, helm.UninstallVerbs, []int{newest.Revision},
							func() tea.Cmd { return env.Mutate(m, nil) })
					}})
			}}, nil
	})
}

// releaseOutcome reports, after a rollback, the release's newest revision and its status.
func releaseOutcome(env *ui.Env, ref helm.Ref) func() tea.Cmd {
	client := env.Client
	return func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			defer cancel()
			revs, err := helm.History(ctx, client, ref)
			if err != nil || len(revs) == 0 {
				return nil
			}
			n := revs[len(revs)-1]
			level := ui.LevelOK
			if _, _, bad := helm.StatusLevel(n.Status); bad {
				level = ui.LevelError
			}
			return ui.NotifyMsg{Level: level, Text: fmt.Sprintf("release %s/%s is at revision %d: %s (%s)",
				ref.Namespace, ref.Name, n.Revision, n.Status, strings.TrimSpace(n.Description))}
		}
	}
}
