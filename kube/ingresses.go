package kube

import (
	"slices"
	"strconv"
	"strings"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
)

// Ingress is the compact row kdeck keeps per ingress, with the certificate of each TLS
// entry's secret joined in (see JoinIngressCerts).
type Ingress struct {
	Namespace string
	Name      string
	Class     string // spec.ingressClassName, else the kubernetes.io/ingress.class annotation, else <none>
	Hosts     string // the rules' hosts, comma-separated; "*" when no rule names one, like kubectl
	Address   string // the load balancer's IPs and host names, comma-separated
	Ports     string // "80", or "80, 443" with TLS, like kubectl
	// Rules summarises every rule: "shop.example.com/ → web:80, /api → api:8080"; a
	// default backend comes first as "default → web:80".
	Rules string
	// Backends are the distinct services the ingress routes to, in the order Rules names
	// them.
	Backends []string
	TLS      []IngressTLS
	Created  time.Time
}

// IngressTLS is one TLS entry of an ingress: the secret it names and, once joined, that
// secret's certificate expiry.
type IngressTLS struct {
	Secret string // "" when the entry names none (the controller's default certificate)
	State  CertState
	// Expires is the certificate's NotAfter when State is CertFound; CertErr says why a
	// found secret's tls.crt did not parse.
	Expires time.Time
	CertErr string
}

// CertState is what is known of the secret a TLS entry names.
type CertState int8

// The states of a TLS entry's secret.
const (
	CertUnknown CertState = iota // not joined yet: the TLS secrets are still loading
	CertFound                    // a kubernetes.io/tls secret of that name exists
	CertMissing                  // no kubernetes.io/tls secret of that name exists
)

// RowKey implements Row.
func (i *Ingress) RowKey() Key { return Key{Namespace: i.Namespace, Name: i.Name} }

// IngressSource returns the Source for ingresses in ns ("" for all namespaces).
func (c *Client) IngressSource(ns string) Source[*Ingress] {
	api := c.Clientset.NetworkingV1().Ingresses(ns)
	return TypedSource("ingresses", ns, "", api.List, api.Watch,
		func(l *networkingv1.IngressList) []networkingv1.Ingress { return l.Items }, IngressRow)
}

// IngressCache returns the ingresses of ns matching the label selector ("" for all)
// joined with the certificates of the TLS secrets of ns. Only kubernetes.io/tls secrets
// are read (TLSSecretSource), never another secret.
func (c *Client) IngressCache(ns, selector string) *Joined[*Ingress, *Secret] {
	src := c.IngressSource(ns)
	src.Selector = selector
	return NewJoinedLoaded(src, c.TLSSecretSource(ns, ""), JoinIngressCerts).Optional()
}

// IngressRow summarises in the way `kubectl get ingress` does, with its rules and
// backends.
func IngressRow(in *networkingv1.Ingress) *Ingress {
	r := &Ingress{Namespace: in.Namespace, Name: in.Name, Class: "<none>", Created: in.CreationTimestamp.Time}
	if c := in.Spec.IngressClassName; c != nil {
		r.Class = *c
	} else if c := in.Annotations["kubernetes.io/ingress.class"]; c != "" {
		r.Class = c
	}
	var hosts, addrs, rules []string
	for _, lb := range in.Status.LoadBalancer.Ingress {
		if lb.IP != "" {
			addrs = append(addrs, lb.IP)
		} else if lb.Hostname != "" {
			addrs = append(addrs, lb.Hostname)
		}
	}
	r.Address = strings.Join(addrs, ",")
	backend := func(b networkingv1.IngressBackend) string {
		if s := b.Service; s != nil {
			if !slices.Contains(r.Backends, s.Name) {
				r.Backends = append(r.Backends, s.Name)
			}
			port := s.Port.Name
			if port == "" {
				port = strconv.Itoa(int(s.Port.Number))
			}
			return s.Name + ":" + port
		}
		if res := b.Resource; res != nil {
			return res.Kind + "/" + res.Name
		}
		return "<none>"
	}
	if d := in.Spec.DefaultBackend; d != nil {
		rules = append(rules, "default → "+backend(*d))
	}
	for _, rule := range in.Spec.Rules {
		if rule.Host != "" && !slices.Contains(hosts, rule.Host) {
			hosts = append(hosts, rule.Host)
		}
		if rule.HTTP == nil {
			continue
		}
		for i, p := range rule.HTTP.Paths {
			path := p.Path
			if path == "" {
				path = "/"
			}
			if i == 0 {
				path = rule.Host + path
			}
			rules = append(rules, path+" → "+backend(p.Backend))
		}
	}
	r.Hosts = strings.Join(hosts, ",")
	if r.Hosts == "" {
		r.Hosts = "*"
	}
	r.Rules = strings.Join(rules, ", ")
	r.Ports = "80"
	if len(in.Spec.TLS) > 0 {
		r.Ports = "80, 443"
		r.TLS = make([]IngressTLS, len(in.Spec.TLS))
		for i, t := range in.Spec.TLS {
			r.TLS[i].Secret = t.SecretName
		}
	}
	return r
}

// JoinIngressCerts returns ingresses with each TLS entry's secret looked up in certs (the
// TLS secrets of the same namespaces, in key order): found with its expiry, or missing
// once certs has been fully listed (loaded), unknown before. Rows that change are copied,
// never modified.
func JoinIngressCerts(ings []*Ingress, certs []*Secret, loaded bool) []*Ingress {
	out := make([]*Ingress, len(ings))
	for i, in := range ings {
		out[i] = in
		var tls []IngressTLS
		for j, t := range in.TLS {
			next := IngressTLS{Secret: t.Secret}
			if t.Secret == "" {
				continue
			}
			k := Key{Namespace: in.Namespace, Name: t.Secret}
			n, found := slices.BinarySearchFunc(certs, k, func(s *Secret, k Key) int { return s.RowKey().Compare(k) })
			switch {
			case found:
				next.State, next.Expires, next.CertErr = CertFound, certs[n].Expires, certs[n].CertErr
			case loaded:
				next.State = CertMissing
			}
			if next.State == t.State && next.Expires.Equal(t.Expires) && next.CertErr == t.CertErr {
				continue
			}
			if tls == nil {
				tls = slices.Clone(in.TLS)
			}
			tls[j] = next
		}
		if tls != nil {
			joined := *in
			joined.TLS = tls
			out[i] = &joined
		}
	}
	return out
}
