package canary

import (
	"slices"
	"testing"

	"github.com/kdeck/kdeck/kube"
)

// Every request a move or an Argo action sends is among the accesses the guard checks.
func TestAccessCoversEveryStage(t *testing.T) {
	check := func(name string, needs []kube.Access, stages []Stage) {
		for _, st := range stages {
			if st.Mutation != nil && !slices.Contains(needs, st.Mutation.Access) {
				t.Errorf("%s: stage %q sends %s, which the guard does not check", name, st.Mutation.Summary, st.Mutation.Access)
			}
		}
		if !slices.Contains(needs, kube.Access{Verb: "create", GVR: kube.GVREventsAPI, Namespace: "shop"}) {
			t.Errorf("%s: the Event is not checked", name)
		}
	}
	c := &Canary{Namespace: "shop", Name: "web-canary", Steps: []int{10, 50, 100},
		Stable: &Deploy{Namespace: "shop", Name: "web", Replicas: 4}, Canary: &Deploy{Namespace: "shop", Name: "web-canary", Replicas: 1}}
	client := &kube.Client{}
	for _, step := range []int{1, 2, 3, 0} {
		m := PlanMove(c, step)
		check("move", MoveAccess(c, "shop"), Stages(client, c, m, Record{}))
	}
	a := &ArgoRollout{}
	for _, action := range []ArgoAction{ArgoPromote, ArgoPromoteFull, ArgoAbort, ArgoRetry} {
		p := ArgoPlan{Action: action, StatusPatch: []byte(`{}`), SpecPatch: []byte(`{}`)}
		check("argo", ArgoAccess("shop"), ArgoStages(client, &Canary{Namespace: "shop", Name: "web", Argo: a}, p, Record{}))
	}
}
