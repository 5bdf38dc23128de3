// Package ui is kdeck's application shell: the root model, the page stack, the header,
// the status line, help, and shared components such as the virtualized table.
// It routes messages to pages; pages (in views/) decide what to show.
package ui

import (
	"slices"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/theme"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Env is what every page shares: the cluster connection, the styles and the clock.
// The root owns it; pages read it and never keep copies of its fields. A context switch
// makes a new Env (see forClient): dialogs, commands and follow-ups made on the old one keep
// acting on the cluster they were opened for.
type Env struct {
	Client    *kube.Client
	Styles    *theme.Styles
	Namespace string // "" means all namespaces
	Version   string // kdeck's own version
	Now       func() time.Time
	// Forwards are the running port-forwards: they outlive pages and context switches.
	Forwards *forward.Manager
	// Warm keeps the stores of recently closed lists running; nil keeps none.
	Warm *Warm
	// Keys is the config's keymap on this context; nil changes no key.
	Keys *Keymap
	// KeysFor returns the keymap of another context, for a context switch; nil: none.
	KeysFor func(context string) *Keymap
	// Skin, when set, gives the styles of a context (by name), called when kdeck starts and
	// on every context switch: theme.ForEnvironment of the skin the config chose for it.
	// Styles that are not Chosen (no skin, no NO_COLOR) follow the terminal's background:
	// dark, or light when it says it is light. nil: Styles stay as they are for every context.
	Skin func(context string) *theme.Styles
	// Mouse asks the terminal for mouse events: the wheel scrolls the page, a click selects
	// a row, a double click opens it. Off, the terminal's own text selection works.
	Mouse bool

	ids *atomic.Uint64 // shared by every Env of the program (see NextID); nil until first use
}

// forClient returns the Env of another context: c and its namespace, the rest shared.
func (e *Env) forClient(c *kube.Client) *Env {
	e.idSource()
	next := *e // every field shared, the id counter included (a pointer)
	next.Client, next.Namespace = c, c.Info.Namespace
	if e.KeysFor != nil {
		next.Keys = e.KeysFor(c.Info.Context)
	}
	return &next
}

// idSource makes e's id counter on first use; Envs made by forClient share it.
func (e *Env) idSource() *atomic.Uint64 {
	if e.ids == nil {
		e.ids = new(atomic.Uint64)
	}
	return e.ids
}

// Page is one screen in the stack (a resource list, a describe view, …).
type Page interface {
	// Init starts the page's background work (watches) and returns its first command.
	Init() tea.Cmd
	// Update handles a message; pages ignore messages that are not theirs.
	Update(msg tea.Msg) (Page, tea.Cmd)
	// View renders the page into exactly width × height cells.
	View(width, height int) string
	// Title names the page in the title bar, e.g. "pods(all)[1,024]".
	Title() string
	// Freshness says how current the page's data is, for the status line.
	Freshness() Freshness
	// Bindings lists the page's own keys, for help and the footer.
	Bindings() []key.Binding
	// Close stops the page's background work; the page is not used afterwards.
	Close()
}

// Level is how much a message matters.
type Level int

// Message levels, from calm to alarming.
const (
	LevelOK Level = iota
	LevelInfo
	LevelWarn
	LevelError
)

// Style is how text of level l is drawn: calm in the text colour, OK in green, warnings
// and errors in their colours.
func (l Level) Style(st *theme.Styles) lipgloss.Style {
	switch l {
	case LevelInfo:
		return st.Text
	case LevelWarn:
		return st.Warn
	case LevelError:
		return st.Bad
	}
	return st.Good
}

// Freshness is a page's report of how current its data is.
type Freshness struct {
	Level        Level
	Text         string // e.g. "live", "loading… 1,234", "watch broken: …; retrying in 3s"
	Disconnected bool   // the server is unreachable (the header says so)
}

// NextID returns a number no other page or feed of this program has, used to address
// asynchronous results to their owner. Call it on the UI goroutine.
func (e *Env) NextID() uint64 { return e.idSource().Add(1) }

// ViewSpec registers a view for command mode: `:NAME` or any alias opens it.
type ViewSpec struct {
	Name    string
	Aliases []string
	// Resources are the API resources the view lists (one, or the same objects served by
	// two groups); none for a view of kdeck's own (port-forwards, canaries). A name the
	// cluster resolves to one of them opens this view, to any other resource not.
	Resources []schema.GroupResource
	New       func(env *Env, ns string) Page
	// Fleet, for list views that can show several clusters at once, opens the view across
	// envs (see NewFleetPage); nil: the view shows one cluster at a time.
	Fleet func(envs []*Env, ns string) Page
}

// PageCommand is a command that opens a page from an argument, on top of the current view
// (`:tree deploy/web`). Open runs on the UI goroutine, so it only parses arg and builds
// the page, which does its own I/O; an error stays in the prompt and changes nothing.
type PageCommand struct {
	Name    string
	Aliases []string
	Open    func(env *Env, arg string) (Page, error)
}

// Lookup finds the view named (or aliased) name.
func Lookup(specs []ViewSpec, name string) (ViewSpec, bool) {
	for _, s := range specs {
		if s.Name == name || slices.Contains(s.Aliases, name) {
			return s, true
		}
	}
	return ViewSpec{}, false
}

// InputCapturer is implemented by pages that are reading text (a filter, a prompt):
// while Capturing, every key goes to the page, not to the shell.
type InputCapturer interface {
	Capturing() bool
}

// Escaper is implemented by pages that use esc to clear something of their own (a filter)
// before esc goes back; Escape reports whether it did.
type Escaper interface {
	Escape() bool
}
