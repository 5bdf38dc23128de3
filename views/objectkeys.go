package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// objectKeys are the keys every object list has.
var objectKeys = struct{ Describe, YAML, Delete, CopyName key.Binding }{
	CopyName: ui.NewKey("object lists", "copy the name to the clipboard (OSC52); c on the YAML page copies the YAML", "Y"),
	Describe: ui.NewKey("object lists", "describe (with events)", "d"),
	YAML:     ui.NewKey("object lists", "YAML", "y"),
	Delete:   ui.NewKey("object lists", "delete (type the name to confirm)", "ctrl+d"),
}

// objectActions returns the describe (d), YAML (y), copy name (Y), edit (e), delete (ctrl+d), owner tree
// (T) and jump to the owner (o) actions for a list of gvr's objects; every resource view
// adds them to its ListSpec.Actions.
func objectActions[R kube.Row](gvr schema.GroupVersionResource) []ui.Action[R] {
	ref := func(row R) kube.ObjectRef { return rowRef(gvr, row) }
	return append([]ui.Action[R]{
		{Key: objectKeys.Describe, Run: func(env *ui.Env, row R) tea.Cmd { return ui.Push(NewDescribe(env, ref(row))) }},
		{Key: objectKeys.YAML, Run: func(env *ui.Env, row R) tea.Cmd { return ui.Push(NewYAML(env, ref(row))) }},
		{Key: objectKeys.CopyName, Run: func(_ *ui.Env, row R) tea.Cmd { return ui.Copy(row.RowKey().Name, "the name "+row.RowKey().Name) }},
		{Key: editKey, Mutates: func(ns string) []kube.Access { return kube.EditAccess(kube.ObjectRef{GVR: gvr, Namespace: ns}) },
			Run: func(env *ui.Env, row R) tea.Cmd { return startEdit(env, ref(row), "") }},
		{Key: objectKeys.Delete, Mutates: func(ns string) []kube.Access { return []kube.Access{kube.DeleteAccess(gvr, ns)} },
			Run: func(env *ui.Env, row R) tea.Cmd { return deleteDialog(env, ref(row)) },
			Marked: func(env *ui.Env, rows []R) tea.Cmd {
				refs := make([]kube.ObjectRef, len(rows))
				for i, r := range rows {
					refs[i] = ref(r)
				}
				return deleteMarkedDialog(env, refs)
			}},
	}, treeActions[R](gvr)...)
}

// deleteMarkedDialog asks for the number of marked objects to be typed before deleting them all.
func deleteMarkedDialog(env *ui.Env, refs []kube.ObjectRef) tea.Cmd {
	n := strconv.Itoa(len(refs))
	what := "delete " + n + " " + refs[0].GVR.Resource
	return env.Ask(&ui.Dialog{Title: "Delete " + n + " " + refs[0].GVR.Resource, Danger: true, Expect: n,
		Body: append(markedLines(refs), "This cannot be undone. Type "+n+", the number of objects, to confirm:"),
		OK: func(string) tea.Cmd {
			ms := make([]kube.Mutation, len(refs))
			for i, r := range refs {
				ms[i] = env.Client.Delete(r, nil)
			}
			return env.MutateAll(what, ms)
		}})
}

// markedShown is how many marked objects a dialog names before "… and N more".
const markedShown = 8

// markedLines names the marked objects, one a line, the first markedShown of them.
func markedLines(refs []kube.ObjectRef) []string {
	var lines []string
	for i, r := range refs {
		if i == markedShown {
			lines = append(lines, fmt.Sprintf("  … and %d more", len(refs)-markedShown))
			break
		}
		lines = append(lines, "  "+strings.TrimPrefix(r.Namespace+"/"+r.Name, "/"))
	}
	return lines
}

// rowRef is the reference of row, an object of gvr.
func rowRef[R kube.Row](gvr schema.GroupVersionResource, row R) kube.ObjectRef {
	k := row.RowKey()
	return kube.ObjectRef{GVR: gvr, Namespace: k.Namespace, Name: k.Name}
}

// deleteDialog asks for the object's name to be typed before deleting it.
func deleteDialog(env *ui.Env, ref kube.ObjectRef) tea.Cmd {
	return env.Ask(&ui.Dialog{Title: "Delete " + ref.String(), Danger: true, Expect: ref.Name,
		Body: []string{"This cannot be undone. Type the name to confirm:", ref.Name},
		OK:   func(string) tea.Cmd { return env.Mutate(env.Client.Delete(ref, nil), nil) }})
}

// objectPage returns a page titled "VERB REF" showing what fetch renders of ref, through
// the client of the moment (read here, not in the fetch, which runs off the UI goroutine).
func objectPage(env *ui.Env, verb string, ref kube.ObjectRef,
	fetch func(*kube.Client, context.Context, kube.ObjectRef) (string, error)) *ui.TextPage {
	client := env.Client
	return ui.NewTextPage(env, verb+" "+ref.String(), func(ctx context.Context) (string, error) {
		return fetch(client, ctx, ref)
	})
}
