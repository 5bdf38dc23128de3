// Command secretbench measures what the secrets list costs: it fills a testbed cluster with
// secrets holding realistic data (-keys keys of -size random bytes each, and -tls TLS
// secrets among them), then for each kdeck binary given runs `kdeck -A -c secrets` in tmux
// behind a proxy that counts the bytes the API server sends about secrets, and reports the
// time until the whole list is live on screen, those bytes, and kdeck's peak RSS. It also
// times the single requests each way of listing makes, without kdeck.
//
//	go run ./hack/secretbench -kubeconfig KUBECONFIG [-secrets 10000] OLD-KDECK NEW-KDECK
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

type options struct {
	kubeconfig             string
	secrets, tls, nss      int
	keys, size, runs       int
	timeout                time.Duration
	binaries               []string
	cfg                    *rest.Config
	cs                     kubernetes.Interface
	certPEM, keyPEM        []byte
	skipSeed, skipRequests bool
}

func main() {
	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "the testbed cluster's kubeconfig")
	flag.IntVar(&o.secrets, "secrets", 10000, "secrets in all (TLS ones included)")
	flag.IntVar(&o.tls, "tls", 200, "TLS secrets among them")
	flag.IntVar(&o.nss, "namespaces", 20, "namespaces they are spread over")
	flag.IntVar(&o.keys, "keys", 10, "keys of a generic secret")
	flag.IntVar(&o.size, "size", 1024, "bytes of each value (random)")
	flag.IntVar(&o.runs, "runs", 3, "timed runs of each binary")
	flag.DurationVar(&o.timeout, "timeout", 3*time.Minute, "longest wait for a full list")
	flag.BoolVar(&o.skipSeed, "no-seed", false, "use the secrets already there")
	flag.BoolVar(&o.skipRequests, "no-requests", false, "skip timing the single requests")
	flag.Parse()
	o.binaries = flag.Args()
	if err := run(&o); err != nil {
		fmt.Fprintln(os.Stderr, "secretbench:", err)
		os.Exit(1)
	}
}

func run(o *options) error {
	var err error
	if o.cfg, err = clientcmd.BuildConfigFromFlags("", o.kubeconfig); err != nil {
		return err
	}
	o.cfg.QPS, o.cfg.Burst = -1, 0
	o.cfg.ContentType = "application/vnd.kubernetes.protobuf"
	if o.cs, err = kubernetes.NewForConfig(o.cfg); err != nil {
		return err
	}
	if !o.skipSeed {
		if err := seed(o); err != nil {
			return err
		}
	}
	if !o.skipRequests {
		if err := timeRequests(o); err != nil {
			return err
		}
	}
	for _, bin := range o.binaries {
		for i := range o.runs {
			r, err := measure(o, bin)
			if err != nil {
				return fmt.Errorf("%s run %d: %w", bin, i+1, err)
			}
			fmt.Printf("%-22s run %d: full list live in %5.2fs, %9.1f kB from the API server about secrets in %d requests, peak RSS %4d MiB\n",
				filepath.Base(bin), i+1, r.live.Seconds(), float64(r.bytes)/1e3, r.requests, r.hwmKiB/1024)
		}
	}
	return nil
}

// seed creates the secrets that are missing: generic ones with o.keys random values, and
// every (secrets/tls)th one a TLS secret with a real certificate and key.
func seed(o *options) error {
	if err := makePair(o); err != nil {
		return err
	}
	for n := range o.nss {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("secretbench-%02d", n)}}
		if _, err := o.cs.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	start := time.Now()
	var next, created atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < o.secrets; i = int(next.Add(1)) - 1 {
				s := secret(o, i)
				_, err := o.cs.CoreV1().Secrets(s.Namespace).Create(context.Background(), s, metav1.CreateOptions{})
				if err != nil && !apierrors.IsAlreadyExists(err) {
					errs <- err
					return
				}
				if err == nil {
					created.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("seeded: %d secrets created (%d wanted) in %s\n", created.Load(), o.secrets, time.Since(start).Round(time.Second))
	return nil
}

// secret is the i-th secret of the benchmark.
func secret(o *options, i int) *corev1.Secret {
	meta := metav1.ObjectMeta{Namespace: fmt.Sprintf("secretbench-%02d", i%o.nss), Name: fmt.Sprintf("app-%05d", i)}
	if o.tls > 0 && i%(o.secrets/o.tls) == 0 {
		meta.Name = fmt.Sprintf("tls-%05d", i)
		return &corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeTLS,
			Data: map[string][]byte{corev1.TLSCertKey: o.certPEM, corev1.TLSPrivateKeyKey: o.keyPEM}}
	}
	s := &corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{}}
	for k := range o.keys {
		v := make([]byte, o.size)
		_, _ = rand.Read(v)
		s.Data[fmt.Sprintf("key-%02d", k)] = v
	}
	return s
}

// makePair makes the self-signed certificate and key every TLS secret holds.
func makePair(o *options) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	o.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	o.keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return nil
}

// timeRequests times one unpaged LIST of every secret in each form a list can take, with
// the bytes on the wire (gzip, as asked) and decoded.
func timeRequests(o *options) error {
	rt, err := rest.TransportFor(o.cfg)
	if err != nil {
		return err
	}
	for _, q := range []struct{ what, query, accept string }{
		{"whole secrets, protobuf (old list)", "", "application/vnd.kubernetes.protobuf"},
		{"whole secrets, JSON", "", "application/json"},
		{"Table, includeObject=Metadata (new rows)", "includeObject=Metadata", "application/json;as=Table;v=v1;g=meta.k8s.io"},
		{"TLS secrets only, protobuf (new certs)", "fieldSelector=type%3Dkubernetes.io%2Ftls", "application/vnd.kubernetes.protobuf"},
	} {
		req, err := http.NewRequest(http.MethodGet, o.cfg.Host+"/api/v1/secrets?"+q.query, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", q.accept)
		req.Header.Set("Accept-Encoding", "gzip")
		start := time.Now()
		resp, err := rt.RoundTrip(req)
		if err != nil {
			return err
		}
		wire, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", q.what, resp.Status)
		}
		decoded := len(wire)
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(wire))
			if err != nil {
				return err
			}
			n, err := io.Copy(io.Discard, zr)
			if err != nil {
				return err
			}
			decoded = int(n)
		}
		fmt.Printf("LIST %-42s %6.2fs  %9.1f kB on the wire (%s), %9.1f kB decoded\n",
			q.what, took.Seconds(), float64(len(wire))/1e3, or(resp.Header.Get("Content-Encoding"), "identity"), float64(decoded)/1e3)
	}
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// runs numbers the runs, for their tmux sockets.
var runs atomic.Int32

type result struct {
	live     time.Duration
	bytes    int64
	requests int
	hwmKiB   int64
}

// measure runs bin once behind a counting proxy until its whole list is live.
func measure(o *options, bin string) (*result, error) {
	r := &result{}
	var count atomic.Int64
	var requests atomic.Int32
	upstream, err := url.Parse(o.cfg.Host)
	if err != nil {
		return nil, err
	}
	rt, err := rest.TransportFor(o.cfg)
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(upstream)
	rp.Transport = rt
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.Contains(req.URL.Path, "/secrets") {
			requests.Add(1)
			w = countingWriter{w, &count} // bytes as sent: gzip when kdeck asked for it
		}
		rp.ServeHTTP(w, req)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	dir, err := os.MkdirTemp("", "secretbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	kc := clientcmdapi.NewConfig()
	kc.Clusters["b"] = &clientcmdapi.Cluster{Server: "http://" + ln.Addr().String()}
	kc.AuthInfos["b"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["b"] = &clientcmdapi.Context{Cluster: "b", AuthInfo: "b"}
	kc.CurrentContext = "b"
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		return nil, err
	}

	// a server of its own for each run: one started as the last one exits fails
	socket, session := fmt.Sprintf("secretbench-%d-%d", os.Getpid(), runs.Add(1)), "kdeck"
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		return string(out), err
	}
	defer tmux("kill-server")
	cmd := fmt.Sprintf("exec env TERM=xterm-256color XDG_CONFIG_HOME=%s XDG_STATE_HOME=%s %s --kubeconfig %s -A -c secrets",
		dir, dir, bin, kubeconfig)
	start := time.Now()
	if out, err := tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", cmd); err != nil {
		return nil, fmt.Errorf("tmux: %v: %s", err, out)
	}
	out, err := tmux("display-message", "-p", "-t", session, "#{pane_pid}")
	if err != nil {
		return nil, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		return nil, err
	}
	want := "live · " + thousands(o.secrets) + " secrets" // the status line's count
	for {
		screen, err := tmux("capture-pane", "-p", "-t", session)
		if err != nil {
			return nil, err
		}
		if strings.Contains(screen, want) {
			r.live = time.Since(start)
			break
		}
		if time.Since(start) > o.timeout {
			return nil, fmt.Errorf("no %q after %s:\n%s", want, o.timeout, screen)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.bytes, r.requests = count.Load(), int(requests.Load())
	time.Sleep(2 * time.Second) // the last snapshot drawn, the garbage of the load collected
	r.hwmKiB, err = hwm(pid)
	return r, err
}

// thousands prints n with commas, as the status line does: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// countingWriter counts the bytes of a response body; Unwrap lets the proxy flush watch
// events through it.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(b []byte) (int, error) {
	w.n.Add(int64(len(b)))
	return w.ResponseWriter.Write(b)
}

func (w countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// hwm is the peak resident set (VmHWM) of process pid, in KiB.
func hwm(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM for %d", pid)
}
