package views

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// PVCsSpec declares the PersistentVolumeClaims view: status, volume, capacity, access
// modes, storage class and the pods that mount each claim; enter lists those pods.
var PVCsSpec = ui.ListSpec[*kube.PVC]{
	Noun:    "persistentvolumeclaims",
	Warm:    "persistentvolumeclaims",
	Columns: pvcColumns,
	Cache: func(env *ui.Env, ns, selector string) kube.Cache[*kube.PVC] {
		return env.Client.PVCCache(ns, selector, "")
	},
	Actions: objectActions[*kube.PVC](kube.GVRPVCs),
	Enter:   func(env *ui.Env, c *kube.PVC) ui.Page { return NewClaimPods(env, c.Namespace, c.Name) },
}

// NewPVCs returns the PersistentVolumeClaims view for namespace ns ("" for all namespaces).
func NewPVCs(env *ui.Env, ns string) *ui.ListPage[*kube.PVC] {
	return ui.NewListPage(env, PVCsSpec, ns)
}

// NewClaim returns the PersistentVolumeClaims view narrowed to claim ns/name (a volume's
// drill-down).
func NewClaim(env *ui.Env, ns, name string) *ui.ListPage[*kube.PVC] {
	spec := PVCsSpec
	spec.Noun, spec.Warm = "claim "+name, "" // not the claims view's store: narrowed by name
	spec.Cache = func(env *ui.Env, ns, selector string) kube.Cache[*kube.PVC] {
		return env.Client.PVCCache(ns, selector, kube.ClaimFields(name))
	}
	return ui.NewListPage(env, spec, ns)
}

// NewClaimPods returns the pods of ns that mount claim, kept current as pods come and go.
func NewClaimPods(env *ui.Env, ns, claim string) *ui.ListPage[*kube.Pod] {
	spec := PodsSpec
	spec.Noun, spec.Warm = "pods using "+claim, "" // not the pods view's store: narrowed to a claim
	spec.Cache = func(env *ui.Env, ns, _ string) kube.Cache[*kube.Pod] { return env.Client.ClaimPodsCache(ns, claim) }
	return ui.NewListPage(env, spec, ns)
}

// PVsSpec declares the PersistentVolumes view; enter opens the claim a volume is bound to.
var PVsSpec = ui.ListSpec[*kube.PV]{
	Noun:    "persistentvolumes",
	Warm:    "persistentvolumes",
	Columns: pvColumns,
	Source:  func(env *ui.Env, _ string) kube.Source[*kube.PV] { return env.Client.PVSource() },
	Actions: objectActions[*kube.PV](kube.GVRPVs),
	Enter: func(env *ui.Env, v *kube.PV) ui.Page {
		if v.ClaimName == "" {
			return ui.NewMessage(env, "claim of persistentvolume "+v.Name,
				"PersistentVolume "+v.Name+" is bound to no claim ("+v.Status+").", "", "esc: back")
		}
		return NewClaim(env, v.ClaimNamespace, v.ClaimName)
	},
}

// NewPVs returns the PersistentVolumes view (volumes belong to no namespace).
func NewPVs(env *ui.Env) *ui.ListPage[*kube.PV] {
	return ui.NewListPage(env, PVsSpec, "")
}

// storageColumns are the CAPACITY and ACCESS MODES columns claims and volumes share.
func storageColumns[R kube.Row](capacity, modes func(R) string) []ui.Column[R] {
	return []ui.Column[R]{
		{Name: "CAPACITY", Align: ui.Right, Drop: 3, Value: capacity},
		{Name: "ACCESS MODES", Drop: 5, Value: modes},
	}
}

func pvcColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.PVC] {
	type col = ui.Column[*kube.PVC]
	cols := []col{
		{Name: "STATUS", Drop: 1, Value: func(c *kube.PVC) string { return c.Status },
			Style: func(st *theme.Styles, c *kube.PVC) lipgloss.Style { return storageStatusStyle(st, c.Status) }},
		{Name: "VOLUME", Max: 40, Drop: 4, Value: func(c *kube.PVC) string { return c.Volume }},
	}
	cols = append(cols, storageColumns(func(c *kube.PVC) string { return c.Capacity },
		func(c *kube.PVC) string { return c.AccessModes })...)
	return withNamespace(allNamespaces, append(cols,
		col{Name: "STORAGECLASS", Max: 20, Drop: 6, Value: func(c *kube.PVC) string { return c.StorageClass }},
		col{Name: "USED BY", Max: 40, Drop: 2, Value: usedBy},
		ageColumn(env, func(c *kube.PVC) time.Time { return c.Created }))...)
}

// usedBy names the pods that mount c, "<none>" when none does, "" until pods are listed.
func usedBy(c *kube.PVC) string {
	switch {
	case len(c.UsedBy) > 0:
		return strings.Join(c.UsedBy, ",")
	case c.Joined:
		return "<none>"
	}
	return ""
}

func pvColumns(env *ui.Env, _ bool) []ui.Column[*kube.PV] {
	type col = ui.Column[*kube.PV]
	cols := storageColumns(func(v *kube.PV) string { return v.Capacity },
		func(v *kube.PV) string { return v.AccessModes })
	return withNamespace(false, append(cols,
		col{Name: "RECLAIM POLICY", Drop: 7, Value: func(v *kube.PV) string { return v.ReclaimPolicy }},
		col{Name: "STATUS", Drop: 1, Value: func(v *kube.PV) string { return v.Status },
			Style: func(st *theme.Styles, v *kube.PV) lipgloss.Style { return storageStatusStyle(st, v.Status) }},
		col{Name: "CLAIM", Max: 40, Drop: 2, Value: func(v *kube.PV) string { return v.Claim() }},
		col{Name: "STORAGECLASS", Max: 20, Drop: 6, Value: func(v *kube.PV) string { return v.StorageClass }},
		col{Name: "REASON", Max: 20, Drop: 8, Value: func(v *kube.PV) string { return v.Reason }},
		ageColumn(env, func(v *kube.PV) time.Time { return v.Created }))...)
}

// storageStatusStyle colours a claim's or volume's phase: Pending and Released (waiting on
// someone) in yellow, Lost and Failed in red.
func storageStatusStyle(st *theme.Styles, status string) lipgloss.Style {
	switch status {
	case "Pending", "Released", "Terminating":
		return st.Warn
	case "Lost", "Failed":
		return st.Bad
	}
	return st.Text
}
