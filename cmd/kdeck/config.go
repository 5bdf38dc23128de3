package main

import (
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/config"
	"github.com/kdeck/kdeck/views"
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
