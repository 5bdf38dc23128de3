package ui

import (
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui/config"
	"github.com/kdeck/kdeck/ui/uitest"
)

// A plugin's program reads the kubeconfig kdeck read: the file --kubeconfig named, over
// $KUBECONFIG; without --kubeconfig, $KUBECONFIG as it was.
func TestPluginsReadTheKubeconfigKdeckRead(t *testing.T) {
	t.Setenv("KUBECONFIG", "/elsewhere/config")
	p := &config.Plugin{Name: config.At[string]{V: "which"}, Command: config.At[string]{V: "printenv"},
		Args: []string{"KUBECONFIG"}, Background: true}
	said := func(kubeconfig string) string {
		t.Helper()
		env := &Env{Client: &kube.Client{Info: kube.Info{Context: "prod", Kubeconfig: kubeconfig}}, Now: time.Now}
		for _, msg := range uitest.Messages(runPluginCommand(env, p, nil), 5*time.Second) {
			if n, ok := msg.(NotifyMsg); ok && n.Level == LevelOK {
				return n.Text
			}
		}
		t.Fatal("the plugin did not finish")
		return ""
	}
	if got, want := said("/work/prod.yaml"), "✓ plugin which: /work/prod.yaml"; got != want {
		t.Errorf("with --kubeconfig: %q, want %q", got, want)
	}
	if got, want := said(""), "✓ plugin which: /elsewhere/config"; got != want {
		t.Errorf("without --kubeconfig: %q, want %q", got, want)
	}
}
