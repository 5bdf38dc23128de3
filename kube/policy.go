package kube

import (
	"errors"
	"net/http"
	"strings"
)

// Policy is what kdeck may do on one context: set by --readonly and by the config file
// (see ui/config).
type Policy struct {
	// ReadOnly refuses every request that would change the cluster, before it is sent.
	ReadOnly bool
	// NeverReveal forbids revealing or copying secret values (for shared or recorded screens).
	NeverReveal bool
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
