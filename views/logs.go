package views

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// logKeys are the logs page's own keys; it scrolls with the table's keys (ui.TableKeys),
// and scrolling up pauses follow.
var logKeys = struct {
	Follow, Pause, Wrap, Stamps, Search, Older, Newer, Container, Left, Right, Save, Window, JSON key.Binding
}{
	Follow:    ui.NewKey("logs", "follow: jump to the newest line", "f", "G", "end"),
	Pause:     ui.NewKey("logs", "pause / resume (lines keep arriving)", "space"),
	Wrap:      ui.NewKey("logs", "wrap long lines", "w"),
	Stamps:    ui.NewKey("logs", "timestamps", "t"),
	Search:    ui.NewKey("logs", "search (upward from the bottom); esc clears", "/"),
	Older:     ui.NewKey("logs", "older match", "n"),
	Newer:     ui.NewKey("logs", "newer match", "N"),
	Container: ui.NewKey("logs", "choose the container", "c"),
	Left:      ui.NewKey("logs", "scroll left", "left", "h"),
	Right:     ui.NewKey("logs", "scroll right", "right", "l"),
	Save:      ui.NewKey("logs", "save every line held to a new file, as shown (never overwrites)", "s"),
	Window:    ui.NewKey("logs", "time window: 0 tail · 1 1m · 2 5m · 3 15m · 4 1h · 5 whole log", "S"),
	JSON:      ui.NewKey("logs", "JSON lines as LEVEL message key=value (again: as written)", "J"),
}

// logWindow is how far back a log page's stream starts: the tail, or a stretch of time.
type logWindow struct {
	key   string        // its key in the picker
	label string        // for the title ("" for the tail, the default)
	since time.Duration // kube.LogOptions.Since; 0 with all unset: the page's tail
	all   bool          // the whole log: no tail, no time limit
}

// logWindows are the time windows S offers, in the order of their keys.
var logWindows = []logWindow{
	{key: "0"},
	{key: "1", label: "since 1m", since: time.Minute},
	{key: "2", label: "since 5m", since: 5 * time.Minute},
	{key: "3", label: "since 15m", since: 15 * time.Minute},
	{key: "4", label: "since 1h", since: time.Hour},
	{key: "5", label: "whole log", all: true},
}

// LogTail is how many lines a log page asks for per container when it opens.
const LogTail = 2_000

// logBatchMsg carries a log stream's batch to the page whose stream has the same id.
type logBatchMsg struct {
	id    uint64
	batch kube.LogBatch
}

// logContainersMsg carries a pod's containers to the page that asked for them.
type logContainersMsg struct {
	id  uint64
	pc  kube.PodContainers
	err error
}

// LogsPage shows the logs of one container of a pod, or of every pod matching a label
// selector. Lines arrive in batches from a kube.LogStream and are kept in a bounded buffer.
type LogsPage struct {
	env      *ui.Env
	id       uint64 // addresses the containers lookup
	ns, pod  string // the pod, for a single-pod page
	selector string // the label selector, for a multi-pod page
	label    string // what the title names: "shop/web-123" or the caller's title
	opts     kube.LogOptions
	tail     int64 // the tail asked for while no time window is chosen
	window   int   // the time window: an index in logWindows
	pc       kube.PodContainers
	resolved bool // the pod's containers are known (or could not be)

	stream   *kube.LogStream
	streamID uint64
	status   kube.LogStatus
	buf      *kube.LogBuffer

	paused     bool
	top        int64 // the first line shown while paused
	seen       int64 // while paused, lines from here on are new (not on screen yet)
	firstShown int64 // the first line drawn last time
	width      int   // the width drawn last time
	height     int   // the body height drawn last time
	wrap       bool
	stamps     bool
	json       bool // JSON lines are shown as LEVEL message key=value
	hscroll    int
	jsonCache  *jsonCache
	levels     map[string]string // levels in their styles, as drawn

	search *ui.Prompt // the search prompt while typing
	saving *ui.Prompt // the file name prompt of a save while typing
	query  string
	match  int64      // the current match's line, -1 for none
	flash  string     // a message about the last key ("no match"), until the next key
	picker *logPicker // the container or time window picker while open
}

// logPicker is a small list over the log lines (containers, time windows): up, down and
// enter choose, an entry's key chooses it at once, esc closes.
type logPicker struct {
	title string
	items []string
	keys  []string // each entry's key, "" for none
	sel   int
	pick  func(i int) tea.Cmd
}

// NewPodLogs returns the logs page of pod ns/name: following the default container, or
// with previous set, the previous instance of the container that last terminated.
func NewPodLogs(env *ui.Env, ns, name string, previous bool) *LogsPage {
	p := newLogsPage(env, ns, ns+"/"+name)
	p.pod = name
	p.opts.Previous, p.opts.Follow = previous, !previous
	return p
}

// NewSelectorLogs returns a page following the logs of every pod in ns matching the label
// selector (e.g. a deployment's), each line prefixed with its pod; title names it.
func NewSelectorLogs(env *ui.Env, ns, selector, title string) ui.Page {
	p := newLogsPage(env, ns, title)
	p.selector = selector
	p.opts.Follow, p.opts.TailLines, p.tail = true, LogTail/4, LogTail/4
	p.resolved = true
	return p
}

// selectorLogsKey follows the logs of all of a workload's pods.
var selectorLogsKey = ui.NewKey("deployments and other workloads", "logs of all its pods", "l")

// selectorLogsAction is the `l` of a workload's list (deployments, jobs): the logs of every
// pod its selector matches, titled "NS/KIND/NAME" (kind as kubectl abbreviates it).
func selectorLogsAction[R kube.Row](kind string, selector func(R) string) ui.Action[R] {
	return ui.Action[R]{Key: selectorLogsKey, Run: func(env *ui.Env, row R) tea.Cmd {
		k := row.RowKey()
		return ui.Push(NewSelectorLogs(env, k.Namespace, selector(row), k.Namespace+"/"+kind+"/"+k.Name))
	}}
}

func newLogsPage(env *ui.Env, ns, label string) *LogsPage {
	return &LogsPage{env: env, id: env.NextID(), ns: ns, label: label, match: -1,
		buf:       kube.NewLogBuffer(kube.DefaultLogLines, kube.DefaultLogBytes),
		opts:      kube.LogOptions{TailLines: LogTail},
		tail:      LogTail,
		jsonCache: new(jsonCache),
		status:    kube.LogStatus{Phase: kube.LogConnecting}}
}

// Init looks up the pod's containers (a multi-pod page starts streaming at once).
func (p *LogsPage) Init() tea.Cmd {
	if p.selector != "" {
		return p.start()
	}
	client, id, ns, pod := p.env.Client, p.id, p.ns, p.pod
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		pc, err := client.GetPodContainers(ctx, ns, pod)
		return logContainersMsg{id: id, pc: pc, err: err}
	}
}

// start (re)starts the stream with the current options, forgetting the lines shown.
func (p *LogsPage) start() tea.Cmd {
	if p.stream != nil {
		p.stream.Stop()
	}
	p.buf = kube.NewLogBuffer(kube.DefaultLogLines, kube.DefaultLogBytes)
	p.jsonCache = new(jsonCache) // line numbers start again
	p.paused, p.match, p.status = false, -1, kube.LogStatus{Phase: kube.LogConnecting}
	p.streamID = p.env.NextID()
	if p.selector != "" {
		p.stream = p.env.Client.StreamSelectorLogs(p.ns, p.selector, p.opts)
	} else {
		p.stream = p.env.Client.StreamPodLogs(p.ns, p.pod, p.opts)
	}
	return p.next()
}

// next waits for the stream's next batch.
func (p *LogsPage) next() tea.Cmd {
	s, id := p.stream, p.streamID
	return func() tea.Msg {
		b, ok := s.Next()
		if !ok {
			return nil
		}
		return logBatchMsg{id: id, batch: b}
	}
}

// Update takes the stream's batches and the page's keys; it never does I/O.
func (p *LogsPage) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case logContainersMsg:
		if msg.id != p.id || p.resolved {
			return p, nil
		}
		p.resolved, p.pc = true, msg.pc
		if msg.err == nil && p.opts.Container == "" { // "": not chosen by whoever opened the page
			p.opts.Container = msg.pc.Default
			if p.opts.Previous {
				p.opts.Container = msg.pc.LastTerminated()
			}
		}
		return p, p.start()
	case logBatchMsg:
		if msg.id != p.streamID || p.stream == nil {
			return p, nil // from a stream this page has replaced or stopped
		}
		p.apply(msg.batch)
		return p, p.next()
	case tea.KeyPressMsg:
		p.flash = ""
		switch {
		case p.search != nil:
			return p, p.searchKey(msg)
		case p.saving != nil:
			return p, p.saveKey(msg)
		case p.picker != nil:
			return p, p.pickerKey(msg)
		}
		return p, p.key(msg)
	}
	if pr := p.prompt(); pr != nil {
		return p, pr.Update(msg) // cursor blink
	}
	return p, nil
}

// apply adds a batch's lines to the buffer, cleaned for the terminal.
func (p *LogsPage) apply(b kube.LogBatch) {
	p.buf.Skip(b.Dropped)
	for _, l := range b.Lines {
		l.Text = cleanLine(l.Text)
		p.buf.Add(l)
	}
	p.status = b.Status
}

func (p *LogsPage) key(k tea.KeyPressMsg) tea.Cmd {
	page := int64(max(p.height-1, 1))
	switch {
	case key.Matches(k, ui.TableKeys.Up):
		p.scroll(-1)
	case key.Matches(k, ui.TableKeys.Down):
		p.scroll(1)
	case key.Matches(k, ui.TableKeys.PageUp):
		p.scroll(-page)
	case key.Matches(k, ui.TableKeys.PageDown):
		p.scroll(page)
	case key.Matches(k, ui.TableKeys.Top):
		p.scroll(-p.buf.Total())
	case key.Matches(k, logKeys.Follow):
		p.paused = false
	case key.Matches(k, logKeys.Pause):
		if p.paused {
			p.paused = false
		} else {
			p.pause()
		}
	case key.Matches(k, logKeys.Wrap):
		p.wrap, p.hscroll = !p.wrap, 0
	case key.Matches(k, logKeys.Stamps):
		p.stamps = !p.stamps
	case key.Matches(k, logKeys.Left):
		p.hscroll = max(0, p.hscroll-8)
	case key.Matches(k, logKeys.Right):
		if !p.wrap {
			p.hscroll += 8
		}
	case key.Matches(k, logKeys.Search):
		p.search = ui.NewPrompt(p.env.Styles, "/", nil)
	case key.Matches(k, logKeys.Older):
		p.findNext(-1)
	case key.Matches(k, logKeys.Newer):
		p.findNext(1)
	case key.Matches(k, logKeys.Container):
		p.openPicker()
	case key.Matches(k, logKeys.Window):
		p.openWindows()
	case key.Matches(k, logKeys.JSON):
		p.json = !p.json
	case key.Matches(k, logKeys.Save):
		p.openSave()
	}
	return nil
}

// prompt is the open prompt (search or save), nil when none is.
func (p *LogsPage) prompt() *ui.Prompt {
	if p.search != nil {
		return p.search
	}
	return p.saving
}

// pause freezes the screen where it is; lines keep arriving and are counted.
func (p *LogsPage) pause() {
	if !p.paused {
		p.paused, p.top, p.seen = true, p.firstShown, p.buf.Total()
	}
}

// scroll moves the top line by delta lines, pausing follow; scrolling shows the lines
// that arrived meanwhile.
func (p *LogsPage) scroll(delta int64) {
	p.pause()
	p.seen = p.buf.Total()
	p.top = min(p.top+delta, p.seen-int64(p.height))
	p.top = max(p.top, p.buf.Dropped())
}

// show scrolls so that line i is on screen, a third of the way down.
func (p *LogsPage) show(i int64) {
	p.pause()
	p.seen = p.buf.Total()
	p.top = i
	for rows := len(p.renderLine(i, p.width)); p.top > p.buf.Dropped(); p.top-- {
		rows += len(p.renderLine(p.top-1, p.width))
		if rows > p.height/3 {
			break
		}
	}
}

func (p *LogsPage) searchKey(k tea.KeyPressMsg) tea.Cmd {
	return promptKey(&p.search, k, func(query string) tea.Cmd {
		p.query, p.match = query, -1
		if p.query != "" {
			p.findNext(-1)
		}
		return nil
	})
}

// promptKey hands k to the open prompt *pr: esc closes it, enter closes it and returns
// done with what was typed.
func promptKey(pr **ui.Prompt, k tea.KeyPressMsg, done func(value string) tea.Cmd) tea.Cmd {
	switch k.String() {
	case "esc":
		*pr = nil
		return nil
	case "enter":
		value := (*pr).Value()
		*pr = nil
		return done(value)
	}
	return (*pr).Update(k)
}

// findNext moves to the next match in dir (-1 older, +1 newer), wrapping around once;
// with no current match it starts from the bottom of the screen.
func (p *LogsPage) findNext(dir int64) {
	if p.query == "" {
		p.flash = "no search: / to search"
		return
	}
	oldest, total := p.buf.Dropped(), p.buf.Total()
	from := p.match + dir
	if p.match < oldest {
		from = total - 1
		if p.paused {
			from = min(p.seen, p.top+int64(p.height)) - 1
		}
	}
	q := strings.ToLower(p.query)
	n := total - oldest
	for k := range n {
		i := oldest + ((from-oldest+dir*k)%n+n)%n
		if l, ok := p.buf.At(i); ok && strings.Contains(strings.ToLower(p.shown(i, l).body()), q) {
			p.match = i
			p.show(i)
			return
		}
	}
	p.match = -1
	p.flash = fmt.Sprintf("no match for %q", p.query)
}

func (p *LogsPage) openPicker() {
	switch {
	case p.selector != "":
		p.flash = "several pods: no container to choose"
	case !p.resolved:
		p.flash = "containers not known yet"
	case len(p.pc.Containers) < 2:
		p.flash = "the pod has one container"
	default:
		pk := &logPicker{title: "container", pick: func(i int) tea.Cmd {
			if name := p.pc.Containers[i].Name; name != p.opts.Container {
				p.opts.Container = name
				return p.start()
			}
			return nil
		}}
		for i, c := range p.pc.Containers {
			label := c.Name
			if c.Init {
				label += " (init)"
			}
			if c.Restarts > 0 {
				label += fmt.Sprintf(" ↻%d", c.Restarts)
			}
			pk.items, pk.keys = append(pk.items, label), append(pk.keys, "")
			if c.Name == p.opts.Container {
				pk.sel = i
			}
		}
		p.picker = pk
	}
}

// openWindows opens the time window picker; choosing another window restarts the stream.
func (p *LogsPage) openWindows() {
	if !p.resolved {
		p.flash = "containers not known yet"
		return
	}
	pk := &logPicker{title: "time window", sel: p.window, pick: func(i int) tea.Cmd {
		if i == p.window {
			return nil
		}
		w := logWindows[i]
		p.window, p.opts.Since, p.opts.TailLines = i, w.since, 0
		if w.since == 0 && !w.all {
			p.opts.TailLines = p.tail
		}
		return p.start()
	}}
	for _, w := range logWindows {
		label := w.label
		if label == "" {
			label = "the last " + ui.Count(int(p.tail)) + " lines"
			if p.selector != "" {
				label += " a pod"
			}
		}
		pk.items, pk.keys = append(pk.items, label), append(pk.keys, w.key)
	}
	p.picker = pk
}

func (p *LogsPage) pickerKey(k tea.KeyPressMsg) tea.Cmd {
	pk := p.picker
	switch {
	case k.String() == "esc":
		p.picker = nil
	case key.Matches(k, ui.TableKeys.Up):
		pk.sel = max(0, pk.sel-1)
	case key.Matches(k, ui.TableKeys.Down):
		pk.sel = min(len(pk.items)-1, pk.sel+1)
	case k.String() == "enter":
		p.picker = nil
		return pk.pick(pk.sel)
	default:
		for i, hot := range pk.keys {
			if hot != "" && k.String() == hot {
				p.picker = nil
				return pk.pick(i)
			}
		}
	}
	return nil
}

// Capturing reports whether the page is reading keys of its own (search, save, picker).
func (p *LogsPage) Capturing() bool { return p.prompt() != nil || p.picker != nil }

// Escape clears the search before esc goes back (the prompt and picker capture esc).
func (p *LogsPage) Escape() bool {
	if p.query != "" {
		p.query, p.match = "", -1
		return true
	}
	return false
}

// View draws the lines that fit in width × height: the newest while following, from the
// top line while paused; a search prompt takes the last line while open.
func (p *LogsPage) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	bodyH := height
	pr := p.prompt()
	if pr != nil && height >= 2 {
		bodyH--
	}
	p.width, p.height = width, bodyH
	rows := p.rows(width, bodyH)
	if p.picker != nil {
		rows = p.overlayPicker(rows, width, bodyH)
	}
	out := make([]string, height)
	for i := range out {
		if i < len(rows) && i < bodyH {
			out[i] = ansi.Truncate(rows[i], width, "…")
		}
	}
	if pr != nil && height >= 2 {
		out[height-1] = pr.View(p.env.Styles, width)
	}
	return strings.Join(out, "\n")
}

// rows renders the visible lines (wrapped or cut) into at most h rows.
func (p *LogsPage) rows(w, h int) []string {
	st := p.env.Styles
	oldest, total := p.buf.Dropped(), p.buf.Total()
	if total == oldest {
		return []string{p.emptyText()}
	}
	dropped := func() string {
		return st.Muted.Render(fmt.Sprintf("… %s older lines dropped", ui.Count(int(oldest))))
	}
	if !p.paused {
		var rev [][]string // lines from the newest up
		n := 0
		i := total - 1
		for ; i >= oldest && n < h; i-- {
			r := p.renderLine(i, w)
			rev = append(rev, r)
			n += len(r)
		}
		p.firstShown = i + 1
		var rows []string
		if i < oldest && oldest > 0 {
			rows = append(rows, dropped())
		}
		for j := len(rev) - 1; j >= 0; j-- {
			rows = append(rows, rev[j]...)
		}
		return rows[max(0, len(rows)-h):]
	}
	top := max(p.top, oldest)
	p.firstShown = top
	var rows []string
	if top == oldest && oldest > 0 {
		rows = append(rows, dropped())
	}
	for i := top; i < p.seen && len(rows) < h; i++ {
		rows = append(rows, p.renderLine(i, w)...)
	}
	return rows
}

func (p *LogsPage) emptyText() string {
	st := p.env.Styles
	switch p.status.Phase {
	case kube.LogFailed:
		return st.Bad.Render(ui.Safe(errText(p.status.Err)))
	case kube.LogEnded:
		return st.Muted.Render("no log lines (" + p.status.Text + ")")
	}
	return st.Muted.Render("waiting for log lines…")
}

// renderLine draws line i as one row (cut to w from the horizontal scroll) or, wrapping,
// as several.
func (p *LogsPage) renderLine(i int64, w int) []string {
	st := p.env.Styles
	l, _ := p.buf.At(i)
	r := p.shown(i, l)
	var b strings.Builder
	if r.stamp != "" {
		b.WriteString(st.Muted.Render(r.stamp) + " ")
	}
	if r.pod != "" {
		b.WriteString(podStyle(st, l.Pod).Render(r.pod) + " ")
	}
	switch {
	case r.note:
		b.WriteString(st.Warn.Render(r.body()))
	case p.query == "" && r.level != "": // the common case: the level's style rendered once
		b.WriteString(p.levelText(r.level))
		if r.text != "" {
			b.WriteString(" " + r.text)
		}
	default:
		hl := st.Warn.Reverse(true)
		if i == p.match {
			hl = st.Selected
		}
		b.WriteString(highlight(r.body(), p.query, hl, len(r.level), st.ForLevel(r.level)))
	}
	s := b.String()
	if p.wrap {
		return strings.Split(ansi.Hardwrap(s, w, true), "\n")
	}
	if p.hscroll > 0 {
		s = ansi.TruncateLeft(s, p.hscroll, "")
	}
	return []string{ansi.Truncate(s, w, "…")}
}

// overlayPicker draws the picker's list in a box over the top left of rows.
func (p *LogsPage) overlayPicker(rows []string, w, h int) []string {
	st := p.env.Styles
	pk := p.picker
	items := []string{st.Title.Render(pk.title)}
	for i, label := range pk.items {
		if pk.keys[i] != "" {
			label = pk.keys[i] + "  " + label
		}
		if i == pk.sel {
			label = st.Selected.Render("▸ " + label)
		} else {
			label = "  " + label
		}
		items = append(items, label)
	}
	box := strings.Split(st.Box.Render(strings.Join(items, "\n")), "\n")
	for len(rows) < h {
		rows = append(rows, "")
	}
	const x = 2
	for j, line := range box {
		y := j + 1
		if y >= h {
			break
		}
		left := ansi.Truncate(rows[y], x, "")
		left += strings.Repeat(" ", max(0, x-ansi.StringWidth(left)))
		right := ansi.TruncateLeft(rows[y], x+ansi.StringWidth(line), "")
		rows[y] = left + line + right
	}
	return rows
}

// Title is "logs NS/POD [CONTAINER] following", "… paused (+120 new)" while paused.
func (p *LogsPage) Title() string {
	t := "logs " + p.label
	if p.opts.Previous {
		t = "previous logs " + p.label
	}
	if p.opts.Container != "" {
		t += " [" + p.opts.Container + "]"
	}
	if w := logWindows[p.window].label; w != "" {
		t += " " + w
	}
	if p.json {
		t += " json"
	}
	switch {
	case p.paused:
		t += " paused"
		if n := p.buf.Total() - p.seen; n > 0 {
			t += fmt.Sprintf(" (+%s new)", ui.Count(int(n)))
		}
	case p.opts.Follow && p.status.Phase != kube.LogEnded && p.status.Phase != kube.LogFailed:
		t += " following"
	}
	if p.query != "" {
		t += " /" + p.query
	}
	return t
}

// Freshness reports the stream's state: streaming, reconnecting, ended (and why), failed.
func (p *LogsPage) Freshness() ui.Freshness {
	if p.flash != "" {
		return ui.Freshness{Level: ui.LevelInfo, Text: p.flash}
	}
	lines := ui.Count(p.buf.Len()) + " lines"
	st := p.status
	switch st.Phase {
	case kube.LogConnecting:
		return ui.Freshness{Level: ui.LevelInfo, Text: "connecting…"}
	case kube.LogReconnecting:
		text := st.Text
		if st.Err != nil {
			text += " " + errText(st.Err)
		}
		return ui.Freshness{Level: ui.LevelWarn, Text: text, Disconnected: kube.KindOf(st.Err) == kube.KindUnreachable}
	case kube.LogEnded:
		return ui.Freshness{Level: ui.LevelInfo, Text: "stream ended: " + st.Text + " · " + lines}
	case kube.LogFailed:
		return ui.Freshness{Level: ui.LevelError, Text: errText(st.Err), Disconnected: kube.KindOf(st.Err) == kube.KindUnreachable}
	}
	return ui.Freshness{Level: ui.LevelOK, Text: st.Text + " · " + lines}
}

// Bindings lists the page's keys.
func (p *LogsPage) Bindings() []key.Binding {
	k, t := logKeys, ui.TableKeys
	return []key.Binding{k.Follow, k.Pause, t.Up, t.Down, t.PageUp, t.PageDown, t.Top, k.Left, k.Right,
		k.Wrap, k.Stamps, k.JSON, k.Search, k.Older, k.Newer, k.Container, k.Window, k.Save}
}

// Close stops the stream.
func (p *LogsPage) Close() {
	if p.stream != nil {
		p.stream.Stop()
		p.stream = nil
	}
}

func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

// cleanLine makes a log line safe to draw: tabs expanded, control characters and escape
// sequences shown visibly (ui.Safe).
func cleanLine(s string) string { return ui.Safe(strings.ReplaceAll(s, "\t", "    ")) }

// highlight renders every case-insensitive occurrence of q in s with style, and the first
// head bytes of s (a JSON line's level) in headStyle where no occurrence covers them.
func highlight(s, q string, style lipgloss.Style, head int, headStyle lipgloss.Style) string {
	lower := strings.ToLower(s)
	if len(lower) != len(s) { // case folding changed byte offsets: match exactly instead
		lower = s
	} else {
		q = strings.ToLower(q)
	}
	var b strings.Builder
	plain := func(part string) { // part of s that is no occurrence; head counts down through it
		if n := min(head, len(part)); n > 0 {
			b.WriteString(headStyle.Render(part[:n]))
			part = part[n:]
		}
		b.WriteString(part)
	}
	for {
		i := strings.Index(lower, q)
		if i < 0 || q == "" {
			plain(s)
			return b.String()
		}
		plain(s[:i])
		b.WriteString(style.Render(s[i : i+len(q)]))
		head = max(0, head-i-len(q))
		s, lower = s[i+len(q):], lower[i+len(q):]
	}
}

// shortPod drops the ReplicaSet hash from a Deployment's pod name: web-6b7f9c8d7d-x7k2p → web-x7k2p.
func shortPod(name string) string {
	parts := strings.Split(name, "-")
	if n := len(parts); n >= 3 && isPodHash(parts[n-2]) {
		return strings.Join(append(parts[:n-2:n-2], parts[n-1]), "-")
	}
	return name
}

// isPodHash reports whether s looks like a pod-template-hash (Kubernetes' safe alphabet).
func isPodHash(s string) bool {
	if len(s) < 6 || len(s) > 10 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("bcdfghjklmnpqrstvwxz2456789", c) {
			return false
		}
	}
	return true
}

// podStyle gives each pod a colour of its own, the same on every line.
func podStyle(st *theme.Styles, pod string) lipgloss.Style {
	styles := []lipgloss.Style{st.Accent, st.Good, st.Info, st.Warn, st.Text}
	h := fnv.New32a()
	h.Write([]byte(pod))
	return styles[h.Sum32()%uint32(len(styles))].Bold(true)
}

// logRow is a line as the page shows it, in the parts that are styled apart.
type logRow struct {
	stamp, pod string // the time and the pod's short name, "" when not shown
	note       bool   // kdeck's note about the stream, drawn as "── text"
	level      string // a JSON line's level, "" for none
	text       string // the line's text (a JSON line's message and keys)
}

// rowOf is l as shown with timestamps (stamps) and JSON lines formatted by js (nil: as
// written); it is the one place that decides what a line looks like, drawn or saved.
func rowOf(l kube.LogLine, stamps bool, js func(string) (jsonLine, bool)) logRow {
	r := logRow{note: l.Kind == kube.LogNote, text: l.Text}
	if stamps && !l.Time.IsZero() {
		r.stamp = l.Time.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if l.Pod != "" {
		r.pod = shortPod(l.Pod)
	}
	if js != nil && !r.note {
		if j, ok := js(l.Text); ok {
			r.level, r.text = j.level, j.text
		}
	}
	return r
}

// body is the row without its time and pod: what search looks in.
func (r logRow) body() string {
	switch {
	case r.note:
		return "── " + r.text
	case r.level != "" && r.text != "":
		return r.level + " " + r.text
	case r.level != "":
		return r.level
	}
	return r.text
}

// plain is the whole row as text, without styles: what a save writes.
func (r logRow) plain() string {
	s := r.body()
	if r.pod != "" {
		s = r.pod + " " + s
	}
	if r.stamp != "" {
		s = r.stamp + " " + s
	}
	return s
}

// shown is line i (l) as the page shows it now; JSON lines are formatted once and cached.
func (p *LogsPage) shown(i int64, l kube.LogLine) logRow {
	if !p.json {
		return rowOf(l, p.stamps, nil)
	}
	return rowOf(l, p.stamps, func(text string) (jsonLine, bool) { return p.jsonCache.get(i, text) })
}

// levelText is level in its style, rendered once per level.
func (p *LogsPage) levelText(level string) string {
	s, ok := p.levels[level]
	if !ok {
		if p.levels == nil || len(p.levels) > 64 {
			p.levels = map[string]string{}
		}
		s = p.env.Styles.ForLevel(level).Render(level)
		p.levels[level] = s
	}
	return s
}

// jsonCache keeps the formatted form of the lines drawn lately, by line number (direct
// mapped: a frame's lines, and those of the frames around it, are formatted once).
type jsonCache struct {
	slots [512]struct {
		i    int64 // the line's number + 1; 0: empty
		ok   bool  // the line is JSON
		line jsonLine
	}
}

// get is formatJSON(text) for line i, from the cache when it holds line i.
func (c *jsonCache) get(i int64, text string) (jsonLine, bool) {
	s := &c.slots[i%int64(len(c.slots))]
	if s.i != i+1 {
		s.line, s.ok = formatJSON(text)
		s.i = i + 1
	}
	return s.line, s.ok
}
