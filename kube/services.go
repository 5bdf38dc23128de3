package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Service is the compact row kdeck keeps per service, with its endpoint counts joined in
// from the service's EndpointSlices.
type Service struct {
	Namespace string
	Name      string
	Type      string // ClusterIP, NodePort, LoadBalancer, ExternalName
	ClusterIP string // "None" for a headless service
	External  string // load-balancer ingress, external IPs, <pending> or <none>, like kubectl
	Ports     string // "80/TCP,443:30443/TCP", like kubectl
	Selector  string // the pod selector as a label selector string; "" when the service has none
	Created   time.Time
	// Endpoints counts the service's endpoints across its EndpointSlices (see JoinEndpoints);
	// Sliced is false until a slice of the service has been seen.
	Ready, Total int32
	Sliced       bool
}

// RowKey implements Row.
func (s *Service) RowKey() Key { return Key{Namespace: s.Namespace, Name: s.Name} }

// ServiceSource returns the Source for services in ns ("" for all namespaces).
func (c *Client) ServiceSource(ns string) Source[*Service] {
	api := c.Clientset.CoreV1().Services(ns)
	return TypedSource("services", ns, "", api.List, api.Watch,
		func(l *corev1.ServiceList) []corev1.Service { return l.Items }, ServiceRow)
}

// GetService reads service ns/name as its row (without endpoint counts).
func (c *Client) GetService(ctx context.Context, ns, name string) (*Service, error) {
	s, err := c.Clientset.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, Classify(err, "get", "services", ns)
	}
	return ServiceRow(s), nil
}

// ServiceRow summarises s the way `kubectl get services -o wide` does.
func ServiceRow(s *corev1.Service) *Service {
	r := &Service{
		Namespace: s.Namespace,
		Name:      s.Name,
		Type:      string(s.Spec.Type),
		ClusterIP: s.Spec.ClusterIP,
		External:  externalIP(s),
		Ports:     servicePorts(s.Spec.Ports),
		Created:   s.CreationTimestamp.Time,
	}
	if r.Type == "" {
		r.Type = string(corev1.ServiceTypeClusterIP)
	}
	if r.ClusterIP == "" {
		r.ClusterIP = "<none>"
	}
	if len(s.Spec.Selector) > 0 {
		r.Selector = labels.SelectorFromSet(s.Spec.Selector).String()
	}
	return r
}

// externalIP follows kubectl's printer.
func externalIP(s *corev1.Service) string {
	switch s.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, "":
		if len(s.Spec.ExternalIPs) > 0 {
			return strings.Join(s.Spec.ExternalIPs, ",")
		}
		return "<none>"
	case corev1.ServiceTypeLoadBalancer:
		var ips []string
		for _, in := range s.Status.LoadBalancer.Ingress {
			if in.IP != "" {
				ips = append(ips, in.IP)
			} else if in.Hostname != "" {
				ips = append(ips, in.Hostname)
			}
		}
		ips = append(ips, s.Spec.ExternalIPs...)
		if len(ips) == 0 {
			return "<pending>"
		}
		return strings.Join(ips, ",")
	case corev1.ServiceTypeExternalName:
		return s.Spec.ExternalName
	}
	return "<unknown>"
}

// servicePorts renders ports as kubectl does: port[:nodePort]/protocol, comma-separated.
func servicePorts(ports []corev1.ServicePort) string {
	if len(ports) == 0 {
		return "<none>"
	}
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		if p.NodePort > 0 {
			parts[i] = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol)
		}
	}
	return strings.Join(parts, ",")
}

// EndpointSlice is the compact row kdeck keeps per EndpointSlice: whose it is and how many
// of its endpoints are ready.
type EndpointSlice struct {
	Namespace   string
	Name        string
	Service     string // the kubernetes.io/service-name label
	AddressType string // IPv4, IPv6, FQDN: a dual-stack service has a slice of each
	Ready       int32
	Total       int32
}

// RowKey implements Row.
func (e *EndpointSlice) RowKey() Key { return Key{Namespace: e.Namespace, Name: e.Name} }

// EndpointSliceSource returns the Source for the EndpointSlices in ns that belong to a
// service.
func (c *Client) EndpointSliceSource(ns string) Source[*EndpointSlice] {
	api := c.Clientset.DiscoveryV1().EndpointSlices(ns)
	return TypedSource("endpointslices", ns, discoveryv1.LabelServiceName, api.List, api.Watch,
		func(l *discoveryv1.EndpointSliceList) []discoveryv1.EndpointSlice { return l.Items }, EndpointSliceRow)
}

// EndpointSliceRow counts s's endpoints; an endpoint whose ready condition is unset counts
// as ready, as the API specifies.
func EndpointSliceRow(s *discoveryv1.EndpointSlice) *EndpointSlice {
	r := &EndpointSlice{Namespace: s.Namespace, Name: s.Name, Service: s.Labels[discoveryv1.LabelServiceName],
		AddressType: string(s.AddressType), Total: int32(len(s.Endpoints))}
	for _, e := range s.Endpoints {
		if e.Conditions.Ready == nil || *e.Conditions.Ready {
			r.Ready++
		}
	}
	return r
}

// ServiceCache returns the services of ns matching the label selector ("" for all) joined
// with their EndpointSlices' counts.
func (c *Client) ServiceCache(ns, selector string) *Joined[*Service, *EndpointSlice] {
	src := c.ServiceSource(ns)
	src.Selector = selector
	return NewJoined(src, c.EndpointSliceSource(ns), JoinEndpoints)
}

// JoinEndpoints returns services with Ready and Total counted from slices. The counts of
// one address type are summed over its slices; a dual-stack service counts the address
// type with the most endpoints, so its pods are not counted twice. Services whose counts
// change are copied, never modified.
func JoinEndpoints(services []*Service, slices []*EndpointSlice) []*Service {
	type family struct {
		Key
		addressType string
	}
	sums := map[family][2]int32{}
	for _, s := range slices {
		f := family{Key{Namespace: s.Namespace, Name: s.Service}, s.AddressType}
		c := sums[f]
		sums[f] = [2]int32{c[0] + s.Ready, c[1] + s.Total}
	}
	best := make(map[Key][2]int32, len(sums))
	for f, c := range sums {
		if b, ok := best[f.Key]; !ok || c[1] > b[1] || (c[1] == b[1] && c[0] > b[0]) {
			best[f.Key] = c
		}
	}
	out := make([]*Service, len(services))
	for i, s := range services {
		c, ok := best[s.RowKey()]
		if ok == s.Sliced && c[0] == s.Ready && c[1] == s.Total {
			out[i] = s
			continue
		}
		joined := *s
		joined.Ready, joined.Total, joined.Sliced = c[0], c[1], ok
		out[i] = &joined
	}
	return out
}
