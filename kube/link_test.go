package kube

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdeck/kdeck/hack/netfault"
)

// testLinkTimes are defaultLinkTimes scaled down about 10 times; a question still has
// 700 ms to be answered, so a busy CI machine running -race is not taken for a silent path.
var testLinkTimes = linkTimes{quiet: 200 * time.Millisecond, lost: 900 * time.Millisecond,
	retry: 50 * time.Millisecond, probeTimeout: 300 * time.Millisecond, tick: 20 * time.Millisecond}

// streamEvery is how often /stream sends a byte.
const streamEvery = 40 * time.Millisecond

// linkBed is an HTTP/2 TLS server behind a freezable proxy, with a client whose every
// connection is dialled through a Link, as Connect sets it up.
type linkBed struct {
	link   *Link
	client *http.Client
	proxy  *netfault.Proxy
	url    string
	livez  atomic.Int64 // questions the server answered
}

func newLinkBed(t *testing.T, livez http.HandlerFunc) *linkBed {
	t.Helper()
	b := &linkBed{}
	mux := http.NewServeMux()
	mux.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) {
		b.livez.Add(1)
		if livez != nil {
			livez(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) { // a watch: a byte every 40 ms
		for {
			if _, err := io.WriteString(w, "."); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(streamEvery):
			}
		}
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { // a quiet watch
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	proxy, err := netfault.Start(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	b.proxy = proxy
	b.url = "https://" + proxy.Addr()
	b.link = newLink(nil, testLinkTimes)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = b.link.Dial((&net.Dialer{}).DialContext)
	tr.TLSClientConfig = &tls.Config{RootCAs: tr.TLSClientConfig.RootCAs, ServerName: "example.com"}
	tr.ForceAttemptHTTP2 = true
	b.client = &http.Client{Transport: tr}
	t.Cleanup(tr.CloseIdleConnections)
	b.link.probe = func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.url+"/livez", nil)
		resp, err := b.client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	return b
}

// open starts a request to path and returns its body, to be read by the caller.
func (b *linkBed) open(t *testing.T, ctx context.Context, path string) io.ReadCloser {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.url+path, nil)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.ProtoMajor != 2 {
		t.Fatalf("GET %s went over %s, want HTTP/2 as client-go uses", path, resp.Proto)
	}
	return resp.Body
}

// waitLost waits until the link's Lost is want and returns how long that took.
func (b *linkBed) waitLost(t *testing.T, want bool, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		ls := b.link.State()
		if ls.Lost == want {
			return time.Since(start)
		}
		select {
		case <-ls.Changed:
		case <-time.After(within - time.Since(start)):
		}
	}
	t.Fatalf("link lost = %v after %v, want %v", b.link.State().Lost, within, want)
	return 0
}

func TestLinkHealthyIdleIsNeverLost(t *testing.T) {
	b := newLinkBed(t, nil)
	defer b.link.Hold()()
	body := b.open(t, t.Context(), "/hang") // a watch with nothing to say, as on a quiet cluster
	defer body.Close()
	watched := 5 * testLinkTimes.lost
	time.Sleep(watched)
	if b.link.State().Lost {
		t.Fatal("a healthy server with a quiet watch was taken for a lost path")
	}
	n := b.livez.Load()
	if n == 0 {
		t.Fatal("the server was never asked: the quiet watch would hide a dead path")
	}
	if max := int64(watched/testLinkTimes.quiet) + 1; n > max {
		t.Fatalf("asked %d times in %v, want at most one per quiet period (%d)", n, watched, max)
	}
}

func TestLinkBusyServerIsNotLost(t *testing.T) {
	// The server does not answer /livez at all, but a stream keeps sending: a slow WatchList
	// of 50k pods on a busy server. Bytes flowing are an answer; nothing is asked.
	b := newLinkBed(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	defer b.link.Hold()()
	body := b.open(t, t.Context(), "/stream")
	defer body.Close()
	first := make(chan struct{})
	go func() {
		if _, err := io.ReadFull(body, make([]byte, 1)); err == nil {
			close(first)
		}
		_, _ = io.Copy(io.Discard, body)
	}()
	// counted from the first byte: setting up the connection on a loaded machine may take
	// longer than a quiet period, and a probe then is right
	<-first
	before := b.livez.Load()
	time.Sleep(5 * testLinkTimes.lost)
	if b.link.State().Lost {
		t.Fatal("a busy server streaming a watch was taken for a lost path")
	}
	if n := b.livez.Load() - before; n != 0 {
		t.Fatalf("asked /livez %d times while bytes were flowing, want none", n)
	}
}

func TestLinkSilentPathIsLostAndFound(t *testing.T) {
	b := newLinkBed(t, nil)
	defer b.link.Hold()()
	body := b.open(t, t.Context(), "/stream")
	defer body.Close()
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, body); ended <- err }()
	time.Sleep(3 * testLinkTimes.tick)

	b.proxy.Freeze()
	lostIn := b.waitLost(t, true, 4*testLinkTimes.lost)
	if lostIn < testLinkTimes.lost-streamEvery-2*testLinkTimes.tick { // the last byte came before the freeze
		t.Fatalf("lost after %v of silence, want about %v", lostIn, testLinkTimes.lost)
	}
	select { // the frozen connection was closed: the watch on it ends instead of hanging
	case <-ended:
	case <-time.After(time.Second):
		t.Fatal("the watch on the silent connection still hangs after the path was lost")
	}
	if ls := b.link.State(); ls.Heard.IsZero() || time.Since(ls.Heard) < testLinkTimes.lost {
		t.Fatalf("last heard %v ago, want at least %v", time.Since(ls.Heard), testLinkTimes.lost)
	}

	time.Sleep(5 * testLinkTimes.probeTimeout) // questions asked while frozen stay unanswered
	if !b.link.State().Lost {
		t.Fatal("found again while the path was still silent")
	}
	b.proxy.Thaw()
	foundIn := b.waitLost(t, false, 3*time.Second) // one retry and one question; the e2e test holds the real budget
	t.Logf("lost %v after the freeze, found %v after the thaw", lostIn, foundIn)
	again := b.open(t, t.Context(), "/stream") // a new request goes over a new connection
	defer again.Close()
	if _, err := again.Read(make([]byte, 1)); err != nil {
		t.Fatalf("after the path returned: %v", err)
	}
}

func TestLinkNilIsNeverLost(t *testing.T) {
	var l *Link
	defer l.Hold()()
	if ls := l.State(); ls.Lost || ls.Changed != nil {
		t.Fatalf("nil link state %+v", ls)
	}
}
