package views

import (
	"context"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube/helm"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// NewReleaseDiff returns the page of the differences between revisions from and to of
// release ref: their supplied values (masked) and their manifests (secrets masked), as
// unified diffs, added lines green and removed ones red, searchable.
func NewReleaseDiff(env *ui.Env, ref helm.Ref, from, to int) *ui.TextPage {
	client := env.Client
	title := fmt.Sprintf("diff %s/%s revision %d → %d", ref.Namespace, ref.Name, from, to)
	p := ui.NewTextPage(env, title, func(ctx context.Context) (string, error) {
		var rels [2]*helm.Record
		for i, rev := range []int{from, to} {
			rel, err := helm.Get(ctx, client, ref, rev)
			if err != nil {
				return "", err
			}
			rels[i] = rel
		}
		label := func(what string, rev int) string { return fmt.Sprintf("%s of revision %d", what, rev) }
		values, err := helm.ValuesDiff(label("values", from), label("values", to), rels[0].Config, rels[1].Config,
			client.Policy.NeverReveal)
		if err != nil {
			return "", err
		}
		manifests := helm.Diff(label("manifest", from), label("manifest", to),
			helm.MaskManifest(rels[0].Manifest, helm.HiddenValues(rels[0])), helm.MaskManifest(rels[1].Manifest, helm.HiddenValues(rels[1])))
		return diffPart(values, "values", from, to) + diffPart(manifests, "manifests", from, to), nil
	})
	p.SetLineStyle(diffLineStyle)
	return p
}

// diffPart is one part of the diff page: the diff, or a line saying there is none.
func diffPart(diff, what string, from, to int) string {
	if diff == "" {
		return fmt.Sprintf("# the %s of revisions %d and %d are the same\n\n", what, from, to)
	}
	return diff + "\n"
}

// diffLineStyle colours a unified diff's lines: added green, removed red, hunks accented.
func diffLineStyle(st *theme.Styles, line string) lipgloss.Style {
	switch {
	case strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "--- "):
		return st.Text.Bold(true)
	case strings.HasPrefix(line, "+"):
		return st.Good
	case strings.HasPrefix(line, "-"):
		return st.Bad
	case strings.HasPrefix(line, "@@"), strings.HasPrefix(line, "#"):
		return st.Accent
	}
	return st.Text
}
