//go:build e2e

package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// createSecret makes secret ns/name holding data.
func createSecret(t *testing.T, ns, name string, data map[string]string) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}
	if _, err := testbed.clientset.CoreV1().Secrets(ns).Create(ctx(t), s, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create secret: %v", err)
	}
}

// secretValue reads one key of secret ns/name from the cluster.
func secretValue(t *testing.T, ns, name, key string) (string, bool) {
	t.Helper()
	s, err := testbed.clientset.CoreV1().Secrets(ns).Get(ctx(t), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", false
	}
	if err != nil {
		t.Fatalf("get secret: %v", err)
	}
	v, ok := s.Data[key]
	return string(v), ok
}

// afterTyping bounds the wait for what typing leads to: the -race build of kdeck on this
// shared 2-core machine can take 50 ms or more per keystroke under load.
const afterTyping = 20 * time.Second

// openDBCreds waits for secret db-creds (keys password and user) in term's list and opens
// its page.
func openDBCreds(t *testing.T, ns string, term *Term) *Term {
	t.Helper()
	term.WaitText("db-creds", 10*time.Second)
	term.Send("Enter")
	term.WaitText("secret("+ns+"/db-creds)[2]", 5*time.Second)
	term.WaitText("password", 5*time.Second)
	return term
}

// typeText sends text as typed characters, then the keys after it.
func typeText(term *Term, text string, keys ...string) {
	term.Send(append([]string{text}, keys...)...)
}

// assertNotShown fails when the screen shows any of values, plain or base64.
func assertNotShown(t *testing.T, screen string, values ...string) {
	t.Helper()
	for _, v := range values {
		if strings.Contains(screen, v) || strings.Contains(screen, base64.StdEncoding.EncodeToString([]byte(v))) {
			t.Fatalf("the screen shows the secret value %q:\n%s", v, screen)
		}
	}
}

// auditLog returns kdeck's audit log, failing unless it holds every one of want and none
// of the values.
func auditLog(t *testing.T, term *Term, want []string, values ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(term.Home, "kdeck", "audit.log"))
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	log := string(b)
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Errorf("the audit log lacks %q:\n%s", w, log)
		}
	}
	for _, v := range values {
		if strings.Contains(log, v) || strings.Contains(log, base64.StdEncoding.EncodeToString([]byte(v))) {
			t.Errorf("the audit log holds the secret value %q:\n%s", v, log)
		}
	}
	return log
}

// x on a key of a secret's page reveals its decoded value, and only then; leaving the
// page forgets it.
func TestSecretReveal(t *testing.T) {
	const plain = "e2e-reveal-pw-8c1f"
	ns := newNamespace(t)
	createSecret(t, ns, "db-creds", map[string]string{"password": plain, "user": "admin"})
	term := openDBCreds(t, ns, StartKdeck(t, 120, 20, "-n", ns, "-c", "secrets"))
	assertNotShown(t, term.Screen(), plain, "admin")

	term.Send("x")
	d := term.WaitText(plain, 5*time.Second)
	t.Logf("value on screen %v after x", d)
	if strings.Contains(term.Screen(), "admin") {
		t.Errorf("x revealed another key too:\n%s", term.Screen())
	}
	term.Send("x")
	term.WaitGone(plain, 2*time.Second)
	term.Send("x")
	term.WaitText(plain, 5*time.Second)

	term.Send("q")
	term.WaitText("secrets("+ns+")[1]", 3*time.Second)
	term.Send("Enter")
	term.WaitText("secret("+ns+"/db-creds)[2]", 5*time.Second)
	term.WaitText("password", 5*time.Second)
	assertNotShown(t, term.Screen(), plain)
}

// Under a never-reveal policy, x and c are refused and no value reaches the screen.
func TestSecretNeverRevealPolicy(t *testing.T) {
	const plain = "e2e-never-pw-41aa"
	ns := newNamespace(t)
	createSecret(t, ns, "db-creds", map[string]string{"password": plain})
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "kdeck"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "kdeck", "config.yaml"), []byte("neverReveal: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	term := StartKdeckHome(t, home, 120, 20, "-n", ns, "-c", "secrets")
	term.WaitText("db-creds", 10*time.Second)
	term.Send("Enter")
	term.WaitText("secret("+ns+"/db-creds)[1]", 5*time.Second)
	for _, k := range []string{"x", "c"} {
		term.Send(k)
		term.WaitText("secret values are never revealed on this context", 3*time.Second)
		time.Sleep(500 * time.Millisecond) // a value, had it been fetched, would be here by now
		assertNotShown(t, term.Screen(), plain)
	}
}

// n creates a generic secret from a literal, a file and a value typed hidden; the
// cluster holds exactly those values, the screen never showed the hidden one, and the
// audit log records the create without any value.
func TestSecretCreateGeneric(t *testing.T) {
	const hidden, fromFile = "e2e-hidden-pw-77d2", "e2e-file-token-5b9e\n"
	ns := newNamespace(t)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(fromFile), 0o600); err != nil {
		t.Fatal(err)
	}
	term := StartKdeck(t, 120, 30, "-n", ns, "-c", "secrets")
	term.WaitText("secrets("+ns+")[0]", 10*time.Second)
	term.Send("n")
	term.WaitText("New generic secret in namespace "+ns, 5*time.Second)
	typeText(term, "Bad_Name")
	term.WaitText("name must be lowercase", afterTyping)
	term.Send("C-u")
	typeText(term, "api-keys", "Enter")
	term.WaitText("No keys yet", afterTyping)
	typeText(term, "bad key=x")
	term.WaitText(`key "bad key": only letters`, afterTyping)
	term.Send("C-u")
	typeText(term, "user=admin", "Enter")
	term.WaitText("Keys so far", afterTyping)
	typeText(term, "token=@"+file, "Enter")
	term.WaitText("token  ••••••••  (20 bytes)", afterTyping)
	typeText(term, "password", "Enter")
	term.WaitText("Value of password in new secret "+ns+"/api-keys", afterTyping)
	typeText(term, hidden)
	term.WaitText("••••••••••••••••••", afterTyping)
	assertNotShown(t, term.Screen(), hidden)
	term.Send("Enter")
	term.WaitText("password  ••••••••  (18 bytes)", 3*time.Second)
	term.Send("Enter")
	term.WaitText("✓ create secrets "+ns+"/api-keys", 5*time.Second)
	term.WaitText("secrets("+ns+")[1]", 5*time.Second)
	assertNotShown(t, term.Screen(), hidden, fromFile)

	for k, want := range map[string]string{"user": "admin", "token": fromFile, "password": hidden} {
		if got, _ := secretValue(t, ns, "api-keys", k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	auditLog(t, term, []string{`"verb":"create"`, `"name":"api-keys"`, "create secret " + ns + "/api-keys (3 keys)", `"result":"ok"`},
		hidden, strings.TrimSpace(fromFile))
}

// writePair writes a self-signed certificate for cn valid for validFor, and its key, as PEM
// files in dir; it returns their paths.
func writePair(t *testing.T, dir, cn string, validFor time.Duration) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		DNSNames: []string{cn, "www." + cn}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(validFor)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, cn+".crt"), filepath.Join(dir, cn+".key")
	for path, block := range map[string]*pem.Block{certPath: {Type: "CERTIFICATE", Bytes: der}, keyPath: {Type: "PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certPath, keyPath
}

// createTLSSecret creates kubernetes.io/tls secret ns/name holding a self-signed
// certificate for cn valid for validFor, and its key; it returns the certificate's PEM.
func createTLSSecret(t *testing.T, ns, name, cn string, validFor time.Duration) (cert []byte) {
	t.Helper()
	certPath, keyPath := writePair(t, t.TempDir(), cn, validFor)
	cert, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	tls := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: cert, corev1.TLSPrivateKeyKey: key}}
	if _, err := testbed.clientset.CoreV1().Secrets(ns).Create(ctx(t), tls, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return cert
}

// t creates a TLS secret from a certificate and key file: a key of another certificate
// is refused inline and nothing is created; the matching key creates it, the list shows
// its expiry and its page the certificate, without the key.
func TestSecretCreateTLS(t *testing.T) {
	ns := newNamespace(t)
	dir := t.TempDir()
	certPath, keyPath := writePair(t, dir, "shop.example.com", 20*24*time.Hour+time.Hour)
	_, otherKey := writePair(t, dir, "other.example.com", time.Hour)
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	keyLine := strings.Split(string(keyPEM), "\n")[1] // a line of the key's base64

	term := StartKdeck(t, 140, 30, "-n", ns, "-c", "secrets")
	term.WaitText("secrets("+ns+")[0]", 10*time.Second)
	term.Send("t")
	term.WaitText("New TLS secret in namespace "+ns, 5*time.Second)
	typeText(term, "shop-tls", "Enter")
	term.WaitText("Certificate file", afterTyping)
	typeText(term, certPath, "Enter")
	term.WaitText("Private key file", afterTyping)
	typeText(term, otherKey)
	term.WaitText("not a matching certificate and key", afterTyping)
	term.Send("Enter")
	time.Sleep(500 * time.Millisecond)
	term.WaitText("not a matching certificate and key", time.Second)
	if _, ok := secretValue(t, ns, "shop-tls", "tls.crt"); ok {
		t.Fatal("a secret was created from a mismatched pair")
	}
	term.Send("C-u")
	typeText(term, keyPath, "Enter")
	term.WaitText("✓ create secrets "+ns+"/shop-tls", afterTyping)
	term.WaitText("20d", 5*time.Second) // the EXPIRES column

	s, err := testbed.clientset.CoreV1().Secrets(ns).Get(ctx(t), "shop-tls", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != corev1.SecretTypeTLS || string(s.Data["tls.key"]) != string(keyPEM) || len(s.Data["tls.crt"]) == 0 {
		t.Errorf("created %s with keys %d", s.Type, len(s.Data))
	}
	term.Send("Enter")
	term.WaitText("secret("+ns+"/shop-tls)[2]", 5*time.Second)
	term.WaitText("CN=shop.example.com", 5*time.Second)
	term.WaitText("shop.example.com, www.shop.example.com", time.Second)
	term.WaitText("20 days left", time.Second)
	if strings.Contains(term.Screen(), keyLine) {
		t.Errorf("the page shows the private key:\n%s", term.Screen())
	}
	auditLog(t, term, []string{"create tls secret " + ns + "/shop-tls (2 keys)"}, keyLine)
}

// e on a key sets its value in the cluster; the value is hidden as typed and is not in
// the audit log.
func TestSecretEditKey(t *testing.T) {
	const old, updated = "e2e-old-pw-19c3", "e2e-new-pw-a04e"
	ns := newNamespace(t)
	createSecret(t, ns, "db-creds", map[string]string{"password": old, "user": "admin"})
	term := openDBCreds(t, ns, StartKdeck(t, 120, 24, "-n", ns, "-c", "secrets"))
	term.Send("e")
	term.WaitText("Set key password of secret "+ns+"/db-creds", 5*time.Second)
	typeText(term, updated)
	term.WaitText("•••••••••••••••", afterTyping)
	assertNotShown(t, term.Screen(), updated)
	term.Send("Enter")
	term.WaitText("✓ update secrets "+ns+"/db-creds: set key password", 5*time.Second)
	if got, _ := secretValue(t, ns, "db-creds", "password"); got != updated {
		t.Errorf("password = %q, want %q", got, updated)
	}
	if got, _ := secretValue(t, ns, "db-creds", "user"); got != "admin" {
		t.Errorf("another key changed: user = %q", got)
	}
	term.Send("x")
	term.WaitText(updated, 5*time.Second)
	auditLog(t, term, []string{`"verb":"update"`, "set key password of secret " + ns + "/db-creds"}, updated, old)
}

// In read-only mode the secret keys that write (n, t, e) are refused before any prompt and
// the API server sees no mutating request; revealing is reading and still works.
func TestSecretReadOnly(t *testing.T) {
	const plain = "e2e-readonly-pw-3d0b"
	ns := newNamespace(t)
	createSecret(t, ns, "db-creds", map[string]string{"password": plain})
	proxy, kubeconfig := startCountingProxy(t, ns)
	term := StartKdeck(t, 140, 24, "--kubeconfig", kubeconfig, "--readonly", "-c", "secrets")
	term.WaitText("db-creds", 10*time.Second)
	refused := func(k string) {
		t.Helper()
		term.Send(k)
		term.WaitText("refused, kdeck is read-only on this context", 5*time.Second)
		if s := term.Screen(); strings.Contains(s, "╭") {
			t.Fatalf("%s opened a dialog in read-only mode:\n%s", k, s)
		}
	}
	refused("n")
	refused("t")
	term.Send("Enter")
	term.WaitText("secret("+ns+"/db-creds)[1]", 5*time.Second)
	refused("e")
	term.Send("x")
	term.WaitText(plain, 5*time.Second)
	if muts, _ := proxy.counts(); len(muts) != 0 {
		t.Fatalf("mutating requests reached the API server in read-only mode: %v", muts)
	}
}

// wireRecorder keeps the bodies of the API server's answers to secret requests as kdeck
// receives them, uncompressed, so a test can say what crossed the wire.
type wireRecorder struct {
	mu       sync.Mutex
	bodies   bytes.Buffer
	requests []string
}

// startRecordingProxy is a proxy to the testbed's API server that records the answers to
// every request on secrets; it returns a kubeconfig, in namespace ns, that points at it.
func startRecordingProxy(t *testing.T, ns string) (*wireRecorder, string) {
	t.Helper()
	rec := &wireRecorder{}
	return rec, startProxy(t, ns, func(upstream http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.URL.Path, "/secrets") {
				upstream.ServeHTTP(w, r)
				return
			}
			// Without kdeck's Accept-Encoding, the proxy's own transport asks for gzip and
			// hands the body on uncompressed, so values are searched for as they are.
			r.Header.Del("Accept-Encoding")
			rec.mu.Lock()
			rec.requests = append(rec.requests, r.Method+" "+r.URL.RequestURI()+" ["+r.Header.Get("Accept")+"]")
			rec.mu.Unlock()
			upstream.ServeHTTP(teeWriter{w, rec}, r)
		})
	})
}

// received returns everything recorded so far and the requests it answered.
func (rec *wireRecorder) received() ([]byte, []string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return bytes.Clone(rec.bodies.Bytes()), slices.Clone(rec.requests)
}

// teeWriter copies a response's body into a wireRecorder; Unwrap lets the reverse proxy
// flush watch events through it.
type teeWriter struct {
	http.ResponseWriter
	rec *wireRecorder
}

func (w teeWriter) Write(b []byte) (int, error) {
	w.rec.mu.Lock()
	w.rec.bodies.Write(b)
	w.rec.mu.Unlock()
	return w.ResponseWriter.Write(b)
}

func (w teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// The secrets list shows key counts and certificate expiry without any value crossing the
// wire, on the first load and on a later change: a proxy in front of the API server records
// every answer about secrets, and neither marker value appears in them, raw (protobuf) or
// base64 (JSON). Only a TLS secret is read whole, for its certificate.
func TestSecretListFetchesNoValues(t *testing.T) {
	const marker, added = "e2e-wire-marker-5f3a91", "e2e-wire-added-c27e04"
	ns := newNamespace(t)
	createSecret(t, ns, "app-creds", map[string]string{"password": marker, "user": "admin"})
	cert := createTLSSecret(t, ns, "wire-tls", "wire.example.com", 20*24*time.Hour+time.Hour)

	rec, kubeconfig := startRecordingProxy(t, ns)
	term := StartKdeck(t, 140, 24, "--kubeconfig", kubeconfig, "-c", "secrets")
	term.WaitLine(10*time.Second, "app-creds", "Opaque", " 2 ")
	term.WaitLine(5*time.Second, "wire-tls", "kubernetes.io/tls", "20d")

	s, err := testbed.clientset.CoreV1().Secrets(ns).Get(ctx(t), "app-creds", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Data["token"] = []byte(added)
	if _, err := testbed.clientset.CoreV1().Secrets(ns).Update(ctx(t), s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	term.WaitLine(5*time.Second, "app-creds", "Opaque", " 3 ") // the change came through the watch

	body, requests := rec.received()
	t.Logf("%d bytes in answers to %d secret requests:\n%s", len(body), len(requests), strings.Join(requests, "\n"))
	if !bytes.Contains(body, cert) && !bytes.Contains(body, []byte(base64.StdEncoding.EncodeToString(cert))) {
		t.Fatal("the recorder did not see the TLS secret's certificate: it records nothing useful")
	}
	for _, v := range []string{marker, added} {
		if bytes.Contains(body, []byte(v)) || bytes.Contains(body, []byte(base64.StdEncoding.EncodeToString([]byte(v)))) {
			t.Errorf("the value %q crossed the wire to the secrets list", v)
		}
	}
}
