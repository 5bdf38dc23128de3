package helm

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/release/common"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
)

// record is a release revision as helm install/upgrade would store it.
func record(name string, rev int, status common.Status, config map[string]any, manifest string) *rspb.Release {
	return &rspb.Release{Name: name, Namespace: "shop", Version: rev, Config: config, Manifest: manifest,
		Chart: &chart.Chart{Metadata: &chart.Metadata{Name: "web", Version: "0.1." + strconv.Itoa(rev), AppVersion: "1." + strconv.Itoa(rev)},
			Values: map[string]any{"image": "web:1", "auth": map[string]any{"password": "chart-default-pw"}}},
		Info: &rspb.Info{Status: status, Description: "Upgrade complete", Notes: "log in with s3cr3t-notes-pw",
			LastDeployed: time.Date(2026, 12, 1, 10, rev, 0, 0, time.UTC)}}
}

// store writes records through Helm's own secrets driver into a fake clientset and
// returns the client.
func store(t *testing.T, rels ...*rspb.Release) *kube.Client {
	t.Helper()
	cs := fake.NewClientset()
	write(t, cs, Secrets, rels...)
	return &kube.Client{Clientset: cs}
}

// write stores records in namespace shop through Helm's own driver for s, as helm
// install and upgrade do with HELM_DRIVER set to s.
func write(t *testing.T, cs *fake.Clientset, s Storage, rels ...*rspb.Release) {
	t.Helper()
	var d driver.Driver = driver.NewSecrets(cs.CoreV1().Secrets("shop"))
	if s == ConfigMaps {
		d = driver.NewConfigMaps(cs.CoreV1().ConfigMaps("shop"))
	}
	d.(interface{ SetLogger(slog.Handler) }).SetLogger(slog.DiscardHandler)
	for _, r := range rels {
		if err := d.Create("sh.helm.release.v1."+r.Name+".v"+strconv.Itoa(r.Version), r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecordRowDecodesWhatHelmStored(t *testing.T) {
	c := store(t, record("web", 1, common.StatusSuperseded, nil, ""), record("web", 2, common.StatusFailed, nil, ""))
	list, err := c.Clientset.CoreV1().Secrets("shop").List(context.Background(), metav1.ListOptions{LabelSelector: liveSelector})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 {
		t.Fatalf("live selector matched %d records, want the failed one only", len(list.Items))
	}
	r := recordRow(&list.Items[0])
	want := Release{Namespace: "shop", Name: "web", Revision: 2, Chart: "web-0.1.2", AppVersion: "1.2",
		Status: "failed", Description: "Upgrade complete", Updated: time.Date(2026, 12, 1, 10, 2, 0, 0, time.UTC)}
	if r.Namespace != want.Namespace || r.Name != want.Name || r.Revision != want.Revision || r.Chart != want.Chart ||
		r.AppVersion != want.AppVersion || r.Status != want.Status || r.Description != want.Description || !r.Updated.Equal(want.Updated) {
		t.Fatalf("row = %+v, want %+v", *r, want)
	}
}

func TestRecordRowOfAnUndecodableRecordSaysWhy(t *testing.T) {
	c := store(t, record("web", 1, common.StatusDeployed, nil, ""))
	s, err := c.Clientset.CoreV1().Secrets("shop").Get(context.Background(), "sh.helm.release.v1.web.v1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Data["release"] = []byte("not a release")
	r := recordRow(s)
	if r.Status != "unreadable" || r.Name != "web" || r.Revision != 1 || r.Description == "" {
		t.Fatalf("row = %+v", *r)
	}
}

// Records Helm's ConfigMaps driver wrote are read as such: rows, history, a revision.
func TestConfigMapRecords(t *testing.T) {
	cs := fake.NewClientset()
	write(t, cs, ConfigMaps, record("web", 1, common.StatusSuperseded, nil, ""), record("web", 2, common.StatusDeployed, nil, ""))
	c := &kube.Client{Clientset: cs}
	list, err := cs.CoreV1().ConfigMaps("shop").List(context.Background(), metav1.ListOptions{LabelSelector: liveSelector})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 {
		t.Fatalf("live selector matched %d config maps, want the deployed one only", len(list.Items))
	}
	r := recordRow(&list.Items[0])
	if r.Name != "web" || r.Revision != 2 || r.Status != "deployed" || r.Chart != "web-0.1.2" || r.Storage != ConfigMaps {
		t.Fatalf("row = %+v", *r)
	}

	ref := Ref{Namespace: "shop", Name: "web", Storage: ConfigMaps}
	revs, err := History(context.Background(), c, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[1].Revision != 2 || revs[1].Storage != ConfigMaps || revs[1].Ref() != ref {
		t.Fatalf("history = %+v", revs)
	}
	rel, err := Get(context.Background(), c, ref, 1)
	if err != nil || rel.Version != 1 || rel.Info.Status != common.StatusSuperseded {
		t.Fatalf("Get = %+v, %v", rel, err)
	}
	// the Secrets driver does not see them, as helm without HELM_DRIVER does not
	if _, err := Get(context.Background(), c, Ref{Namespace: "shop", Name: "web"}, 1); err == nil {
		t.Fatal("a release kept in ConfigMaps was read from Secrets")
	}
}

func TestHistoryAndGet(t *testing.T) {
	c := store(t, record("web", 2, common.StatusDeployed, nil, ""), record("web", 1, common.StatusSuperseded, nil, ""),
		record("api", 1, common.StatusDeployed, nil, ""))
	revs, err := History(context.Background(), c, Ref{Namespace: "shop", Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[0].Revision != 1 || revs[1].Revision != 2 || revs[1].RowKey() != RevisionKey("shop", 2) {
		t.Fatalf("history = %+v", revs)
	}
	rel, err := Get(context.Background(), c, Ref{Namespace: "shop", Name: "web"}, 1)
	if err != nil || rel.Version != 1 || rel.Info.Status != common.StatusSuperseded {
		t.Fatalf("Get = %+v, %v", rel, err)
	}
	if _, err := Get(context.Background(), c, Ref{Namespace: "shop", Name: "web"}, 7); err == nil {
		t.Fatal("Get of a missing revision succeeded")
	}
}

func TestNewestKeepsTheHighestRevisionPerRelease(t *testing.T) {
	rows := []*Release{
		{Namespace: "a", Name: "web", Revision: 3, Status: "failed"},
		{Namespace: "a", Name: "web", Revision: 10, Status: "deployed"},
		{Namespace: "b", Name: "web", Revision: 1, Status: "deployed"},
		{Namespace: "a", Name: "api", Revision: 2, Status: "pending-upgrade"},
	}
	got := Newest(rows)
	var keys []string
	for _, r := range got {
		keys = append(keys, r.RowKey().Namespace+"/"+r.RowKey().Name+"@"+strconv.Itoa(r.Revision))
	}
	if want := []string{"a/api@2", "a/web@10", "b/web@1"}; !slices.Equal(keys, want) {
		t.Fatalf("newest = %v, want %v", keys, want)
	}
	if rows[1].RowKey() != (kube.Key{}) {
		t.Fatal("Newest modified its input")
	}
}

// A release of the same name in each storage is two rows, next to each other.
func TestNewestKeepsEachStorageApart(t *testing.T) {
	got := Newest([]*Release{
		{Namespace: "a", Name: "web", Revision: 4, Storage: ConfigMaps},
		{Namespace: "a", Name: "web", Revision: 2},
		{Namespace: "a", Name: "web-api", Revision: 1},
		{Namespace: "a", Name: "web", Revision: 5, Storage: ConfigMaps},
	})
	var rows []string
	for _, r := range got {
		rows = append(rows, r.RowKey().Name+"@"+strconv.Itoa(r.Revision)+" "+r.Storage.String())
	}
	if want := []string{"web@2 secret", "web configmap@5 configmap", "web-api@1 secret"}; !slices.Equal(rows, want) {
		t.Fatalf("newest = %v, want %v", rows, want)
	}
}

// Helm's actions on a release run with its own storage's driver.
func TestConfigurationUsesTheReleaseStorage(t *testing.T) {
	c := &kube.Client{Config: &rest.Config{Host: "https://127.0.0.1:1"}}
	for s, want := range map[Storage]string{Secrets: driver.SecretsDriverName, ConfigMaps: driver.ConfigMapsDriverName} {
		cfg, err := configuration(c, Ref{Namespace: "shop", Name: "web", Storage: s})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Releases.Name(); got != want {
			t.Errorf("%s: driver %s, want %s", s, got, want)
		}
	}
}

// Rollback and uninstall ask RBAC about the release's own storage.
func TestAccessNamesTheStorage(t *testing.T) {
	for _, s := range []Storage{Secrets, ConfigMaps} {
		ref := Ref{Namespace: "shop", Name: "web", Storage: s}
		for _, a := range slices.Concat(RollbackAccess(ref), UninstallAccess(ref)) {
			if a.GVR != s.GVR() || a.Namespace != "shop" {
				t.Errorf("%s: access %+v", s, a)
			}
		}
	}
	if r := ConfigMaps.GVR().Resource; r != "configmaps" {
		t.Errorf("ConfigMaps is %q", r)
	}
}

// The releases list reads both storages: while RBAC refuses one, the other's releases are
// shown, and the state says which are hidden. (The fake clientset's watch never says its
// initial events are done, so the stores stay loading: the test reads rows and state.)
func TestReleaseCacheReadsBothStorages(t *testing.T) {
	for forbid, want := range map[string][]string{
		"":           {"api@3 configmap", "web@1 secret"},
		"configmaps": {"web@1 secret"},
		"secrets":    {"api@3 configmap"},
	} {
		t.Run("forbidden="+forbid, func(t *testing.T) {
			cs := fake.NewClientset()
			write(t, cs, Secrets, record("web", 1, common.StatusDeployed, nil, ""))
			write(t, cs, ConfigMaps, record("api", 3, common.StatusFailed, nil, ""))
			if forbid != "" {
				refused := apierrors.NewForbidden(schema.GroupResource{Resource: forbid}, "", nil)
				cs.PrependReactor("list", forbid, func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, refused })
				cs.PrependWatchReactor(forbid, func(k8stesting.Action) (bool, watch.Interface, error) { return true, nil, refused })
			}
			cache := ReleaseCache(&kube.Client{Clientset: cs}, "shop")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go cache.Run(ctx, nil)
			deadline := time.After(10 * time.Second)
			for {
				snap := cache.Snapshot()
				var rows []string
				for _, r := range snap.Rows {
					rows = append(rows, r.Name+"@"+strconv.Itoa(r.Revision)+" "+r.Storage.String())
				}
				hidden := snap.State.Partial == nil
				if forbid != "" {
					hidden = snap.State.Partial != nil && strings.Contains(snap.State.Partial.Error(), "releases kept in "+forbid+" are not shown")
				}
				if snap.State.Phase != kube.PhaseBroken && slices.Equal(rows, want) && hidden {
					return
				}
				select {
				case <-deadline:
					t.Fatalf("rows %v in state %+v, want %v", rows, snap.State, want)
				case <-cache.Changed():
				case <-time.After(50 * time.Millisecond):
				}
			}
		})
	}
}

func TestSecretLooking(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "adminPassword": true, "db_password": true, "apiKey": true, "API_KEY": true,
		"tokenSecret": true, "privateKey": true, "TLSKey": true, "credentials": true, "existingSecret": true,
		"image": false, "replicaCount": false, "keyboard": false, "monkey": false, "passthrough": false,
		"tag": false, "author": false,
	} {
		if got := SecretLooking(key); got != want {
			t.Errorf("SecretLooking(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestMaskValues(t *testing.T) {
	values := map[string]any{
		"image":  "web:2",
		"auth":   map[string]any{"password": "hunter2", "user": "admin"},
		"users":  []any{map[string]any{"name": "a", "token": "tok-a"}},
		"apiKey": 12345,
	}
	m, err := MaskValues(values, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"hunter2", "tok-a", "12345"} {
		if strings.Contains(m.YAML, leak) {
			t.Errorf("masked YAML shows %q:\n%s", leak, m.YAML)
		}
	}
	for _, kept := range []string{"web:2", "admin", "name: a"} {
		if !strings.Contains(m.YAML, kept) {
			t.Errorf("masked YAML lost %q:\n%s", kept, m.YAML)
		}
	}
	if want := []string{"apiKey", "auth.password", "users[0].token"}; !slices.Equal(m.Paths, want) {
		t.Errorf("paths = %v, want %v", m.Paths, want)
	}
	if values["auth"].(map[string]any)["password"] != "hunter2" {
		t.Error("MaskValues modified its input")
	}

	shown, _ := MaskValues(values, false, map[string]bool{"auth.password": true})
	if !strings.Contains(shown.YAML, "hunter2") || strings.Contains(shown.YAML, "tok-a") {
		t.Errorf("revealing auth.password showed:\n%s", shown.YAML)
	}
	all, _ := MaskValues(values, true, nil)
	if strings.Contains(all.YAML, "web:2") || strings.Contains(all.YAML, "admin") {
		t.Errorf("never-reveal left values in clear:\n%s", all.YAML)
	}
}

func TestMaskManifestAndNotes(t *testing.T) {
	manifest := `---
# Source: web/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: web-auth
data:
  password: aHVudGVyMg==
---
# Source: web/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        env:
        - name: PW
          value: hunter2
        - name: TOKEN
          value: s3cr3t-token
`
	rel := record("web", 1, common.StatusDeployed, map[string]any{"auth": map[string]any{"apiToken": "s3cr3t-token"}}, manifest)
	out := MaskManifest(rel.Manifest, HiddenValues(rel))
	for _, leak := range []string{"aHVudGVyMg==", "hunter2", "s3cr3t-token"} {
		if strings.Contains(out, leak) {
			t.Errorf("manifest shows %q:\n%s", leak, out)
		}
	}
	for _, kept := range []string{"# Source: web/templates/secret.yaml", "name: web-auth", "kind: Deployment", "name: PW"} {
		if !strings.Contains(out, kept) {
			t.Errorf("manifest lost %q:\n%s", kept, out)
		}
	}
	rel.Info.Notes = "password: chart-default-pw"
	if n := Notes(rel); strings.Contains(n, "chart-default-pw") {
		t.Errorf("notes show the chart's default password: %s", n)
	}
}

func TestDiff(t *testing.T) {
	if d := Diff("a", "b", "x: 1\n", "x: 1\n"); d != "" {
		t.Fatalf("diff of equal texts = %q", d)
	}
	d := Diff("values of revision 1", "values of revision 2", "image: web:1\nreplicas: 2\n", "image: web:2\nreplicas: 2\n")
	for _, want := range []string{"--- values of revision 1", "+++ values of revision 2", "-image: web:1", "+image: web:2", " replicas: 2"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}

// A storage RBAC refuses to list leaves the other's releases live, saying which are not
// shown; both refused, the list is broken and says why it is empty.
func TestStorageState(t *testing.T) {
	forbidden := func(resource string) kube.State {
		return kube.State{Phase: kube.PhaseBroken,
			Err: &kube.Error{Kind: kube.KindForbidden, Verb: "list", Resource: resource, Namespace: "shop"}}
	}
	live := kube.State{Phase: kube.PhaseLive, LiveSince: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}

	st := storageState(live, forbidden("configmaps"))
	if st.Phase != kube.PhaseLive || st.Err != nil || kube.KindOf(st.Partial) != kube.KindForbidden ||
		st.Partial.Error() != "forbidden: cannot list configmaps in namespace shop: releases kept in configmaps are not shown" {
		t.Errorf("secrets live, configmaps forbidden: %+v", st)
	}
	st = storageState(forbidden("secrets"), live)
	if st.Phase != kube.PhaseLive || st.Partial == nil ||
		st.Partial.Error() != "forbidden: cannot list secrets in namespace shop: releases kept in secrets are not shown" {
		t.Errorf("secrets forbidden, configmaps live: %+v", st)
	}
	st = storageState(forbidden("secrets"), forbidden("configmaps"))
	if st.Phase != kube.PhaseBroken || kube.KindOf(st.Err) != kube.KindForbidden || st.Partial != nil ||
		st.Err.Error() != "forbidden: cannot list secrets in namespace shop, nor configmaps: "+
			"Helm keeps its releases in Secrets or ConfigMaps, so none can be shown here" {
		t.Errorf("both forbidden: %+v", st)
	}
	watch := forbidden("configmaps")
	watch.Err.(*kube.Error).Verb = "watch"
	if st := storageState(forbidden("secrets"), watch); !strings.Contains(st.Err.Error(), "forbidden: cannot list secrets in namespace shop; "+
		"forbidden: cannot watch configmaps in namespace shop: Helm keeps") {
		t.Errorf("both forbidden, not the same request: %v", st.Err)
	}
	down := kube.State{Phase: kube.PhaseBroken, Err: &kube.Error{Kind: kube.KindUnreachable}}
	if st := storageState(live, down); st.Phase != kube.PhaseBroken || st.Partial != nil {
		t.Errorf("configmaps unreachable: %+v, want the list broken", st)
	}
	if st := storageState(live, live); st.Phase != kube.PhaseLive || st.Err != nil || st.Partial != nil {
		t.Errorf("both live: %+v", st)
	}
}

// An action confirmed while revision 2 was the newest does nothing once a third exists.
func TestStillNewestRefusesAReleaseChangedSinceConfirmed(t *testing.T) {
	mem := driver.NewMemory()
	mem.SetNamespace("shop")
	cfg := &action.Configuration{Releases: storage.Init(mem)}
	for rev := 1; rev <= 3; rev++ {
		if err := cfg.Releases.Create(record("web", rev, common.StatusDeployed, nil, "")); err != nil {
			t.Fatal(err)
		}
	}
	if err := stillNewest(cfg, "web", 3); err != nil {
		t.Fatalf("the newest revision refused: %v", err)
	}
	err := stillNewest(cfg, "web", 2)
	if err == nil || !strings.Contains(err.Error(), "its newest revision is now 3, not 2; nothing was done") {
		t.Fatalf("stillNewest(2) = %v", err)
	}
}

// A rotated password shows as changed in the diff of values, never as itself.
func TestValuesDiffMarksAChangedSecret(t *testing.T) {
	from := map[string]any{"auth": map[string]any{"password": "old-pw-1", "apiToken": "same-tok"}, "tag": "1"}
	to := map[string]any{"auth": map[string]any{"password": "new-pw-2", "apiToken": "same-tok"}, "tag": "2"}
	d, err := ValuesDiff("a", "b", from, to, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-  password: ••••••••", "+  password: •••••••• (changed)", "   apiToken: ••••••••", "+tag: \"2\""} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	for _, leak := range []string{"old-pw-1", "new-pw-2", "same-tok"} {
		if strings.Contains(d, leak) {
			t.Errorf("diff shows %q:\n%s", leak, d)
		}
	}
}
