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
// release name in ns: their supplied values (masked) and their manifests (secrets masked),
// as unified diffs, added lines green and removed ones red, searchable.
func NewReleaseDiff(env *ui.Env, ns, name string, from, to int) *ui.TextPage {
	client := env.Client
	title := fmt.Sprintf("diff %s/%s revision %d → %d", ns, name, from, to)
	p := ui.NewTextPage(env, title, func(ctx context.Context) (string, error) {
		var texts [2]struct{ values, manifest string }
		for i, rev := range []int{from, to} {
			rel, err := helm.Get(ctx, client, ns, name, rev)
			if err != nil {
				return "", err
			}
			v, err := helm.MaskValues(rel.Config, client.Policy.NeverReveal, nil)
			if err != nil {
				return "", err
			}
			texts[i].values, texts[i].manifest = v.YAML, helm.MaskManifest(rel.Manifest, helm.HiddenValues(rel))
		}
		label := func(what string, rev int) string { return fmt.Sprintf("%s of revision %d", what, rev) }
		var b strings.Builder
		for _, part := range []struct{ what, a, b string }{
			{"values", texts[0].values, texts[1].values},
			{"manifest", texts[0].manifest, texts[1].manifest},
		} {
			d := helm.Diff(label(part.what, from), label(part.what, to), part.a, part.b)
			if d == "" {
				d = fmt.Sprintf("# the %s of revisions %d and %d are the same\n", part.what, from, to)
			}
			b.WriteString(d)
			b.WriteString("\n")
		}
		return b.String(), nil
	})
	p.SetLineStyle(diffLineStyle)
	return p
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
