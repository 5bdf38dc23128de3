// Command kdeck is a terminal console for Kubernetes clusters.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/benchtrace"
	"github.com/kdeck/kdeck/views"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/klog/v2"
)

// Stamped by the release build (see .goreleaser.yaml).
var version, commit, date = "dev", "none", "unknown"

func main() {
	benchtrace.Start() // profiles for make bench, when asked for by the environment
	code := run(os.Args[1:], os.Stderr)
	benchtrace.Stop()
	os.Exit(code)
}

// run parses args, connects and runs the UI; it returns the process exit code.
func run(args []string, stderr io.Writer) int {
	fs := pflag.NewFlagSet("kdeck", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "kdeck: a terminal console for Kubernetes clusters\n\nUsage:\n  kdeck [flags]\n\nFlags:\n%s", fs.FlagUsages())
	}
	kubeFlags := genericclioptions.NewConfigFlags(true)
	kubeFlags.AddFlags(fs)
	allNamespaces := fs.BoolP("all-namespaces", "A", false, "show every namespace")
	command := fs.StringP("command", "c", "pods", "the view to open first (pods, deploy, svc, hpa, …)")
	showVersion := fs.Bool("version", false, "print kdeck's version and exit")
	readOnly := fs.Bool("readonly", false, "refuse every change to the cluster (also per context in the config file)")
	configPath := fs.String("config", kube.ConfigPath(), "kdeck's config file (read-only and never-reveal policies per context); a file named here must exist")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "kdeck: %v (see kdeck --help)\n", err)
		return 2
	}
	if *showVersion {
		fmt.Printf("kdeck %s (commit %s, built %s)\n", version, commit, date)
		return 0
	}
	silenceKlog()
	cfg, configured, err := loadConfig(*configPath, fs.Changed("config"))
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") { // one mistake a line
			fmt.Fprintf(stderr, "kdeck: config: %s\n", line)
		}
		return 1
	}
	policy := func(context string) kube.Policy {
		p := cfg.For(context).Policy
		p.ReadOnly = p.ReadOnly || *readOnly
		return p
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	client, err := kube.Connect(ctx, kubeFlags, kube.Options{UserAgent: "kdeck/" + version, Policy: policy})
	stop()
	if err != nil {
		fmt.Fprintf(stderr, "kdeck: %v\n", err)
		return 1
	}
	client.Audit = kube.NewAuditLog(kube.AuditPath())
	benchtrace.Event("connected", "")
	if benchtrace.Enabled() {
		go traceLink(client.Link)
	}
	ns := client.Info.Namespace
	if *allNamespaces {
		ns = ""
	}
	forwards := forward.NewManager(forward.NewSaved(forward.SavedPath()))
	defer forwards.StopAll()
	env := &ui.Env{Client: client, Styles: theme.New(theme.Dark()), Namespace: ns, Version: version, Now: time.Now,
		Forwards: forwards, Warm: &ui.Warm{}}
	first, ok := ui.Lookup(views.Registry, *command)
	if !ok { // any other resource or CRD, through discovery (only when asked for)
		rctx, cancel := context.WithTimeout(context.Background(), kube.DefaultProbeTimeout)
		first, err = views.Resolve(rctx, client, *command)
		cancel()
		if err != nil {
			fmt.Fprintf(stderr, "kdeck: --command %s: %v\n", *command, err)
			return 2
		}
	}
	app := ui.New(env, views.Registry, first)
	app.SetResolver(views.Resolve)
	app.SetCommands(views.Commands)
	app.SetConfig(configured)
	if _, err := tea.NewProgram(app, tea.WithFPS(ui.FrameRate)).Run(); err != nil {
		fmt.Fprintf(stderr, "kdeck: %v\n", err)
		return 1
	}
	return 0
}

// silenceKlog stops client-go's logging from drawing over the terminal UI.
func silenceKlog() {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	_ = fs.Set("alsologtostderr", "false")
	_ = fs.Set("stderrthreshold", "FATAL")
	klog.SetOutput(io.Discard)
}

// traceLink writes "link_lost" and "link_found" to the bench trace whenever the first
// context's link changes, so that `make bench` can tell a busy server from a lost one.
func traceLink(link *kube.Link) {
	for {
		st := link.State()
		<-st.Changed
		if link.State().Lost {
			benchtrace.Event("link_lost", "")
		} else {
			benchtrace.Event("link_found", "")
		}
	}
}
