package views

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/uitest"
	authv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// debugApp is the app on the pods view of shop holding the fixture pod, w × h, with the
// fixture pod (its default container: proxy) in a fake clientset.
func debugApp(w, h int) (*ui.App, *ui.Env, *fake.Clientset) {
	env := testEnv("shop")
	pod := fixtureWebPod()
	pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "worker", Image: "registry.example.com/web-worker:2.4.1"})
	pod.Annotations = map[string]string{"kubectl.kubernetes.io/default-container": "worker"}
	cs := fake.NewClientset(pod)
	cs.PrependReactor("create", "selfsubjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		r := a.(k8stesting.CreateAction).GetObject().(*authv1.SelfSubjectAccessReview)
		r.Status.Allowed = true
		return true, r, nil
	})
	env.Client.Clientset = cs
	page := NewPods(env, "shop")
	page.Show(kube.Snapshot[*kube.Pod]{Rows: []*kube.Pod{kube.PodRow(pod)}, State: live})
	app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app, env, cs
}

// The image dialog names the pod, the target and the context, with busybox to edit.
func TestDebugDialogGolden(t *testing.T) {
	render := func(w, h int) string {
		app, env, _ := debugApp(w, h)
		app.Update(env.Ask(debugDialog(env, "shop", "web-6b7f9c8d7d-x7k2p", "app"))())
		return app.View().Content
	}
	requireGoldenSizes(t, render)
	requireEverySize(t, render)
	screen := ansi.Strip(render(200, 50))
	for _, want := range []string{"Debug pod shop/web-6b7f9c8d7d-x7k2p · ctx kdeck-demo", "container app, then attaches", "> busybox:1.36"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the dialog lacks %q:\n%s", want, screen)
		}
	}
}

// The target picker lists the pod's regular containers (not its init containers), with
// the pod's default container selected.
func TestDebugTargetDialogGolden(t *testing.T) {
	render := func(w, h int) string {
		app, env, _ := debugApp(w, h)
		app.Update(debugTargetDialog(env, "shop", "web-6b7f9c8d7d-x7k2p")())
		return app.View().Content
	}
	requireGoldenSizes(t, render)
	screen := ansi.Strip(render(200, 50))
	if !strings.Contains(screen, "› worker") || !strings.Contains(screen, "  app") || strings.Contains(screen, "migrate") {
		t.Errorf("the picker should offer app and worker, worker selected:\n%s", screen)
	}
}

// keys sends each key to app and returns the messages the commands they return bring
// within wait.
func keys(app *ui.App, wait time.Duration, names ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range names {
		_, cmd := app.Update(uitest.Key(k))
		out = append(out, uitest.Messages(cmd, wait)...)
	}
	return out
}

// deliver hands msgs to app, and what their commands bring after them, until nothing
// more comes within wait; it returns every message delivered. A cursor's blinks, which
// never end, are left out.
func deliver(app *ui.App, wait time.Duration, msgs []tea.Msg) []tea.Msg {
	var all []tea.Msg
	for len(msgs) > 0 {
		m := msgs[0]
		msgs = msgs[1:]
		if strings.HasPrefix(fmt.Sprintf("%T", m), "cursor.") {
			continue
		}
		all = append(all, m)
		_, cmd := app.Update(m)
		msgs = append(msgs, uitest.Messages(cmd, wait)...)
	}
	return all
}

// b on a pod: pick the target, keep busybox, enter. The pod's ephemeralcontainers are
// updated with debugger-xxxxx (image, target, TTY), the notice waits for it, and when the
// kubelet says its image cannot be pulled the status line says so and the UI is back.
func TestDebugFlow(t *testing.T) {
	app, _, cs := debugApp(120, 30)
	cs.PrependReactor("get", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		p, err := cs.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "shop", "web-6b7f9c8d7d-x7k2p")
		if err != nil {
			return true, nil, err
		}
		p = p.DeepCopyObject()
		pod := p.(*corev1.Pod)
		for _, e := range pod.Spec.EphemeralContainers {
			pod.Status.EphemeralContainerStatuses = append(pod.Status.EphemeralContainerStatuses, corev1.ContainerStatus{Name: e.Name,
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}}})
		}
		return true, pod, nil
	})
	msgs := deliver(app, 200*time.Millisecond, keys(app, time.Second, "b")) // the guard's RBAC check, then the pod's read
	if screen := ansi.Strip(app.View().Content); !strings.Contains(screen, "Share the processes (and files) of which container?") {
		t.Fatalf("no target picker after b (%v):\n%s", msgs, screen)
	}
	deliver(app, time.Second, keys(app, time.Second, "up", "up", "enter")) // app, then the image dialog
	if screen := ansi.Strip(app.View().Content); !strings.Contains(screen, "container app, then attaches") {
		t.Fatalf("no image dialog for app:\n%s", screen)
	}
	msgs = deliver(app, 3*time.Second, keys(app, time.Second, "enter"))

	var asked []string
	for _, a := range cs.Actions() {
		if c, ok := a.(k8stesting.CreateAction); ok && a.GetResource().Resource == "selfsubjectaccessreviews" {
			ra := c.GetObject().(*authv1.SelfSubjectAccessReview).Spec.ResourceAttributes
			asked = append(asked, ra.Verb+" "+ra.Resource+"/"+ra.Subresource+" in "+ra.Namespace)
		}
	}
	if got := strings.Join(asked, ", "); got != "update pods/ephemeralcontainers in shop, get pods/ in shop, create pods/attach in shop" {
		t.Errorf("RBAC was asked: %s", got)
	}
	pod, err := cs.CoreV1().Pods("shop").Get(context.Background(), "web-6b7f9c8d7d-x7k2p", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pod.Spec.EphemeralContainers); n != 1 {
		t.Fatalf("%d ephemeral containers", n)
	}
	ec := pod.Spec.EphemeralContainers[0]
	if !strings.HasPrefix(ec.Name, "debugger-") || ec.Image != "busybox:1.36" || ec.TargetContainerName != "app" || !ec.TTY || !ec.Stdin {
		t.Errorf("ephemeral container %+v", ec)
	}
	var failed string
	for _, m := range msgs {
		if n, ok := m.(ui.NotifyMsg); ok && n.Level == ui.LevelError {
			failed = n.Text
		}
	}
	if want := "debug shop/web-6b7f9c8d7d-x7k2p: " + ec.Name + " cannot start: ImagePullBackOff: Back-off pulling image"; failed != want {
		t.Errorf("status line %q, want %q", failed, want)
	}
	if screen := ansi.Strip(app.View().Content); strings.Contains(screen, "Waiting for") {
		t.Errorf("the notice stayed open:\n%s", screen)
	}
}

// A bad image shows its error in the dialog, and enter sends nothing.
func TestDebugBadImage(t *testing.T) {
	app, env, cs := debugApp(120, 30)
	app.Update(env.Ask(debugDialog(env, "shop", "web-6b7f9c8d7d-x7k2p", "app"))())
	before := len(cs.Actions())
	msgs := keys(app, 200*time.Millisecond, "!", "enter")
	screen := ansi.Strip(app.View().Content)
	if !strings.Contains(screen, "not a valid image reference") || !strings.Contains(screen, "> busybox:1.36!") {
		t.Errorf("no error for busybox:1.36!:\n%s", screen)
	}
	for _, m := range msgs {
		if _, ok := m.(ui.MutatedMsg); ok {
			t.Errorf("a bad image was applied: %+v", m)
		}
	}
	if n := len(cs.Actions()) - before; n != 0 {
		t.Errorf("a bad image sent %d requests", n)
	}
}

// Read-only mode refuses b on a pod row and on a container before any prompt or request.
func TestDebugRefusedReadOnly(t *testing.T) {
	env := testEnv("shop")
	env.Client.Policy.ReadOnly = true
	cs := fake.NewClientset(fixtureWebPod())
	env.Client.Clientset = cs
	requireRefusedOnPods(t, env, "b")
	if n := len(cs.Actions()); n != 0 {
		t.Errorf("read-only debug sent %d requests", n)
	}
}

// b is bound once on the pods and containers views and is none of the shell's own keys.
func TestDebugKeyIsFree(t *testing.T) {
	env := testEnv("shop")
	c := NewContainers(env, kube.Key{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p"})
	for name, bindings := range map[string][]key.Binding{"pods": NewPods(env, "shop").Bindings(), "containers": c.Bindings()} {
		seen := map[string]string{}
		for _, b := range bindings {
			for _, k := range b.Keys() {
				if other, ok := seen[k]; ok {
					t.Errorf("%s view: %q is bound to %q and %q", name, k, other, b.Help().Desc)
				}
				seen[k] = b.Help().Desc
			}
		}
		if !strings.HasPrefix(seen["b"], "debug") {
			t.Errorf("%s view: b is %q", name, seen["b"])
		}
	}
	for _, global := range []string{"?", "q", "esc", "ctrl+c", ":", "[", "]", "0", "9"} {
		if key.Matches(uitest.Key(global), debugKey) {
			t.Errorf("the debug key takes the shell's %q", global)
		}
	}
}
