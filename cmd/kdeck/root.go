package main

import (
	"errors"
	"io"

	"github.com/kdeck/kdeck/kube"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// options are kdeck's flags. --config is persistent: every subcommand takes it.
type options struct {
	kube          *genericclioptions.ConfigFlags // kubectl's own connection flags
	configPath    string                         // --config
	configChanged bool                           // --config was given: the file must exist
	allNamespaces bool                           // -A
	command       string                         // -c, the first view
	triage        bool                           // --triage: the triage view first
	readOnly      bool                           // --readonly
	version       bool                           // --version
}

// newRootCmd builds the kdeck command line, writing to stdout and stderr. kdeck alone runs
// the console; each subcommand is built by a function in a file of its own
// (newVersionCmd in version.go) and added here. An error a command's RunE returns ends
// kdeck with exit code 1 (an *exitError chooses its own); cobra's own errors, about flags
// and arguments, with 2.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &options{kube: genericclioptions.NewConfigFlags(true)}
	root := &cobra.Command{
		Use:   "kdeck",
		Short: "kdeck: a terminal console for Kubernetes clusters",
		Long: "kdeck: a terminal console for Kubernetes clusters.\n\n" +
			"kdeck alone opens the console on the current kubeconfig context and its namespace, like kubectl.",
		Args:          cobra.NoArgs, // `kdeck foo`: unknown command "foo"
		SilenceErrors: true,         // run prints every error in one line
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.version {
				return writeVersion(cmd.OutOrStdout(), currentBuild(), "")
			}
			o.configChanged = cmd.Flag("config").Changed
			if o.triage {
				o.command = "triage"
			}
			return console(o)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)

	root.PersistentFlags().StringVar(&o.configPath, "config", kube.ConfigPath(), "kdeck's config file (policies, keys, aliases, plugins, skins; docs/CONFIG.md); a file named here must exist")
	local := root.Flags()
	o.kube.AddFlags(local) // a subcommand that connects adds them to its own flags: o.kube.AddFlags(cmd.Flags())
	local.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "show every namespace")
	local.StringVarP(&o.command, "command", "c", "pods", "the view to open first (pods, deploy, svc, hpa, …)")
	local.BoolVar(&o.triage, "triage", false, "open the triage view first: everything that needs a person now (-c triage)")
	root.MarkFlagsMutuallyExclusive("command", "triage")
	local.BoolVar(&o.version, "version", false, "print kdeck's version and exit")
	local.BoolVar(&o.readOnly, "readonly", false, "refuse every change to the cluster (also per context in the config file)")

	root.AddCommand(newVersionCmd(), newConfigCmd(o))
	addCompletionCmd(root)
	registerCompletions(root, o)
	failRuns(root)
	return root
}

// addCompletionCmd adds cobra's `completion bash|zsh|fish|powershell`, which without a
// shell, or with an unknown one, is a mistake on the command line (cobra would print its
// help and exit 0).
func addCompletionCmd(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.RunE = func(cmd *cobra.Command, _ []string) error {
				return &exitError{2, errors.New("completion needs a shell: bash, zsh, fish or powershell (see kdeck completion --help)")}
			}
		}
	}
}

// failRuns makes an error returned by the RunE of c or of any command under it an
// *exitError with exit code 1, unless it is one already: a mistake found once a command
// runs is a failure of the run, not of the command line.
func failRuns(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			var exit *exitError
			if err != nil && !errors.As(err, &exit) {
				return &exitError{1, err}
			}
			return err
		}
	}
	for _, sub := range c.Commands() {
		failRuns(sub)
	}
}
