//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdeck/kdeck/kube"
)

// startPod creates pod in the cluster and waits until the kubelet (kwok) runs it.
func startPod(t *testing.T, ns, name string, labels map[string]string, container string) {
	t.Helper()
	pod := kwokPod(ns, name)
	for k, v := range labels {
		pod.Labels[k] = v
	}
	if container != "" {
		pod.Spec.Containers[0].Name = container
	}
	runPod(t, pod)
}

// `l` on a pod follows its log; space pauses and resumes; `/` finds and highlights text;
// esc clears the search and q goes back to the pods.
func TestLogsFollowPauseSearch(t *testing.T) {
	ns := newNamespace(t)
	startPod(t, ns, "web-logs", nil, "")
	term := StartKdeck(t, 160, 30, "-n", ns)
	term.WaitText("web-logs", 10*time.Second)
	term.WaitText("Running", 30*time.Second)
	term.Send("l")
	took := term.WaitText("request served", 10*time.Second)
	t.Logf("first log lines on screen %s after l", took)
	term.WaitText("logs "+ns+"/web-logs [app] following", 2*time.Second)
	term.WaitText("streaming ·", 5*time.Second)

	term.Send("Space")
	term.WaitText("[app] paused", 2*time.Second)
	term.Send("Space")
	term.WaitText("[app] following", 2*time.Second)

	term.Send("/")
	term.Send("-l", "upstream timeout")
	term.Send("Enter")
	term.WaitText("paused /upstream timeout", 2*time.Second)
	term.WaitText(`msg="upstream timeout"`, 2*time.Second)
	term.Send("n")
	term.Send("/")
	term.Send("-l", "no such text anywhere")
	term.Send("Enter")
	term.WaitText(`no match for "no such text anywhere"`, 2*time.Second)
	term.Send("Escape")
	term.WaitGone("/no such text", 2*time.Second)
	term.Send("f")
	term.WaitText("[app] following", 2*time.Second)

	term.Send("t")
	term.WaitFor("timestamps shown", 2*time.Second, func(s string) bool {
		return strings.Contains(s, time.Now().UTC().Format("2006-01-02T")) && strings.Contains(s, "Z level=")
	})
	term.Send("q")
	term.WaitText("pods("+ns+")[1]", 2*time.Second)
}

// `p` on a crash-looping pod shows the previous instance's log, ending in its panic.
func TestLogsPreviousCrashLoop(t *testing.T) {
	ns := newNamespace(t)
	startPod(t, ns, "fraud-scorer-e2e", map[string]string{"kdeck.dev/chaos": "crashloop"}, "fraud-scorer")
	term := StartKdeck(t, 160, 30, "-n", ns)
	term.WaitText("CrashLoopBackOff", 30*time.Second)
	term.Send("p")
	term.WaitText("previous logs "+ns+"/fraud-scorer-e2e [fraud-scorer]", 5*time.Second)
	took := term.WaitText("panic: runtime error: invalid memory address", 10*time.Second)
	t.Logf("previous log's panic on screen %s after p", took)
	term.WaitText("stream ended: end of log", 5*time.Second)
	screen := term.Screen()
	if strings.Contains(screen, "following") {
		t.Errorf("previous logs claim to follow:\n%s", screen)
	}
}

// A selector stream (what a deployment's `l` opens) interleaves the logs of every
// matching pod and picks up a pod created after it started.
func TestSelectorLogsJoinOnCluster(t *testing.T) {
	ns := newNamespace(t)
	labels := map[string]string{"tier": "web"}
	startPod(t, ns, "web-a", labels, "")
	startPod(t, ns, "web-b", labels, "")
	startPod(t, ns, "other", nil, "")
	s := kube.NewClientFor(testbed.clientset, nil).StreamSelectorLogs(ns, "tier=web", kube.LogOptions{Follow: true, TailLines: 5, ListEvery: time.Second})
	defer s.Stop()
	seen := map[string]int{}
	wait := func(pod string, timeout time.Duration) {
		t.Helper()
		deadline := time.Now().Add(timeout)
		for seen[pod] == 0 && time.Now().Before(deadline) {
			b, ok := s.Next()
			if !ok {
				break
			}
			for _, l := range b.Lines {
				if l.Kind == kube.LogOutput {
					seen[l.Pod]++
				}
			}
		}
		if seen[pod] == 0 {
			t.Fatalf("no lines from %s; seen %v", pod, seen)
		}
	}
	wait("web-a", 10*time.Second)
	wait("web-b", 10*time.Second)
	startPod(t, ns, "web-c", labels, "")
	wait("web-c", 10*time.Second)
	if seen["other"] > 0 {
		t.Fatalf("a pod outside the selector was streamed: %v", seen)
	}
	if seen["web-a"] > 5 || seen["web-b"] > 5 {
		t.Logf("note: more lines than the tail of 5 (follow appends): %v", seen)
	}
	t.Logf("lines per pod: %v", seen)
}

// servedLog is the log kwok serves for container file name (app.log, json.log) in the
// testbed cluster: each line's time and text, as the CRI file holds them.
func servedLog(t *testing.T, name string) (times []time.Time, texts []string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(testbed.kubeconfig), "testbed", "logs", name))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		f := strings.SplitN(l, " ", 4) // TIME STREAM F TEXT
		ts, err := time.Parse(time.RFC3339Nano, f[0])
		if err != nil || len(f) != 4 {
			t.Fatalf("%s: not a CRI log line: %q", name, l)
		}
		times, texts = append(times, ts), append(texts, f[3])
	}
	return times, texts
}

// podLogs starts pod (with container, "" for the default app) in a new namespace and
// kdeck on it, and opens the pod's logs; it returns the namespace and the terminal.
func podLogs(t *testing.T, pod, container string) (string, *Term) {
	t.Helper()
	ns := newNamespace(t)
	startPod(t, ns, pod, nil, container)
	term := StartKdeck(t, 200, 30, "-n", ns)
	term.WaitText("Running", 30*time.Second)
	term.Send("l")
	return ns, term
}

// saveAs presses s on a logs page, replaces the proposed name with path and saves; it
// returns the name kdeck proposed.
func saveAs(term *Term, path string) string {
	term.t.Helper()
	term.Send("s")
	term.WaitText("save to: ", 2*time.Second)
	proposed := lineWith(term.Screen(), "save to: ")
	term.Send("C-u")
	term.Send("-l", path)
	term.Send("Enter")
	return strings.TrimSpace(proposed[strings.Index(proposed, "save to: ")+len("save to: "):])
}

// readLines is path's lines, failing t when it cannot be read.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
}

// s saves the lines kwok served to a new file (0600), with the timestamps when they are
// shown; saving to that name again is refused and leaves the file as it was.
func TestLogsSaveToFile(t *testing.T) {
	times, texts := servedLog(t, "app.log")
	_, term := podLogs(t, "web-save", "")
	term.WaitText(fmt.Sprintf("streaming · %d lines", len(texts)), 10*time.Second)

	dir := t.TempDir()
	path := filepath.Join(dir, "web-save.log")
	proposed := saveAs(term, path)
	if !regexp.MustCompile(`^web-save-app-\d{8}-\d{6}\.log$`).MatchString(proposed) {
		t.Errorf("proposed file name %q", proposed)
	}
	took := term.WaitText(fmt.Sprintf("saved %d lines to %s", len(texts), path), 5*time.Second)
	t.Logf("saved %d lines %s after enter", len(texts), took)
	got := readLines(t, path)
	if strings.Join(got, "\n") != strings.Join(texts, "\n") {
		t.Errorf("saved file holds %d lines, not the %d kwok served:\n%s", len(got), len(texts), strings.Join(got[:min(5, len(got))], "\n"))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("saved file's mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}

	term.Send("t")
	stamped := filepath.Join(dir, "stamped.log")
	saveAs(term, stamped)
	term.WaitText("saved "+fmt.Sprint(len(texts))+" lines to "+stamped, 5*time.Second)
	for i, l := range readLines(t, stamped) {
		if want := times[i].UTC().Format("2006-01-02T15:04:05.000Z") + " " + texts[i]; l != want {
			t.Fatalf("stamped line %d: %q, want %q", i, l, want)
		}
	}

	before, _ := os.ReadFile(path)
	saveAs(term, path)
	term.WaitText(path+" already exists (kdeck never overwrites a file)", 5*time.Second)
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("the existing file changed")
	}
	saveAs(term, filepath.Join(dir, "no-such-dir", "x.log"))
	term.WaitText("not saved: no directory "+filepath.Join(dir, "no-such-dir"), 5*time.Second)
}

// S then a digit restarts the stream with a time window: the request the API server gets
// carries sinceSeconds (and no tail), and kwok serves only the lines of that window; 5 is
// the whole log, 0 the tail again. A recording proxy between kdeck and the API server
// shows each request's query.
func TestLogsTimeWindow(t *testing.T) {
	ns := newNamespace(t)
	startPod(t, ns, "web-window", nil, "")
	times, texts := servedLog(t, "app.log")
	var mu sync.Mutex
	var queries []url.Values
	kubeconfig := startProxy(t, ns, func(upstream http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/pods/web-window/log") {
				mu.Lock()
				queries = append(queries, r.URL.Query())
				mu.Unlock()
			}
			upstream.ServeHTTP(w, r)
		})
	})
	// asked waits for the next log request and returns its query.
	asked := func(what string) url.Values {
		t.Helper()
		var q url.Values
		eventually(t, what, 10*time.Second, func() bool {
			mu.Lock()
			defer mu.Unlock()
			if len(queries) == 0 {
				return false
			}
			q, queries = queries[0], queries[1:]
			return true
		})
		return q
	}
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig)
	term.WaitText("web-window", 10*time.Second)
	term.WaitText("Running", 30*time.Second)
	term.Send("l")
	term.WaitText(fmt.Sprintf("streaming · %d lines", len(texts)), 10*time.Second)
	if q := asked("the first log request"); q.Get("tailLines") != "2000" || q.Has("sinceSeconds") {
		t.Errorf("first request %v, want tailLines=2000", q)
	}

	pressed := time.Now()
	term.Send("S")
	term.WaitText("time window", 2*time.Second)
	term.Send("2")
	term.WaitText("[app] since 5m following", 2*time.Second)
	if q := asked("the 5m window's request"); q.Get("sinceSeconds") != "300" || q.Has("tailLines") {
		t.Fatalf("request after S 2: %v, want sinceSeconds=300 and no tailLines", q)
	}
	// kwok serves the lines of the last 300 s (the file's lines are 7 s apart: one line
	// either way at the window's edge)
	inWindow := 0
	for _, ts := range times {
		if ts.After(pressed.Add(-300 * time.Second)) {
			inWindow++
		}
	}
	if inWindow == 0 {
		term.WaitText("waiting for log lines…", 5*time.Second)
	} else {
		term.WaitFor(fmt.Sprintf("%d±1 lines", inWindow), 5*time.Second, func(s string) bool {
			for n := max(1, inWindow-1); n <= inWindow+1; n++ {
				if strings.Contains(s, fmt.Sprintf("streaming · %d lines", n)) {
					return true
				}
			}
			return false
		})
	}
	t.Logf("since 5m: %d of %d lines in the window (cluster up %s before)", inWindow, len(texts), time.Since(times[len(times)-1]).Round(time.Second))

	term.Send("S", "5")
	term.WaitText("[app] whole log following", 2*time.Second)
	if q := asked("the whole log's request"); q.Has("sinceSeconds") || q.Has("tailLines") {
		t.Errorf("request after S 5: %v, want neither sinceSeconds nor tailLines", q)
	}
	term.WaitText(fmt.Sprintf("streaming · %d lines", len(texts)), 5*time.Second)

	term.Send("S", "0")
	term.WaitText("logs "+ns+"/web-window [app] following", 2*time.Second)
	if q := asked("the tail's request"); q.Get("tailLines") != "2000" || q.Has("sinceSeconds") {
		t.Errorf("request after S 0: %v, want tailLines=2000", q)
	}
}

// J shows the JSON lines kwok serves as LEVEL message key=value in their order, nested
// values compact, a plain line as it is, escape sequences in keys and values visible; J
// again shows the lines as written.
func TestLogsJSONLines(t *testing.T) {
	ns, term := podLogs(t, "json-e2e", "json-logger")
	term.WaitText(`{"level":"error","msg":"payment declined","order":"o-9912"`, 10*time.Second)
	term.Send("J")
	term.WaitText("logs "+ns+"/json-e2e [json-logger] json following", 2*time.Second)
	screen := term.Screen()
	for _, want := range []string{
		`INFO cart updated user=u-1842 items=3 cart={"id":"c-77","total":42.5}`,
		`ERROR payment declined order=o-9912 code=insufficient_funds retry=false`,
		`plain text line between JSON lines`,
		`WARN ^[]0;pwned^G title "k\x1b[31m"=v`,
	} {
		if lineWith(screen, want) == "" {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	term.Send("/")
	term.Send("-l", "code=insufficient")
	term.Send("Enter")
	term.WaitText("json paused /code=insufficient", 2*time.Second)
	term.Send("Escape")
	term.Send("J")
	term.WaitText(`{"level":"info","msg":"cart updated"`, 2*time.Second)
}
