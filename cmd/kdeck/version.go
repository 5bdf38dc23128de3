package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// build is what `kdeck version` and `kdeck --version` say.
type build struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
	ClientGo  string `json:"clientGoVersion"`
	Platform  string `json:"platform"`
}

// clientGo is the module whose version `kdeck version` reports: the Kubernetes client, which
// decides which API servers kdeck speaks to well.
const clientGo = "k8s.io/client-go"

func newVersionCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print kdeck's version, commit, build date, Go and client-go versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeVersion(cmd.OutOrStdout(), currentBuild(), output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "json for JSON; one line per field when not set")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]cobra.Completion{"json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// currentBuild describes this binary: the version stamped by the release build or, in a
// binary built by `go install …@VERSION`, the module's own, and the rest from its build
// information.
func currentBuild() build {
	info, ok := debug.ReadBuildInfo()
	return describe(info, ok, version, commit, date)
}

// describe is currentBuild with its inputs given.
func describe(info *debug.BuildInfo, ok bool, version, commit, date string) build {
	b := build{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version(),
		ClientGo: "unknown (the binary carries no build information)", Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if !ok || info == nil {
		return b
	}
	if v := info.Main.Version; b.Version == "dev" && v != "" && v != "(devel)" {
		b.Version = v
	}
	for _, s := range info.Settings { // set by go build in a git work tree (-buildvcs)
		switch {
		case s.Key == "vcs.revision" && b.Commit == "none":
			b.Commit = s.Value
		case s.Key == "vcs.time" && b.Date == "unknown":
			b.Date = s.Value
		}
	}
	b.ClientGo = "unknown (" + clientGo + " is not in the binary's build information)"
	for _, m := range info.Deps {
		if m.Path == clientGo {
			b.ClientGo = m.Version
			if r := m.Replace; r != nil && r.Version != "" {
				b.ClientGo = r.Version
			} else if r != nil {
				b.ClientGo += " (replaced by " + r.Path + ")"
			}
		}
	}
	return b
}

// writeVersion writes b as output asks: "" one line per field, "json" a JSON object.
func writeVersion(w io.Writer, b build, output string) error {
	switch output {
	case "":
		_, err := fmt.Fprintf(w, "version:    %s\ncommit:     %s\nbuilt:      %s\ngo:         %s\nclient-go:  %s\nplatform:   %s\n",
			b.Version, b.Commit, b.Date, b.GoVersion, b.ClientGo, b.Platform)
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	default:
		return &exitError{2, fmt.Errorf("--output %s: want json, or no --output for text (see kdeck version --help)", output)}
	}
}
