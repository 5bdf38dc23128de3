package forward

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/kdeck/kdeck/kube"
)

// Kind is what a port-forward reaches: one pod, or whichever ready pod backs a
// service.
type Kind string

// The kinds of forward target.
const (
	KindPod     Kind = "pod"
	KindService Kind = "service"
)

// Spec says what to forward: 127.0.0.1:Local to a pod's port, or to a service's
// port (mapped, per connection, to the target port of a ready pod behind it). It is what
// the forwards file saves: no secrets.
type Spec struct {
	Namespace string `json:"namespace"`
	Kind      Kind   `json:"kind"`
	Name      string `json:"name"`
	Local     int    `json:"local"`
	Remote    int    `json:"remote"` // the pod's port, or the service's port
}

// Target names the far end: "service/shop/web:80".
func (s Spec) Target() string {
	return fmt.Sprintf("%s/%s/%s:%d", s.Kind, s.Namespace, s.Name, s.Remote)
}

// String is "127.0.0.1:8080 → service/shop/web:80".
func (s Spec) String() string {
	return fmt.Sprintf("127.0.0.1:%d → %s", s.Local, s.Target())
}

// State is how a forward is doing.
type State string

// The states of a forward.
const (
	// Active: listening, and the last connection reached a pod.
	Active State = "active"
	// Reconnecting: listening, but the last connection found no pod to reach (no
	// ready endpoint, a lost connection); the next connection tries again.
	Reconnecting State = "reconnecting"
	// Failed: the forward cannot work any more (its pod is gone, its listener died).
	Failed State = "failed"
)

// Status is one forward at one moment, for the forwards view. It is a row of the
// forwards view's cache: keyed by namespace and local port.
type Status struct {
	Spec    Spec
	Context string // the kubeconfig context it forwards through
	Started time.Time
	State   State
	Err     string // the last error, "" when none
	Pod     string // the pod in use: the one that took the last connection
	Open    int    // connections open now
	Total   int    // connections accepted since the start
	In, Out int64  // bytes received from the pod / sent to it
}

// RowKey implements Row: a local port holds one forward at a time.
func (s *Status) RowKey() kube.Key {
	return kube.Key{Namespace: s.Spec.Namespace, Name: strconv.Itoa(s.Spec.Local)}
}

// CheckLocalPort reports why port cannot take a forward: out of 1–65535, or already in use
// on 127.0.0.1 (by kdeck or anything else). It listens for an instant and lets go.
func CheckLocalPort(port int) error {
	ln, err := listenLocal(port)
	if err != nil {
		return err
	}
	return ln.Close()
}

// listenLocal listens on 127.0.0.1:port, with a one-line reason when it cannot.
func listenLocal(port int) (net.Listener, error) {
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("local port %d is out of range (1–65535)", port)
	}
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("local port %d is already in use", port)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("local port %d needs privileges kdeck does not have", port)
	case err != nil:
		return nil, fmt.Errorf("cannot listen on 127.0.0.1:%d: %v", port, err)
	}
	return ln, nil
}
