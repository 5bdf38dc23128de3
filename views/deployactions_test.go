package views

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/uitest"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// The scale dialog over the deployments view, at the golden sizes and every other one.
func TestScaleDialogGolden(t *testing.T) {
	render := func(w, h int) string {
		env := testEnv("shop")
		ref := kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: "shop", Name: "cart"}
		d := countDialog(env, ref, "Scale deployment shop/cart", 3)
		page := NewDeployments(env, "shop")
		page.Show(kube.Snapshot[*kube.Deployment]{State: kube.State{Phase: kube.PhaseLive, LiveSince: fixedNow},
			Rows: []*kube.Deployment{{Namespace: "shop", Name: "cart", Desired: 3, Ready: 3, UpToDate: 3, Available: 3,
				Images: "registry.example.com/shop/cart:3.2.1", Strategy: "RollingUpdate 25%/25%", Created: ago(48 * time.Hour)}}})
		app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
		app.Update(tea.WindowSizeMsg{Width: w, Height: h})
		app.Update(env.Ask(d)())
		return app.View().Content
	}
	requireGoldenSizes(t, render)
	requireEverySize(t, render)
}

func TestParseReplicas(t *testing.T) {
	for in, want := range map[string]string{"0": "", "12": "", "-1": "negative", "x": "not a whole number",
		"1.5": "not a whole number", "10001": "more than 10000", "": "not a whole number"} {
		_, err := parseReplicas(in)
		if (err == nil) != (want == "") || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("parseReplicas(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestHistoryText(t *testing.T) {
	revs := []kube.Revision{
		{Number: 3, Images: []string{"web:1.5"}, Replicas: 4, Current: true, Created: ago(time.Hour), ChangeCause: "image bump"},
		{Number: 2, Images: []string{"web:1.4", "sidecar:2"}, Created: ago(48 * time.Hour)},
	}
	got := historyText(revs, fixedNow, kube.GVRDeployments)
	want := "REVISION     IMAGES             PODS  AGE  CHANGE-CAUSE\n" +
		"3 (current)  web:1.5            4     60m  image bump\n" +
		"2            web:1.4,sidecar:2  0     2d   <none>\n"
	if got != want {
		t.Errorf("history:\n%s\nwant:\n%s", got, want)
	}
	// a daemon set's or stateful set's controller revisions count no pods
	got = historyText(revs, fixedNow, kube.GVRStatefulSets)
	want = "REVISION     IMAGES             AGE  CHANGE-CAUSE\n" +
		"3 (current)  web:1.5            60m  image bump\n" +
		"2            web:1.4,sidecar:2  2d   <none>\n"
	if got != want {
		t.Errorf("stateful set history:\n%s\nwant:\n%s", got, want)
	}
	if got := historyText(nil, fixedNow, kube.GVRDaemonSets); got != "no revisions: it owns no controller revisions yet" {
		t.Errorf("empty history: %q", got)
	}
}

// cartWithRevisions is deployment shop/cart at revision n+1 with n earlier revisions
// (replica sets of images cart:1 … cart:n), in a fake clientset.
func cartWithRevisions(n int) *fake.Clientset {
	sel := map[string]string{"app": "cart"}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "cart", UID: "cart-uid",
		Annotations: map[string]string{"deployment.kubernetes.io/revision": strconv.Itoa(n + 1)}},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: sel}}}
	objs := []runtime.Object{d}
	for rev := 1; rev <= n+1; rev++ {
		objs = append(objs, &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "shop",
			Name: fmt.Sprintf("cart-%d", rev), Labels: sel, CreationTimestamp: metav1.NewTime(ago(time.Duration(n+2-rev) * time.Hour)),
			Annotations:     map[string]string{"deployment.kubernetes.io/revision": strconv.Itoa(rev)},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(d, appsv1.SchemeGroupVersion.WithKind("Deployment"))}},
			Spec: appsv1.ReplicaSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "cart", Image: fmt.Sprintf("registry.example.com/shop/cart:%d", rev)}}}}}})
	}
	return fake.NewClientset(objs...)
}

// Undo's picker on a short terminal (80x14, and the 20x5 minimum): with the cursor moved
// to the tenth earlier revision, that revision is the one marked, the one enter applies.
func TestUndoDialogShortTerminalGolden(t *testing.T) {
	render := func(w, h int) string {
		env := testEnv("shop")
		env.Client.Clientset = cartWithRevisions(10)
		page := NewDeployments(env, "shop")
		app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
		app.Update(tea.WindowSizeMsg{Width: w, Height: h})
		app.Update(undoDialog(env, kube.ObjectRef{GVR: kube.GVRDeployments, Namespace: "shop", Name: "cart"}, "Deployment")())
		for range 9 {
			app.Update(uitest.Key("down"))
		}
		return app.View().Content
	}
	for _, size := range [][2]int{{80, 14}, {20, 5}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			screen := ansi.Strip(render(size[0], size[1]))
			golden.RequireEqual(t, screen)
			if !strings.Contains(screen, "› 1") || strings.Count(screen, "›") != 1 {
				t.Errorf("revision 1, the tenth choice, is not the one marked:\n%s", screen)
			}
		})
	}
}
