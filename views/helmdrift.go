package views

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube/helm"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// NewReleaseDrift returns the page comparing the objects of r's revision with the live
// cluster, object by object: in sync, changed (and which fields), deleted, or extra.
func NewReleaseDrift(env *ui.Env, r *helm.Release) *ui.TextPage {
	client, ns, name, rev := env.Client, r.Namespace, r.Name, r.Revision
	title := fmt.Sprintf("drift %s/%s revision %d", ns, name, rev)
	p := ui.NewTextPage(env, title, func(ctx context.Context) (string, error) {
		rel, err := helm.Get(ctx, client, ns, name, rev)
		if err != nil {
			return "", err
		}
		objs, err := helm.Drift(ctx, client, rel)
		if err != nil {
			return "", err
		}
		return driftText(objs, rel.Info.Status.String(), rev), nil
	})
	p.SetLineStyle(driftLineStyle)
	return p
}

// driftText lays out the objects' states, one line each, after a line saying how they
// were compared.
func driftText(objs []helm.ObjectDrift, status string, rev int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# revision %d (%s) against the cluster: a server-side dry-run apply of each object as\n", rev, status)
	b.WriteString("# Helm's field manager; status, server metadata and fields changed through a subresource\n")
	b.WriteString("# (an HPA's replicas) are not drift.\n\n")
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tNAMESPACE\tNAME\tSTATE")
	for _, o := range objs {
		state := o.State
		switch {
		case len(o.Fields) > 0:
			state += ": " + strings.Join(o.Fields, ", ")
		case o.Detail != "":
			state += ": " + o.Detail
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", o.Kind, o.Namespace, o.Name, state)
	}
	w.Flush()
	return b.String()
}

// driftLineStyle colours an object's line by its state.
func driftLineStyle(st *theme.Styles, line string) lipgloss.Style {
	switch {
	case strings.HasPrefix(line, "#"):
		return st.Muted
	case strings.Contains(line, "  "+helm.InSync):
		return st.Good
	case strings.Contains(line, "  "+helm.Changed), strings.Contains(line, "  "+helm.Extra):
		return st.Warn
	case strings.Contains(line, "  "+helm.Deleted), strings.Contains(line, "  "+helm.Unknown):
		return st.Bad
	}
	return st.Text
}
