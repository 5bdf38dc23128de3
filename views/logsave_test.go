package views

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// save presses s on p, replaces the proposed name with path and presses enter; it returns
// the name proposed and what the save reported.
func save(t *testing.T, p *LogsPage, path string) (proposed string, report ui.NotifyMsg) {
	t.Helper()
	press(p, "s")
	if p.saving == nil || !p.Capturing() {
		t.Fatalf("s opens no prompt (flash %q)", p.flash)
	}
	proposed = p.saving.Value()
	p.saving.SetValue(path)
	cmd := p.saveKey(tea.KeyPressMsg{Code: tea.KeyEnter})
	if p.saving != nil || cmd == nil {
		t.Fatalf("enter does not save")
	}
	msg, ok := cmd().(ui.NotifyMsg)
	if !ok {
		t.Fatalf("the save reports %T", msg)
	}
	return proposed, msg
}

// s saves every line held, as shown (timestamps, JSON formatting, notes), to a new file of
// the owner's alone; it never overwrites one, and a missing directory changes nothing.
func TestLogsSave(t *testing.T) {
	env := testEnv("shop")
	lines := append(jsonFixture()[:7], kube.LogLine{Kind: kube.LogNote, Text: "stream ended while the pod runs; reconnecting…"})
	p := logsPage(env, lines, streaming)
	p.View(80, 10)
	press(p, "t", "J")
	dir := t.TempDir()
	path := filepath.Join(dir, "web.log")
	proposed, report := save(t, p, path)
	if proposed != "web-6b7f9c8d7d-x7k2p-app-20261123-120000.log" {
		t.Errorf("proposed name %q", proposed)
	}
	if report.Level != ui.LevelOK || report.Text != "saved 8 lines to "+path {
		t.Fatalf("report %+v", report)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	want := []string{
		"2026-11-23T11:59:39.000Z INFO starting checkout time=2026-11-23T11:59:50Z version=1.8.2 pid=1",
		`2026-11-23T11:59:40.000Z DEBUG config loaded time=2026-11-23T11:59:51Z config={"port":8080,"tls":false,"peers":["a","b"]}`,
		"2026-11-23T11:59:41.000Z plain text from a library that does not log JSON",
		"2026-11-23T11:59:42.000Z WARN slow query time=2026-11-23T11:59:52Z table=orders rows=18234 duration=1.84s",
		`2026-11-23T11:59:43.000Z ERROR upstream timeout time=2026-11-23T11:59:53Z upstream=payments-api.payments:443 attempt=2 err="context deadline exceeded"`,
		`2026-11-23T11:59:44.000Z CRITICAL card vault unreachable time=2026-11-23T11:59:54Z "\x1b[31mkey"="\x1b]0;pwned\a"`,
		"2026-11-23T11:59:45.000Z INFO request served time=2026-11-23T11:59:55Z method=GET path=/api/v1/cart status=200 duration_ms=12",
		"── stream ended while the pod runs; reconnecting…",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("file holds:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.ContainsAny(string(raw), "\x1b\a") {
		t.Errorf("the file holds raw escape sequences")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}

	// the same name again: refused, the file as it was
	press(p, "J", "t")
	_, report = save(t, p, path)
	if report.Level != ui.LevelError || report.Text != "not saved: "+path+" already exists (kdeck never overwrites a file)" {
		t.Errorf("overwrite reported %+v", report)
	}
	if again, _ := os.ReadFile(path); string(again) != string(raw) {
		t.Errorf("the existing file changed")
	}
	// a directory that does not exist: refused, nothing created
	_, report = save(t, p, filepath.Join(dir, "nope", "web.log"))
	if report.Level != ui.LevelError || report.Text != "not saved: no directory "+filepath.Join(dir, "nope") {
		t.Errorf("missing directory reported %+v", report)
	}
	// ~/ is the home directory; without timestamps and JSON, lines as written
	t.Setenv("HOME", dir)
	_, report = save(t, p, "~/plain.log")
	if report.Text != "saved 8 lines to "+filepath.Join(dir, "plain.log") {
		t.Fatalf("report %+v", report)
	}
	if plain, _ := os.ReadFile(filepath.Join(dir, "plain.log")); !strings.HasPrefix(string(plain), jsonFixture()[0].Text+"\n") {
		t.Errorf("plain save starts %q", string(plain)[:min(80, len(plain))])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d entries, want web.log and plain.log", len(entries))
	}

	// esc closes the prompt and saves nothing; an empty name saves nothing
	press(p, "s", "esc")
	if p.saving != nil || p.Capturing() {
		t.Errorf("esc does not close the prompt")
	}
	press(p, "s")
	p.saving.SetValue("")
	if cmd := p.saveKey(tea.KeyPressMsg{Code: tea.KeyEnter}); cmd != nil || p.flash != "not saved: no file name" {
		t.Errorf("an empty name saves (flash %q)", p.flash)
	}
}

// A save prompt takes the last line, prefilled; a selector page proposes its kind and name.
func TestLogsSavePrompt(t *testing.T) {
	env := testEnv("shop")
	p := logsPage(env, fixtureLogs(40), streaming)
	press(p, "s")
	if out := ansi.Strip(frame(env, p, 100, 12)); !strings.Contains(out, "save to: web-6b7f9c8d7d-x7k2p-app-20261123-120000.log") {
		t.Errorf("no prompt on screen:\n%s", out)
	}
	sel := NewSelectorLogs(env, "shop", "app=web", "shop/deploy/web").(*LogsPage)
	press(sel, "s")
	if sel.saving != nil || sel.flash != "no lines to save yet" {
		t.Errorf("an empty page opens a save (flash %q)", sel.flash)
	}
	sel.apply(kube.LogBatch{Lines: fixtureLogs(3), Status: streaming})
	press(sel, "s")
	if got := sel.saving.Value(); got != "deploy-web-20261123-120000.log" {
		t.Errorf("selector page proposes %q", got)
	}
}

// S chooses a time window: the stream starts again with the lines of that stretch of time
// (the request carries SinceSeconds, no tail), the title says it; 0 goes back to the tail.
func TestLogsTimeWindow(t *testing.T) {
	cs := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}}, Status: corev1.PodStatus{Phase: corev1.PodRunning}})
	var mu sync.Mutex
	var asked []corev1.PodLogOptions
	cs.PrependReactor("get", "pods/log", func(a k8stesting.Action) (bool, runtime.Object, error) {
		mu.Lock()
		asked = append(asked, *a.(k8stesting.GenericAction).GetValue().(*corev1.PodLogOptions))
		mu.Unlock()
		return true, &runtime.Unknown{Raw: []byte("2026-11-23T12:00:00Z fresh\n")}, nil
	})
	request := func() corev1.PodLogOptions {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			n := len(asked)
			mu.Unlock()
			if n > 0 {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(asked) == 0 {
			t.Fatalf("no log request")
		}
		o := asked[0]
		asked = nil
		return o
	}
	env := testEnv("shop")
	env.Client = &kube.Client{Clientset: cs, Info: env.Client.Info}

	p := logsPage(env, fixtureLogs(30), streaming)
	defer p.Close()
	press(p, "S")
	if p.picker == nil || !p.Capturing() {
		t.Fatalf("S opens no picker")
	}
	out := ansi.Strip(frame(env, p, 80, 16))
	for _, want := range []string{"time window", "▸ 0  the last 2,000 lines", "2  since 5m", "5  whole log"} {
		if !strings.Contains(out, want) {
			t.Errorf("picker lacks %q:\n%s", want, out)
		}
	}
	press(p, "2")
	o := request()
	if o.SinceSeconds == nil || *o.SinceSeconds != 300 || o.TailLines != nil {
		t.Errorf("request %+v, want sinceSeconds 300 and no tail", o)
	}
	if p.picker != nil || p.buf.Len() != 0 || !strings.Contains(p.Title(), "[app] since 5m following") {
		t.Errorf("after 2: picker %v, %d lines held, title %q", p.picker != nil, p.buf.Len(), p.Title())
	}
	press(p, "S", "down", "down", "down", "enter") // from 5m down to the whole log
	if o := request(); o.SinceSeconds != nil || o.TailLines != nil || !strings.Contains(p.Title(), "whole log") {
		t.Errorf("whole log: request %+v, title %q", o, p.Title())
	}
	press(p, "S", "0")
	if o := request(); o.SinceSeconds != nil || o.TailLines == nil || *o.TailLines != LogTail || strings.Contains(p.Title(), "since") {
		t.Errorf("the tail again: request %+v, title %q", o, p.Title())
	}
	press(p, "S", "esc")
	if p.picker != nil {
		t.Errorf("esc does not close the picker")
	}

	sel := NewSelectorLogs(env, "shop", "app=web", "shop/deploy/web").(*LogsPage)
	defer sel.Close()
	sel.Init()
	request()
	press(sel, "S", "4")
	if o := request(); o.SinceSeconds == nil || *o.SinceSeconds != 3600 || o.TailLines != nil || !strings.Contains(sel.Title(), "shop/deploy/web since 1h") {
		t.Errorf("selector page: request %+v, title %q", o, sel.Title())
	}
	press(sel, "S", "0")
	if o := request(); o.SinceSeconds != nil || o.TailLines == nil || *o.TailLines != LogTail/4 {
		t.Errorf("selector page, the tail again: request %+v", o)
	}
}
