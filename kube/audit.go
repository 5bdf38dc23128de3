package kube

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// AuditEntry is one mutation, as a line of the audit log. It names what was changed, by
// whom and how it ended, never a secret value.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	Context string    `json:"context"`
	// User is whom the server acted for (Info.Identity): the --as user when impersonating,
	// otherwise the kubeconfig user in effect (--user or the context's).
	User string `json:"user"`
	// Impersonator is the kubeconfig user whose credentials asked to act as User; only
	// when impersonating.
	Impersonator string `json:"impersonator,omitempty"`
	// Groups are the groups impersonated with --as-group, comma-separated; only when given.
	Groups string `json:"groups,omitempty"`
	// Credential says where the credentials came from when not from the user entry:
	// "--token" for a bearer token given on the command line.
	Credential string `json:"credential,omitempty"`
	// Server is the API server's URL in effect (--server or the cluster entry's).
	Server    string `json:"server,omitempty"`
	Verb      string `json:"verb"`
	Resource  string `json:"resource"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	Summary   string `json:"summary"`
	Result    string `json:"result"` // "ok", "refused", "error", or "started" (a shell, while it runs)
	Error     string `json:"error,omitempty"`
}

// AuditLog appends entries as JSON lines to one file, created with mode 0600.
type AuditLog struct {
	path     string
	mu       sync.Mutex
	failing  bool       // the last append failed
	failures chan error // the latest change of health, not yet read
}

// NewAuditLog returns the audit log at path; the file is created on the first entry.
func NewAuditLog(path string) *AuditLog {
	return &AuditLog{path: path, failures: make(chan error, 1)}
}

// Path is the file the log appends to.
func (l *AuditLog) Path() string { return l.path }

// Failures delivers the log's changes of health, so the UI can show them until they are
// over: the error of a failed append (an *AuditError), then nil once an append succeeds
// again. An action never waits for the log; when changes come faster than they are read,
// only the latest is kept.
func (l *AuditLog) Failures() <-chan error { return l.failures }

// AuditError is a failed append to the audit log.
type AuditError struct {
	Path string
	Err  error
}

func (e *AuditError) Error() string {
	err := e.Err
	var pe *fs.PathError
	if errors.As(err, &pe) { // "open PATH: is a directory": the path is said already
		err = pe.Err
	}
	return fmt.Sprintf("audit log %s could not be written: %v", e.Path, err)
}

func (e *AuditError) Unwrap() error { return e.Err }

// Append writes e as one line. Entries from concurrent mutations never interleave. A
// failure is returned as an *AuditError and also sent on Failures.
func (l *AuditLog) Append(e AuditEntry) error {
	err := l.append(e)
	if err != nil {
		err = &AuditError{Path: l.path, Err: err}
	}
	l.report(err)
	return err
}

// report sends err on Failures when it fails, or nil when it works again after failing.
func (l *AuditLog) report(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil && !l.failing {
		return
	}
	l.failing = err != nil
	select {
	case <-l.failures: // replaced by the newer news
	default:
	}
	l.failures <- err
}

func (l *AuditLog) append(e AuditEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
