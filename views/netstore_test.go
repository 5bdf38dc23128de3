package views

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func fixtureIngresses() []*kube.Ingress {
	found := func(secret string, expires time.Time) kube.IngressTLS {
		return kube.IngressTLS{Secret: secret, State: kube.CertFound, Expires: expires}
	}
	return []*kube.Ingress{
		{Namespace: "ops", Name: "grafana", Class: "traefik", Hosts: "grafana.example.com", Address: "203.0.113.9", Ports: "80, 443",
			Rules: "grafana.example.com/ → grafana:3000", Backends: []string{"grafana"},
			TLS: []kube.IngressTLS{found("grafana-tls", fixedNow.Add(200*24*time.Hour)), {}}, Created: ago(90 * 24 * time.Hour)},
		{Namespace: "shop", Name: "admin", Class: "nginx", Hosts: "admin.example.com", Ports: "80, 443",
			Rules: "admin.example.com/ → admin:8080", Backends: []string{"admin"},
			TLS: []kube.IngressTLS{{Secret: "admin-tls", State: kube.CertMissing}}, Created: ago(2 * time.Hour)},
		{Namespace: "shop", Name: "blog", Class: "nginx", Hosts: "blog.example.com", Address: "203.0.113.7", Ports: "80, 443",
			Rules: "blog.example.com/ → blog:80", Backends: []string{"blog"},
			TLS: []kube.IngressTLS{found("blog-tls", fixedNow.Add(-3*24*time.Hour-time.Hour))}, Created: ago(400 * 24 * time.Hour)},
		{Namespace: "shop", Name: "storefront", Class: "nginx", Hosts: "shop.example.com,www.shop.example.com", Address: "203.0.113.7",
			Ports: "80, 443", Rules: "shop.example.com/ → web:80, /api → api:8080, www.shop.example.com/ → web:80",
			Backends: []string{"web", "api"}, TLS: []kube.IngressTLS{found("shop-tls", fixedNow.Add(10*24*time.Hour+time.Hour))},
			Created: ago(30 * 24 * time.Hour)},
		{Namespace: "web", Name: "legacy", Class: "<none>", Hosts: "*", Ports: "80", Rules: "default → web:80",
			Backends: []string{"web"}, Created: ago(3 * 24 * time.Hour)},
	}
}

func fixturePVCs() []*kube.PVC {
	return []*kube.PVC{
		{Namespace: "ops", Name: "backup", Status: "Bound", Volume: "pv-nfs-backup", Capacity: "100Gi", AccessModes: "RWX",
			StorageClass: "nfs", UsedBy: []string{"backup-29876540-x7k2p", "restore-check"}, Joined: true, Created: ago(60 * 24 * time.Hour)},
		{Namespace: "shop", Name: "cache", Status: "Pending", StorageClass: "fast", Joined: true, Created: ago(5 * time.Minute)},
		{Namespace: "shop", Name: "data-db-0", Status: "Bound", Volume: "pv-data", Capacity: "10Gi", AccessModes: "RWO",
			StorageClass: "manual", UsedBy: []string{"db-0"}, Joined: true, Created: ago(20 * 24 * time.Hour)},
		{Namespace: "shop", Name: "old-logs", Status: "Lost", Volume: "pv-gone", AccessModes: "RWO", StorageClass: "manual",
			Joined: true, Created: ago(200 * 24 * time.Hour)},
	}
}

func fixturePVs() []*kube.PV {
	return []*kube.PV{
		{Name: "pv-data", Capacity: "10Gi", AccessModes: "RWO", ReclaimPolicy: "Retain", Status: "Bound",
			ClaimNamespace: "shop", ClaimName: "data-db-0", StorageClass: "manual", Created: ago(20 * 24 * time.Hour)},
		{Name: "pv-failed", Capacity: "5Gi", AccessModes: "RWO", ReclaimPolicy: "Delete", Status: "Failed",
			ClaimNamespace: "shop", ClaimName: "tmp", StorageClass: "manual", Reason: "VolumeFailedDelete", Created: ago(9 * 24 * time.Hour)},
		{Name: "pv-nfs-backup", Capacity: "100Gi", AccessModes: "RWX", ReclaimPolicy: "Retain", Status: "Bound",
			ClaimNamespace: "ops", ClaimName: "backup", StorageClass: "nfs", Created: ago(60 * 24 * time.Hour)},
		{Name: "pv-spare", Capacity: "1Gi", AccessModes: "RWO,ROX", ReclaimPolicy: "Retain", Status: "Available",
			StorageClass: "manual", Created: ago(time.Hour)},
	}
}

// netStoreViews render the ingresses, claims and volumes views over their fixtures.
var netStoreViews = []struct {
	name   string
	render func(w, h int) string
}{
	{"ingresses", func(w, h int) string { return renderList(IngressesSpec, "", w, h, fixtureIngresses(), live) }},
	{"pvc", func(w, h int) string { return renderList(PVCsSpec, "", w, h, fixturePVCs(), live) }},
	{"pv", func(w, h int) string { return renderList(PVsSpec, "", w, h, fixturePVs(), live) }},
}

func TestNetStoreGolden(t *testing.T) {
	for _, v := range netStoreViews {
		t.Run(v.name, func(t *testing.T) { requireGoldenSizes(t, v.render) })
	}
}

func TestNetStoreEverySize(t *testing.T) {
	for _, v := range netStoreViews {
		t.Run(v.name, func(t *testing.T) { requireEverySize(t, v.render) })
	}
}

// The TLS cell names each secret with its certificate's days left, "missing" or the
// expiry; its colour is the worst entry's.
func TestIngressTLSCell(t *testing.T) {
	env := testEnv("")
	st := env.Styles
	ings := fixtureIngresses()
	for i, want := range []struct {
		text  string
		style string
	}{
		{"grafana-tls 200d, default cert", st.Good.Render("x")},
		{"admin-tls missing", st.Bad.Render("x")},
		{"blog-tls expired 3d ago", st.Bad.Render("x")},
		{"shop-tls 10d", st.Warn.Render("x")},
		{"", st.Text.Render("x")},
	} {
		if got := tlsText(ings[i].TLS, fixedNow); got != want.text {
			t.Errorf("%s: TLS %q, want %q", ings[i].Name, got, want.text)
		}
		if got := tlsStyle(st, ings[i].TLS, fixedNow).Render("x"); got != want.style {
			t.Errorf("%s: TLS style %q, want %q", ings[i].Name, got, want.style)
		}
	}
	if got := tlsText([]kube.IngressTLS{{Secret: "shop-tls"}}, fixedNow); got != "shop-tls" {
		t.Errorf("not joined yet: %q", got)
	}
}

// Enter on an ingress lists the pods of its backend service, read for its selector; with
// several backends it asks which; with none it says so. A claim lists the pods using it,
// a volume opens its claim, and the registry opens the three views by name, alias and
// group-qualified resource.
func TestNetStoreDrillDown(t *testing.T) {
	env := testEnv("shop")
	env.Client.Clientset = fake.NewClientset(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}}})
	page := NewIngresses(env, "shop")
	page.Show(kube.Snapshot[*kube.Ingress]{Rows: fixtureIngresses()[1:4], State: live})
	app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
	app.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		for cmd != nil {
			msg := cmd()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, c := range batch {
					run(c)
				}
				return
			}
			_, cmd = app.Update(msg)
			if _, ok := msg.(ui.PushMsg); ok {
				return // the pushed page's Init starts watches
			}
		}
	}
	screen := func() string { return ansi.Strip(app.View().Content) }

	run(backendPods(env, fixtureIngresses()[3]))
	if s := screen(); !strings.Contains(s, "Pods of which backend of shop/storefront?") || !strings.Contains(s, "api") {
		t.Fatalf("no choice of backends:\n%s", s)
	}
	_, cmd := app.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	run(cmd)
	if s := screen(); !strings.Contains(s, "pods(shop)[0] app=web") {
		t.Errorf("the first backend's pods are not open:\n%s", s)
	}
	run(backendPods(env, &kube.Ingress{Namespace: "shop", Name: "lonely", Backends: []string{"gone"}}))
	if s := screen(); !strings.Contains(s, `pods of service shop/gone:`) {
		t.Errorf("a missing backend service is not reported:\n%s", s)
	}
	run(backendPods(env, &kube.Ingress{Namespace: "shop", Name: "bucket"}))
	if s := screen(); !strings.Contains(s, "routes to no service") {
		t.Errorf("an ingress without service backends:\n%s", s)
	}

	if got := PVCsSpec.Enter(env, fixturePVCs()[2]).Title(); got != "pods using data-db-0(shop)[0]" {
		t.Errorf("claim drill-down title %q", got)
	}
	if got := PVsSpec.Enter(env, fixturePVs()[0]).Title(); got != "claim data-db-0(shop)[0]" {
		t.Errorf("volume drill-down title %q", got)
	}
	if msg, ok := PVsSpec.Enter(env, fixturePVs()[3]).(*ui.Message); !ok ||
		!strings.Contains(ansi.Strip(renderPage(env, msg, 100, 12)), "is bound to no claim (Available)") {
		t.Errorf("an unbound volume's drill-down: %T", msg)
	}

	for name, want := range map[string]string{"ing": "ingresses", "ingress": "ingresses", "pvc": "persistentvolumeclaims",
		"pvcs": "persistentvolumeclaims", "pv": "persistentvolumes", "persistentvolume": "persistentvolumes"} {
		if v, ok := ui.Lookup(Registry, name); !ok || v.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, v.Name, ok, want)
		}
	}
	lw := []string{"list", "watch"}
	client := &kube.Client{Resources: kube.NewResourcesFrom(func(context.Context) ([]*metav1.APIResourceList, error) {
		return []*metav1.APIResourceList{
			{GroupVersion: "v1", APIResources: []metav1.APIResource{
				{Name: "persistentvolumeclaims", SingularName: "persistentvolumeclaim", ShortNames: []string{"pvc"}, Kind: "PersistentVolumeClaim", Namespaced: true, Verbs: lw},
				{Name: "persistentvolumes", SingularName: "persistentvolume", ShortNames: []string{"pv"}, Kind: "PersistentVolume", Verbs: lw}}},
			{GroupVersion: "networking.k8s.io/v1", APIResources: []metav1.APIResource{
				{Name: "ingresses", SingularName: "ingress", ShortNames: []string{"ing"}, Kind: "Ingress", Namespaced: true, Verbs: lw}}}}, nil
	})}
	for typed, want := range map[string]string{"ingresses.networking.k8s.io": "ingresses", "Ingress": "ingresses",
		"ingress.v1.networking.k8s.io": "ingresses", "PersistentVolumeClaim": "persistentvolumeclaims", "PersistentVolume": "persistentvolumes"} {
		if spec, err := Resolve(t.Context(), client, typed); err != nil || spec.Name != want {
			t.Errorf("%q opens %q (%v), want %q", typed, spec.Name, err, want)
		}
	}
}
