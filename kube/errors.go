package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ErrorKind names the classes of failure that the UI renders differently.
type ErrorKind int

// The kinds of error kube/ reports.
const (
	KindUnknown      ErrorKind = iota
	KindConfig                 // the kubeconfig is missing, malformed or names an unknown context
	KindUnreachable            // the API server could not be reached or did not answer in time
	KindUnauthorized           // the server rejected the credentials (401)
	KindForbidden              // RBAC denied the request (403)
	KindNotFound               // the object or resource does not exist (404)
	KindConflict               // the object changed underneath the request (409)
	KindInvalid                // the server refused the request as invalid (400, 422)
	KindReadOnly               // kdeck refused a mutation itself: read-only mode
)

// Error is the typed error every kube/ function returns for cluster failures.
// Its message is one human line, fit for a status bar or a terminal.
type Error struct {
	Kind      ErrorKind
	Verb      string // e.g. "list", "watch"; empty when not known
	Resource  string // e.g. "pods"
	Namespace string // empty for cluster scope or all namespaces
	Err       error
}

func (e *Error) Error() string {
	switch e.Kind {
	case KindForbidden:
		return fmt.Sprintf("forbidden: cannot %s %s in %s", e.Verb, e.Resource, scopeName(e.Namespace))
	case KindUnreachable:
		return "cannot reach the API server: " + rootCause(e.Err)
	case KindUnauthorized:
		return "unauthorized: the server rejected these credentials (" + rootCause(e.Err) + ")"
	default:
		return rootCause(e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

func scopeName(ns string) string {
	if ns == "" {
		return "all namespaces"
	}
	return "namespace " + ns
}

// Classify wraps err in an *Error with its kind, for a request of verb on resource in ns.
// It returns nil for nil and leaves an existing *Error untouched.
func Classify(err error, verb, resource, ns string) error {
	if err == nil {
		return nil
	}
	var ke *Error
	if errors.As(err, &ke) {
		return ke
	}
	e := &Error{Kind: kindOf(err), Verb: verb, Resource: resource, Namespace: ns, Err: err}
	return e
}

// KindOf reports the kind of err (KindUnknown when it is not a cluster error).
func KindOf(err error) ErrorKind {
	var ke *Error
	if errors.As(err, &ke) {
		return ke.Kind
	}
	return kindOf(err)
}

func kindOf(err error) ErrorKind {
	switch {
	case apierrors.IsForbidden(err):
		return KindForbidden
	case apierrors.IsUnauthorized(err):
		return KindUnauthorized
	case apierrors.IsNotFound(err):
		return KindNotFound
	case apierrors.IsConflict(err):
		return KindConflict
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return KindInvalid
	case isNetwork(err), errors.Is(err, ErrLinkLost):
		return KindUnreachable
	}
	return KindUnknown
}

func isNetwork(err error) bool {
	var ne net.Error
	var ue *url.Error
	var oe *net.OpError
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.As(err, &ne) || errors.As(err, &ue) ||
		errors.As(err, &oe) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) ||
		apierrors.IsServiceUnavailable(err)
}

// rootCause shortens client-go's nested error text to its last, most specific part,
// e.g. `Get "https://x/version": dial tcp 127.0.0.1:1: connect: connection refused`
// becomes `dial tcp 127.0.0.1:1: connect: connection refused`.
func rootCause(err error) string {
	if err == nil {
		return "unknown error"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(ue.Err, context.DeadlineExceeded) || ue.Timeout() {
			return fmt.Sprintf("%s did not answer in time", hostOf(ue.URL))
		}
		return strings.TrimSpace(ue.Err.Error())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time"
	}
	return err.Error()
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}
