package kube

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestReadLogLines(t *testing.T) {
	long := strings.Repeat("é", 40_000) // 80,000 bytes
	in := "2026-11-23T12:00:00.123456789Z stdout F hello\r\n" +
		"no timestamp here\n" +
		"2026-11-23T12:00:01Z " + long + "\n" +
		"last line without newline"
	var got []LogLine
	if err := ReadLogLines(strings.NewReader(in), MaxLineBytes, func(l LogLine) { got = append(got, l) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d lines, want 4", len(got))
	}
	if want := time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC); !got[0].Time.Equal(want) || got[0].Text != "stdout F hello" {
		t.Errorf("line 0: %v %q", got[0].Time, got[0].Text)
	}
	if !got[1].Time.IsZero() || got[1].Text != "no timestamp here" {
		t.Errorf("line 1: %v %q", got[1].Time, got[1].Text)
	}
	text, marker, ok := strings.Cut(got[2].Text, " …[line cut: ")
	if !ok || len(text) > MaxLineBytes || !strings.HasPrefix(marker, "6") {
		t.Errorf("long line not cut at %d bytes: %d bytes, marker %q", MaxLineBytes, len(text), marker)
	}
	if strings.ContainsRune(text, '\uFFFD') || !strings.HasSuffix(text, "é") {
		t.Errorf("the cut split a character")
	}
	if got[3].Text != "last line without newline" {
		t.Errorf("line 3: %q", got[3].Text)
	}
}

// A flood of lines reaches the reader in a few large batches, never one per line.
func TestLogStreamBatches(t *testing.T) {
	s := newLogStream(LogOptions{})
	defer s.Stop()
	go func() {
		defer s.finish()
		for i := range 200_000 {
			s.add(LogLine{Text: fmt.Sprint(i)})
			if i%1000 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	start := time.Now()
	batches, lines := 0, 0
	for {
		b, ok := s.Next()
		if !ok {
			break
		}
		batches++
		lines += len(b.Lines) + int(b.Dropped)
	}
	took := time.Since(start)
	rate := float64(batches) / took.Seconds()
	t.Logf("%d lines in %d batches over %s (%.1f batches/s)", lines, batches, took.Round(time.Millisecond), rate)
	if lines != 200_000 {
		t.Fatalf("%d lines delivered or dropped, want 200,000", lines)
	}
	if batches > int(took/LogInterval)+2 {
		t.Fatalf("%d batches in %s: more than one per %s", batches, took, LogInterval)
	}
}

// A reader that falls behind loses the oldest lines, counted, instead of growing memory.
func TestLogStreamSlowReader(t *testing.T) {
	s := newLogStream(LogOptions{MaxLines: 100})
	defer s.Stop()
	for i := range 1000 {
		s.add(LogLine{Text: fmt.Sprint(i)})
	}
	b, _ := s.Next()
	if len(b.Lines) != 100 || b.Dropped != 900 || b.Lines[0].Text != "900" {
		t.Fatalf("got %d lines, %d dropped, first %q", len(b.Lines), b.Dropped, b.Lines[0].Text)
	}
}

func runningPod(ns, name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels, ResourceVersion: "1"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}, {Name: "sidecar"}}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
}

// logReactor answers log requests from serve(call number, options).
func logReactor(cs *fake.Clientset, serve func(n int, o *corev1.PodLogOptions) string) *atomic.Int32 {
	var calls atomic.Int32
	cs.PrependReactor("get", "pods/log", func(a k8stesting.Action) (bool, runtime.Object, error) {
		n := int(calls.Add(1))
		o := a.(k8stesting.GenericAction).GetValue().(*corev1.PodLogOptions)
		return true, &runtime.Unknown{Raw: []byte(serve(n, o))}, nil
	})
	return &calls
}

// collect reads batches until cond holds or the stream ends.
func collect(t *testing.T, s *LogStream, timeout time.Duration, cond func([]LogLine, LogStatus) bool) ([]LogLine, LogStatus) {
	t.Helper()
	var lines []LogLine
	var st LogStatus
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		b, ok := s.Next()
		if !ok {
			break
		}
		lines, st = append(lines, b.Lines...), b.Status
		if cond(lines, st) {
			return lines, st
		}
	}
	return lines, st
}

// Following reconnects when the stream ends while the pod runs, from the last line's
// second, without repeating lines; a deleted pod ends the stream and says so.
func TestFollowReconnects(t *testing.T) {
	cs := fake.NewClientset(runningPod("shop", "web-1", nil))
	var sinceSeen atomic.Value
	logReactor(cs, func(n int, o *corev1.PodLogOptions) string {
		if o.Container != "app" || !o.Timestamps || !o.Follow {
			t.Errorf("request %d: options %+v", n, o)
		}
		switch n {
		case 1:
			return "2026-11-23T12:00:00.100Z one\n2026-11-23T12:00:01.200Z two\n2026-11-23T12:00:01.200Z two\n"
		case 2:
			if o.SinceTime != nil {
				sinceSeen.Store(o.SinceTime.Time)
			}
			// The server starts again at the whole second of the last line.
			return "2026-11-23T12:00:01.200Z two\n2026-11-23T12:00:01.200Z two\n2026-11-23T12:00:01.200Z two\n2026-11-23T12:00:02Z three\n"
		}
		_ = cs.Tracker().Delete(corev1.SchemeGroupVersion.WithResource("pods"), "shop", "web-1", metav1.DeleteOptions{})
		return ""
	})
	s := (&Client{Clientset: cs}).StreamPodLogs("shop", "web-1", LogOptions{Container: "app", Follow: true})
	defer s.Stop()
	lines, st := collect(t, s, 10*time.Second, func(_ []LogLine, st LogStatus) bool { return st.Phase == LogEnded })
	var out []string
	for _, l := range lines {
		if l.Kind == LogOutput {
			out = append(out, l.Text)
		}
	}
	if got, want := strings.Join(out, ","), "one,two,two,two,three"; got != want {
		t.Errorf("lines %s, want %s", got, want)
	}
	if st.Phase != LogEnded || st.Text != "pod deleted" {
		t.Errorf("final status %+v, want ended: pod deleted", st)
	}
	if since, _ := sinceSeen.Load().(time.Time); !since.Equal(time.Date(2026, 11, 23, 12, 0, 1, 200e6, time.UTC)) {
		t.Errorf("reconnected with since %v", since)
	}
	notes := 0
	for _, l := range lines {
		if l.Kind == LogNote && strings.Contains(l.Text, "reconnecting") {
			notes++
		}
	}
	if notes == 0 {
		t.Errorf("the reconnect was not noted in the log")
	}
}

// The server's refusal (here: no previous instance) is the status, as the server said it.
func TestPreviousNotFound(t *testing.T) {
	cs := fake.NewClientset(runningPod("shop", "web-1", nil))
	msg := `previous terminated container "app" in pod "web-1" not found`
	cs.PrependReactor("get", "pods/log", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, fmt.Errorf("%s", msg)
	})
	s := (&Client{Clientset: cs}).StreamPodLogs("shop", "web-1", LogOptions{Container: "app", Previous: true})
	defer s.Stop()
	_, st := collect(t, s, 5*time.Second, func(_ []LogLine, st LogStatus) bool { return st.Phase == LogFailed })
	if st.Phase != LogFailed || st.Err == nil || !strings.Contains(st.Err.Error(), msg) {
		t.Fatalf("status %+v, want failed with %q", st, msg)
	}
}

// A selector stream prefixes each line with its pod and picks up pods that appear later.
func TestSelectorLogsJoin(t *testing.T) {
	labels := map[string]string{"app": "web"}
	cs := fake.NewClientset(runningPod("shop", "web-1", labels), runningPod("shop", "web-2", labels),
		runningPod("shop", "db-1", map[string]string{"app": "db"}))
	logReactor(cs, func(n int, o *corev1.PodLogOptions) string {
		if o.SinceTime != nil {
			return "" // reconnects bring nothing new
		}
		return "2026-11-23T12:00:00Z hello from " + o.Container + "\n"
	})
	s := (&Client{Clientset: cs}).StreamSelectorLogs("shop", "app=web", LogOptions{Follow: true, ListEvery: 50 * time.Millisecond})
	defer s.Stop()
	pods := func(lines []LogLine) map[string]bool {
		m := map[string]bool{}
		for _, l := range lines {
			if l.Kind == LogOutput && l.Text == "hello from app" {
				m[l.Pod] = true
			}
		}
		return m
	}
	lines, _ := collect(t, s, 5*time.Second, func(l []LogLine, _ LogStatus) bool { return len(pods(l)) == 2 })
	if p := pods(lines); !p["web-1"] || !p["web-2"] || p["db-1"] {
		t.Fatalf("pods streamed: %v", p)
	}
	if _, err := cs.CoreV1().Pods("shop").Create(context.Background(), runningPod("shop", "web-3", labels), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	more, st := collect(t, s, 5*time.Second, func(l []LogLine, _ LogStatus) bool { return pods(l)["web-3"] })
	if !pods(more)["web-3"] {
		t.Fatalf("a new pod did not join the stream; status %+v", st)
	}
	t.Logf("a new pod joined after %s", time.Since(start))
}

// A time window asks the server for the lines of its last seconds (SinceSeconds, rounded up
// to whole seconds) on the first request of every pod's stream, single or by selector; a
// reconnect asks from the last line's time alone (the server refuses both together).
func TestLogsSince(t *testing.T) {
	type request struct {
		sinceSeconds    int64
		sinceTime, tail bool
	}
	var mu sync.Mutex
	var got []request
	requests := func() []request {
		mu.Lock()
		defer mu.Unlock()
		return append([]request(nil), got...)
	}
	record := func(cs *fake.Clientset) {
		mu.Lock()
		got = nil
		mu.Unlock()
		cs.PrependReactor("get", "pods/log", func(a k8stesting.Action) (bool, runtime.Object, error) {
			o := a.(k8stesting.GenericAction).GetValue().(*corev1.PodLogOptions)
			r := request{sinceTime: o.SinceTime != nil, tail: o.TailLines != nil}
			if o.SinceSeconds != nil {
				r.sinceSeconds = *o.SinceSeconds
			}
			mu.Lock()
			got = append(got, r)
			mu.Unlock()
			if o.SinceTime != nil {
				return true, &runtime.Unknown{}, nil
			}
			return true, &runtime.Unknown{Raw: []byte("2026-11-23T12:00:00Z hello\n")}, nil
		})
	}
	asked := func(n int) func([]LogLine, LogStatus) bool {
		return func([]LogLine, LogStatus) bool { return len(requests()) >= n }
	}

	cs := fake.NewClientset(runningPod("shop", "web-1", nil))
	record(cs)
	s := (&Client{Clientset: cs}).StreamPodLogs("shop", "web-1", LogOptions{Container: "app", Follow: true, Since: 5*time.Minute + time.Millisecond})
	collect(t, s, 5*time.Second, asked(2))
	s.Stop()
	r := requests()
	if len(r) < 2 {
		t.Fatalf("requests %+v, want the first and a reconnect", r)
	}
	if r[0] != (request{sinceSeconds: 301}) {
		t.Errorf("first request %+v, want sinceSeconds 301 alone", r[0])
	}
	if r[1] != (request{sinceTime: true}) {
		t.Errorf("reconnect %+v, want sinceTime alone", r[1])
	}

	labels := map[string]string{"app": "web"}
	cs = fake.NewClientset(runningPod("shop", "web-1", labels), runningPod("shop", "web-2", labels))
	record(cs)
	s = (&Client{Clientset: cs}).StreamSelectorLogs("shop", "app=web", LogOptions{Follow: true, Since: time.Minute, TailLines: 50, ListEvery: time.Hour})
	collect(t, s, 5*time.Second, asked(2))
	s.Stop()
	r = requests()
	if len(r) < 2 {
		t.Fatalf("requests %+v, want one for each of the 2 pods", r)
	}
	for _, r := range r[:2] {
		if r != (request{sinceSeconds: 60, tail: true}) {
			t.Errorf("a pod's first request %+v, want sinceSeconds 60 and the tail", r)
		}
	}
}
