package kube

import (
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// RESTClientGetter hands c's own connection to libraries that build their clients from a
// genericclioptions.RESTClientGetter (Helm's SDK): the same rest.Config (identity, rate
// limiter, the link's dialer, the read-only transport), so their requests are kdeck's.
func (c *Client) RESTClientGetter() genericclioptions.RESTClientGetter {
	return &clientGetter{c: c}
}

// clientGetter is Client.RESTClientGetter; discovery and the REST mapper are built once.
type clientGetter struct {
	c      *Client
	once   sync.Once
	dc     discovery.CachedDiscoveryInterface
	mapper meta.RESTMapper
	err    error
}

// ToRESTConfig returns a copy of the client's config.
func (g *clientGetter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.c.Config), nil }

// ToDiscoveryClient returns a discovery client on the client's config, cached in memory.
func (g *clientGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	g.build()
	return g.dc, g.err
}

// ToRESTMapper returns a mapper from kinds to resources, read from discovery on first use.
func (g *clientGetter) ToRESTMapper() (meta.RESTMapper, error) {
	g.build()
	return g.mapper, g.err
}

func (g *clientGetter) build() {
	g.once.Do(func() {
		dc, err := discovery.NewDiscoveryClientForConfigAndClient(rest.CopyConfig(g.c.Config), g.c.HTTP)
		if err != nil {
			g.err = err
			return
		}
		g.dc = memory.NewMemCacheClient(dc)
		g.mapper = restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(g.dc), g.dc, nil)
	})
}

// ToRawKubeConfigLoader returns the kubeconfig loader of the client's flags, or an empty
// config for a client built without them.
func (g *clientGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	if g.c.flags != nil {
		return g.c.flags.ToRawKubeConfigLoader()
	}
	return clientcmd.NewDefaultClientConfig(clientcmdapi.Config{}, &clientcmd.ConfigOverrides{})
}
