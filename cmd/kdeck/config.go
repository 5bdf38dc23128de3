package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/config"
	"github.com/kdeck/kdeck/views"
	"github.com/spf13/cobra"
)

// loadConfig reads the config file at path (which must exist when named on the command
// line) and checks all of it against kdeck's views, commands and keys.
func loadConfig(path string, named bool) (*config.Config, *ui.Configured, error) {
	load := config.Load // the default file need not exist
	if named {
		load = config.Read
	}
	cfg, err := load(path)
	if err != nil {
		return nil, nil, err
	}
	configured, err := ui.Configure(cfg, views.Registry, views.Commands)
	if err != nil {
		return nil, nil, err
	}
	return cfg, configured, nil
}

// configError says "config: " before each of err's lines, one mistake a line.
func configError(err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = "config: " + l
	}
	return errors.New(strings.Join(lines, "\n"))
}

// newConfigCmd builds `kdeck config check`: the config file read and checked as kdeck
// would before its UI starts, without connecting to any cluster.
func newConfigCmd(o *options) *cobra.Command {
	cfg := &cobra.Command{Use: "config", Short: "work with kdeck's config file"}
	cfg.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "check the config file (--config, or the default one) without connecting",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := o.configPath
			if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !cmd.Flag("config").Changed {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: no config file; kdeck uses its defaults\n", path)
				return nil
			}
			c, _, err := loadConfig(path, true)
			if err != nil {
				return &exitError{1, configError(err)}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d keys, %d aliases, %d plugins, %d contexts)\n",
				path, len(c.Keys), len(c.Aliases), len(c.Plugins), len(c.Contexts))
			return nil
		},
	})
	return cfg
}
