package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

// kdeck runs the command line with args and returns its exit code, stdout and stderr.
func kdeck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// A config file named with --config must exist and parse: otherwise kdeck says so in one
// line and exits before it connects (the kubeconfig here does not exist either, so a
// run that went on would fail on that instead).
func TestExplicitConfigMustExist(t *testing.T) {
	malformed := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(malformed, []byte("readonly: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"/nonexistent/typo.yaml": "kdeck: config: /nonexistent/typo.yaml: does not exist\n",
		malformed:                "kdeck: config: " + malformed + ":1: ",
	}
	for path, want := range cases {
		code, _, stderr := kdeck(t, "--config", path, "--kubeconfig", "/nonexistent/kubeconfig")
		if code != 1 || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("--config %s: exit %d, stderr %q; want 1 and one line starting %q", path, code, stderr, want)
		}
	}
}

// A mistake on the command line is exit code 2 and one line that points at --help; a run
// that fails (no kubeconfig) is 1, in one line too.
func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--no-such-flag"}, 2, "kdeck: unknown flag: --no-such-flag (see kdeck --help)\n"},
		{[]string{"-c"}, 2, "kdeck: flag needs an argument: 'c' in -c (see kdeck --help)\n"},
		{[]string{"--triage", "-c", "pods"}, 2, "kdeck: if any flags in the group [command triage] are set none of the others can be; [command triage] were all set (see kdeck --help)\n"},
		{[]string{"stray"}, 2, "kdeck: unknown command \"stray\" for \"kdeck\" (see kdeck --help)\n"},
		{[]string{"version", "--bogus"}, 2, "kdeck: unknown flag: --bogus (see kdeck version --help)\n"},
		{[]string{"version", "-o", "yaml"}, 2, "kdeck: --output yaml: want json, or no --output for text (see kdeck version --help)\n"},
		{[]string{"completion"}, 2, "kdeck: completion needs a shell: bash, zsh, fish or powershell (see kdeck completion --help)\n"},
		{[]string{"completion", "tcsh"}, 2, "kdeck: unknown command \"tcsh\" for \"kdeck completion\" (see kdeck completion --help)\n"},
		{[]string{"--kubeconfig", "/nonexistent/kubeconfig"}, 1, "kdeck: kubeconfig /nonexistent/kubeconfig does not exist\n"},
	} {
		code, stdout, stderr := kdeck(t, c.args...)
		if code != c.code || stderr != c.want || stdout != "" {
			t.Errorf("kdeck %q: exit %d, stdout %q, stderr %q; want %d and %q", c.args, code, stdout, stderr, c.code, c.want)
		}
	}
}

// --help lists every flag kdeck had before cobra (kubectl's connection flags among them)
// and the subcommands, on stdout, with exit code 0.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		code, stdout, stderr := kdeck(t, arg)
		if code != 0 || stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", arg, code, stderr)
		}
		for _, want := range []string{"Usage:\n  kdeck [flags]\n  kdeck [command]", "-A, --all-namespaces", "-c, --command string",
			`(default "pods")`, "--triage", "--readonly", "--config string", "--version", "--kubeconfig string", "--context string",
			"-n, --namespace string", "--as string", "--request-timeout string", "--token string", "--server string",
			"completion", "version"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s lacks %q:\n%s", arg, want, stdout)
			}
		}
	}
}

// `kdeck version` says one field a line; --version says the same; -o json the same fields.
func TestVersion(t *testing.T) {
	_, text, stderr := kdeck(t, "version")
	if stderr != "" {
		t.Fatalf("stderr %q", stderr)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var labels []string
	for _, l := range lines {
		label, value, _ := strings.Cut(l, ":")
		labels = append(labels, label)
		if strings.TrimSpace(value) == "" {
			t.Errorf("line %q has no value", l)
		}
	}
	if want := []string{"version", "commit", "built", "go", "client-go", "platform"}; !slices.Equal(labels, want) {
		t.Errorf("version output:\n%s\nwant the lines %q", text, want)
	}
	for _, want := range []string{"go:         " + runtime.Version() + "\n", "client-go:  v0.", "platform:   " + runtime.GOOS + "/" + runtime.GOARCH} {
		if !strings.Contains(text, want) {
			t.Errorf("version output lacks %q:\n%s", want, text)
		}
	}
	if code, flag, _ := kdeck(t, "--version"); code != 0 || flag != text {
		t.Errorf("--version: exit %d,\n%s\nwant the same as kdeck version:\n%s", code, flag, text)
	}
	_, out, _ := kdeck(t, "version", "-o", "json")
	var b build
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("version -o json: %v\n%s", err, out)
	}
	if b != currentBuild() || b.GoVersion != runtime.Version() || !strings.HasPrefix(b.ClientGo, "v0.") {
		t.Errorf("version -o json = %+v, want %+v", b, currentBuild())
	}
}

// The version comes from the release's stamp, else from the module (go install …@v1.2.3)
// and git; client-go's is read from the build information, replacement included, and said
// to be unknown when there is none.
func TestDescribeBuild(t *testing.T) {
	info := &debug.BuildInfo{
		Main:     debug.Module{Path: "github.com/kdeck/kdeck", Version: "v1.2.3"},
		Deps:     []*debug.Module{{Path: "k8s.io/api", Version: "v0.37.2"}, {Path: "k8s.io/client-go", Version: "v0.37.2"}},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}},
	}
	if b := describe(info, true, "dev", "none", "unknown"); b.Version != "v1.2.3" || b.Commit != "abc123" || b.Date != "2026-12-01T10:00:00Z" || b.ClientGo != "v0.37.2" {
		t.Errorf("go install build: %+v", b)
	}
	if b := describe(info, true, "v2.0.0", "def456", "2026-12-05"); b.Version != "v2.0.0" || b.Commit != "def456" || b.Date != "2026-12-05" {
		t.Errorf("release build: %+v", b)
	}
	info.Main.Version = "(devel)"
	info.Deps[1].Replace = &debug.Module{Path: "k8s.io/client-go", Version: "v0.37.3"}
	if b := describe(info, true, "dev", "none", "unknown"); b.Version != "dev" || b.ClientGo != "v0.37.3" {
		t.Errorf("replaced client-go: %+v", b)
	}
	info.Deps = info.Deps[:1]
	if b := describe(info, true, "dev", "none", "unknown"); !strings.HasPrefix(b.ClientGo, "unknown (") {
		t.Errorf("no client-go: %+v", b)
	}
	if b := describe(nil, false, "dev", "none", "unknown"); !strings.HasPrefix(b.ClientGo, "unknown (") || b.GoVersion != runtime.Version() {
		t.Errorf("no build information: %+v", b)
	}
}

// Every shell's script is cobra's, for kdeck.
func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash":       "complete -o default -F __start_kdeck kdeck",
		"zsh":        "compdef _kdeck kdeck",
		"fish":       "complete -c kdeck",
		"powershell": "Register-ArgumentCompleter -CommandName 'kdeck'",
	} {
		code, out, stderr := kdeck(t, "completion", shell)
		if code != 0 || stderr != "" || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, stderr %q, script lacks %q", shell, code, stderr, want)
		}
	}
}

// kubeconfigFile writes a kubeconfig with two contexts, each on its own cluster, user and
// namespace, whose server is server and whose users hold secrets.
func kubeconfigFile(t *testing.T, server string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	text := `apiVersion: v1
kind: Config
clusters:
- name: prod-cluster
  cluster: {server: "` + server + `", insecure-skip-tls-verify: true}
- name: staging-cluster
  cluster: {server: "` + server + `", insecure-skip-tls-verify: true}
users:
- name: alice
  user: {token: s3cr3t-token-alice}
- name: bob
  user: {username: bob, password: s3cr3t-password-bob}
contexts:
- name: prod
  context: {cluster: prod-cluster, user: alice, namespace: shop}
- name: staging
  context: {cluster: staging-cluster, user: bob, namespace: ledger}
current-context: prod
`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// complete asks kdeck for the completions of args as a shell script does (the last
// argument is the word being completed) and returns them and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	code, out, stderr := kdeck(t, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d, stderr %q", args, code, stderr)
	}
	if strings.Contains(out+stderr, "s3cr3t") {
		t.Errorf("__complete %q printed a secret:\n%s%s", args, out, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var names []string
	for _, l := range lines[:len(lines)-1] {
		name, _, _ := strings.Cut(l, "\t")
		names = append(names, name)
	}
	return names, lines[len(lines)-1]
}

// --context, --cluster and --user complete from the kubeconfig named by --kubeconfig or by
// KUBECONFIG, by prefix, and offer no files.
func TestCompleteKubeconfigNames(t *testing.T) {
	kubeconfig := kubeconfigFile(t, "https://127.0.0.1:1")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--kubeconfig", kubeconfig, "--context", ""}, []string{"prod", "staging"}},
		{[]string{"--kubeconfig", kubeconfig, "--context", "st"}, []string{"staging"}},
		{[]string{"--kubeconfig=" + kubeconfig, "--cluster", ""}, []string{"prod-cluster", "staging-cluster"}},
		{[]string{"--kubeconfig", kubeconfig, "--user", ""}, []string{"alice", "bob"}},
	} {
		names, directive := complete(t, c.args...)
		if !slices.Equal(names, c.want) || directive != ":4" {
			t.Errorf("complete %q = %q %s, want %q :4 (no file completion)", c.args, names, directive, c.want)
		}
	}
	t.Setenv("KUBECONFIG", kubeconfig)
	if names, _ := complete(t, "--context", ""); !slices.Equal(names, []string{"prod", "staging"}) {
		t.Errorf("with KUBECONFIG: %q", names)
	}
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "absent"))
	if names, directive := complete(t, "--context", ""); len(names) != 0 || directive != ":4" {
		t.Errorf("without a kubeconfig: %q %s, want nothing", names, directive)
	}
}

// -n completes the cluster's namespaces when it answers, and the namespaces the
// kubeconfig's contexts name when it does not answer within about 2 s.
func TestCompleteNamespaces(t *testing.T) {
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/namespaces" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"NamespaceList","apiVersion":"v1","metadata":{},"items":[
			{"metadata":{"name":"kube-system"}},{"metadata":{"name":"default"}},{"metadata":{"name":"payments"}}]}`))
	}))
	defer api.Close()
	names, directive := complete(t, "--kubeconfig", kubeconfigFile(t, api.URL), "-n", "")
	if want := []string{"default", "kube-system", "payments"}; !slices.Equal(names, want) || directive != ":4" {
		t.Errorf("from the cluster: %q %s, want %q :4", names, directive, want)
	}
	if names, _ := complete(t, "--kubeconfig", kubeconfigFile(t, api.URL), "--namespace", "pa"); !slices.Equal(names, []string{"payments"}) {
		t.Errorf("--namespace pa: %q", names)
	}

	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	names, _ = complete(t, "--kubeconfig", kubeconfigFile(t, "https://"+silent.Addr().String()), "-n", "")
	took := time.Since(start)
	if want := []string{"ledger", "shop"}; !slices.Equal(names, want) {
		t.Errorf("server silent: %q, want the kubeconfig's %q", names, want)
	}
	if took < namespaceTimeout || took > namespaceTimeout+2*time.Second {
		t.Errorf("server silent: took %s, want about %s", took, namespaceTimeout)
	}
	// a server that refuses at once is no wait at all
	names, _ = complete(t, "--kubeconfig", kubeconfigFile(t, "https://127.0.0.1:1"), "-n", "")
	if want := []string{"ledger", "shop"}; !slices.Equal(names, want) {
		t.Errorf("connection refused: %q, want %q", names, want)
	}
}

// -c completes the views' names and aliases.
func TestCompleteViews(t *testing.T) {
	names, directive := complete(t, "-c", "dep")
	if want := []string{"deployments", "deployment", "deploy"}; !slices.Equal(names, want) || directive != ":4" {
		t.Errorf("-c dep: %q %s, want %q :4", names, directive, want)
	}
	names, _ = complete(t, "--command", "")
	for _, want := range []string{"pods", "po", "hpa", "canary", "helm", "nodes", "svc"} {
		if !slices.Contains(names, want) {
			t.Errorf("-c: %q lacks %q", names, want)
		}
	}
}

// kdeck config check reads and checks the file without connecting: ok with a summary, or
// every mistake one line each and exit 1; no file at the default path is fine.
func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("keys: {X: ctrl+d, ctrl+k: none}\naliases: {web: pods -n shop}\n"), 0o600)
	os.WriteFile(bad, []byte("keys:\n  d: ctrl+d\naliases:\n  pods: deploy\n"), 0o600)
	var out, errs bytes.Buffer
	if code := run([]string{"config", "check", "--config", good}, &out, &errs); code != 0 || out.String() != good+": ok (2 keys, 1 aliases, 0 plugins, 0 contexts)\n" {
		t.Errorf("good: exit %d, %q %q", code, out.String(), errs.String())
	}
	out.Reset()
	code := run([]string{"config", "check", "--config", bad}, &out, &errs)
	lines := strings.Split(strings.TrimSpace(errs.String()), "\n")
	if code != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], "kdeck: config: "+bad+":4: alias \"pods\"") ||
		!strings.HasPrefix(lines[1], "kdeck: config: "+bad+":2: keys: d: d is already kdeck's key") {
		t.Errorf("bad: exit %d, stderr:\n%s", code, errs.String())
	}
	t.Setenv("XDG_CONFIG_HOME", dir)
	out.Reset()
	if code := run([]string{"config", "check"}, &out, &errs); code != 0 || !strings.Contains(out.String(), "no config file") {
		t.Errorf("no file: exit %d, %q", code, out.String())
	}
}
