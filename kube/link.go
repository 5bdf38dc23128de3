package kube

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/client-go/rest"
)

// Link watches whether the API server still answers on the network path kdeck uses: a
// dropped VPN or a dead NAT entry leaves connections open but silent, and neither the
// kernel (minutes) nor HTTP/2's own health check (45 s in client-go) notices in time.
//
// Every connection to the server is dialled through the Link, so it hears each byte the
// server sends for the price of a clock read. Only when nothing has been heard for
// linkTimes.quiet does it ask GET /livez (answered by every API server to every user, exempt
// from API Priority and Fairness, a two-byte answer: never a LIST). A busy server is
// never taken for a lost one: a long WatchList keeps bytes flowing. When nothing at all has
// been heard for linkTimes.lost the path is lost: the Link closes every connection, so each
// watch on it ends at once instead of hanging, and asks again every linkTimes.retry until
// the server answers; then stores resume from where they were.
//
// A Link checks only while something holds it (see Hold). A nil *Link is never lost.
type Link struct {
	probe func(ctx context.Context) error // asks the server something tiny; nil when it answered
	times linkTimes
	heard atomic.Int64 // UnixNano of the last byte read from the server, on any connection

	mu      sync.Mutex
	conns   map[*linkConn]struct{}
	lost    bool
	changed chan struct{} // closed when lost next changes, then replaced
	holds   int
	stop    context.CancelFunc
}

// linkTimes are a Link's thresholds; tests shorten them.
type linkTimes struct {
	quiet        time.Duration // silence after which the server is asked
	lost         time.Duration // silence after which the path is lost
	retry        time.Duration // while lost: how often the server is asked again
	probeTimeout time.Duration // while lost: how long one question may wait
	tick         time.Duration // how often the Link looks at the time
}

// LinkLostAfter is how long the API server may say nothing at all before kdeck calls the
// path lost, probes included.
const LinkLostAfter = 7 * time.Second

var defaultLinkTimes = linkTimes{quiet: 3 * time.Second, lost: LinkLostAfter,
	retry: 500 * time.Millisecond, probeTimeout: 2 * time.Second, tick: 250 * time.Millisecond}

// maxLostProbes bounds the questions in flight while the path is lost.
const maxLostProbes = 4

// ErrLinkLost is the error of every store whose link is lost; its kind is KindUnreachable.
var ErrLinkLost = errors.New("connection to the API server lost")

// LinkState is what is known of a link at one moment.
type LinkState struct {
	// Lost is set once nothing has been heard for LinkLostAfter; every connection was then
	// closed and the server is asked again until it answers.
	Lost bool
	// Heard is when the server last sent a byte (zero before the Link first checked).
	Heard time.Time
	// Changed is closed when Lost next changes; nil for a nil Link.
	Changed <-chan struct{}
}

// newLink returns a Link that asks the server with probe.
func newLink(probe func(ctx context.Context) error, times linkTimes) *Link {
	return &Link{probe: probe, times: times, conns: map[*linkConn]struct{}{}, changed: make(chan struct{})}
}

// livezProbe asks cfg's server for /livez through hc, bypassing client-go's rate limiter
// (a throttled question is not an unanswered one). Any HTTP answer counts: a 403 or a 404
// from an old server still proves the path carries bytes.
func livezProbe(cfg *rest.Config, hc *http.Client) (func(ctx context.Context) error, error) {
	base, _, err := rest.DefaultServerUrlFor(cfg)
	if err != nil {
		return nil, err
	}
	u := base.JoinPath("livez").String()
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return resp.Body.Close()
	}, nil
}

// State returns what is known of the link now.
func (l *Link) State() LinkState {
	if l == nil {
		return LinkState{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return LinkState{Lost: l.lost, Heard: l.heardAt(), Changed: l.changed}
}

// Hold keeps the Link checking until release is called; checks run while anything holds
// it. On a nil Link it does nothing.
func (l *Link) Hold() (release func()) {
	if l == nil {
		return func() {}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.holds++
	if l.holds == 1 {
		ctx, cancel := context.WithCancel(context.Background())
		l.stop = cancel
		go l.run(ctx)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.holds--
			if l.holds == 0 {
				l.stop()
			}
		})
	}
}

func (l *Link) heardAt() time.Time {
	if n := l.heard.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// hear records that the server sent something at t.
func (l *Link) hear(t time.Time) { l.heard.Store(t.UnixNano()) }

// run checks the link until ctx ends.
func (l *Link) run(ctx context.Context) {
	ticker := time.NewTicker(l.times.tick)
	defer ticker.Stop()
	start := time.Now()
	answers := make(chan bool, maxLostProbes+1)
	inFlight := 0
	var asked time.Time
	ask := func(timeout time.Duration) {
		inFlight++
		asked = time.Now()
		go func() {
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			answers <- l.probe(pctx) == nil
		}()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ok := <-answers:
			inFlight--
			if ok {
				l.hear(time.Now())
				l.setLost(false)
			}
			continue
		case <-ticker.C:
		}
		now := time.Now()
		since := l.heardAt()
		if since.Before(start) {
			since = start // silence before this Link was held is not counted
		}
		silent := now.Sub(since)
		if l.State().Lost {
			l.closeSilent(now.Add(-l.times.probeTimeout))
			if inFlight < maxLostProbes && now.Sub(asked) >= l.times.retry {
				ask(l.times.probeTimeout)
			}
			continue
		}
		switch {
		case silent >= l.times.lost:
			l.setLost(true)
			l.closeSilent(now)
		case silent >= l.times.quiet && inFlight == 0 && now.Sub(asked) >= l.times.retry:
			ask(l.times.lost - l.times.quiet)
		}
	}
}

// setLost records whether the path is lost and wakes everything waiting on a change.
func (l *Link) setLost(lost bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost == lost {
		return
	}
	l.lost = lost
	close(l.changed)
	l.changed = make(chan struct{})
}

// closeSilent closes every connection that has heard nothing since before: its requests
// fail at once (a watch ends, a dial stuck in its TLS handshake gives up) and the next
// request dials anew.
func (l *Link) closeSilent(before time.Time) {
	l.mu.Lock()
	var dead []*linkConn
	for c := range l.conns {
		if c.lastSign.Load() < before.UnixNano() {
			dead = append(dead, c)
		}
	}
	l.mu.Unlock()
	for _, c := range dead {
		_ = c.Close()
	}
}

// Dial wraps dial so that every connection it makes reports to the Link.
func (l *Link) Dial(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c := &linkConn{Conn: conn, link: l}
		c.lastSign.Store(time.Now().UnixNano())
		l.mu.Lock()
		l.conns[c] = struct{}{}
		l.mu.Unlock()
		return c, nil
	}
}

// linkConn is a connection to the server that tells its Link when bytes arrive.
type linkConn struct {
	net.Conn
	link     *Link
	lastSign atomic.Int64 // UnixNano of the dial or of the last byte read
}

// Read implements net.Conn.
func (c *linkConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		now := time.Now().UnixNano()
		c.lastSign.Store(now)
		c.link.heard.Store(now)
	}
	return n, err
}

// Close implements net.Conn.
func (c *linkConn) Close() error {
	c.link.mu.Lock()
	delete(c.link.conns, c)
	c.link.mu.Unlock()
	return c.Conn.Close()
}
