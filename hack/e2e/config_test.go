//go:build e2e

package e2e

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// createLabelledPods creates a bare kwok pod per name, labelled app=app, and waits for them.
func createLabelledPods(t *testing.T, ns, app string, names ...string) {
	t.Helper()
	for _, name := range names {
		p := kwokPod(ns, name)
		p.Labels["app"] = app
		if _, err := testbed.clientset.CoreV1().Pods(ns).Create(ctx(t), p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// An alias opens a view with arguments, from command mode and from a key of the user's; a
// remapped key does what the built-in key did; an unbound ctrl+d does nothing and help no
// longer lists it, while the key it moved to acts on the cluster.
func TestConfigAliasRemapAndUnbind(t *testing.T) {
	ns := newNamespace(t)
	createLabelledPods(t, ns, "web", "web-a", "web-b")
	createLabelledPods(t, ns, "api", "api-a")
	home := writeConfig(t, `keys:
  ctrl+d: none
  X: ctrl+k
  W: ":web"
aliases:
  web: pods -n `+ns+` -l app=web
`)
	term := StartKdeckHome(t, home, 160, 50, "-n", "default")
	term.WaitText("pods(default)", 15*time.Second)

	term.command("web") // the alias, typed
	term.WaitText("web-a", 10*time.Second)
	term.WaitText("web-b", time.Second)
	if s := term.Screen(); strings.Contains(s, "api-a") || !strings.Contains(s, "app=web") {
		t.Fatalf("the alias lists the pods of %s labelled app=web only:\n%s", ns, s)
	}
	term.command("pods -n default")
	term.WaitText("pods(default)", 10*time.Second)
	term.Send("W") // the alias, from a key of the user's
	term.WaitText("web-a", 10*time.Second)

	term.Send("C-d")
	time.Sleep(time.Second)
	if s := term.Screen(); strings.Contains(s, "Delete pod") {
		t.Fatalf("ctrl+d is unbound, yet it opened:\n%s", s)
	}
	term.Send("?")
	term.WaitText("kill (delete now, grace period 0)", 5*time.Second)
	help := term.Screen()
	if strings.Contains(help, "ctrl+d") || strings.Contains(help, "ctrl+k") || !strings.Contains(help, fmt.Sprintf("%-13s kill", "X")) ||
		!strings.Contains(help, fmt.Sprintf("%-12s :web", "W")) {
		t.Fatalf("help shows the keys in force (X kills, W runs :web, no ctrl+d or ctrl+k):\n%s", help)
	}
	term.Send("Escape")
	term.WaitGone("kill (delete now", 5*time.Second)
	term.Send("g", "X") // the first row, web-a, killed with the key ctrl+k moved to
	term.WaitText("Kill pod "+ns+"/web-a", 5*time.Second)
	term.Send("y")
	eventually(t, "web-a deleted", 20*time.Second, func() bool {
		_, err := testbed.clientset.CoreV1().Pods(ns).Get(ctx(t), "web-a", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
	if _, err := testbed.clientset.CoreV1().Pods(ns).Get(ctx(t), "web-b", metav1.GetOptions{}); err != nil {
		t.Fatalf("only the confirmed pod goes: web-b: %v", err)
	}
}

// pluginScript writes a program that records its arguments, one a line, to out, says
// "recorded N" and returns its path.
func pluginScript(t *testing.T, out string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "record.sh")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + out + "\necho noise\necho \"recorded $#\"\n"
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitFile waits for path to hold want, one argument a line.
func waitFile(t *testing.T, path string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var got []byte
	for time.Now().Before(deadline) {
		if got, _ = os.ReadFile(path); string(got) == strings.Join(want, "\n")+"\n" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s holds %q, want %q", path, got, want)
}

// A foreground plugin suspends the UI and gets the selection (context, namespace, name,
// kind, labels read from the cluster); a background plugin asks its prompt and reports its
// last line in the status line; on a read-only context only the plugin declared readonly
// runs.
func TestConfigPlugins(t *testing.T) {
	ns := newNamespace(t)
	createLabelledPods(t, ns, "web", "web-a")
	dir := t.TempDir()
	fg, bg := filepath.Join(dir, "fg.txt"), filepath.Join(dir, "bg.txt")
	config := `plugins:
  - name: record
    key: K
    views: [pods]
    command: ` + pluginScript(t, fg) + `
    args: [$CONTEXT, $NAMESPACE, $NAME, $KIND, $LABELS]
  - name: tail
    key: L
    background: true
    readonly: true
    command: ` + pluginScript(t, bg) + `
    args: [$NAME, --tail, $LINES]
    prompts: [{name: LINES, label: how many lines, default: "10"}]
`
	term := StartKdeckHome(t, writeConfig(t, config), 160, 30, "-n", ns)
	term.WaitText("web-a", 15*time.Second)
	pod, err := testbed.clientset.CoreV1().Pods(ns).Get(ctx(t), "web-a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string // as a selector writes them, sorted: app=web and what kwok adds
	for _, k := range slices.Sorted(maps.Keys(pod.Labels)) {
		labels = append(labels, k+"="+pod.Labels[k])
	}
	term.Send("K")
	waitFile(t, fg, testbedContext(t), ns, "web-a", "pods", strings.Join(labels, ","))
	term.WaitText("plugin record finished", 10*time.Second)

	term.Send("L")
	term.WaitText("how many lines", 5*time.Second)
	term.Send("BSpace", "BSpace", "2", "5", "Enter")
	waitFile(t, bg, "web-a", "--tail", "25")
	term.WaitText("✓ plugin tail: recorded 3", 10*time.Second)

	term.Send("Enter") // the containers: the record plugin works in pods only
	term.WaitText("containers", 10*time.Second)
	term.Send("K")
	term.WaitText("plugin record works in pods, not here", 5*time.Second)
	term.Close()

	os.Remove(fg)
	os.Remove(bg)
	term = StartKdeckHome(t, writeConfig(t, config), 160, 30, "-n", ns, "--readonly")
	term.WaitText("web-a", 15*time.Second)
	term.Send("K")
	term.WaitText("plugin record: refused, kdeck is read-only on this context", 5*time.Second)
	term.Send("L")
	term.WaitText("how many lines", 5*time.Second)
	term.Send("Enter")
	waitFile(t, bg, "web-a", "--tail", "10")
	if _, err := os.Stat(fg); err == nil {
		t.Fatal("the plugin not declared readonly ran on a read-only context")
	}
}

// A mistake in the config stops kdeck before any screen, with the file, the line and
// what was expected: here a key that clashes with a built-in one, naming both.
func TestConfigClashStopsBeforeTheUI(t *testing.T) {
	home := writeConfig(t, "mouse: false\nkeys:\n  d: ctrl+d\n")
	path := filepath.Join(home, "kdeck", "config.yaml")
	stderr, code, _ := runKdeck(t, []string{"XDG_CONFIG_HOME=" + home}, "--kubeconfig", testbed.kubeconfig)
	want := "kdeck: config: " + path + `:3: keys: d: d is already kdeck's key for `
	if code != 1 || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, `"describe (with events)" (object lists)`) {
		t.Fatalf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
}

// A skin chosen for one context colours that context only: the prod skin's red header band
// (#af0000) is on the testbed's header when the config names the testbed's context, and
// not when it names another.
func TestConfigSkinPerContext(t *testing.T) {
	bands := []string{"48;2;175;0;0", "48;5;124"} // tmux passes #af0000 on as is, or as the 256-colour 124
	for _, c := range []struct {
		context string
		red     bool
	}{{testbedContext(t), true}, {"some-other-context", false}} {
		term := StartKdeckHome(t, writeConfig(t, "contexts:\n  "+c.context+": {skin: prod}\n"), 120, 20, "-n", "default")
		term.WaitText("pods(default)", 15*time.Second)
		header := strings.Split(term.Styled(), "\n")[0]
		red := strings.Contains(header, bands[0]) || strings.Contains(header, bands[1])
		if red != c.red {
			t.Errorf("skin prod on context %s: the header has the red band: %v, want %v\n%q", c.context, red, c.red, header)
		}
		term.Close()
	}
}
