package views

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// cancelDrainKey stops a running drain.
var cancelDrainKey = ui.NewKey("drain", "cancel the drain (the node stays cordoned)", "c")

// DrainPage follows one drain: every pod with where it stands and what blocks it. Leaving
// the page leaves the drain running; its outcome reaches the status line.
type DrainPage struct {
	env   *ui.Env
	drain *kube.Drain
	live  *ui.Live[kube.DrainStatus]
	text  *ui.TextView
}

// drainSource adapts a Drain to the ui.LiveSource a Live follows.
type drainSource struct{ *kube.Drain }

func (s drainSource) Snapshot() kube.DrainStatus { return s.Status() }
func (drainSource) Close()                       {}

// NewDrainPage returns the page that follows d.
func NewDrainPage(env *ui.Env, d *kube.Drain) *DrainPage {
	p := &DrainPage{env: env, drain: d, text: ui.NewTextView("")}
	p.live = ui.NewLive(env, d.Status(), func() ui.LiveSource[kube.DrainStatus] { return drainSource{d} })
	p.text.LineStyle = drainLineStyle
	p.show(p.live.Value)
	return p
}

// show draws the drain's status st.
func (p *DrainPage) show(st kube.DrainStatus) {
	p.live.Value = st
	p.text.SetText(drainText(st))
}

// Init starts following the drain.
func (p *DrainPage) Init() tea.Cmd { return p.live.Init() }

// Update takes the drain's progress and the keys.
func (p *DrainPage) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	if next, ok := p.live.Accept(msg); ok {
		p.show(p.live.Value)
		return p, next
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	if key.Matches(k, cancelDrainKey) && !p.text.Capturing() && !p.live.Value.Done {
		p.drain.Cancel()
		return p, ui.Notify(ui.LevelWarn, "drain of "+p.live.Value.Node+" cancelled; the node stays cordoned (u uncordons it)")
	}
	cmd, _ := p.text.Update(p.env.Styles, k)
	return p, cmd
}

// View draws the drain's pods.
func (p *DrainPage) View(width, height int) string { return p.text.View(p.env.Styles, width, height) }

// Title is "drain(NODE)", with how far it has come.
func (p *DrainPage) Title() string {
	st := p.live.Value
	gone := 0
	for _, pod := range st.Pods {
		if pod.State == kube.DrainGone {
			gone++
		}
	}
	return fmt.Sprintf("drain(%s)[%d/%d gone]", st.Node, gone, len(st.Pods))
}

// Freshness says whether the drain runs, finished or stopped.
func (p *DrainPage) Freshness() ui.Freshness {
	st := p.live.Value
	switch {
	case !st.Done:
		return ui.Freshness{Level: ui.LevelInfo, Text: "draining… c cancels"}
	case st.Err != nil:
		return ui.Freshness{Level: ui.LevelError, Text: st.Err.Error()}
	}
	return ui.Freshness{Level: ui.LevelOK, Text: "drained: every pod is gone"}
}

// Bindings lists the cancel key and the text's keys.
func (p *DrainPage) Bindings() []key.Binding {
	return append([]key.Binding{cancelDrainKey}, p.text.Bindings()...)
}

// Close stops following the drain; the drain itself goes on.
func (p *DrainPage) Close() { p.live.Close() }

// drainText is the drain's table: one pod a line, with its state and why.
func drainText(st kube.DrainStatus) string {
	var b strings.Builder
	if len(st.Pods) == 0 {
		if st.Done {
			b.WriteString("Nothing to evict.\n")
		} else {
			b.WriteString("Cordoning and listing the node's pods…\n")
		}
	}
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	if len(st.Pods) > 0 {
		fmt.Fprintln(w, "POD\tSTATE\tWHY")
	}
	for _, pod := range st.Pods {
		fmt.Fprintf(w, "%s/%s\t%s\t%s\n", pod.Namespace, pod.Name, pod.State, pod.Why)
	}
	_ = w.Flush()
	return b.String()
}

// drainLineStyle colours a pod's line by its state.
func drainLineStyle(st *theme.Styles, line string) lipgloss.Style {
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return st.Text
	}
	switch fields[1] {
	case kube.DrainGone.String():
		return st.Good
	case kube.DrainBlocked.String(), kube.DrainLeft.String():
		return st.Warn
	case kube.DrainFailed.String():
		return st.Bad
	}
	return st.Text
}
