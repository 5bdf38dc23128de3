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
	"github.com/charmbracelet/colorprofile"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/benchtrace"
	"github.com/kdeck/kdeck/views"
	"github.com/spf13/cobra"
	"k8s.io/klog/v2"
)

// Stamped by the release build (see .goreleaser.yaml).
var version, commit, date = "dev", "none", "unknown"

func main() {
	// started from Windows Explorer, run in the console it opens, as before cobra
	cobra.MousetrapHelpText = ""
	benchtrace.Event("main", "") // the packages are initialised
	benchtrace.Start()           // profiles for make bench, when asked for by the environment
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	benchtrace.Stop()
	os.Exit(code)
}

// run runs the kdeck command line with args and returns the process exit code: 0, 1 when
// the run failed, 2 for a mistake on the command line. Every error is one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	silenceKlog()
	root := newRootCmd(stdout, stderr)
	if args == nil {
		args = []string{} // cobra reads os.Args for nil
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	var exit *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		for _, line := range strings.Split(exit.err.Error(), "\n") { // several config mistakes: one a line
			fmt.Fprintf(stderr, "kdeck: %s\n", line)
		}
		return exit.code
	default: // cobra's own, before any command ran: a flag, an argument, a command
		fmt.Fprintf(stderr, "kdeck: %v (see %s --help)\n", err, cmd.CommandPath())
		return 2
	}
}

// exitError ends kdeck with code after one line on stderr: "kdeck: " and err.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// console connects and runs the terminal UI (kdeck with no command).
func console(o *options) error {
	colors := detectColors() // meanwhile, kdeck reads its config and connects
	cfg, configured, err := loadConfig(o.configPath, o.configChanged)
	if err != nil {
		return &exitError{1, configError(err)}
	}
	policy := func(context string) kube.Policy {
		p := cfg.For(context).Policy
		p.ReadOnly = p.ReadOnly || o.readOnly
		return p
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	contexts := "" // --context a,b: several clusters at once, the first connected as usual
	if c := o.kube.Context; c != nil && strings.Contains(*c, ",") {
		contexts = *c
		first, _, _ := strings.Cut(contexts, ",")
		o.kube.Context = &first
	}
	client, err := kube.Connect(ctx, o.kube, kube.Options{UserAgent: userAgent(), Policy: policy})
	if err != nil {
		return &exitError{1, err}
	}
	client.Audit = kube.NewAuditLog(kube.AuditPath())
	fleet, err := connectFleet(ctx, client, contexts)
	if err != nil {
		return err
	}
	stop()
	benchtrace.Event("connected", "")
	if benchtrace.Enabled() {
		go traceLink(client.Link)
	}
	ns := client.Info.Namespace
	if strings.Contains(ns, ",") { // -n shop,payments: those namespaces, listed together
		if ns, err = kube.ValidNamespaces(ns); err != nil {
			return &exitError{2, fmt.Errorf("--namespace: %w", err)}
		}
		client.Info.Namespace = kube.Namespaces(ns)[0] // where a list action creates
	}
	if o.allNamespaces {
		ns = ""
	}
	forwards := forward.NewManager(forward.NewSaved(forward.SavedPath()))
	defer forwards.StopAll()
	env := &ui.Env{Client: client, Styles: theme.New(theme.Dark()), Namespace: ns, Version: version, Now: time.Now,
		Forwards: forwards, Warm: &ui.Warm{}}
	first, ok := ui.Lookup(views.Registry, o.command)
	if !ok { // any other resource or CRD, through discovery (only when asked for)
		rctx, cancel := context.WithTimeout(context.Background(), kube.DefaultProbeTimeout)
		first, err = views.Resolve(rctx, client, o.command)
		cancel()
		if err != nil {
			return &exitError{2, fmt.Errorf("--command %s: %w", o.command, err)}
		}
	}
	app := ui.New(env, views.Registry, first)
	if fleet != nil {
		app.SetFleet(fleet)
	}
	app.SetResolver(views.Resolve)
	app.SetCommands(views.Commands)
	app.SetConfig(configured)
	app.Preload()
	if _, err := tea.NewProgram(app, tea.WithFPS(ui.FrameRate), tea.WithColorProfile(<-colors)).Run(); err != nil {
		return &exitError{1, err}
	}
	return nil
}

// connectFleet connects to every context of list (--context a,b,c) besides client's own,
// the first, and returns them all, client first; nil for a list of one or none. A context
// that cannot be reached now joins anyway and is shown as not answering (JoinContexts).
func connectFleet(ctx context.Context, client *kube.Client, list string) ([]*kube.Client, error) {
	if list == "" {
		return nil, nil
	}
	names, err := kube.ValidContexts(list, client.Contexts)
	if err != nil {
		return nil, &exitError{2, fmt.Errorf("--context: %w", err)}
	}
	others, err := client.JoinContexts(ctx, names[1:])
	if err != nil {
		return nil, &exitError{1, err}
	}
	return append([]*kube.Client{client}, others...), nil
}

// detectColors detects the terminal's colour profile in the background, as bubbletea
// would as the program starts (colorprofile.Detect on stdout and the environment). In
// tmux that runs `tmux info`, a process of its own, which took 10-400 ms of the time to
// the first rows on the 2-core bench machine (make bench runs kdeck in tmux, as many
// people do) when bubbletea ran it after kdeck had connected.
func detectColors() <-chan colorprofile.Profile {
	ch := make(chan colorprofile.Profile, 1)
	go func() { ch <- colorprofile.Detect(os.Stdout, os.Environ()) }()
	return ch
}

// userAgent is what kdeck tells the API server it is.
func userAgent() string { return "kdeck/" + version }

// silenceKlog stops client-go's logging from drawing over the terminal UI (or into a
// shell's completion).
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
