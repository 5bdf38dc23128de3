package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
)

// messages runs cmd and the commands of a batch it returns, and prints every message.
func messages(cmd tea.Cmd) []string {
	if cmd == nil {
		return nil
	}
	var out []string
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			out = append(out, messages(c)...)
		}
	default:
		out = append(out, fmt.Sprint(msg))
	}
	return out
}

// c on a text page puts the text on the clipboard, cleaned of escape sequences a paste
// would carry, and says what it copied.
func TestTextPageCopy(t *testing.T) {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now}
	text := "kind: ConfigMap\ndata:\n  motd: \"hi \x1b]0;pwned\x07 there\"\n"
	p := NewTextPage(env, "yaml configmaps/shop/motd", func(context.Context) (string, error) { return text, nil })
	if _, cmd := p.Update(tea.KeyPressMsg{Code: 'c', Text: "c"}); cmd != nil {
		got := messages(cmd)
		t.Fatalf("c before the text arrived did %v", got)
	}
	p.SetResult(text, nil, time.Now())
	_, cmd := p.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	got := strings.Join(messages(cmd), "|")
	want := "kind: ConfigMap\ndata:\n  motd: \"hi ^[]0;pwned^G there\"\n" // shown, inert
	if !strings.Contains(got, want) || strings.Contains(got, "\x1b") || strings.Contains(got, "\x07") {
		t.Errorf("clipboard and notice %q, want the text cleaned: %q", got, want)
	}
	if !strings.Contains(got, "copied 4 lines of yaml configmaps/shop/motd to the clipboard") {
		t.Errorf("no notice of what was copied: %q", got)
	}
}
