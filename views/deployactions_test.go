package views

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
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
	got := historyText(revs, fixedNow)
	want := "REVISION     IMAGES             PODS  AGE  CHANGE-CAUSE\n" +
		"3 (current)  web:1.5            4     60m  image bump\n" +
		"2            web:1.4,sidecar:2  0     2d   <none>\n"
	if got != want {
		t.Errorf("history:\n%s\nwant:\n%s", got, want)
	}
}
