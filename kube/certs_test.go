package kube

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testPair makes a self-signed ECDSA certificate for cn and its key, both PEM, valid
// until notAfter.
func testPair(t *testing.T, cn string, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7),
		Subject:  pkix.Name{CommonName: cn, Organization: []string{"Example Shop Ltd"}},
		DNSNames: []string{cn, "www." + cn}, IPAddresses: []net.IP{net.ParseIP("10.0.0.7")},
		NotBefore: notAfter.Add(-90 * 24 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

func TestParseCert(t *testing.T) {
	end := time.Date(2026, 12, 13, 10, 0, 0, 0, time.UTC)
	cert, key := testPair(t, "payments.example.com", end)
	// a key before the certificate in the bundle is skipped
	c, err := ParseCert(append(append([]byte{}, key...), cert...))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "CN=payments.example.com,O=Example Shop Ltd" || c.Issuer != c.Subject {
		t.Errorf("subject %q issuer %q", c.Subject, c.Issuer)
	}
	if want := []string{"payments.example.com", "www.payments.example.com", "10.0.0.7"}; !slices.Equal(c.SANs, want) {
		t.Errorf("SANs %v, want %v", c.SANs, want)
	}
	if !c.NotAfter.Equal(end) || !c.NotBefore.Equal(end.Add(-90*24*time.Hour)) {
		t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
	}
	for _, bad := range []string{"", "not pem", string(key), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := ParseCert([]byte(bad)); err == nil {
			t.Errorf("ParseCert(%q) succeeded", bad)
		}
	}
}

func TestDaysLeft(t *testing.T) {
	end := time.Date(2026, 12, 13, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		now  time.Time
		want int
	}{
		{end.Add(-20*24*time.Hour - time.Hour), 20},
		{end.Add(-20 * 24 * time.Hour), 20},
		{end.Add(-time.Hour), 0},
		{end.Add(time.Hour), -1},
		{end.Add(3*24*time.Hour + time.Hour), -4},
	} {
		if got := DaysLeft(end, c.now); got != c.want {
			t.Errorf("DaysLeft at %v = %d, want %d", c.now, got, c.want)
		}
	}
}

func TestValidateTLSPair(t *testing.T) {
	end := time.Now().Add(48 * time.Hour)
	cert, key := testPair(t, "a.example.com", end)
	otherCert, otherKey := testPair(t, "b.example.com", end)
	if info, err := ValidateTLSPair(cert, key); err != nil || !strings.Contains(info.Subject, "a.example.com") {
		t.Fatalf("a matching pair: %v, %+v", err, info)
	}
	for name, pair := range map[string][2][]byte{
		"mismatched key":  {cert, otherKey},
		"mismatched cert": {otherCert, key},
		"swapped":         {key, cert},
		"key missing":     {cert, nil},
		"garbage":         {[]byte("x"), []byte("y")},
	} {
		if _, err := ValidateTLSPair(pair[0], pair[1]); err == nil || !strings.HasPrefix(err.Error(), "not a matching certificate and key") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestReadTLSPair(t *testing.T) {
	dir := t.TempDir()
	cert, key := testPair(t, "a.example.com", time.Now().Add(time.Hour))
	_, otherKey := testPair(t, "b.example.com", time.Now().Add(time.Hour))
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, k, o := write("tls.crt", cert), write("tls.key", key), write("other.key", otherKey)
	if gotCert, gotKey, info, err := ReadTLSPair(c, k); err != nil || string(gotCert) != string(cert) || string(gotKey) != string(key) || info == nil {
		t.Errorf("ReadTLSPair: %v", err)
	}
	if _, _, _, err := ReadTLSPair(c, o); err == nil {
		t.Errorf("a mismatched pair was accepted")
	}
	if _, _, _, err := ReadTLSPair(c, filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing key file: %v", err)
	}
}
