package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
)

// NotifyMsg shows a message in the status line for a few seconds.
type NotifyMsg struct {
	Level Level
	Text  string
}

// Notify returns the command that shows text in the status line.
func Notify(level Level, text string) tea.Cmd {
	return func() tea.Msg { return NotifyMsg{level, text} }
}

// toast is a transient message in the status line.
type toast struct {
	Level Level
	Text  string
	Until time.Time
}

// guardedMsg carries an action that passed its checks on env's cluster, or the step after
// background work, to run on the UI goroutine unless the context changed meanwhile.
type guardedMsg struct {
	env  *Env
	what string
	then func() tea.Cmd
}

// MutatedMsg reports a finished mutation to every page (so a view can refresh or follow
// a rollout); the shell shows its outcome in the status line.
type MutatedMsg struct {
	Mutation kube.Mutation
	Err      error
	next     func() tea.Cmd
}

// Guard is the action dispatcher's gate: every key that acts goes through it before any
// prompt opens. A mutation (non-empty needs: every request it will send) is refused at
// once in read-only mode, and each of its requests is asked of RBAC (cached
// SelfSubjectAccessReview), so an action that could only be half applied is refused
// before it starts; a reveal of secret values is refused under a never-reveal policy.
// When allowed, then runs on the UI goroutine (it typically opens a Dialog).
func (e *Env) Guard(what string, needs []kube.Access, reveals bool, then func() tea.Cmd) tea.Cmd {
	client := e.Client
	if reason := e.refusal(needs, reveals); reason != "" {
		return Notify(LevelError, what+": "+reason)
	}
	if len(needs) == 0 {
		return then()
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, a := range needs {
			d, err := client.Can(ctx, a)
			switch {
			case err != nil:
				return NotifyMsg{LevelError, what + ": cannot check permissions: " + err.Error()}
			case !d.Allowed:
				return NotifyMsg{LevelError, what + ": " + d.Reason}
			}
		}
		return guardedMsg{env: e, what: what, then: then}
	}
}

// Background returns the command that runs work off the UI goroutine (a file read, or
// anything else that can block) and then, back on the UI goroutine, the step work
// returns (nil: nothing more). Like a guarded action, the step is dropped with a word when
// the context was switched in between: it belongs to the cluster work started on.
func (e *Env) Background(what string, work func() (then func() tea.Cmd)) tea.Cmd {
	return func() tea.Msg {
		if then := work(); then != nil {
			return guardedMsg{env: e, what: what, then: then}
		}
		return nil
	}
}

// After returns the message that runs then on the UI goroutine, for a callback that must
// return a message (tea.ExecProcess's) rather than a command; like Background's step, it
// is dropped with a word when the context was switched meanwhile.
func (e *Env) After(what string, then func() tea.Cmd) tea.Msg {
	return guardedMsg{env: e, what: what, then: then}
}

// refusal says why the policy alone refuses an action, or "" when it does not.
func (e *Env) refusal(needs []kube.Access, reveals bool) string {
	switch {
	case len(needs) > 0 && e.Client.Policy.ReadOnly:
		return "refused, kdeck is read-only on this context"
	case reveals && e.Client.Policy.NeverReveal:
		return "refused, secret values are never revealed on this context"
	}
	return ""
}

// Mutate returns the command that applies m through the client's single mutation door
// (read-only refusal, timeout, audit log). On success next, when non-nil, runs on the UI
// goroutine to follow up (a rollout's progress line).
func (e *Env) Mutate(m kube.Mutation, next func() tea.Cmd) tea.Cmd {
	client := e.Client
	return func() tea.Msg {
		return MutatedMsg{Mutation: m, Err: client.Apply(context.Background(), m), next: next}
	}
}

// MutatedAllMsg reports mutations applied together (an action on marked rows): every page
// sees each one as a MutatedMsg, and the status line sums them up.
type MutatedAllMsg struct {
	What    string // "delete 3 pods"
	Results []MutatedMsg
}

// MutateAll returns the command that applies ms one after another, each through the
// client's mutation door, and reports them together as what.
func (e *Env) MutateAll(what string, ms []kube.Mutation) tea.Cmd {
	client := e.Client
	return func() tea.Msg {
		out := MutatedAllMsg{What: what}
		for _, m := range ms {
			out.Results = append(out.Results, MutatedMsg{Mutation: m, Err: client.Apply(context.Background(), m)})
		}
		return out
	}
}

// Disabled returns b with its help saying why it cannot be used now: read-only mode,
// never-reveal, or an RBAC answer already known. Help and footers show it greyed.
func (e *Env) Disabled(b key.Binding, needs []kube.Access, reveals bool) key.Binding {
	reason := e.refusal(needs, reveals)
	for _, a := range needs {
		if d, ok := e.Client.Cached(a); reason == "" && ok && !d.Allowed {
			reason = d.Reason
		}
	}
	if reason == "" {
		return b
	}
	h := b.Help()
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(h.Key, h.Desc+"  [disabled: "+reason+"]"))
}

// Prefetch returns the command that asks RBAC about accesses in the background, so help
// can show forbidden actions as disabled before a key is pressed.
func (e *Env) Prefetch(accesses []kube.Access) tea.Cmd {
	if len(accesses) == 0 || e.Client.Policy.ReadOnly {
		return nil
	}
	client := e.Client
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, a := range accesses {
			if _, err := client.Can(ctx, a); err != nil {
				return nil // only a hint: the key press asks again
			}
		}
		return nil
	}
}

// ProgressMsg is a report on work that goes on after an action (a rollout): the status
// line shows the latest one, until a second report replaces it or, once Done, it fades.
type ProgressMsg struct {
	Level Level
	Text  string
	Done  bool
	next  tea.Cmd
}

// Progress returns the command that relays reports from ch to the status line, each as a
// ProgressMsg prefixed with what, until ch closes. level decides each report's level.
func Progress[T any](what string, ch <-chan T, report func(T) (text string, level Level, done bool)) tea.Cmd {
	var wait tea.Cmd
	wait = func() tea.Msg {
		v, ok := <-ch
		if !ok {
			return nil
		}
		text, level, done := report(v)
		m := ProgressMsg{Level: level, Text: what + ": " + text, Done: done}
		if !done {
			m.next = wait
		}
		return m
	}
	return wait
}
