package views

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// editKey edits the selected object in $KUBE_EDITOR or $EDITOR.
var editKey = ui.NewKey("object lists", "edit in $KUBE_EDITOR/$EDITOR: dry-run, diff, then confirm", "e")

// editDiffShown is how many diff lines the confirmation shows before "… N more".
const editDiffShown = 14

// editor is the command that edits a file: KUBE_EDITOR, then EDITOR, then vi, as kubectl.
func editor(path string) *exec.Cmd {
	e := strings.Fields(os.Getenv("KUBE_EDITOR"))
	if len(e) == 0 {
		e = strings.Fields(os.Getenv("EDITOR"))
	}
	if len(e) == 0 {
		e = []string{"vi"}
	}
	return exec.Command(e[0], append(e[1:], path)...)
}

// startEdit writes ref to a private file (off the UI goroutine), then suspends kdeck for
// the editor; note, when set, heads the file (why the last try was not applied).
func startEdit(env *ui.Env, ref kube.ObjectRef, note string) tea.Cmd {
	client := env.Client
	return env.Background("edit "+ref.String(), func() func() tea.Cmd {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		e, err := client.BeginEdit(ctx, ref, note)
		if err != nil {
			return func() tea.Cmd { return ui.Notify(ui.LevelError, "edit "+ref.String()+": "+err.Error()) }
		}
		return func() tea.Cmd {
			return tea.ExecProcess(editor(e.Path), func(err error) tea.Msg {
				return env.After("edit "+ref.String(), func() tea.Cmd { return edited(env, e, err) })
			})
		}
	})
}

// edited reads what the editor left and asks the server for a dry run (off the UI
// goroutine); then the diff is confirmed, or the editor reopens with the server's error.
func edited(env *ui.Env, e *kube.Edit, editorErr error) tea.Cmd {
	client, what := env.Client, "edit "+e.Ref.String()
	if editorErr != nil {
		e.Remove()
		return ui.Notify(ui.LevelError, what+": the editor failed: "+editorErr.Error())
	}
	return env.Background(what, func() func() tea.Cmd {
		obj, err := e.Edited()
		if err == nil && obj == nil {
			e.Remove()
			return func() tea.Cmd { return ui.Notify(ui.LevelInfo, what+": no change, nothing applied") }
		}
		diff := ""
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			diff, err = client.DryRunEdit(ctx, e, obj)
			cancel()
		}
		if err != nil { // invalid: edit again, with the reason on top
			e.Remove()
			return func() tea.Cmd { return startEdit(env, e.Ref, "error: "+err.Error()) }
		}
		if diff == "" {
			e.Remove()
			return func() tea.Cmd {
				return ui.Notify(ui.LevelInfo, what+": the server stores it unchanged, nothing applied")
			}
		}
		return func() tea.Cmd { return confirmEdit(env, e, obj, diff) }
	})
}

// confirmEdit shows the dry run's diff and applies the edit on OK. A change made to the
// object meanwhile is refused by its resourceVersion: the editor reopens on the object as
// it is now, with the error and the refused change as comments.
func confirmEdit(env *ui.Env, e *kube.Edit, obj *unstructured.Unstructured, diff string) tea.Cmd {
	client := env.Client
	lines := strings.Split(strings.TrimRight(diff, "\n"), "\n")
	body := []string{"The server's dry run of your edit changes:"}
	for i, l := range lines {
		if i == editDiffShown {
			body = append(body, fmt.Sprintf("… %d more lines", len(lines)-editDiffShown))
			break
		}
		body = append(body, l)
	}
	return env.Ask(&ui.Dialog{Title: "Apply edit of " + e.Ref.String(), Body: body,
		OK: func(string) tea.Cmd {
			return env.Background("edit "+e.Ref.String(), func() func() tea.Cmd {
				err := client.Apply(context.Background(), client.ApplyEdit(e, obj))
				e.Remove()
				switch {
				case err == nil:
					return func() tea.Cmd { return ui.Notify(ui.LevelOK, "✓ edited "+e.Ref.String()) }
				case kube.KindOf(err) == kube.KindConflict:
					note := "error: " + err.Error() + "\nBelow is the object as it is now. Your change, not applied:\n" + diff
					return func() tea.Cmd { return startEdit(env, e.Ref, note) }
				}
				return func() tea.Cmd { return ui.Notify(ui.LevelError, "edit "+e.Ref.String()+": "+err.Error()) }
			})
		},
		Cancel: func() tea.Cmd { return func() tea.Msg { e.Remove(); return nil } }})
}
