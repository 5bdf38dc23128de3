//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kdeck/kdeck/ui"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Record starts copying everything kdeck writes to its terminal into a file, and returns
// a function that reads what was written so far: the raw bytes a real terminal would get.
func (term *Term) Record() func() string {
	term.t.Helper()
	file := filepath.Join(term.t.TempDir(), "tty.raw")
	term.tmux("pipe-pane", "-o", "-t", term.session, "cat >> "+file)
	return func() string {
		b, _ := os.ReadFile(file)
		return string(b)
	}
}

// Styled returns the pane with its cells' attributes as escape sequences (capture-pane -e).
func (term *Term) Styled() string {
	return term.tmux("capture-pane", "-p", "-e", "-t", term.session)
}

// hostileImage is an image reference the API server accepts that conceals the rest of a
// row in a terminal that obeys it (ESC [ 8 m).
const hostileImage = "reg.example/app:1\x1b[8mHIDDEN-TEXT"

// Text from the cluster never drives the terminal: an image with a conceal sequence, an
// event message with SGR, OSC 52, a carriage return, a CRD column with ESC and a log line
// with raw C1 bytes are all shown in visible form on every view, and none of their
// sequences reaches the terminal.
func TestClusterTextNeverDrivesTheTerminal(t *testing.T) {
	ns := newNamespace(t)
	dep := kwokDeployment(ns, "hostile", 1)
	dep.Spec.Template.Spec.Containers[0].Image = hostileImage
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Create(ctx(t), dep, metav1.CreateOptions{}); err != nil {
		t.Fatalf("the API server refused the hostile image: %v", err)
	}
	event := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: ns, Name: "hostile.1"},
		InvolvedObject: corev1.ObjectReference{Kind: "Deployment", Namespace: ns, Name: "hostile", APIVersion: "apps/v1"},
		Reason:         "Hostile", Type: corev1.EventTypeNormal,
		Message:        "msg \x1b[31mRED\x1b[0m clip \x1b]52;c;aGk=\x07 cr\rover",
		FirstTimestamp: metav1.Now(), LastTimestamp: metav1.Now(), Count: 1,
		Source: corev1.EventSource{Component: "e2e"},
	}
	if _, err := testbed.clientset.CoreV1().Events(ns).Create(ctx(t), event, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dyn := installWidgets(t)
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "evil"},
		"spec":     map[string]any{"size": int64(1), "colour": "blue\x1b[8mHIDDEN", "note": "n"},
	}}
	if _, err := dyn.Resource(widgetGVR).Namespace(ns).Create(ctx(t), w, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	startPod(t, ns, "a-logger", nil, "hostile-logger") // sorts before the deployment's pod: l opens its log

	term := StartKdeck(t, 220, 40, "-n", ns, "-c", "deploy")
	raw := term.Record()
	views := []struct {
		open    func()
		visible []string
	}{
		{func() {}, []string{`reg.example/app:1^[[8mHIDDEN-TEXT`}},
		{func() { term.Send("d") }, []string{`reg.example/app:1^[[8mHIDDEN-TEXT`}},
		{func() { term.Send("Escape", "y") }, []string{`HIDDEN-TEXT`}}, // YAML quotes it: "…\e[8mHIDDEN-TEXT"
		{func() { term.Send("Escape"); term.command("events") }, []string{`msg ^[[31mRED^[[0m clip ^[]52;c;aGk=^G cr`}},
		{func() { term.command("widgets") }, []string{`blue^[[8mHIDDEN`}},
		{func() { term.command("pods") }, []string{"a-logger"}},
		{func() { term.Send("l") }, []string{`hostile ^[[31mRED^[[0m ^[]52;c;aGk=^G ^[]0;pwned^G over^Mwrite c1:\x9b\x9b2J end`}},
	}
	for _, v := range views {
		v.open()
		for _, want := range v.visible {
			term.WaitText(want, 15*time.Second)
		}
		// tmux writes each cell's attributes as SGR: SafeFrame drops conceal and blink,
		// and makes any other sequence visible, so a screen with neither is unchanged
		if styled := term.Styled(); ui.SafeFrame(styled) != styled {
			t.Errorf("concealed, blinking or escaped cells on screen:\n%q", styled)
		}
	}
	out := raw()
	for _, bad := range []string{"\x1b[8m", "\x1b]52", "pwned\x07", "RED\x1b[0m"} {
		if strings.Contains(out, bad) {
			t.Errorf("kdeck wrote %q to the terminal", bad)
		}
	}
	for i, r := range out {
		if (r >= 0x80 && r <= 0x9f) || r == utf8.RuneError {
			t.Errorf("kdeck wrote a C1 control or a bad UTF-8 byte at %d: %q", i, out[max(0, i-20):min(len(out), i+20)])
			break
		}
	}
}
