// Package kube holds everything in kdeck that talks to a Kubernetes cluster: connection,
// typed errors, caches of compact rows fed by list+watch, metrics, RBAC checks and every mutation
// (through Client.Apply). Leaf features live in subpackages (kube/canary, kube/forward).
// It never imports the UI.
package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/version"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	metrics "k8s.io/metrics/pkg/client/clientset/versioned"
)

// DefaultProbeTimeout bounds the first request to a server when no --request-timeout is given,
// so that an unreachable server is reported well within ten seconds.
const DefaultProbeTimeout = 8 * time.Second

// Info describes where a Client is connected and as whom, as the flags and the kubeconfig
// resolve it (what client-go sends, not merely the context's entries), for the header and
// the audit log.
type Info struct {
	Context string
	// Cluster is the kubeconfig cluster entry in effect (--cluster or the context's); empty
	// when --server names the server instead.
	Cluster string
	// User is the kubeconfig user entry whose credentials are sent (--user or the context's).
	User string
	// As is the user impersonated with --as; empty when none.
	As string
	// Groups are the groups impersonated with --as-group (only with --as).
	Groups []string
	// Token is set when --token gave a bearer token, which is sent instead of the user
	// entry's token: the entry names less than what the server sees.
	Token         bool
	Server        string // the server's URL in effect (--server or the cluster entry's)
	Namespace     string // the namespace from flags or the context; "default" when neither says
	ServerVersion string
	// Kubeconfig is the file --kubeconfig named; empty when none did ($KUBECONFIG or
	// ~/.kube/config, as for kubectl).
	Kubeconfig string
}

// Who names the identity in effect for the header: the user entry (or "token from
// --token"), then the impersonated user and groups, e.g. "alice as bob (groups ops, dev)".
func (i Info) Who() string {
	who := i.User
	if i.Token {
		who = "token from --token"
	}
	if i.As != "" {
		who += " as " + i.As
	}
	if len(i.Groups) > 0 {
		who += " (groups " + strings.Join(i.Groups, ", ") + ")"
	}
	return who
}

// Identity is whom the server acts for: the user impersonated with --as, otherwise the
// kubeconfig user in effect.
func (i Info) Identity() string {
	if i.As != "" {
		return i.As
	}
	return i.User
}

// connInfo is where and as whom cfg, built from flags and context ctxName of raw, connects.
func connInfo(raw clientcmdapi.Config, ctxName string, flags *genericclioptions.ConfigFlags, cfg *rest.Config, ns string) Info {
	info := Info{Context: ctxName, Server: cfg.Host, As: cfg.Impersonate.UserName, Groups: cfg.Impersonate.Groups,
		Token: set(flags.BearerToken), Namespace: ns}
	if set(flags.KubeConfig) {
		info.Kubeconfig = *flags.KubeConfig
	}
	if c, ok := raw.Contexts[ctxName]; ok {
		info.Cluster, info.User = c.Cluster, c.AuthInfo
	}
	if set(flags.ClusterName) {
		info.Cluster = *flags.ClusterName
	}
	if set(flags.AuthInfoName) {
		info.User = *flags.AuthInfoName
	}
	if set(flags.APIServer) {
		info.Cluster = ""
	}
	return info
}

// set reports whether a string flag was given a value.
func set(flag *string) bool { return flag != nil && *flag != "" }

// Client is a connection to one cluster through one kubeconfig context.
type Client struct {
	Clientset kubernetes.Interface
	Config    *rest.Config
	Info      Info
	Metrics   *MetricsPoller // pod metrics (metrics.k8s.io), shared by every view; nil in tests without it
	Contexts  []string       // every context in the kubeconfig, sorted
	// Throttle is the client-side rate limiter; Recent says whether requests had to wait.
	Throttle *Throttle
	// Resources resolves typed resource names through discovery, on first use only.
	Resources *Resources
	// HTTP is the connection pool the clientset uses, shared by the Table client.
	HTTP *http.Client
	// Link tells whether the server still answers; every connection of HTTP reports to it.
	Link *Link

	// Policy is what kdeck may do on this context (read-only, never reveal).
	Policy Policy
	// Audit, when set, receives one entry for every mutation sent through Apply.
	Audit *AuditLog
	// Unanswered is set on a client made for a list of several clusters while its server
	// could not be reached (see JoinContexts): its stores retry until the server answers,
	// and its version is unknown.
	Unanswered bool

	podRows   corev1client.PodsGetter // see PodRows
	nodeUsage NodeUsageLister         // node metrics; nil without the metrics client
	flags     *genericclioptions.ConfigFlags
	opts      Options
	access    *accessCache  // RBAC answers, per verb, resource and namespace
	objects   objectClients // for objects of any kind (describe, YAML), built on first use
}

// Connected reports whether c can reach a cluster: a Client made for rendering alone (in
// tests) has no clientset and starts no watches.
func (c *Client) Connected() bool { return c.Clientset != nil }

// Options are kdeck's own settings for a connection.
type Options struct {
	UserAgent string
	// Policy gives the policy of a context (read-only, never reveal); nil allows everything.
	Policy func(context string) Policy
}

// Connect resolves the kubeconfig the way kubectl does (flags, $KUBECONFIG, ~/.kube/config),
// builds clients tuned for large lists, and checks the server answers. Every failure is an
// *Error of KindConfig, KindUnreachable or KindUnauthorized with a one-line message.
func Connect(ctx context.Context, flags *genericclioptions.ConfigFlags, opts Options) (*Client, error) {
	return connect(ctx, flags, opts, false)
}

// connect is Connect; with unanswered set, a server that cannot be reached is no failure:
// the client comes back with Unanswered set.
func connect(ctx context.Context, flags *genericclioptions.ConfigFlags, opts Options, unanswered bool) (*Client, error) {
	loader := flags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, configError(flags, err)
	}
	ctxName := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		ctxName = *flags.Context
	}
	if ctxName == "" && (flags.APIServer == nil || *flags.APIServer == "") {
		return nil, &Error{Kind: KindConfig, Err: errors.New(noConfigMessage(flags, len(raw.Contexts) > 0))}
	}
	if _, ok := raw.Contexts[ctxName]; !ok && ctxName != "" {
		return nil, &Error{Kind: KindConfig, Err: fmt.Errorf("context %q not found in kubeconfig (%s)", ctxName, kubeconfigName(flags))}
	}
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, configError(flags, err)
	}
	ns, _, err := loader.Namespace()
	if err != nil {
		return nil, configError(flags, err)
	}
	tune(cfg, opts.UserAgent)
	var policy Policy
	if opts.Policy != nil {
		policy = opts.Policy(ctxName)
	}
	if policy.ReadOnly {
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return readOnlyTransport{rt} })
	}
	link := newLink(nil, defaultLinkTimes)
	cfg.Dial = link.Dial((&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext)
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, configError(flags, err)
	}
	if link.probe, err = livezProbe(cfg, hc); err != nil {
		return nil, configError(flags, err)
	}
	cs, err := kubernetes.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, configError(flags, err)
	}
	info := connInfo(raw, ctxName, flags, cfg, ns)
	timeout := DefaultProbeTimeout
	if cfg.Timeout > 0 && cfg.Timeout < timeout {
		timeout = cfg.Timeout
	}
	v, err := serverVersion(ctx, cs, timeout)
	switch err := Classify(err, "get", "version", ""); {
	case err == nil:
		info.ServerVersion = v.GitVersion
	case unanswered && KindOf(err) == KindUnreachable:
	default:
		return nil, err
	}
	contexts := slices.Sorted(maps.Keys(raw.Contexts))
	c := &Client{Clientset: cs, Config: cfg, Info: info, Contexts: contexts, Unanswered: info.ServerVersion == "",
		Resources: NewResources(cs.Discovery()), HTTP: hc, Link: link, Policy: policy, flags: flags, opts: opts}
	c.access = newAccessCache(cs)
	if c.podRows, err = PodRowsClient(cfg, hc); err != nil {
		return nil, err
	}
	c.Throttle, _ = cfg.RateLimiter.(*Throttle)
	if mcs, err := metrics.NewForConfigAndClient(cfg, hc); err == nil {
		c.Metrics = NewMetricsPoller(MetricsLister(mcs.MetricsV1beta1().RESTClient()), DefaultMetricsInterval)
		c.Metrics.link = link
		c.nodeUsage = NodeMetricsLister(mcs)
	}
	return c, nil
}

// PodRows is the pods client for pod rows (see PodRowsClient): its watches yield rows, not
// full Pods. A Client built without Connect (in tests) falls back to its clientset.
func (c *Client) PodRows() corev1client.PodsGetter {
	if c.podRows == nil {
		return c.Clientset.CoreV1()
	}
	return c.podRows
}

// SwitchContext connects to another context of the same kubeconfig, keeping the
// kubeconfig path, timeout and impersonation; the namespace becomes the new context's own.
// The current client is untouched, so a failed switch changes nothing.
func (c *Client) SwitchContext(ctx context.Context, name string) (*Client, error) {
	return c.switchContext(ctx, name, false)
}

// switchContext is SwitchContext; unanswered is connect's.
func (c *Client) switchContext(ctx context.Context, name string, unanswered bool) (*Client, error) {
	f := genericclioptions.NewConfigFlags(true)
	f.KubeConfig, f.Timeout = c.flags.KubeConfig, c.flags.Timeout
	f.Impersonate, f.ImpersonateUID, f.ImpersonateGroup = c.flags.Impersonate, c.flags.ImpersonateUID, c.flags.ImpersonateGroup
	f.Context = &name
	nc, err := connect(ctx, f, c.opts, unanswered)
	if err == nil {
		nc.Audit = c.Audit
	}
	return nc, err
}

// SwitchContexts connects to every context of names at once, as SwitchContext does one;
// any failure (each names its context) fails them all and changes nothing.
func (c *Client) SwitchContexts(ctx context.Context, names []string) ([]*Client, error) {
	return c.switchContexts(ctx, names, false)
}

// JoinContexts connects to the contexts of names for a list of several clusters, as
// SwitchContexts does, except that a context whose server cannot be reached now joins
// anyway with Unanswered set (one cluster down must not hide the others): its rows are
// stale and its header entry says no answer until it answers. Any other failure (a bad
// entry, refused credentials) fails them all.
func (c *Client) JoinContexts(ctx context.Context, names []string) ([]*Client, error) {
	return c.switchContexts(ctx, names, true)
}

func (c *Client) switchContexts(ctx context.Context, names []string, unanswered bool) ([]*Client, error) {
	clients := make([]*Client, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			clients[i], errs[i] = c.switchContext(ctx, name, unanswered)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", name, errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return clients, nil
}

// ValidContexts checks a context list as typed after --context or :ctx: one context of
// the kubeconfig, or several separated by commas (shown at once), none twice.
func ValidContexts(list string, contexts []string) ([]string, error) {
	var names []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case !slices.Contains(contexts, name):
			return nil, fmt.Errorf("no context %q in the kubeconfig", name)
		case slices.Contains(names, name):
			return nil, fmt.Errorf("context %q is named twice", name)
		}
		names = append(names, name)
	}
	return names, nil
}

// Servers is the API server address of every context of the kubeconfig, by context name,
// read from the kubeconfig again (a context not connected to has no Info). A Client made
// without Connect (in tests) knows none.
func (c *Client) Servers() (map[string]string, error) {
	out := map[string]string{}
	if c.flags == nil {
		return out, nil
	}
	raw, err := c.flags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, configError(c.flags, err)
	}
	for name, ctx := range raw.Contexts {
		if cl, ok := raw.Clusters[ctx.Cluster]; ok {
			out[name] = cl.Server
		}
	}
	return out, nil
}

// tune raises client-side rate limits (the defaults stretch a 50k-pod list to many seconds),
// records throttling waits for the status line, names kdeck in the user agent, and turns
// compression off for a server on this machine. Built-in types already travel as protobuf.
func tune(cfg *rest.Config, userAgent string) {
	cfg.QPS = 100
	cfg.Burst = 200
	cfg.RateLimiter = NewThrottle(cfg.QPS, cfg.Burst)
	cfg.UserAgent = userAgent
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.DisableCompression = onLoopback(cfg.Host)
}

// onLoopback reports whether the server address (a URL, or host:port) is a loopback address:
// kind, k3d, minikube with the Docker driver, a tunnel. The API server gzips large answers
// when the client accepts it, and over loopback that only costs CPU on both ends of one
// machine: loading 50,000 pods on the testbed took 3.1-3.7 CPU-seconds of apiserver time
// uncompressed against 6.4-7.9 s gzipped, and 3.3-4.1 s instead of 5.2-5.7 s in all.
func onLoopback(server string) bool {
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	u, err := url.Parse(server)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func serverVersion(ctx context.Context, cs kubernetes.Interface, timeout time.Duration) (*version.Info, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := cs.Discovery().RESTClient().Get().AbsPath("/version").DoRaw(ctx)
	if err != nil {
		return nil, err
	}
	var v version.Info
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("unexpected answer from /version: %w", err)
	}
	return &v, nil
}

func kubeconfigName(flags *genericclioptions.ConfigFlags) string {
	if flags.KubeConfig != nil && *flags.KubeConfig != "" {
		return *flags.KubeConfig
	}
	if env := os.Getenv("KUBECONFIG"); env != "" {
		return env
	}
	return clientcmd.RecommendedHomeFile
}

func noConfigMessage(flags *genericclioptions.ConfigFlags, hasContexts bool) string {
	if hasContexts {
		return fmt.Sprintf("kubeconfig %s has no current context: pass --context or run `kubectl config use-context NAME`", kubeconfigName(flags))
	}
	return fmt.Sprintf("no cluster configured: %s holds no contexts (set KUBECONFIG or pass --kubeconfig)", kubeconfigName(flags))
}

func configError(flags *genericclioptions.ConfigFlags, err error) error {
	name := kubeconfigName(flags)
	var msg string
	switch {
	case errors.Is(err, os.ErrNotExist):
		msg = fmt.Sprintf("kubeconfig %s does not exist", name)
	case errors.Is(err, os.ErrPermission):
		msg = fmt.Sprintf("kubeconfig %s cannot be read: permission denied", name)
	case clientcmd.IsEmptyConfig(err):
		msg = fmt.Sprintf("no cluster configured: %s is missing or empty (set KUBECONFIG or pass --kubeconfig)", name)
	case clientcmd.IsConfigurationInvalid(err):
		msg = fmt.Sprintf("kubeconfig %s is invalid: %v", name, err)
	case strings.HasPrefix(err.Error(), "error loading config file"):
		_, detail, _ := strings.Cut(err.Error(), "\": ")
		msg = fmt.Sprintf("kubeconfig %s is malformed: %s", name, detail)
	default:
		msg = fmt.Sprintf("cannot load kubeconfig %s: %v", name, err)
	}
	return &Error{Kind: KindConfig, Err: errors.New(msg)}
}
