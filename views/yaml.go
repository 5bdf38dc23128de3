package views

import (
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// NewYAML returns the page showing ref as YAML, without managedFields; a Secret's values
// are masked.
func NewYAML(env *ui.Env, ref kube.ObjectRef) *ui.TextPage {
	return objectPage(env, "yaml", ref, (*kube.Client).ObjectYAML)
}
