package helm

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/kdeck/kdeck/kube"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
	"sigs.k8s.io/yaml"
)

// Documents splits a release manifest into its YAML documents, in order, as Helm does.
func Documents(manifest string) []string {
	docs := releaseutil.SplitManifests(manifest)
	keys := slices.Collect(maps.Keys(docs))
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = docs[k]
	}
	return out
}

// MaskManifest returns manifest fit to show: every Secret's data and stringData masked
// (with the `# Source:` line Helm writes above it kept), and every value in hidden (the
// secret-looking values of the release) masked wherever else it appears.
func MaskManifest(manifest string, hidden []string) string {
	docs := Documents(manifest)
	for i, d := range docs {
		var obj map[string]any
		if yaml.Unmarshal([]byte(d), &obj) != nil || !kube.IsSecret(obj) {
			continue
		}
		hidden = append(hidden, kube.SecretValues(obj)...)
		kube.MaskSecret(obj)
		b, err := yaml.Marshal(obj)
		if err != nil {
			docs[i] = "# a Secret kdeck could not mask is not shown\n"
			continue
		}
		docs[i] = sourceLine(d) + string(b)
	}
	out := "---\n" + strings.Join(docs, "---\n")
	return kube.Redact(out, hidden)
}

// sourceLine is the `# Source: chart/templates/x.yaml` line that opens a document, or "".
func sourceLine(doc string) string {
	if line, _, _ := strings.Cut(doc, "\n"); strings.HasPrefix(line, "# Source:") {
		return line + "\n"
	}
	return ""
}

// HiddenValues lists the string values of rel that MaskValues masks as secret-looking,
// among its supplied and its computed values, for Redact to find in its manifest and notes.
func HiddenValues(rel *rspb.Release) []string {
	var out []string
	for _, computed := range []bool{false, true} {
		if v, err := Values(rel, computed); err == nil {
			m, _ := MaskValues(v, false, nil)
			out = append(out, m.hidden...)
		}
	}
	return out
}

// Notes returns rel's notes with its secret-looking values masked.
func Notes(rel *rspb.Release) string {
	if rel.Info == nil || strings.TrimSpace(rel.Info.Notes) == "" {
		return "this revision has no notes"
	}
	return kube.Redact(rel.Info.Notes, HiddenValues(rel))
}

// Diff is the unified diff of two texts, labelled, or "" when they are equal.
func Diff(fromLabel, toLabel, from, to string) string {
	return udiff.Unified(fromLabel, toLabel, from, to)
}
