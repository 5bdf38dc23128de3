package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
)

// NamespaceNames lists the cluster's namespaces (names only, from metadata), sorted.
func (c *Client) NamespaceNames(ctx context.Context) ([]string, error) {
	return namespaceNames(ctx, c.Clientset)
}

// ListNamespaceNames lists the namespaces of the cluster that flags point at, sorted,
// without connecting as Connect does (no probe, no link): shell completion asks it. It
// returns when ctx ends even if the request has not (a dial, or a credential plugin, that
// hangs), and a credential plugin may not prompt: the terminal is the shell's.
func ListNamespaceNames(ctx context.Context, flags *genericclioptions.ConfigFlags, userAgent string) ([]string, error) {
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, configError(flags, err)
	}
	tune(cfg, userAgent)
	if cfg.ExecProvider != nil {
		cfg.ExecProvider.StdinUnavailable = true
	}
	if deadline, ok := ctx.Deadline(); ok {
		cfg.Timeout = max(time.Until(deadline), time.Millisecond)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, configError(flags, err)
	}
	type result struct {
		names []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		names, err := namespaceNames(ctx, cs)
		done <- result{names, err}
	}()
	select {
	case r := <-done:
		return r.names, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func namespaceNames(ctx context.Context, cs kubernetes.Interface) ([]string, error) {
	list, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, Classify(err, "list", "namespaces", "")
	}
	names := make([]string, len(list.Items))
	for i, ns := range list.Items {
		names[i] = ns.Name
	}
	slices.Sort(names)
	return names, nil
}

// Namespaces splits a namespace scope into its namespaces: "shop,payments" is two, one
// name is one, and "" (all namespaces) is none. Several namespaces are a list of their
// own, watched one by one (a user may be allowed in each without being allowed cluster-wide).
func Namespaces(scope string) []string {
	if scope == "" {
		return nil
	}
	return strings.Split(scope, ",")
}

// ValidNamespaces checks a namespace scope as typed after -n or :ns: one namespace or
// several separated by commas, each a DNS-1123 label, none twice. It returns the scope with
// the namespaces sorted (the order their rows are listed in) and spaces removed.
func ValidNamespaces(scope string) (string, error) {
	var names []string
	for _, ns := range strings.Split(scope, ",") {
		ns = strings.TrimSpace(ns)
		if err := ValidNamespaceName(ns); err != nil {
			return "", err
		}
		if slices.Contains(names, ns) {
			return "", fmt.Errorf("namespace %q is named twice", ns)
		}
		names = append(names, ns)
	}
	slices.Sort(names)
	return strings.Join(names, ","), nil
}
