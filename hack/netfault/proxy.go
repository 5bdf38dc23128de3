// Package netfault is a TCP proxy for tests that goes silent the way a dropped VPN or a
// dead NAT entry does: connections stay open, no RST and no FIN, and no byte moves.
package netfault

import (
	"errors"
	"io"
	"net"
	"sync"
)

// Proxy forwards every connection it accepts to one target until it is frozen.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	frozen bool
	pairs  map[*pair]struct{}
	closed bool
}

// pair is one client connection and, unless it was accepted while frozen, its upstream.
type pair struct {
	client, upstream net.Conn
	mu               sync.Mutex
	dead             bool // frozen: bytes are read and dropped in both directions, for good
}

// Start listens on a free loopback port and forwards to target (host:port).
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, pairs: map[*pair]struct{}{}}
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Freeze makes every open connection silent for good (its NAT entry is gone) and holds
// new connections silent until Thaw.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
	for pr := range p.pairs {
		pr.kill()
	}
}

// Thaw forwards new connections again; those frozen stay silent until their client
// closes them, as through a NAT that lost its entry.
func (p *Proxy) Thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = false
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	pairs := p.pairs
	p.pairs = map[*pair]struct{}{}
	p.mu.Unlock()
	_ = p.ln.Close()
	for pr := range pairs {
		pr.close()
	}
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *Proxy) serve(c net.Conn) {
	pr := &pair{client: c}
	p.mu.Lock()
	frozen, closed := p.frozen, p.closed
	if !closed {
		p.pairs[pr] = struct{}{}
	}
	p.mu.Unlock()
	if closed {
		_ = c.Close()
		return
	}
	defer func() {
		p.mu.Lock()
		delete(p.pairs, pr)
		p.mu.Unlock()
		pr.close()
	}()
	if frozen {
		pr.kill()
		_, _ = io.Copy(io.Discard, c) // swallow whatever the client sends until it gives up
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	pr.mu.Lock()
	pr.upstream = up
	pr.mu.Unlock()
	go func() {
		pr.pipe(c, up)
		if !pr.isDead() {
			_ = c.Close() // the server hung up: so does the client's side, unless frozen
		}
	}()
	pr.pipe(up, c) // returns when the client closes (or the pair is closed)
}

// pipe copies src to dst until src fails, dropping bytes once the pair is dead.
func (pr *pair) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !pr.isDead() {
			if _, werr := dst.Write(buf[:n]); werr != nil && !errors.Is(werr, net.ErrClosed) {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (pr *pair) kill() {
	pr.mu.Lock()
	pr.dead = true
	pr.mu.Unlock()
}

func (pr *pair) isDead() bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.dead
}

func (pr *pair) close() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	_ = pr.client.Close()
	if pr.upstream != nil {
		_ = pr.upstream.Close()
	}
}
