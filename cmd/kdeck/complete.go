package main

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/views"
	"github.com/spf13/cobra"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// namespaceTimeout bounds the question to the cluster that completing -n asks: a shell
// waits for its completion, so an unreachable server must not hold it.
const namespaceTimeout = 2 * time.Second

// registerCompletions teaches shell completion the values of kdeck's flags: --context,
// --cluster and --user from the kubeconfig (--kubeconfig or KUBECONFIG), -n from the
// cluster (or, when it does not answer in time, the namespaces the kubeconfig's contexts
// name), -c from the views. Completion offers names only: nothing else of the kubeconfig.
func registerCompletions(root *cobra.Command, o *options) {
	fromKubeconfig := map[string]func(*clientcmdapi.Config) []string{
		"context": func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Contexts)) },
		"cluster": func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Clusters)) },
		"user":    func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.AuthInfos)) },
	}
	for flag, names := range fromKubeconfig {
		mustRegister(root, flag, func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			raw, err := o.kube.ToRawKubeConfigLoader().RawConfig()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return withPrefix(names(&raw), prefix), cobra.ShellCompDirectiveNoFileComp
		})
	}
	mustRegister(root, "namespace", func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return withPrefix(completeNamespaces(o), prefix), cobra.ShellCompDirectiveNoFileComp
	})
	mustRegister(root, "command", func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, v := range views.Registry {
			if strings.HasPrefix(v.Name, prefix) {
				out = append(out, cobra.CompletionWithDesc(v.Name, strings.Join(v.Aliases, ", ")))
			}
			for _, a := range v.Aliases {
				if strings.HasPrefix(a, prefix) {
					out = append(out, cobra.CompletionWithDesc(a, v.Name))
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
}

// completeNamespaces lists the cluster's namespaces, or the ones the kubeconfig's contexts
// name when the cluster does not answer within namespaceTimeout (unreachable, forbidden).
func completeNamespaces(o *options) []string {
	ctx, cancel := context.WithTimeout(context.Background(), namespaceTimeout)
	defer cancel()
	if names, err := kube.ListNamespaceNames(ctx, o.kube, userAgent()); err == nil {
		return names
	}
	raw, err := o.kube.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil
	}
	var names []string
	for _, c := range raw.Contexts {
		if c.Namespace != "" && !slices.Contains(names, c.Namespace) {
			names = append(names, c.Namespace)
		}
	}
	slices.Sort(names)
	return names
}

// withPrefix keeps the names that start with prefix.
func withPrefix(names []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

func mustRegister(root *cobra.Command, flag string, f cobra.CompletionFunc) {
	if err := root.RegisterFlagCompletionFunc(flag, f); err != nil {
		panic(err) // a flag that does not exist: a mistake in this file
	}
}
