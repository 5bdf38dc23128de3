package helm

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/kdeck/kdeck/kube"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"sigs.k8s.io/yaml"
)

// Values returns the values of rel: those the user supplied, or with computed set the
// chart's defaults merged with them, as Helm computes them (`helm get values --all`).
func Values(rel *rspb.Release, computed bool) (map[string]any, error) {
	if !computed {
		return rel.Config, nil
	}
	if rel.Chart == nil {
		return rel.Config, nil
	}
	v, err := util.CoalesceValues(rel.Chart, rel.Config)
	if err != nil {
		return nil, fmt.Errorf("computing the values of %s: %w", rel.Name, err)
	}
	return v, nil
}

// Masked is a release's values ready to show: their YAML with every value that may be a
// secret replaced by kube.Mask, and the paths of those values ("auth.password",
// "users[1].token"), in order.
type Masked struct {
	YAML   string
	Paths  []string
	hidden []string       // the string values masked, for Redact
	leaves map[string]any // the values masked, by path, for MaskedDiff
}

// MaskValues masks in values every leaf under a key that looks secret (password, token,
// apiKey …) or, with all set (a context where secrets are never revealed), every leaf,
// except those in revealed (paths shown in clear on request). values is not modified.
func MaskValues(values map[string]any, all bool, revealed map[string]bool) (Masked, error) {
	return mask(values, all, revealed, nil)
}

// ValuesDiff is the unified diff of two revisions' values, masked, where a masked value
// that differs between them is shown as "•••••••• (changed)" on the newer side: a rotated
// password shows as rotated, never as itself.
func ValuesDiff(fromLabel, toLabel string, from, to map[string]any, all bool) (string, error) {
	a, err := MaskValues(from, all, nil)
	if err != nil {
		return "", err
	}
	b, err := mask(to, all, nil, func(path string, v any) bool {
		old, ok := a.leaves[path]
		return ok && !reflect.DeepEqual(old, v)
	})
	if err != nil {
		return "", err
	}
	return Diff(fromLabel, toLabel, a.YAML, b.YAML), nil
}

// mask is MaskValues; changed, when set, says which masked leaves to mark as changed.
func mask(values map[string]any, all bool, revealed map[string]bool, changed func(path string, v any) bool) (Masked, error) {
	leaves := map[string]any{}
	var paths, hidden []string
	var walk func(v any, path string, secret bool) any
	walk = func(v any, path string, secret bool) any {
		if m, ok := v.(common.Values); ok {
			v = map[string]any(m)
		}
		switch t := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(t))
			for k, e := range t {
				out[k] = walk(e, join(path, k), secret || SecretLooking(k))
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, e := range t {
				out[i] = walk(e, path+"["+strconv.Itoa(i)+"]", secret)
			}
			return out
		}
		if v == nil || !(secret || all) {
			return v
		}
		paths, leaves[path] = append(paths, path), v
		if s, ok := v.(string); ok {
			hidden = append(hidden, s)
		}
		switch {
		case revealed[path]:
			return v
		case changed != nil && changed(path, v):
			return kube.Mask + " (changed)"
		}
		return kube.Mask
	}
	masked := walk(values, "", false)
	if len(values) == 0 {
		return Masked{YAML: "{}\n"}, nil
	}
	b, err := yaml.Marshal(masked)
	if err != nil {
		return Masked{}, err
	}
	slices.Sort(paths)
	return Masked{YAML: string(b), Paths: paths, hidden: hidden, leaves: leaves}, nil
}

// join appends key to a dotted path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// secretWords are the words of a key that say its value may be a secret.
var secretWords = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true, "passphrase": true,
	"secret": true, "secrets": true, "token": true, "tokens": true, "key": true, "apikey": true,
	"credential": true, "credentials": true, "cred": true, "creds": true, "private": true,
	"privatekey": true, "dsn": true, "connectionstring": true, "salt": true, "htpasswd": true,
	"jwt": true, "bearer": true,
}

// SecretLooking reports whether a values key names something that may be a secret:
// one of its words (split at case changes, digits, '_', '-' and '.') is password, token,
// secret, key, credentials and the like. It errs towards masking: "keyName" is masked.
func SecretLooking(key string) bool {
	lower := strings.ToLower(key)
	if secretWords[lower] {
		return true
	}
	for _, w := range words(key) {
		if secretWords[w] {
			return true
		}
	}
	return false
}

// words splits a key like "apiKey", "db_password" or "TLS-Cert2" into lower-case words.
func words(key string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) ||
			(i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}
