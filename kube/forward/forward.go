// Package forward runs port-forwards to pods and to services (each new connection goes to
// a ready pod behind the service), keeps them across views and saves them per context.
package forward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdeck/kdeck/kube"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
)

// podDialer opens a port-forward connection (SPDY, or SPDY over websocket) to one pod;
// it gives up when ctx ends.
type podDialer func(ctx context.Context, pod string) (httpstream.Connection, error)

// router picks, for each new local connection, the pod to reach and its port.
type router interface {
	// pick returns a pod and port for a new connection, skipping the pods in avoid.
	pick(avoid map[string]bool) (pod string, port int, err error)
	// close stops whatever the router watches.
	close()
}

// connectAttempts is how many pods one local connection tries before it gives up.
const connectAttempts = 3

// Forward is one running port-forward: it listens on 127.0.0.1 and, for each accepted
// connection, asks its router for a pod, opens a stream to it over a connection shared
// per pod, and copies bytes both ways, counting them.
type Forward struct {
	spec    Spec
	context string
	started time.Time

	ln      net.Listener
	route   router
	dial    podDialer
	changed func() // called on every change of state or pod in use

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the accept loop, connection handlers, connection watchers
	dialMu sync.Mutex     // one dial at a time, so two connections share one pod connection

	in, out atomic.Int64

	mu      sync.Mutex
	state   State
	lastErr string
	pod     string
	open    int
	total   int
	reqID   int
	conns   map[string]httpstream.Connection // per pod
	busy    map[string]int                   // relays running per pod
	locals  map[net.Conn]struct{}
}

// newForward starts serving ln for spec through route and dial; Stop ends it.
func newForward(spec Spec, kctx string, ln net.Listener, route router, dial podDialer, changed func()) *Forward {
	ctx, cancel := context.WithCancel(context.Background())
	f := &Forward{spec: spec, context: kctx, started: time.Now(), ln: ln, route: route, dial: dial,
		changed: changed, ctx: ctx, cancel: cancel, state: Active,
		conns: map[string]httpstream.Connection{}, busy: map[string]int{}, locals: map[net.Conn]struct{}{}}
	if pod, _, err := route.pick(nil); err == nil {
		f.pod = pod
	} else {
		f.state, f.lastErr = Reconnecting, err.Error()
	}
	f.wg.Add(1)
	go f.serve()
	return f
}

// Spec is what the forward was started with.
func (f *Forward) Spec() Spec { return f.spec }

// Status returns the forward's state and counters now.
func (f *Forward) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Status{Spec: f.spec, Context: f.context, Started: f.started, State: f.state, Err: f.lastErr,
		Pod: f.pod, Open: f.open, Total: f.total, In: f.in.Load(), Out: f.out.Load()}
}

// Stop closes the listener, every local connection and every pod connection, stops the
// router's watch, and returns when every goroutine of the forward has ended.
func (f *Forward) Stop() {
	f.cancel()
	_ = f.ln.Close()
	f.mu.Lock()
	for c := range f.locals {
		_ = c.Close()
	}
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.route.close()
	f.wg.Wait()
}

func (f *Forward) serve() {
	defer f.wg.Done()
	for {
		conn, err := f.ln.Accept()
		if err != nil {
			if f.ctx.Err() == nil {
				f.set(Failed, "", fmt.Errorf("listener stopped: %v", err))
			}
			return
		}
		f.mu.Lock()
		f.open++
		f.total++
		f.locals[conn] = struct{}{}
		f.mu.Unlock()
		f.wg.Add(1)
		go f.handle(conn)
	}
}

// handle forwards one local connection, trying another pod when one cannot be reached
// before any byte was sent.
func (f *Forward) handle(local net.Conn) {
	defer f.wg.Done()
	defer func() {
		_ = local.Close()
		f.mu.Lock()
		f.open--
		delete(f.locals, local)
		f.mu.Unlock()
		f.changed()
	}()
	f.changed()
	avoid := map[string]bool{}
	for range connectAttempts {
		pod, port, err := f.route.pick(avoid)
		if err != nil {
			if len(avoid) == 0 { // otherwise the last pod's error says more
				f.set(Reconnecting, "", err)
			}
			return
		}
		conn, err := f.podConn(pod)
		if err == nil {
			var sent bool
			sent, err = f.relay(local, conn, pod, port)
			if sent || err == nil {
				if err != nil {
					f.set("", "", err)
				}
				return
			}
			f.dropConn(pod, conn)
		}
		if f.ctx.Err() != nil {
			return
		}
		state := Reconnecting
		if _, ok := f.route.(podRoute); ok && kube.KindOf(err) == kube.KindNotFound {
			state = Failed // the pod is gone: nothing will bring it back
		}
		f.set(state, "", fmt.Errorf("pod %s: %v", pod, err))
		avoid[pod] = true
	}
}

// set records a state (kept when ""), the pod in use (kept when "") and an error (kept
// when nil), and reports the change.
func (f *Forward) set(state State, pod string, err error) {
	f.mu.Lock()
	if state != "" {
		f.state = state
	}
	if pod != "" {
		f.pod = pod
	}
	if err != nil {
		f.lastErr = err.Error()
	}
	f.mu.Unlock()
	f.changed()
}

// podConn returns the open connection to pod, dialling one when there is none.
func (f *Forward) podConn(pod string) (httpstream.Connection, error) {
	f.dialMu.Lock()
	defer f.dialMu.Unlock()
	f.mu.Lock()
	c := f.conns[pod]
	f.mu.Unlock()
	if c != nil {
		select {
		case <-c.CloseChan():
			f.dropConn(pod, c)
		default:
			return c, nil
		}
	}
	c, err := f.dialNow(pod)
	if err != nil {
		return nil, kube.Classify(err, "create", "pods/portforward", f.spec.Namespace)
	}
	f.mu.Lock()
	if f.ctx.Err() != nil { // stopped just as the dial ended
		f.mu.Unlock()
		_ = c.Close()
		return nil, errStopped
	}
	f.conns[pod] = c
	f.mu.Unlock()
	f.wg.Add(1)
	go func() { // forget the connection once it closes
		defer f.wg.Done()
		select {
		case <-c.CloseChan():
			f.dropConn(pod, c)
		case <-f.ctx.Done():
		}
	}()
	return c, nil
}

// errStopped is what a dial under way returns once the forward stops.
var errStopped = errors.New("forward stopped")

// dialNow dials pod, returning as soon as the forward stops: Stop does not wait on a dial
// that hangs. Such a dial goes on alone until its timeout and closes what it opened.
func (f *Forward) dialNow(pod string) (httpstream.Connection, error) {
	type result struct {
		c   httpstream.Connection
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := f.dial(f.ctx, pod)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-f.ctx.Done():
		go func() {
			if r := <-done; r.c != nil {
				_ = r.c.Close()
			}
		}()
		return nil, errStopped
	}
}

// dropConn closes c and forgets it if it is still pod's connection.
func (f *Forward) dropConn(pod string, c httpstream.Connection) {
	f.mu.Lock()
	if f.conns[pod] == c {
		delete(f.conns, pod)
	}
	f.mu.Unlock()
	_ = c.Close()
}

// endpointsChanged follows a service's ready pods: idle connections to pods that are no
// longer ready are closed (busy ones end with their pod), and the pod in use moves to a
// ready one, so the forwards view shows where the next connection goes.
func (f *Forward) endpointsChanged(ready map[string]bool) {
	if f.ctx.Err() != nil {
		return
	}
	f.mu.Lock()
	var stale []httpstream.Connection
	for pod, c := range f.conns {
		if !ready[pod] && f.busy[pod] == 0 {
			stale = append(stale, c)
			delete(f.conns, pod)
		}
	}
	cur, state := f.pod, f.state
	f.mu.Unlock()
	for _, c := range stale {
		_ = c.Close()
	}
	if ready[cur] && state == Active {
		return
	}
	pod, _, err := f.route.pick(nil)
	if err != nil {
		f.set(Reconnecting, "", err)
		return
	}
	f.set(Active, pod, nil)
}

// relay copies between local and a new stream pair to port on pod's connection. sent
// reports whether the streams were opened (past that point a failure is not retried).
func (f *Forward) relay(local net.Conn, conn httpstream.Connection, pod string, port int) (sent bool, err error) {
	f.mu.Lock()
	f.reqID++
	id := f.reqID
	f.busy[pod]++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.busy[pod]--
		f.mu.Unlock()
	}()
	h := http.Header{}
	h.Set(corev1.StreamType, corev1.StreamTypeError)
	h.Set(corev1.PortHeader, strconv.Itoa(port))
	h.Set(corev1.PortForwardRequestIDHeader, strconv.Itoa(id))
	errStream, err := conn.CreateStream(h)
	if err != nil {
		return false, err
	}
	_ = errStream.Close() // nothing is written to it
	defer conn.RemoveStreams(errStream)
	errc := make(chan string, 1)
	go func() {
		msg, err := io.ReadAll(errStream)
		switch {
		case err != nil:
			errc <- err.Error()
		default:
			errc <- string(msg)
		}
	}()
	h.Set(corev1.StreamType, corev1.StreamTypeData)
	data, err := conn.CreateStream(h)
	if err != nil {
		_ = errStream.Reset()
		<-errc
		return false, err
	}
	defer conn.RemoveStreams(data)
	f.set(Active, pod, nil)

	remoteDone, localDone := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = io.Copy(counter{local, &f.in}, data)
		close(remoteDone)
	}()
	go func() {
		_, _ = io.Copy(counter{data, &f.out}, local)
		_ = data.Close() // no more to send: half-close
		close(localDone)
	}()
	select {
	case <-remoteDone:
	case <-localDone:
		<-remoteDone // the answer may still be coming
	}
	_ = data.Reset()
	_ = local.Close()
	<-localDone
	var msg string
	select {
	case msg = <-errc:
	case <-f.ctx.Done():
		_ = errStream.Reset()
		msg = <-errc
	}
	if msg != "" {
		return true, errors.New(msg)
	}
	return true, nil
}

// counter is a writer that adds what it writes to n.
type counter struct {
	w io.Writer
	n *atomic.Int64
}

func (c counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
