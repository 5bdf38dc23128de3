//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// command types `:text` and Enter.
func (term *Term) command(text string) {
	term.t.Helper()
	term.Send(append(append([]string{":"}, strings.Split(text, "")...), "Enter")...)
}

// `:events` lists a Warning event created after the view opened within seconds, with its
// reason, object and message.
func TestEventsView(t *testing.T) {
	ns := newNamespace(t)
	term := StartKdeck(t, 200, 30, "-n", ns)
	term.WaitText("pods("+ns+")", 10*time.Second)
	term.command("events")
	term.WaitText("events("+ns+")", 3*time.Second)
	term.WaitText("live", 5*time.Second)

	now := metav1.NowMicro()
	ev := &eventsv1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "e2e-warning"},
		EventTime:  now, Type: corev1.EventTypeWarning, Reason: "KdeckE2EWarn", Action: "Testing",
		Note:                "the e2e test raised this warning",
		ReportingController: "kdeck.dev/e2e", ReportingInstance: "e2e",
		Regarding: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "imaginary", APIVersion: "v1"},
	}
	if _, err := testbed.clientset.EventsV1().Events(ns).Create(ctx(t), ev, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create event: %v", err)
	}
	took := term.WaitText("KdeckE2EWarn", 5*time.Second)
	t.Logf("event on screen %s after create", took)
	screen := term.Screen()
	for _, want := range []string{"Warning", "pod/imaginary", "the e2e test raised this warning", "LAST SEEN", "MESSAGE"} {
		if !strings.Contains(screen, want) {
			t.Errorf("events view lacks %q:\n%s", want, screen)
		}
	}
}

// `:cm` (not a view of kdeck's own) resolves through discovery to ConfigMaps, shows the
// server's columns, and stays live.
func TestConfigMapsGeneric(t *testing.T) {
	ns := newNamespace(t)
	cms := testbed.clientset.CoreV1().ConfigMaps(ns)
	mk := func(name string) {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"a": "1", "b": "2"}}
		if _, err := cms.Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create configmap: %v", err)
		}
	}
	mk("alpha-settings")
	term := StartKdeck(t, 160, 30, "-n", ns)
	term.WaitText("pods("+ns+")", 10*time.Second)
	term.command("cm")
	took := term.WaitText("alpha-settings", 5*time.Second)
	t.Logf(":cm rows on screen after %s", took)
	term.WaitText("configmaps("+ns+")", time.Second)
	term.WaitText("kube-root-ca.crt", 5*time.Second) // published into the namespace by a controller
	term.WaitText("live", 5*time.Second)
	screen := term.Screen()
	for _, want := range []string{"NAME", "DATA", "AGE"} {
		if !strings.Contains(screen, want) {
			t.Errorf(":cm lacks %q:\n%s", want, screen)
		}
	}
	mk("beta-settings")
	took = term.WaitText("beta-settings", 3*time.Second)
	t.Logf("new configmap on screen %s after create", took)
	if err := cms.Delete(ctx(t), "alpha-settings", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	term.WaitGone("alpha-settings", 3*time.Second)

	term.command("nosuchthing")
	term.WaitText(`unknown command "nosuchthing"`, 5*time.Second)
	term.Send("Escape")
	term.WaitText("beta-settings", time.Second)
}

var widgetGVR = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}

// installWidgets installs testdata/widgets-crd.yaml (kept afterwards: other runs reuse it)
// and waits until it is served.
func installWidgets(t *testing.T) dynamic.Interface {
	t.Helper()
	return installCRD(t, filepath.Join("testdata", "widgets-crd.yaml"), widgetGVR)
}

// installCRD installs the CRD in file (kept afterwards: other tests and runs reuse it, and
// deleting it under them would break them) and waits until gvr is served.
func installCRD(t *testing.T, file string, gvr schema.GroupVersionResource) dynamic.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	crd := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(raw, &crd.Object); err != nil {
		t.Fatal(err)
	}
	crds := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	if _, err := crds.Create(ctx(t), crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create CRD: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := dyn.Resource(gvr).Namespace("default").List(ctx(t), metav1.ListOptions{Limit: 1})
		if err == nil {
			return dyn
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s are not served: %v", gvr.Resource, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A CRD is reachable by plural and group-qualified name, with its printer columns (wide
// ones while the terminal has room); a widget created later shows up live.
func TestCRDGeneric(t *testing.T) {
	dyn := installWidgets(t)
	ns := newNamespace(t)
	widgets := dyn.Resource(widgetGVR).Namespace(ns)
	mk := func(name string, size int64, colour string) {
		w := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "example.com/v1", "kind": "Widget",
			"metadata": map[string]any{"name": name},
			"spec":     map[string]any{"size": size, "colour": colour, "note": "wide-" + name},
		}}
		if _, err := widgets.Create(ctx(t), w, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create widget: %v", err)
		}
	}
	mk("gizmo", 42, "ultramarine")

	term := StartKdeck(t, 160, 30, "-n", ns)
	term.WaitText("pods("+ns+")", 10*time.Second)
	term.command("widgets")
	term.WaitText("ultramarine", 5*time.Second)
	screen := term.Screen()
	for _, want := range []string{"widgets(" + ns + ")", "SIZE", "COLOUR", "NOTE", "gizmo", "42", "wide-gizmo"} {
		if !strings.Contains(screen, want) {
			t.Errorf(":widgets lacks %q:\n%s", want, screen)
		}
	}
	mk("sprocket", 7, "vermilion")
	term.WaitText("vermilion", 3*time.Second)

	term.command("pods")
	term.WaitGone("ultramarine", 3*time.Second)
	term.command("widgets.example.com")
	term.WaitText("vermilion", 5*time.Second)
	term.WaitText("ultramarine", time.Second)

	term.command("ns all") // the namespace now comes from each row's metadata
	term.WaitText("widgets(all)", 5*time.Second)
	term.WaitText("e2e-testcrdgeneric-", 5*time.Second) // the NAMESPACE column (truncated)
}

// `kdeck -c NAME` opens any resource through discovery at start-up, like `:NAME`.
func TestStartOnGenericView(t *testing.T) {
	ns := newNamespace(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "start-here"}}
	if _, err := testbed.clientset.CoreV1().ConfigMaps(ns).Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	term := StartKdeck(t, 160, 20, "-n", ns, "-c", "cm")
	term.WaitText("configmaps("+ns+")", 10*time.Second)
	term.WaitText("start-here", 5*time.Second)
}
