package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/config"
	"github.com/kdeck/kdeck/views"
)

// The committed references match the code: a key or a config field added without
// `make docs` fails here.
func TestReferencesAreCurrent(t *testing.T) {
	t.Chdir("../..") // the config types' comments are read by their path from the module's root
	files, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil || string(got) != string(want) {
			t.Errorf("%s is stale (or missing: %v): run make docs", name, err)
		}
	}
}

// The README's config example is a valid config: every key free, every alias a view.
func TestREADMEConfigExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "### Make it yours")
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	example, _, _ := strings.Cut(rest, "```")
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stern"), []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	cfg, err := config.Read(path)
	if err == nil {
		_, err = ui.Configure(cfg, views.Registry, views.Commands)
	}
	if err != nil || len(cfg.Plugins) != 1 {
		t.Fatalf("the README's example: %v", err)
	}
}
