package views

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/helm"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// releaseRows are the demo's releases: shop upgraded twice, billing's upgrade failed,
// search's upgrade still pending; and one of the same name as shop kept in ConfigMaps
// (HELM_DRIVER=configmap), rolled back.
func releaseRows() []*helm.Release {
	row := func(ns, name string, rev int, status, desc string, age time.Duration) *helm.Release {
		return &helm.Release{Namespace: ns, Name: name, Revision: rev, Chart: "kdeck-demo-app-0.1.0", AppVersion: "1.0.0",
			Status: status, Description: desc, Updated: ago(age), Key: kube.Key{Namespace: ns, Name: name}}
	}
	inConfigMaps := row("shop", "shop", 3, "deployed", "Rollback to 1", 3*time.Hour)
	inConfigMaps.Storage = helm.ConfigMaps
	inConfigMaps.Key = helm.ReleaseKey(inConfigMaps.Ref())
	return []*helm.Release{
		row("payments", "billing", 2, "failed", `cannot patch "billing" with kind Deployment: spec.selector: field is immutable`, 2*time.Hour),
		row("platform", "search", 2, "pending-upgrade", "Preparing upgrade", 40*time.Minute),
		row("shop", "shop", 3, "deployed", "ops: 3 replicas, debug logs, rotated db password", 26*time.Hour),
		inConfigMaps,
	}
}

// historyRows are shop's revisions, newest first as the page shows them.
func historyRows() []*helm.Release {
	var out []*helm.Release
	for i, d := range []string{"ops: 3 replicas, debug logs, rotated db password", "ci: deploy 1.1.0", "ci: deploy 1.0.0"} {
		rev, status := 3-i, "superseded"
		if rev == 3 {
			status = "deployed"
		}
		out = append(out, &helm.Release{Namespace: "shop", Name: "shop", Revision: rev, Chart: "kdeck-demo-app-0.1.0",
			AppVersion: "1.0.0", Status: status, Description: d, Updated: ago(time.Duration(30-i) * time.Hour),
			Key: helm.RevisionKey("shop", rev)})
	}
	return out
}

func TestHelmReleasesGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderList(HelmSpec, "", w, h, releaseRows(), live) })
}

func TestHelmHistoryGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string {
		env := testEnv("shop")
		p := NewReleaseHistory(env, helm.Ref{Namespace: "shop", Name: "shop"})
		p.Show(kube.Snapshot[*helm.Release]{Rows: historyRows(), State: live})
		return renderPage(env, p, w, h)
	})
}

// shopValues are revision 3's supplied values, with two secrets.
var shopValues = map[string]any{
	"auth":         map[string]any{"username": "shop", "password": "s3cr3t-rotated-pw", "apiToken": "tok_live_7d1e9b2c"},
	"image":        map[string]any{"tag": "1.1.0"},
	"replicaCount": 3,
	"config":       map[string]any{"LOG_LEVEL": "debug"},
}

func TestHelmValuesGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string {
		env := testEnv("shop")
		p := NewReleaseValues(env, historyRows()[0], false)
		m, err := helm.MaskValues(shopValues, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		p.SetResult(m.YAML, nil, fixedNow)
		out := renderPage(env, p, w, h)
		if strings.Contains(ansi.Strip(out), "s3cr3t") || strings.Contains(ansi.Strip(out), "tok_live") {
			t.Fatalf("values page shows a secret:\n%s", ansi.Strip(out))
		}
		return out
	})
}

func TestHelmDiffGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string {
		env := testEnv("shop")
		p := NewReleaseDiff(env, helm.Ref{Namespace: "shop", Name: "shop"}, 2, 3)
		older := map[string]any{"auth": map[string]any{"username": "shop", "password": "s3cr3t-old-pw", "apiToken": "tok_live_7d1e9b2c"},
			"image": map[string]any{"tag": "1.1.0"}}
		d, err := helm.ValuesDiff("values of revision 2", "values of revision 3", older, shopValues, false)
		if err != nil {
			t.Fatal(err)
		}
		p.SetResult(d, nil, fixedNow)
		return renderPage(env, p, w, h)
	})
}

func TestHelmPagesEverySize(t *testing.T) {
	env := testEnv("shop")
	p := NewReleaseHistory(env, helm.Ref{Namespace: "shop", Name: "shop"})
	p.Show(kube.Snapshot[*helm.Release]{Rows: historyRows(), State: live})
	requireEverySize(t, func(w, h int) string { return renderPage(env, p, w, h) })
}

func TestHelmObjectsGolden(t *testing.T) {
	deploy := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	objs := []*helm.ObjectDrift{
		{Kind: "Secret", Namespace: "shop", Name: "shop-auth", Live: "exists", State: helm.InSync},
		{Kind: "ConfigMap", Namespace: "shop", Name: "shop-config", Live: "missing", State: helm.Deleted},
		{Kind: "Service", Namespace: "shop", Name: "shop", Live: "exists", State: helm.InSync},
		{Kind: "Deployment", GVR: deploy, Namespace: "shop", Name: "shop", Live: "ready 2/3", State: helm.Changed,
			Fields: []string{"spec.template.spec.containers[name=app].image"}},
		{Kind: "ConfigMap", Namespace: "shop", Name: "shop-legacy", Live: "exists", State: helm.Extra},
	}
	requireGoldenSizes(t, func(w, h int) string {
		env := testEnv("shop")
		p := NewReleaseObjects(env, historyRows()[0])
		p.Show(kube.Snapshot[*helm.ObjectDrift]{Rows: objs, State: live})
		return renderPage(env, p, w, h)
	})
}
