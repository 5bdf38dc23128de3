package views

import (
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// NewDescribe returns the page showing `kubectl describe` of ref, with its events;
// a Secret's values are masked.
func NewDescribe(env *ui.Env, ref kube.ObjectRef) *ui.TextPage {
	return objectPage(env, "describe", ref, (*kube.Client).Describe)
}
