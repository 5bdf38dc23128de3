package views

import (
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// keyColumns are the NAMESPACE (listing all namespaces only) and NAME columns every
// namespaced list starts with, read from the row's key.
func keyColumns[R kube.Row](allNamespaces bool) []ui.Column[R] {
	var cols []ui.Column[R]
	if allNamespaces {
		cols = append(cols, ui.Column[R]{Name: "NAMESPACE", Max: 20, Drop: 4,
			Value: func(r R) string { return r.RowKey().Namespace }})
	}
	return append(cols, ui.Column[R]{Name: "NAME", Flex: true, Min: 12,
		Value: func(r R) string { return r.RowKey().Name }})
}
