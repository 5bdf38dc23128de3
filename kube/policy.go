package kube

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// Policy is what kdeck may do on one context: set by --readonly and by the config file.
type Policy struct {
	// ReadOnly refuses every request that would change the cluster, before it is sent.
	ReadOnly bool `json:"readonly"`
	// NeverReveal forbids revealing or copying secret values (for shared or recorded screens).
	NeverReveal bool `json:"neverReveal"`
}

// Config is kdeck's config file: a policy for every context, overridden per context.
//
//	readonly: true
//	neverReveal: false
//	contexts:
//	  prod: {neverReveal: true}  # read-only from the top level, and never reveal
//	  dev: {readonly: false}
type Config struct {
	Policy   `json:",inline"`
	Contexts map[string]ContextPolicy `json:"contexts"`
}

// ContextPolicy is one context's entry in the config file: a field it leaves out keeps
// the top-level value.
type ContextPolicy struct {
	ReadOnly    *bool `json:"readonly,omitempty"`
	NeverReveal *bool `json:"neverReveal,omitempty"`
}

// For returns the policy of context name: the top-level policy, with the fields the
// context's own entry sets overridden.
func (c Config) For(name string) Policy {
	p := c.Policy
	if o, ok := c.Contexts[name]; ok {
		override(&p.ReadOnly, o.ReadOnly)
		override(&p.NeverReveal, o.NeverReveal)
	}
	return p
}

// override sets *dst to *v when v is set.
func override(dst, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// LoadConfig reads the config file at path; a missing file is the empty config (the
// default path, which nobody has to create).
func LoadConfig(path string) (Config, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return Config{}, nil
	}
	return ReadConfig(path)
}

// ReadConfig reads the config file at path, which must exist: a path given with --config.
// A missing, unreadable or malformed file is an error of KindConfig naming it.
func ReadConfig(path string) (Config, error) {
	var c Config
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, &Error{Kind: KindConfig, Err: fmt.Errorf("%s does not exist", path)}
	}
	if err != nil {
		return c, &Error{Kind: KindConfig, Err: err}
	}
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return c, &Error{Kind: KindConfig, Err: fmt.Errorf("%s: %v", path, err)}
	}
	return c, nil
}

// ErrReadOnly is returned for every mutation attempted in read-only mode.
var ErrReadOnly = &Error{Kind: KindReadOnly, Err: errors.New("read-only mode: nothing was sent to the cluster")}

// readOnlyTransport refuses, before they leave the process, every request that is not a
// read. It is the last line behind the action dispatcher: a mutation that slipped past
// the UI still never reaches the server.
type readOnlyTransport struct{ next http.RoundTripper }

func (t readOnlyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !isRead(r) {
		return nil, ErrReadOnly
	}
	return t.next.RoundTrip(r)
}

// isRead reports whether r cannot change the cluster: GET/HEAD/OPTIONS (except the
// upgrades of exec, attach and port-forward), and the POSTs that only ask the server
// what the caller may do. The API may sit behind a path prefix (Rancher's
// /k8s/clusters/ID): the request is read from its API root on.
func isRead(r *http.Request) bool {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		switch segs[len(segs)-1] {
		case "exec", "attach", "portforward":
			return false
		}
		return true
	case http.MethodPost:
		group, _, rest, ok := apiPath(segs)
		return ok && group == "authorization.k8s.io" && len(rest) == 1 &&
			(rest[0] == "selfsubjectaccessreviews" || rest[0] == "selfsubjectrulesreviews")
	}
	return false
}

// apiPath finds the API root in a request path's segments, after whatever prefix the
// server sits behind: the first "api" followed by a version, or "apis" followed by a
// group and a version. It returns the group ("" for the core API), the version and the
// segments after them.
func apiPath(segs []string) (group, version string, rest []string, ok bool) {
	for i, s := range segs {
		switch {
		case s == "api" && i+1 < len(segs) && isAPIVersion(segs[i+1]):
			return "", segs[i+1], segs[i+2:], true
		case s == "apis" && i+2 < len(segs) && segs[i+1] != "" && isAPIVersion(segs[i+2]):
			return segs[i+1], segs[i+2], segs[i+3:], true
		}
	}
	return "", "", nil, false
}

// isAPIVersion reports whether s is a Kubernetes API version: v1, v2beta1, v1alpha3.
func isAPIVersion(s string) bool {
	n, ok := strings.CutPrefix(s, "v")
	if !ok {
		return false
	}
	digits := func(s string) bool { return s != "" && s[0] != '0' && strings.Trim(s, "0123456789") == "" }
	major, level, found := strings.Cut(strings.Replace(n, "alpha", "beta", 1), "beta")
	return digits(major) && (!found || digits(level))
}
