// Command docgen writes the references generated from the code: docs/KEYS.md from the key
// registry, docs/CONFIG.md and docs/config.schema.json from the config types. Run it from
// the repository's root (make docs); its test fails when a committed file is stale.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/config"
	_ "github.com/kdeck/kdeck/views" // its keys join the registry
)

func main() {
	files, err := generate()
	if err == nil {
		for name, text := range files {
			if err = os.WriteFile(name, text, 0o644); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

// generate returns every generated file's path and text; it runs in the module's root.
func generate() (map[string][]byte, error) {
	dir := filepath.Join("ui", "config")
	schema, err := config.Schema(dir)
	if err != nil {
		return nil, err
	}
	ref, err := config.Reference(dir)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		filepath.Join("docs", "KEYS.md"):            []byte(ui.KeysReference()),
		filepath.Join("docs", "CONFIG.md"):          []byte(ref),
		filepath.Join("docs", "config.schema.json"): schema,
	}, nil
}
