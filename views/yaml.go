package views

import (
	"context"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// NewYAML returns the page showing ref as YAML, without managedFields; a Secret's values
// are masked.
func NewYAML(env *ui.Env, ref kube.ObjectRef) *ui.TextPage {
	return ui.NewTextPage(env, "yaml "+ref.String(), func(ctx context.Context) (string, error) {
		return env.Client.ObjectYAML(ctx, ref)
	})
}
