//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// bashCompletion is the bash-completion package's entry point, which cobra's bash script
// builds on (.ci/run installs the package).
const bashCompletion = "/usr/share/bash-completion/bash_completion"

// completionKubeconfig writes a kubeconfig with two contexts: alpha-testbed, the testbed
// cluster, and zulu-unreachable, on a port nothing listens on, in namespace zulu-ns, whose
// user has a token completion must never show.
func completionKubeconfig(t *testing.T) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(testbed.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	testbedCtx := cfg.Contexts[cfg.CurrentContext].DeepCopy()
	testbedCtx.Namespace = ""
	cfg.Clusters["zulu-cluster"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1", InsecureSkipTLSVerify: true}
	cfg.AuthInfos["zulu-user"] = &clientcmdapi.AuthInfo{Token: "zulu-secret-token"}
	cfg.Contexts = map[string]*clientcmdapi.Context{
		"alpha-testbed":    testbedCtx,
		"zulu-unreachable": {Cluster: "zulu-cluster", AuthInfo: "zulu-user", Namespace: "zulu-ns"},
	}
	cfg.CurrentContext = "alpha-testbed"
	path := filepath.Join(t.TempDir(), "kubeconfig.yaml")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// StartShell runs argv (an interactive shell) in a width × height tmux pane, with the kdeck
// under test first on PATH and env added to the environment.
func StartShell(t *testing.T, env []string, width, height int, argv ...string) *Term {
	t.Helper()
	term := &Term{t: t, socket: tmuxSocket(), session: sanitize(t.Name()), Home: t.TempDir()}
	envs := append([]string{"TERM=xterm-256color", "HOME=" + term.Home, "ZDOTDIR=" + term.Home, "HISTFILE=/dev/null",
		"PATH=" + filepath.Dir(testbed.kdeck) + ":" + os.Getenv("PATH")}, env...)
	cmd := []string{"-L", term.socket, "new-session", "-d", "-s", term.session,
		"-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "env " + strings.Join(quoteAll(append(envs, argv...)), " ")}
	if out, err := exec.Command("tmux", cmd...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(term.Close)
	return term
}

// The completion scripts load in bash and zsh, and in a real interactive bash and zsh, tab
// completes kdeck's flags through the binary: --context from a kubeconfig with two
// contexts (named by KUBECONFIG in bash, by --kubeconfig in zsh), -n from the cluster's
// namespaces (one that only the cluster knows), and from the kubeconfig's namespaces when
// the context's server cannot be reached. No secret of the kubeconfig reaches the screen.
func TestShellCompletion(t *testing.T) {
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Fatalf("the bash-completion package is missing (.ci/run installs it): %v", err)
	}
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Fatalf("zsh is missing (.ci/run installs it): %v", err)
	}
	kubeconfig := completionKubeconfig(t)
	ns := newNamespace(t) // only the cluster knows it
	path := "PATH=" + filepath.Dir(testbed.kdeck) + ":" + os.Getenv("PATH")

	t.Run("scripts load", func(t *testing.T) {
		for _, c := range []struct {
			argv []string
			want string
		}{
			{[]string{"bash", "--norc", "--noprofile", "-c", "source " + bashCompletion + " && source <(kdeck completion bash) && complete -p kdeck"},
				"complete -o default -F __start_kdeck kdeck"},
			{[]string{"zsh", "-f", "-c", "autoload -U compinit && compinit -u -D && source <(kdeck completion zsh) && print -r -- ${_comps[kdeck]}"},
				"_kdeck"},
		} {
			cmd := exec.Command(c.argv[0], c.argv[1:]...)
			cmd.Env = append(os.Environ(), path, "HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != c.want {
				t.Errorf("%s: %v\n%s\nwant %q", c.argv[0], err, out, c.want)
			}
		}
	})

	shells := []struct {
		name   string
		prompt string
		env    []string
		argv   []string
		setup  string // typed first: load completion
		flags  string // before the completed flag: the kubeconfig
	}{
		{"bash", "$", []string{"KUBECONFIG=" + kubeconfig, "PS1=$ "}, []string{"bash", "--norc", "--noprofile", "-i"},
			"source " + bashCompletion + "; source <(kdeck completion bash)", ""},
		{"zsh", ">", []string{"PS1=> "}, []string{"zsh", "-f", "-i"},
			"bindkey -e; autoload -U compinit && compinit -u -D && source <(kdeck completion zsh)", "--kubeconfig " + kubeconfig + " "},
	}
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			term := StartShell(t, sh.env, 160, 40, sh.argv...)
			term.WaitText(sh.prompt, 15*time.Second)
			term.Send(sh.setup, "Enter", "clear", "Enter")
			term.WaitFor("a clear screen after loading completion", 15*time.Second, func(s string) bool {
				return strings.TrimSpace(s) == sh.prompt
			})
			// complete typed, check that the line became want (tmux drops the spaces that
			// end a line), clear the screen
			tab := func(typed, want string, tabs ...string) {
				t.Helper()
				term.Send("C-u")
				term.Send(typed)
				term.Send(tabs...)
				term.WaitText(want, 20*time.Second)
				if s := term.Screen(); strings.Contains(s, "zulu-secret-token") {
					t.Errorf("a token on screen:\n%s", s)
				}
				term.Send("C-u", "clear", "Enter")
				term.WaitGone(want, 10*time.Second)
			}
			// both contexts offered, then one completed
			term.Send("C-u")
			term.Send("kdeck " + sh.flags + "--context ")
			term.Send("Tab", "Tab")
			term.WaitLine(20*time.Second, "alpha-testbed", "zulu-unreachable")
			term.Send("C-u", "clear", "Enter")
			term.WaitGone("alpha-testbed", 10*time.Second)
			tab("kdeck "+sh.flags+"--context zu", "--context zulu-unreachable", "Tab")
			// the cluster's own namespace
			tab("kdeck "+sh.flags+"--context alpha-testbed -n "+ns[:len(ns)-3], "-n "+ns, "Tab")
			// a server that cannot be reached: the kubeconfig's namespaces
			tab("kdeck "+sh.flags+"--context zulu-unreachable --namespace zu", "--namespace zulu-ns", "Tab")
			// a user: its name, nothing of its credentials
			tab("kdeck "+sh.flags+"--user zu", "--user zulu-user", "Tab")
			// a view
			tab("kdeck "+sh.flags+"-c deployme", "-c deployment", "Tab")
		})
	}
}
