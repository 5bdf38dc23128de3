package main

import (
	"os"
	"testing"
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
