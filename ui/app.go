package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

// globalKeys are handled by the shell on every page.
var globalKeys = struct {
	Help, Back, Quit, Command, Favourite, Earlier, Later key.Binding
}{
	Help:      NewKey("general", "help", "?"),
	Back:      NewKey("general", "back (clears a filter first), or quit", "q", "esc"),
	Quit:      NewKey("general", "quit", "ctrl+c"),
	Command:   NewKey("general", "command: a view (pods, deploy…), ns NAME, ctx NAME; tab completes", ":"),
	Favourite: NewKey("general", "namespace favourites (0 = all)", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
	Earlier:   NewKey("general", "the view before (views and namespaces visited, as in a browser)", "["),
	Later:     NewKey("general", "the view after, once [ went back", "]"),
}

// FrameRate is how many times a second at most the screen is redrawn. A table console
// gains nothing from 60: at 30 the renderer wakes half as often (idle CPU with 10,000
// pods 1.8% → 1.5% of a core, under churn 4.9% → 4.4%, make bench), and a keystroke
// still shows within a frame of 33 ms.
const FrameRate = 30

// tickMsg refreshes relative times ("40 s ago", ages) once a second.
type tickMsg time.Time

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// PushMsg asks the shell to open Page on top of the current one (drill-down).
type PushMsg struct{ Page Page }

// Push returns the command that opens page on top of the stack.
func Push(page Page) tea.Cmd { return func() tea.Msg { return PushMsg{page} } }

// OpenMsg asks the shell to open, on top of the stack, the registered view that lists
// Ref's kind with the cursor on Ref (the owner a person jumped to); Else is opened instead
// when no registered view lists that kind.
type OpenMsg struct {
	Ref  kube.ObjectRef
	Else func() Page
	// Env is the cluster Ref is in (a row of a list of several clusters); nil: the shell's.
	Env *Env
}

// Focuser is implemented by pages that can put their cursor on one object once it is listed.
type Focuser interface {
	Focus(k kube.Key)
}

// openRef is the page an OpenMsg asks for.
func (a *App) openRef(m OpenMsg) Page {
	env := a.env
	if m.Env != nil {
		env = m.Env
	}
	for _, s := range a.registry {
		if slices.Contains(s.Resources, m.Ref.GVR.GroupResource()) {
			page := s.New(env, m.Ref.Namespace)
			if f, ok := page.(Focuser); ok {
				f.Focus(kube.Key{Namespace: m.Ref.Namespace, Name: m.Ref.Name})
			}
			return page
		}
	}
	return m.Else()
}

// App is the root model: it owns the page stack and the frame around the top page.
type App struct {
	env           *Env
	registry      []ViewSpec
	commands      []PageCommand // commands that open a page from an argument
	rootSpec      ViewSpec      // the view at the bottom of the stack, reopened on ns/ctx switch
	stack         []Page
	width, height int
	help          bool
	prompt        *Prompt  // the `:` command prompt, when open
	dialog        *Dialog  // a confirmation or question over the page, when open
	toast         *toast   // a transient message for the status line
	progress      *toast   // the latest report on work in flight (a rollout), when any
	auditErr      error    // the latest failed append to the audit log, until one succeeds
	favourites    []string // recently used namespaces, for keys 1–9
	resolve       Resolver // finds views for names the registry lacks; nil: none
	resolving     uint64   // generation of the latest resolve, to drop older answers
	releaseLink   func()   // stops holding the current clients' links (see kube.Link.Hold)
	// fleet are the clusters a list of several shows, env's first (`--context a,b`, `:ctx
	// a,b`); nil while kdeck shows one cluster.
	fleet     []*Env
	visited   []visit           // the views opened, oldest first, for [ and ]
	selector  string            // the label selector of the view at the bottom of the stack ("": none)
	aliases   map[string]string // the config's names for command lines
	at        int               // the index in visited of the view shown
	light     bool              // the terminal said its background is light
	helpTop   int               // the first line of help shown (the wheel and the arrows scroll it)
	preloaded *tea.Cmd          // the first page's Init, when Preload ran it early
}

// visit is a view opened at the bottom of the stack, in a namespace, with a label selector.
type visit struct {
	spec     ViewSpec
	ns       string
	selector string
}

// maxVisited is how many views [ can go back through.
const maxVisited = 50

// New returns the root model showing the view first of registry.
func New(env *Env, registry []ViewSpec, first ViewSpec) *App {
	a := &App{env: env, registry: registry, rootSpec: first}
	a.restyle()
	a.rememberNamespace(env.Namespace)
	a.stack = []Page{first.New(env, env.Namespace)}
	a.visited = []visit{{first, env.Namespace, ""}}
	a.releaseLink = env.Client.Link.Hold()
	return a
}

// SetFleet makes the App show several clusters at once: clients (the App's own client
// first, each another context of the kubeconfig) in every list view that can, with a
// CONTEXT column. Call it before the program starts.
func (a *App) SetFleet(clients []*kube.Client) {
	a.useClients(clients)
	a.stack[0].Close()
	a.stack = []Page{a.newPage(a.rootSpec, a.env.Namespace)}
}

// useClients makes clients (several, or one) the clusters shown: the first is the App's
// Env, every other an Env of its own sharing the rest; their links are held.
func (a *App) useClients(clients []*kube.Client) {
	if a.env.Client != clients[0] {
		a.env = a.env.forClient(clients[0])
	}
	a.fleet = nil
	if len(clients) > 1 {
		a.fleet = []*Env{a.env}
		for _, c := range clients[1:] {
			a.fleet = append(a.fleet, a.env.forClient(c))
		}
	}
	a.releaseLink()
	releases := make([]func(), len(clients))
	for i, c := range clients {
		releases[i] = c.Link.Hold()
	}
	a.releaseLink = func() {
		for _, r := range releases {
			r()
		}
	}
}

// newPage builds spec's page in ns: across the fleet when there is one and the view can
// show several clusters, else on the App's cluster (saying so when there is a fleet).
func (a *App) newPage(spec ViewSpec, ns string) Page {
	if a.fleet != nil {
		if spec.Fleet != nil {
			return spec.Fleet(a.fleet, ns)
		}
		a.notify(LevelInfo, fmt.Sprintf("%s shows one cluster at a time: %s", spec.Name, a.env.Client.Info.Context), 6*time.Second)
	}
	return spec.New(a.env, ns)
}

// owns says whether env is one of the clusters shown: an answer (a dialog, an RBAC check)
// for any other, left behind by a context switch, is dropped.
func (a *App) owns(env *Env) bool {
	return env == a.env || slices.Contains(a.fleet, env)
}

// lost says whether no cluster shown answers any more (see kube.Link).
func (a *App) lost() bool {
	if a.fleet == nil {
		return a.env.Client.Link.State().Lost
	}
	for _, e := range a.fleet {
		if !e.Client.Link.State().Lost {
			return false
		}
	}
	return true
}

func (a *App) top() Page { return a.stack[len(a.stack)-1] }

// Preload runs the first page's Init before the program starts, so that its list is
// already on its way from the server while the terminal is set up; Init then returns the
// command it gave instead of running it again.
func (a *App) Preload() {
	if a.preloaded == nil {
		cmd := a.top().Init()
		a.preloaded = &cmd
	}
}

// Init starts the first page (unless Preload did), the clock, the background colour query
// and the watch on the audit log's failures.
func (a *App) Init() tea.Cmd {
	var first tea.Cmd
	if a.preloaded != nil {
		first, a.preloaded = *a.preloaded, nil
	} else {
		first = a.top().Init()
	}
	return tea.Batch(first, tick(), tea.RequestBackgroundColor, a.watchAudit())
}

// auditFailedMsg is a failed append to the audit log, or nil once one succeeds again.
type auditFailedMsg struct{ err error }

// watchAudit returns the command that waits for the audit log's next failure; nil when
// there is no log. Every client of a session shares one log.
func (a *App) watchAudit() tea.Cmd {
	if a.env.Client.Audit == nil {
		return nil
	}
	failures := a.env.Client.Audit.Failures()
	return func() tea.Msg { return auditFailedMsg{<-failures} }
}

// Update routes msg: keys to the shell or the top page, everything else to every page
// (each page drops what is not addressed to it).
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		return a, nil
	case tea.BackgroundColorMsg:
		a.light = !msg.IsDark()
		if a.env.Styles == nil || !a.env.Styles.Chosen { // a skin or NO_COLOR stays as chosen
			a.env.Styles = theme.New(a.backdrop())
		}
		return a, nil
	case tea.MouseMsg:
		return a, a.mouse(msg)
	case tickMsg:
		return a, tick()
	case PushMsg:
		a.stack = append(a.stack, msg.Page)
		return a, msg.Page.Init()
	case OpenMsg:
		page := a.openRef(msg)
		a.stack = append(a.stack, page)
		return a, page.Init()
	case namespacesMsg:
		if a.prompt != nil {
			a.prompt.SetSuggestions(a.suggestions(msg.names))
		}
		return a, nil
	case contextSwitchedMsg:
		return a, a.contextSwitched(msg)
	case resolvedMsg:
		return a, a.resolved(msg)
	case dialogMsg:
		if msg.d.env != nil && !a.owns(msg.d.env) {
			a.notify(LevelWarn, staleNote(msg.d.env, a.env, "a dialog"), 8*time.Second)
			return a, nil
		}
		if a.dialog != nil && a.dialog.stop != nil {
			a.dialog.stop() // a notice replaced: its wait is of no use any more
		}
		a.dialog = msg.d
		return a, msg.d.open()
	case waitedMsg:
		if a.dialog != msg.d {
			return a, nil // cancelled, or replaced
		}
		a.dialog.stop()
		a.dialog = nil
		return a, msg.then
	case checkedMsg:
		if a.dialog != msg.d {
			return a, nil // its dialog closed
		}
		cmd, done := a.dialog.checked(msg)
		if done {
			a.dialog = nil
		}
		return a, cmd
	case NotifyMsg:
		a.notify(msg.Level, msg.Text, 6*time.Second)
		return a, nil
	case ProgressMsg:
		until := a.env.Now().Add(24 * time.Hour) // until the next report
		if msg.Done {
			until = a.env.Now().Add(10 * time.Second)
		}
		a.progress = &toast{Level: msg.Level, Text: msg.Text, Until: until}
		return a, msg.next
	case guardedMsg:
		if !a.owns(msg.env) {
			a.notify(LevelWarn, staleNote(msg.env, a.env, msg.what), 8*time.Second)
			return a, nil
		}
		return a, msg.then()
	case MutatedMsg:
		return a, a.mutated(msg)
	case MutatedAllMsg:
		return a, a.mutatedAll(msg)
	case auditFailedMsg:
		if a.auditErr != nil && msg.err == nil {
			a.notify(LevelOK, "audit log "+a.env.Client.Audit.Path()+" is written again", 6*time.Second)
		}
		a.auditErr = msg.err
		return a, a.watchAudit()
	case tea.KeyPressMsg:
		return a.key(msg)
	}
	return a, a.broadcast(msg)
}

// broadcast hands msg to the prompt, the dialog and every page.
func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	if a.prompt != nil {
		cmds = append(cmds, a.prompt.Update(msg)) // cursor blink
	}
	if a.dialog != nil && a.dialog.typed() {
		var cmd tea.Cmd
		a.dialog.input, cmd = a.dialog.input.Update(msg)
		cmds = append(cmds, cmd)
	}
	for i, p := range a.stack {
		var cmd tea.Cmd
		a.stack[i], cmd = p.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// mutatedAll reports mutations applied together: how many succeeded, the first failure, and
// each one to the pages.
func (a *App) mutatedAll(msg MutatedAllMsg) tea.Cmd {
	var cmds []tea.Cmd
	var failed []string
	for _, r := range msg.Results {
		cmds = append(cmds, a.broadcast(r))
		if r.Err != nil {
			m := r.Mutation
			failed = append(failed, strings.TrimPrefix(m.Namespace+"/"+m.Name, "/")+": "+r.Err.Error())
		}
	}
	if len(failed) == 0 {
		a.notify(LevelOK, "✓ "+msg.What, 6*time.Second)
	} else {
		a.notify(LevelError, fmt.Sprintf("%s: %d of %d failed; %s", msg.What, len(failed), len(msg.Results), failed[0]), 10*time.Second)
	}
	return tea.Batch(cmds...)
}

// mutated reports a finished mutation in the status line, tells the pages, and runs its
// follow-up when it succeeded.
func (a *App) mutated(msg MutatedMsg) tea.Cmd {
	m := msg.Mutation
	what := m.Verb + " " + m.GVR.Resource + " " + strings.TrimPrefix(m.Namespace+"/"+m.Name, "/")
	if msg.Err != nil {
		a.notify(LevelError, what+" failed: "+msg.Err.Error(), 10*time.Second)
	} else {
		a.notify(LevelOK, "✓ "+what+": "+m.Summary, 6*time.Second)
	}
	cmds := []tea.Cmd{a.broadcast(msg)}
	if msg.Err == nil && msg.next != nil {
		cmds = append(cmds, msg.next())
	}
	return tea.Batch(cmds...)
}

func (a *App) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, globalKeys.Quit) {
		return a, a.quit()
	}
	if a.dialog != nil {
		cmd, done := a.dialog.key(msg)
		if done {
			a.dialog = nil
		}
		return a, cmd
	}
	if a.prompt != nil {
		switch msg.String() {
		case "esc":
			a.prompt = nil
			return a, nil
		case "enter":
			return a, a.runCommand(a.prompt.Value())
		}
		return a, a.prompt.Update(msg)
	}
	if c, ok := a.top().(InputCapturer); ok && c.Capturing() && !a.help {
		return a, a.forward(msg)
	}
	// text typed above is never remapped; keys that act are, by the config's keymap
	keys := a.env.Keys
	if line, ok := keys.command(msg); ok && !a.help {
		return a, a.runLine(line)
	}
	if p := keys.plugin(msg); p != nil && !a.help {
		return a, a.runPlugin(p)
	}
	msg, ok := keys.translate(msg)
	if !ok {
		return a, nil
	}
	if a.help {
		switch {
		case key.Matches(msg, globalKeys.Help, globalKeys.Back):
			a.help, a.helpTop = false, 0
		case key.Matches(msg, TableKeys.Down):
			a.helpTop++ // helpView keeps it within the lines there are
		case key.Matches(msg, TableKeys.Up):
			a.helpTop = max(0, a.helpTop-1)
		case key.Matches(msg, TableKeys.PageDown):
			a.helpTop += max(1, a.height-4)
		case key.Matches(msg, TableKeys.PageUp):
			a.helpTop = max(0, a.helpTop-max(1, a.height-4))
		}
		return a, nil
	}
	switch {
	case key.Matches(msg, globalKeys.Help):
		a.help = true
		return a, nil
	case key.Matches(msg, globalKeys.Command):
		return a, a.openCommand()
	case key.Matches(msg, globalKeys.Favourite):
		return a, a.favourite(int(msg.String()[0] - '0'))
	case key.Matches(msg, globalKeys.Earlier):
		return a, a.travel(-1)
	case key.Matches(msg, globalKeys.Later):
		return a, a.travel(+1)
	case key.Matches(msg, globalKeys.Back):
		if e, ok := a.top().(Escaper); ok && e.Escape() {
			return a, nil
		}
		if len(a.stack) > 1 {
			a.top().Close()
			a.stack = a.stack[:len(a.stack)-1]
			return a, nil
		}
		if key.Matches(msg, quitFromRoot) {
			return a, a.quit()
		}
		return a, nil
	}
	return a, a.forward(msg)
}

// quitFromRoot is the one of Back's keys that also quits from the first view (esc does not).
var quitFromRoot = key.NewBinding(key.WithKeys("q"))

// forward hands a message to the top page only.
func (a *App) forward(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	a.stack[len(a.stack)-1], cmd = a.top().Update(msg)
	return cmd
}

func (a *App) quit() tea.Cmd {
	for _, p := range a.stack {
		p.Close()
	}
	a.releaseLink()
	return tea.Quit
}

// View draws the header, the title bar, the top page and the status line. Every part
// degrades on small terminals: at 3 lines only the page remains.
func (a *App) View() tea.View {
	v := tea.NewView(SafeFrame(a.render()))
	v.AltScreen = true
	if a.env.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "kdeck: " + Safe(a.env.Client.Info.Context)
	return v
}

func (a *App) render() string {
	w, h := a.width, a.height
	if w <= 0 || h <= 0 {
		return ""
	}
	page := a.top()
	fresh := page.Freshness()
	var top, bottom []string
	header, title, status := frameLines(h)
	if header {
		top = append(top, a.header(w, fresh))
	}
	if title {
		top = append(top, a.titleBar(w, page.Title()))
	}
	if status {
		bottom = append(bottom, a.statusLine(w, fresh))
	}
	bodyH := h - len(top) - len(bottom)
	var body string
	if a.help {
		body = a.helpView(w, bodyH)
	} else {
		a.helpTop = 0 // help opens at its top
		body = page.View(w, bodyH)
	}
	if a.dialog != nil {
		body = overlay(body, a.dialog.view(a.env.Styles, w, bodyH), w)
	}
	parts := append(top, body)
	parts = append(parts, bottom...)
	return strings.Join(parts, "\n")
}

func (a *App) header(w int, fresh Freshness) string {
	st := a.env.Styles
	on := st.OnHeader // the skin's header band, if it has one
	info := a.env.Client.Info
	ns := a.env.Namespace
	if ns == "" {
		ns = "all"
	}
	conn := on(st.Good).Render("● connected")
	if link := a.env.Client.Link.State(); link.Lost {
		silent := max(a.env.Now().Sub(link.Heard), kube.LinkLostAfter)
		conn = on(st.Bad).Render(fmt.Sprintf("○ no answer from the API server for %ds · retrying", int(silent.Seconds())))
	} else if fresh.Disconnected {
		conn = on(st.Bad).Render("● disconnected, reconnecting")
	}
	field := func(k, v string) string { return on(st.HeaderKey).Render(k+" ") + on(st.HeaderValue).Render(Safe(v)) }
	sep := on(st.Muted).Render(" │ ")
	fields := []string{on(st.Title).Render("kdeck " + a.env.Version), conn}
	if a.env.Client.Policy.ReadOnly {
		fields = append(fields, on(st.Warn.Bold(true).Reverse(true)).Render(" READ-ONLY "))
	}
	where := field("cluster", info.Cluster)
	if info.Cluster == "" && info.Server != "" { // --server: no cluster entry names it
		where = field("server", info.Server)
	}
	if a.fleet != nil {
		fields = append(fields, a.fleetField(st, on))
	} else {
		fields = append(fields, field("ctx", info.Context), where, field("user", info.Who()), field("k8s", info.ServerVersion))
	}
	line := strings.Join(append(fields, field("ns", ns)), sep)
	line = fit(line, w)
	if gap := w - lipgloss.Width(line); st.HeaderBanded() && gap > 0 {
		line += on(lipgloss.NewStyle()).Render(strings.Repeat(" ", gap)) // the band spans the screen
	}
	return line
}

// fleetField is the header's list of the clusters shown, each marked by whether it answers.
func (a *App) fleetField(st *theme.Styles, on func(lipgloss.Style) lipgloss.Style) string {
	parts := []string{on(st.HeaderKey).Render(fmt.Sprintf("%d contexts", len(a.fleet)))}
	for _, e := range a.fleet {
		mark := on(st.Good).Render("●")
		if link := e.Client.Link.State(); link.Lost || (e.Client.Unanswered && link.Heard.IsZero()) {
			mark = on(st.Bad).Render("○ no answer")
		}
		parts = append(parts, on(st.HeaderValue).Render(Safe(e.Client.Info.Context))+" "+mark)
	}
	return strings.Join(parts, on(st.Muted).Render(" "))
}

func (a *App) titleBar(w int, title string) string {
	st := a.env.Styles
	label := " " + Safe(title) + " "
	lw := ansi.StringWidth(label)
	if lw >= w {
		return fit(st.Title.Render(label), w)
	}
	left := (w - lw) / 2
	return st.Muted.Render(strings.Repeat("─", left)) + st.Title.Render(label) +
		st.Muted.Render(strings.Repeat("─", w-lw-left))
}

func (a *App) statusLine(w int, fresh Freshness) string {
	st := a.env.Styles
	if a.prompt != nil {
		return a.prompt.View(st, w)
	}
	if a.lost() && fresh.Level < LevelError { // a page with no watch of its own
		fresh = Freshness{Level: LevelError, Text: kube.ErrLinkLost.Error() + "; retrying", Disconnected: true}
	}
	if p := a.progress; p != nil && a.env.Now().Before(p.Until) && fresh.Level < LevelWarn {
		fresh = Freshness{Level: p.Level, Text: p.Text} // a stale or broken view still says so
	}
	if a.toast != nil && a.env.Now().Before(a.toast.Until) {
		fresh = Freshness{Level: a.toast.Level, Text: a.toast.Text}
	}
	if d, ok := a.env.Client.Throttle.Recent(time.Now(), 5*time.Second); ok {
		fresh.Text += fmt.Sprintf(" · client-side throttling: requests waited %.1fs", d.Seconds())
		fresh.Level = max(fresh.Level, LevelWarn)
	}
	if a.auditErr != nil { // first: a narrow line cuts the end
		fresh.Text = a.auditErr.Error() + " · " + fresh.Text
		fresh.Level = LevelError
	}
	left := fresh.Level.Style(st).Render(Safe(fresh.Text))
	hints := st.Muted.Render(a.hints())
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(hints)
	if gap < 1 {
		return fit(left, w)
	}
	return left + strings.Repeat(" ", gap) + hints
}

// hints names the status line's three keys as the keymap leaves them.
func (a *App) hints() string {
	var parts []string
	for _, h := range [][2]string{{":", "cmd"}, {"?", "help"}, {"q", "quit"}} {
		switch l := a.env.Keys.Label(h[0]); l {
		case "":
		case ":":
			parts = append(parts, ":"+h[1])
		default:
			parts = append(parts, l+":"+h[1])
		}
	}
	return strings.Join(parts, "  ")
}

// helpView lists the shell's keys and the top page's keys, generated from their bindings.
func (a *App) helpView(w, h int) string {
	st := a.env.Styles
	var lines []string
	section := func(title string, bs []key.Binding) {
		lines = append(lines, st.Title.Render(title))
		width := 12 // the keys' column: as wide as its widest label, within reason
		for _, b := range bs {
			width = max(width, min(ansi.StringWidth(b.Help().Key), 20))
		}
		for _, b := range bs {
			hb := b.Help()
			lines = append(lines, "  "+st.HelpKey.Render(pad(hb.Key, width, Left))+" "+st.HelpDesc.Render(hb.Desc))
		}
		lines = append(lines, "")
	}
	keys := a.env.Keys
	section(a.top().Title(), keys.ApplyAll(a.top().Bindings()))
	if own := keys.UserBindings(); len(own) > 0 {
		section("Your keys (config)", own)
	}
	g := globalKeys
	section("General", keys.ApplyAll([]key.Binding{g.Command, g.Favourite, g.Earlier, g.Later, g.Help, g.Back, g.Quit}))
	var closers []string
	for _, k := range []string{"?", "esc"} {
		if l := keys.Label(k); l != "" {
			closers = append(closers, l)
		}
	}
	lines = append(lines, st.Muted.Render(strings.Join(closers, " or ")+" closes this help"))
	a.helpTop = max(0, min(a.helpTop, len(lines)-h))
	return block(lines[a.helpTop:], w, h)
}

// block fits lines into exactly w × h cells.
func block(lines []string, w, h int) string {
	if h <= 0 {
		return ""
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		}
	}
	return strings.Join(out, "\n")
}

// fit truncates a styled line to w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Fit truncates a styled line to w cells, for pages that draw lines of their own.
func Fit(s string, w int) string { return fit(s, w) }
