package views

import (
	"context"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// NewDescribe returns the page showing `kubectl describe` of ref, with its events;
// a Secret's values are masked.
func NewDescribe(env *ui.Env, ref kube.ObjectRef) *ui.TextPage {
	return ui.NewTextPage(env, "describe "+ref.String(), func(ctx context.Context) (string, error) {
		return env.Client.Describe(ctx, ref)
	})
}
