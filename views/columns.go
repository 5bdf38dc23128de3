package views

import (
	"fmt"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// withNamespace returns cols, preceded by a NAMESPACE column when the view lists every
// namespace; every view's NAME column follows it.
func withNamespace[R kube.Row](allNamespaces bool, cols ...ui.Column[R]) []ui.Column[R] {
	return withNamespaceName(allNamespaces, func(r R) string { return r.RowKey().Name }, cols...)
}

// withNamespaceName is withNamespace for rows whose NAME is not their key's name.
func withNamespaceName[R kube.Row](allNamespaces bool, nameOf func(R) string, cols ...ui.Column[R]) []ui.Column[R] {
	name := ui.Column[R]{Name: "NAME", Flex: true, Min: 12, SortKey: "N", Value: nameOf}
	if !allNamespaces {
		return append([]ui.Column[R]{name}, cols...)
	}
	ns := ui.Column[R]{Name: "NAMESPACE", Max: 20, Drop: 4,
		Value: func(r R) string { return r.RowKey().Namespace }}
	return append([]ui.Column[R]{ns, name}, cols...)
}

// ageColumn is the AGE column every view ends with.
func ageColumn[R kube.Row](env *ui.Env, created func(R) time.Time) ui.Column[R] {
	return ui.Column[R]{Name: "AGE", Align: ui.Right, Drop: 2, SortKey: "A",
		Value:   func(r R) string { return age(created(r), env.Now()) },
		Compare: func(a, b R) int { return created(b).Compare(created(a)) }} // youngest first
}

// ratio renders "3/5".
func ratio(a, b int32) string { return fmt.Sprintf("%d/%d", a, b) }
