package forward

import (
	"context"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// hungServer accepts TCP connections and never answers, as an overloaded API server or
// a broken proxy would. It returns a client whose config points at it.
func hungServer(t *testing.T) *kube.Client {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range held {
			_ = c.Close()
		}
		mu.Unlock()
	})
	cfg := &rest.Config{Host: "https://" + ln.Addr().String(), TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &kube.Client{Clientset: cs, Config: cfg}
}

// A dial to a server that accepts and never answers fails after the dial timeout with an
// error that says so.
func TestDialTimesOutOnHungServer(t *testing.T) {
	c := hungServer(t)
	dial := podDialerFor(c, "shop", 300*time.Millisecond)
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		conn, err := dial(context.Background(), "web-1")
		if conn != nil {
			_ = conn.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("dial took %v", took)
		}
		if err == nil || !strings.Contains(err.Error(), "no answer to the port-forward of pod web-1 within 300ms") ||
			kube.KindOf(err) != kube.KindUnreachable {
			t.Errorf("dial error %v, want unreachable, no answer within 300ms", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("dial to a hung server still blocked after 5 s")
	}
}

// Stopping every forward (kdeck quitting) while a connection waits on a hung dial returns
// at once, long before the dial timeout, and the dial ends with it.
func TestStopAllDoesNotWaitOnHungDial(t *testing.T) {
	c := hungServer(t)
	baseline := runtime.NumGoroutine()
	m := NewManager(nil)
	port := freePort(t)
	spec := Spec{Namespace: "shop", Kind: KindPod, Name: "web-1", Local: port, Remote: 80}
	f, err := m.start(context.Background(), "ctx", spec,
		func(context.Context) (router, error) { return podRoute{name: "web-1", port: 80}, nil },
		podDialerFor(c, "shop", time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	local, err := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	eventually(t, "connection open", func() bool { return f.Status().Open == 1 })
	time.Sleep(100 * time.Millisecond) // the dial is under way
	start := time.Now()
	stopped := make(chan struct{})
	go func() {
		m.StopAll()
		close(stopped)
	}()
	select {
	case <-stopped:
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("StopAll took %v", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("StopAll still waiting on a hung dial after 5 s")
	}
	local.Close()
	noLeaks(t, baseline) // the dial ended with the forward
}
