package kube

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"time"
)

// CertInfo is what kdeck shows of a certificate: who it is for, who issued it and when it
// is valid. It holds no key material.
type CertInfo struct {
	Subject   string
	Issuer    string
	SANs      []string // DNS names, IP addresses, emails and URIs, in that order
	NotBefore time.Time
	NotAfter  time.Time
}

// ParseCert reads the first certificate of a PEM bundle (a TLS secret's tls.crt).
func ParseCert(pemData []byte) (*CertInfo, error) {
	for rest := pemData; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM certificate found")
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("bad certificate: %w", err)
		}
		return certInfo(c), nil
	}
}

func certInfo(c *x509.Certificate) *CertInfo {
	sans := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		sans = append(sans, net.IP.String(ip))
	}
	sans = append(sans, c.EmailAddresses...)
	for _, u := range c.URIs {
		sans = append(sans, (*url.URL).String(u))
	}
	return &CertInfo{Subject: c.Subject.String(), Issuer: c.Issuer.String(), SANs: sans,
		NotBefore: c.NotBefore, NotAfter: c.NotAfter}
}

// DaysLeft is how many whole days remain until notAfter at now, rounded down; negative
// once it has passed (-1 on the first day after).
func DaysLeft(notAfter, now time.Time) int {
	return int(math.Floor(notAfter.Sub(now).Hours() / 24))
}

// ExpiryWarnDays is how close to its end a certificate is flagged as expiring.
const ExpiryWarnDays = 30

// ValidateTLSPair checks that certPEM and keyPEM are a matching certificate and private
// key, as a kubernetes.io/tls secret needs, and returns the certificate's details.
func ValidateTLSPair(certPEM, keyPEM []byte) (*CertInfo, error) {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("not a matching certificate and key: %w", err)
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return nil, fmt.Errorf("bad certificate: %w", err)
		}
	}
	return certInfo(leaf), nil
}
