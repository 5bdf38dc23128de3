package views

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/helm"
	"github.com/kdeck/kdeck/ui"
)

// valuesKeys are the values page's own keys.
var valuesKeys = struct{ Reveal key.Binding }{
	Reveal: ui.NewKey("helm values", "reveal one masked value (audited), or hide them again", "x"),
}

// ReleaseValues is the page of a revision's values as YAML: those supplied, or all of them
// computed with the chart's defaults. Values under secret-looking keys (every value, on a
// context that never reveals) are masked; x reveals one, audited like a secret's value.
type ReleaseValues struct {
	*ui.TextPage
	env      *ui.Env
	ref      helm.Ref
	revision int

	mu       sync.Mutex
	revealed map[string]bool // paths shown in clear
	masked   []string        // the paths masked or revealed at the last fetch
}

// hideAll is the reveal picker's choice that masks every revealed value again.
const hideAll = "hide every revealed value"

// NewReleaseValues returns the values page of r's revision; computed adds the chart's defaults.
func NewReleaseValues(env *ui.Env, r *helm.Release, computed bool) *ReleaseValues {
	p := &ReleaseValues{env: env, ref: r.Ref(), revision: r.Revision, revealed: map[string]bool{}}
	what := "values"
	if computed {
		what = "all values"
	}
	client, all := env.Client, env.Client.Policy.NeverReveal
	title := fmt.Sprintf("%s %s/%s revision %d", what, r.Namespace, r.Name, r.Revision)
	p.TextPage = ui.NewTextPage(env, title, func(ctx context.Context) (string, error) {
		rel, err := helm.Get(ctx, client, p.ref, p.revision)
		if err != nil {
			return "", err
		}
		values, err := helm.Values(rel, computed)
		if err != nil {
			return "", err
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		m, err := helm.MaskValues(values, all, p.revealed)
		if err != nil {
			return "", err
		}
		p.masked = m.Paths
		return m.YAML, nil
	})
	return p
}

// Update handles x (reveal) and hands everything else to the text page.
func (p *ReleaseValues) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && !p.Capturing() && key.Matches(k, valuesKeys.Reveal) {
		return p, p.env.Guard("reveal", nil, true, p.pick)
	}
	_, cmd := p.TextPage.Update(msg)
	return p, cmd
}

// pick opens the picker of masked values, with "hide" first when some are revealed.
func (p *ReleaseValues) pick() tea.Cmd {
	p.mu.Lock()
	var choices []string
	if len(p.revealed) > 0 {
		choices = append(choices, hideAll)
	}
	for _, path := range p.masked {
		if !p.revealed[path] {
			choices = append(choices, path)
		}
	}
	p.mu.Unlock()
	if len(choices) == 0 {
		return ui.Notify(ui.LevelInfo, "no masked values on this page")
	}
	client := p.env.Client
	return p.env.Ask(&ui.Dialog{Title: fmt.Sprintf("Reveal a value of release %s/%s revision %d", p.ref.Namespace, p.ref.Name, p.revision),
		Body:    []string{"The value is shown on this page until you leave it; the audit log records the reveal."},
		Choices: choices,
		OK: func(path string) tea.Cmd {
			p.mu.Lock()
			if path == hideAll {
				p.revealed = map[string]bool{}
			} else {
				p.revealed[path] = true
			}
			p.mu.Unlock()
			if path == hideAll {
				return p.Refresh()
			}
			record := fmt.Sprintf("sh.helm.release.v1.%s.v%d", p.ref.Name, p.revision)
			summary := fmt.Sprintf("show the value %s of release %s revision %d", path, p.ref.Name, p.revision)
			return tea.Sequence(func() tea.Msg {
				client.AuditReveal(kube.RevealShow, p.ref.Storage.ReadAccess(p.ref.Namespace), record, summary, nil)
				return nil
			}, p.Refresh())
		}})
}

// Bindings adds x to the text page's keys.
func (p *ReleaseValues) Bindings() []key.Binding {
	return append(slices.Clone(p.TextPage.Bindings()), p.env.Disabled(valuesKeys.Reveal, nil, true))
}
