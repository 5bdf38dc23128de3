//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// editorScript writes an editor for KUBE_EDITOR: a shell script that runs body with the
// file's path in $1 and the times it was run (1, 2 …) in $n.
func editorScript(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "editor.sh")
	script := "#!/bin/sh\nn=$(($(cat " + dir + "/runs 2>/dev/null || echo 0) + 1)); echo $n > " + dir + "/runs\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// `e` opens the object in $KUBE_EDITOR; on save the server's dry run is shown as a diff and
// applied on OK. A change made to the object while it was being edited is refused (the
// resourceVersion), and the editor reopens on the object as it is now with the error on
// top; the second edit keeps the other change. Secrets are never written to a file; the
// private temporary files are gone afterwards.
func TestEditWithDiffAndConflict(t *testing.T) {
	ns := newNamespace(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "settings"}, Data: map[string]string{"mode": "blue"}}
	if _, err := testbed.clientset.CoreV1().ConfigMaps(ns).Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	// run 1: the edit; run 2, after someone else's change refused it: the error is on top
	// of the object as it is now, and the edit is made again; secrets never reach it
	editor := editorScript(t, `
case $n in
1) sed -i 's/mode: blue/mode: green/' "$1" ;;
2) grep -q '^# error: .*' "$1" && grep -q 'other: change' "$1" && sed -i 's/mode: blue/mode: red/' "$1" ;;
esac`)
	term := StartKdeckEnv(t, t.TempDir(), []string{"KUBE_EDITOR=" + editor, "TMPDIR=" + tmp}, 160, 40, "-n", ns, "-c", "configmaps")
	term.WaitLine(20*time.Second, "settings")
	term.Send("/")
	term.Send(strings.Split("settings", "")...)
	term.Send("Enter")
	term.WaitText("[1 of 2] /settings", 5*time.Second)

	term.Send("e")
	term.WaitText("Apply edit of configmaps/"+ns+"/settings", 20*time.Second)
	term.WaitLine(2*time.Second, "-", "mode: blue")
	term.WaitLine(2*time.Second, "+", "mode: green")
	other := `{"data":{"other":"change"}}` // someone else's, before the OK
	if _, err := testbed.clientset.CoreV1().ConfigMaps(ns).Patch(ctx(t), "settings", "application/merge-patch+json", []byte(other), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	term.Send("Enter")
	term.WaitText("Apply edit of configmaps/"+ns+"/settings", 20*time.Second) // the second round
	term.WaitLine(2*time.Second, "+", "mode: red")
	got, err := testbed.clientset.CoreV1().ConfigMaps(ns).Get(ctx(t), "settings", metav1.GetOptions{})
	if err != nil || got.Data["mode"] != "blue" || got.Data["other"] != "change" {
		t.Fatalf("before the second confirmation: %v %v", got.Data, err)
	}
	term.Send("Enter")
	term.WaitText("✓ edited configmaps/"+ns+"/settings", 10*time.Second)
	got, err = testbed.clientset.CoreV1().ConfigMaps(ns).Get(ctx(t), "settings", metav1.GetOptions{})
	if err != nil || got.Data["mode"] != "red" || got.Data["other"] != "change" {
		t.Fatalf("after the edit: %v %v (want mode red, other change kept)", got.Data, err)
	}

	term.Send(":", "s", "e", "c", "r", "e", "t", "s", "Enter")
	term.WaitText("secrets("+ns+")", 10*time.Second)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}, StringData: map[string]string{"password": "hunter2"}}
	if _, err := testbed.clientset.CoreV1().Secrets(ns).Create(ctx(t), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	term.WaitLine(10*time.Second, "creds")
	term.Send("e")
	term.WaitText("secrets are not edited in a file", 10*time.Second)

	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "kdeck-edit-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	if runs, _ := os.ReadFile(filepath.Join(filepath.Dir(editor), "runs")); strings.TrimSpace(string(runs)) != "2" {
		t.Errorf("the editor ran %q times, want 2", runs)
	}
}
