package kube

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// LogInterval is the shortest time between two batches a LogStream hands out (20 a second).
const LogInterval = 50 * time.Millisecond

// LogPhase says where a log stream stands.
type LogPhase int

// The phases of a log stream.
const (
	LogConnecting   LogPhase = iota // opening the stream
	LogStreaming                    // lines are arriving (or may arrive)
	LogReconnecting                 // the stream broke or ended while the pod runs; retrying
	LogEnded                        // no more lines will come: Text says why
	LogFailed                       // the server refused the stream: Err says why
)

// LogStatus is a log stream's state, for the status line.
type LogStatus struct {
	Phase LogPhase
	Text  string // e.g. "pod deleted", "3 pods", "stream ended"
	Err   error  // the failure, for LogFailed and LogReconnecting
}

// LogBatch is what a LogStream hands out at most once per LogInterval: the lines that
// arrived since the previous batch and the stream's current status.
type LogBatch struct {
	Lines   []LogLine
	Dropped int64 // lines lost before this batch because the reader fell behind
	Status  LogStatus
}

// LogOptions says which logs to stream.
type LogOptions struct {
	Container string // "" picks the pod's default container
	Follow    bool   // keep streaming new lines (and reconnect when the stream ends)
	Previous  bool   // the previous, terminated instance of the container
	TailLines int64  // start with this many lines per container; 0 means all
	// Since starts with the lines of this last stretch of time (PodLogOptions.SinceSeconds,
	// whole seconds, at least one); 0 means no time limit. With TailLines both apply.
	Since time.Duration
	// MaxLines and MaxBytes bound the lines waiting for the reader (defaults when 0).
	MaxLines int
	MaxBytes int64
	// ListEvery is how often a selector stream looks for new pods (default 3 s).
	ListEvery time.Duration
}

// LogStream delivers log lines read by background goroutines in coalesced batches.
// Lines wait in a bounded buffer, so a slow reader loses the oldest lines, never memory.
type LogStream struct {
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}
	link   *Link // a reconnection waits no longer once the server answers again; nil: no link

	mu       sync.Mutex
	pending  *LogBuffer
	status   LogStatus
	changed  bool // status changed since the last batch
	finished bool // no goroutine writes any more
	last     time.Time
}

func newLogStream(o LogOptions) *LogStream {
	ctx, cancel := context.WithCancel(context.Background())
	return &LogStream{ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1),
		pending: NewLogBuffer(o.MaxLines, o.MaxBytes), status: LogStatus{Phase: LogConnecting}, changed: true}
}

// Next blocks until lines or a status change are available (waiting at least LogInterval
// since the previous batch, to coalesce them) and returns them; ok is false once the stream
// is stopped, or has finished and everything was delivered.
func (s *LogStream) Next() (batch LogBatch, ok bool) {
	s.mu.Lock()
	wait := time.Until(s.last.Add(LogInterval))
	s.mu.Unlock()
	if wait > 0 {
		select {
		case <-s.ctx.Done():
			return LogBatch{}, false
		case <-time.After(wait):
		}
	}
	for {
		s.mu.Lock()
		if s.pending.Len() > 0 || s.changed {
			lines, lost := s.pending.Drain()
			b := LogBatch{Lines: lines, Dropped: lost, Status: s.status}
			s.changed = false
			s.last = time.Now()
			s.mu.Unlock()
			return b, true
		}
		finished := s.finished
		s.mu.Unlock()
		if finished || s.ctx.Err() != nil {
			return LogBatch{}, false
		}
		select {
		case <-s.ctx.Done():
			return LogBatch{}, false
		case <-s.wake:
		}
	}
}

// Stop ends the stream's goroutines; Next returns false from then on.
func (s *LogStream) Stop() { s.cancel() }

func (s *LogStream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *LogStream) add(l LogLine) {
	s.mu.Lock()
	s.pending.Add(l)
	s.mu.Unlock()
	s.signal()
}

func (s *LogStream) setStatus(st LogStatus) {
	s.mu.Lock()
	s.status, s.changed = st, true
	s.mu.Unlock()
	s.signal()
}

func (s *LogStream) note(pod, container, text string) {
	s.add(LogLine{Time: time.Now().UTC(), Pod: pod, Container: container, Text: text, Kind: LogNote})
}

func (s *LogStream) finish() {
	s.mu.Lock()
	s.finished, s.changed = true, true
	s.mu.Unlock()
	s.signal()
}

// sleep waits d, or until the server answers again after its link was lost, or until the
// stream stops; it reports whether the stream is still on.
func (s *LogStream) sleep(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		link := s.link.State()
		select {
		case <-s.ctx.Done():
			return false
		case <-timer.C:
			return true
		case <-link.Changed:
			if !s.link.State().Lost {
				return true
			}
		}
	}
}

// ContainerInfo describes one container of a pod, for choosing whose logs to show.
type ContainerInfo struct {
	Name           string
	Init           bool      // an init container (sidecars included)
	Restarts       int32     // restarts of this container
	LastTerminated time.Time // when its previous instance ended; zero if it never did
}

// PodContainers lists a pod's containers, init containers first, and names the one
// `kubectl logs` would show.
type PodContainers struct {
	Containers []ContainerInfo
	Default    string
}

// LastTerminated names the container whose previous instance ended most recently, or
// the default container when none has ended.
func (pc PodContainers) LastTerminated() string {
	name, last := pc.Default, time.Time{}
	for _, c := range pc.Containers {
		if c.LastTerminated.After(last) {
			name, last = c.Name, c.LastTerminated
		}
	}
	return name
}

// GetPodContainers reads pod's containers.
func (c *Client) GetPodContainers(ctx context.Context, ns, pod string) (PodContainers, error) {
	cs := c.Clientset
	p, err := cs.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return PodContainers{}, Classify(err, "get", "pods", ns)
	}
	return podContainers(p), nil
}

func podContainers(p *corev1.Pod) PodContainers {
	pc := PodContainers{Default: DefaultContainer(p)}
	statuses := map[string]corev1.ContainerStatus{}
	for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		statuses[cs.Name] = cs
	}
	add := func(c corev1.Container, init bool) {
		ci := ContainerInfo{Name: c.Name, Init: init}
		if st, ok := statuses[c.Name]; ok {
			ci.Restarts = st.RestartCount
			if t := st.LastTerminationState.Terminated; t != nil {
				ci.LastTerminated = t.FinishedAt.Time
			}
		}
		pc.Containers = append(pc.Containers, ci)
	}
	for _, c := range p.Spec.InitContainers {
		add(c, true)
	}
	for _, c := range p.Spec.Containers {
		add(c, false)
	}
	return pc
}

// DefaultContainer is the container `kubectl logs` picks: the one named by the
// kubectl.kubernetes.io/default-container annotation, else the first.
func DefaultContainer(p *corev1.Pod) string {
	if name := p.Annotations["kubectl.kubernetes.io/default-container"]; name != "" {
		return name
	}
	if len(p.Spec.Containers) > 0 {
		return p.Spec.Containers[0].Name
	}
	return ""
}

// StreamPodLogs streams the logs of one container of pod in the background.
func (c *Client) StreamPodLogs(ns, pod string, o LogOptions) *LogStream {
	cs := c.Clientset
	s := newLogStream(o)
	s.link = c.Link
	go func() {
		defer s.finish()
		s.followPod(cs, ns, pod, "", o, func(st LogStatus) {
			if st.Phase == LogReconnecting {
				s.note("", o.Container, st.Text) // a gap in the log is marked where it is
			}
			s.setStatus(st)
		})
	}()
	return s
}

// followPod streams one container until the stream ends for good, reporting its state
// through report. With Follow it reconnects while the pod runs, from the last line's time.
// prefix is the pod name put on each line ("" for a single-pod stream).
func (s *LogStream) followPod(cs kubernetes.Interface, ns, pod, prefix string, o LogOptions, report func(LogStatus)) {
	var since time.Time         // time of the last line delivered
	atSince := map[string]int{} // lines delivered with exactly that time, to skip on reconnect
	backoff := time.Second
	for {
		opts := &corev1.PodLogOptions{Container: o.Container, Follow: o.Follow && !o.Previous,
			Previous: o.Previous, Timestamps: true}
		if since.IsZero() {
			if o.TailLines > 0 {
				opts.TailLines = &o.TailLines
			}
			if o.Since > 0 {
				secs := int64((o.Since + time.Second - 1) / time.Second) // whole seconds, rounded up
				opts.SinceSeconds = &secs
			}
		} else {
			opts.SinceTime = &metav1.Time{Time: since} // whole seconds: duplicates are skipped below
		}
		rc, err := cs.CoreV1().Pods(ns).GetLogs(pod, opts).Stream(s.ctx)
		if s.ctx.Err() != nil {
			return
		}
		if err != nil {
			err = Classify(err, "get", "pods/log", ns)
			switch {
			case KindOf(err) == KindNotFound && !since.IsZero():
				report(LogStatus{Phase: LogEnded, Text: "pod deleted"})
				return
			case KindOf(err) == KindUnreachable && opts.Follow:
				report(LogStatus{Phase: LogReconnecting, Text: "reconnecting…", Err: err})
				if !s.sleep(backoff) {
					return
				}
				backoff = min(2*backoff, 10*time.Second)
				continue
			}
			report(LogStatus{Phase: LogFailed, Err: err})
			return
		}
		report(LogStatus{Phase: LogStreaming, Text: "streaming"})
		skip := maps.Clone(atSince)
		n := 0
		readErr := ReadLogLines(rc, MaxLineBytes, func(l LogLine) {
			if !since.IsZero() && !l.Time.IsZero() {
				if l.Time.Before(since) {
					return
				}
				if l.Time.Equal(since) && skip[l.Text] > 0 {
					skip[l.Text]--
					return
				}
			}
			if !l.Time.IsZero() {
				if !l.Time.Equal(since) {
					atSince = map[string]int{}
					since = l.Time
				}
				atSince[l.Text]++
			}
			l.Pod, l.Container = prefix, o.Container
			s.add(l)
			n++
		})
		rc.Close()
		if s.ctx.Err() != nil {
			return
		}
		if !opts.Follow {
			report(LogStatus{Phase: LogEnded, Text: "end of log"})
			return
		}
		if n > 0 {
			backoff = time.Second
		}
		// The stream ended while following: end too if the pod is gone or done.
		p, err := cs.CoreV1().Pods(ns).Get(s.ctx, pod, metav1.GetOptions{})
		if s.ctx.Err() != nil {
			return
		}
		why := "stream ended"
		if readErr != nil {
			why = "stream broken: " + readErr.Error()
		}
		switch {
		case err != nil && KindOf(Classify(err, "get", "pods", ns)) == KindNotFound:
			report(LogStatus{Phase: LogEnded, Text: "pod deleted"})
			return
		case err != nil:
			err = Classify(err, "get", "pods", ns)
			report(LogStatus{Phase: LogReconnecting, Text: why + "; reconnecting…", Err: err})
		case p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed:
			report(LogStatus{Phase: LogEnded, Text: "pod " + strings.ToLower(string(p.Status.Phase))})
			return
		default:
			report(LogStatus{Phase: LogReconnecting, Text: why + " while the pod runs; reconnecting…"})
		}
		if !s.sleep(backoff) {
			return
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// ReadLogLines reads r line by line, parsing the kubelet's leading RFC 3339 timestamp when
// there is one, and calls fn for each line. Lines longer than maxLine bytes are cut there
// (at a character boundary) and marked; memory use never depends on the line length.
func ReadLogLines(r io.Reader, maxLine int, fn func(LogLine)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	buf := make([]byte, 0, 4096)
	cut := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if err == nil {
			chunk = chunk[:len(chunk)-1]
		}
		take := min(len(chunk), maxLine-len(buf))
		buf = append(buf, chunk[:take]...)
		cut += len(chunk) - take
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil || len(buf) > 0 || cut > 0 {
			fn(parseLogLine(buf, cut))
		}
		buf, cut = buf[:0], 0
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// parseLogLine splits "2026-11-23T12:00:00.123456789Z message" into time and text.
func parseLogLine(b []byte, cut int) LogLine {
	b = trimCR(b)
	var l LogLine
	text := string(b)
	if ts, rest, ok := strings.Cut(text, " "); ok && len(ts) >= 20 && ts[4] == '-' {
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			l.Time, text = t, rest
		}
	}
	if cut > 0 {
		text = trimPartialRune(text) + fmt.Sprintf(" …[line cut: %d more bytes]", cut)
	}
	l.Text = text
	return l
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// trimPartialRune drops an incomplete UTF-8 sequence left at the end of s by a cut.
func trimPartialRune(s string) string {
	for i := 0; i < utf8.UTFMax-1 && s != ""; i++ {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

// StreamSelectorLogs streams the logs of every pod in ns matching the label selector,
// each line carrying its pod's name. It lists the pods every ListEvery, so pods that
// appear later join the stream; each pod's stream follows and reconnects on its own.
func (c *Client) StreamSelectorLogs(ns, selector string, o LogOptions) *LogStream {
	cs := c.Clientset
	s := newLogStream(o)
	s.link = c.Link
	if o.ListEvery <= 0 {
		o.ListEvery = 3 * time.Second
	}
	go func() {
		defer s.finish()
		s.followSelector(cs, ns, selector, o)
	}()
	return s
}

// podStream is one pod's share of a selector stream.
type podStream struct {
	done   chan struct{}
	failed string // resourceVersion of the pod when its stream failed: retried once it changes
}

func (s *LogStream) followSelector(cs kubernetes.Interface, ns, selector string, o LogOptions) {
	streams := map[string]*podStream{}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		list, err := cs.CoreV1().Pods(ns).List(s.ctx, metav1.ListOptions{LabelSelector: selector})
		if s.ctx.Err() != nil {
			return
		}
		switch {
		case err != nil && KindOf(Classify(err, "list", "pods", ns)) == KindUnreachable:
			s.setStatus(LogStatus{Phase: LogReconnecting, Text: "reconnecting…", Err: Classify(err, "list", "pods", ns)})
		case err != nil:
			s.setStatus(LogStatus{Phase: LogFailed, Err: Classify(err, "list", "pods", ns)})
			return
		default:
			active := s.startPods(cs, ns, list.Items, o, streams, &wg)
			if !o.Follow {
				wg.Wait()
				s.setStatus(LogStatus{Phase: LogEnded, Text: fmt.Sprintf("end of log (%d pods)", active)})
				return
			}
			text := fmt.Sprintf("streaming %d pods", active)
			if active == 1 {
				text = "streaming 1 pod"
			}
			s.setStatus(LogStatus{Phase: LogStreaming, Text: text})
		}
		if !s.sleep(o.ListEvery) {
			return
		}
	}
}

// startPods starts a stream for each listed pod that has none running, and returns how
// many pods are being streamed.
func (s *LogStream) startPods(cs kubernetes.Interface, ns string, pods []corev1.Pod, o LogOptions, streams map[string]*podStream, wg *sync.WaitGroup) int {
	for name, ps := range streams {
		select {
		case <-ps.done:
			if ps.failed == "" {
				delete(streams, name) // ended (pod gone or done): a pod of that name restarts it
			}
		default:
		}
	}
	active := 0
	for i := range pods {
		p := &pods[i]
		if p.Status.Phase == corev1.PodPending || p.DeletionTimestamp != nil {
			continue
		}
		if ps, ok := streams[p.Name]; ok {
			select {
			case <-ps.done:
				if ps.failed == p.ResourceVersion {
					continue
				}
			default:
				active++
				continue
			}
		}
		po := o
		if po.Container == "" {
			po.Container = DefaultContainer(p)
		}
		ps := &podStream{done: make(chan struct{})}
		streams[p.Name] = ps
		active++
		wg.Add(1)
		go func(name, rv string) {
			defer wg.Done()
			defer close(ps.done)
			s.followPod(cs, ns, name, name, po, func(st LogStatus) {
				switch st.Phase {
				case LogFailed:
					ps.failed = rv
					s.note(name, po.Container, st.Err.Error())
				case LogEnded, LogReconnecting:
					if o.Follow { // without follow every pod ends, and that is no news
						s.note(name, po.Container, st.Text)
					}
				}
			})
		}(p.Name, p.ResourceVersion)
	}
	return active
}
