package kube

import (
	"os"
	"path/filepath"
)

// ConfigPath is where kdeck reads its config: $XDG_CONFIG_HOME/kdeck/config.yaml
// (~/.config/kdeck/config.yaml when unset).
func ConfigPath() string { return xdgPath("XDG_CONFIG_HOME", ".config", "config.yaml") }

// AuditPath is where kdeck keeps its audit log: $XDG_STATE_HOME/kdeck/audit.log
// (~/.local/state/kdeck/audit.log when unset).
func AuditPath() string {
	return xdgPath("XDG_STATE_HOME", filepath.Join(".local", "state"), "audit.log")
}

// xdgPath is file in kdeck's folder of the XDG base directory named by env, or of
// home/fallback when env is unset (the XDG Base Directory specification's defaults).
func xdgPath(env, fallback, file string) string {
	dir := os.Getenv(env)
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, fallback)
	}
	return filepath.Join(dir, "kdeck", file)
}
