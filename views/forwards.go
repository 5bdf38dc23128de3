package views

import (
	"fmt"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// forwardsKeys are the forwards view's own keys.
var forwardsKeys = struct{ Stop, Restart key.Binding }{
	Stop:    ui.NewKey("port-forwards", "stop the port-forward (confirm)", "ctrl+d"),
	Restart: ui.NewKey("port-forwards", "restart the forwards saved for this context", "r"),
}

// ForwardsSpec declares the port-forwards view (:pf): every running forward, live.
var ForwardsSpec = ui.ListSpec[*forward.Status]{
	Noun:    "port-forwards",
	Columns: forwardColumns,
	Cache: func(env *ui.Env, _, _ string) kube.Cache[*forward.Status] {
		return env.Forwards.Cache()
	},
	FilterText: func(s *forward.Status) string { return s.Spec.String() + " " + s.Pod + " " + string(s.State) },
	Actions:    []ui.Action[*forward.Status]{{Key: forwardsKeys.Stop, Run: confirmStopForward}},
	// `r` may start forwards in several namespaces: each is guarded on its own.
	ListActions: []ui.ListAction{{Key: forwardsKeys.Restart, Run: restartSaved}},
}

// NewForwards returns the port-forwards view; forwards of every namespace are listed.
func NewForwards(env *ui.Env) *ui.ListPage[*forward.Status] {
	return ui.NewListPage(env, ForwardsSpec, "")
}

// restartSaved starts, each through the dispatcher and the mutation door, the forwards
// saved for the current context that are not running. The saved forwards' file is read
// off the UI goroutine.
func restartSaved(env *ui.Env, _ string) tea.Cmd {
	forwards, kctx := env.Forwards, env.Client.Info.Context
	return env.Background("restart saved port-forwards", func() func() tea.Cmd {
		saved, err := forwards.Saved(kctx)
		if err != nil {
			return func() tea.Cmd { return ui.Notify(ui.LevelError, "saved port-forwards: "+err.Error()) }
		}
		return func() tea.Cmd { return startSaved(env, kctx, saved) }
	})
}

// startSaved starts the forwards of saved (those of context kctx) that are not running.
func startSaved(env *ui.Env, kctx string, saved []forward.Spec) tea.Cmd {
	running := map[int]bool{}
	for _, s := range env.Forwards.Statuses() {
		running[s.Spec.Local] = true
	}
	var cmds []tea.Cmd
	for _, spec := range saved {
		if running[spec.Local] {
			continue
		}
		cmds = append(cmds, env.Guard("port-forward", forward.Access(spec.Kind, spec.Namespace), false,
			func() tea.Cmd { return startForward(env, spec) }))
	}
	if len(cmds) == 0 {
		return ui.Notify(ui.LevelInfo, fmt.Sprintf("no saved port-forward to restart for context %s", kctx))
	}
	return tea.Batch(cmds...)
}

// confirmStopForward asks, then stops the forward (off the UI goroutine: it waits for
// its connections to close).
func confirmStopForward(env *ui.Env, s *forward.Status) tea.Cmd {
	forwards, spec := env.Forwards, s.Spec
	return env.Ask(&ui.Dialog{Title: "Stop port-forward", Body: []string{spec.String()},
		OK: func(string) tea.Cmd {
			return func() tea.Msg {
				if err := forwards.Stop(spec.Local); err != nil {
					return ui.NotifyMsg{Level: ui.LevelError, Text: "stop port-forward: " + err.Error()}
				}
				return ui.NotifyMsg{Level: ui.LevelOK, Text: "✓ stopped port-forward " + spec.String()}
			}
		}})
}

func forwardColumns(env *ui.Env, _ bool) []ui.Column[*forward.Status] {
	type col = ui.Column[*forward.Status]
	bytes := func(n int64) string {
		if n < 1<<10 {
			return strconv.FormatInt(n, 10) + "B"
		}
		return kube.FormatBytes(n)
	}
	return []col{
		{Name: "LOCAL", Min: 15, Value: func(s *forward.Status) string { return "127.0.0.1:" + strconv.Itoa(s.Spec.Local) }},
		{Name: "TARGET", Flex: true, Min: 12, Value: func(s *forward.Status) string { return s.Spec.Target() }},
		{Name: "POD IN USE", Max: 40, Drop: 3, Value: func(s *forward.Status) string {
			if s.Pod == "" {
				return "-"
			}
			return s.Pod
		}},
		{Name: "STATE", Drop: 1, Value: func(s *forward.Status) string { return string(s.State) },
			Style: func(st *theme.Styles, s *forward.Status) lipgloss.Style {
				switch s.State {
				case forward.Failed:
					return st.Bad
				case forward.Reconnecting:
					return st.Warn
				}
				return st.Good
			}},
		{Name: "CONNS", Align: ui.Right, Drop: 4, Value: func(s *forward.Status) string {
			return fmt.Sprintf("%d/%d", s.Open, s.Total)
		}},
		{Name: "IN", Align: ui.Right, Drop: 5, Value: func(s *forward.Status) string { return bytes(s.In) }},
		{Name: "OUT", Align: ui.Right, Drop: 5, Value: func(s *forward.Status) string { return bytes(s.Out) }},
		{Name: "LAST ERROR", Max: 60, Drop: 7, Value: func(s *forward.Status) string {
			if s.Err == "" {
				return "-"
			}
			return s.Err
		}},
		{Name: "CONTEXT", Max: 24, Drop: 8, Value: func(s *forward.Status) string { return s.Context }},
		ageColumn(env, func(s *forward.Status) time.Time { return s.Started }),
	}
}
