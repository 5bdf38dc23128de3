// Package uitest holds helpers shared by the UI packages' tests.
package uitest

import (
	"slices"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// special maps the key names tests type to bubbletea key codes.
var special = map[string]rune{
	"esc": tea.KeyEscape, "enter": tea.KeyEnter, "backspace": tea.KeyBackspace, "tab": tea.KeyTab,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
}

// Key returns the key press a person makes for name: a special key ("esc", "enter",
// "space", "pgup", …) or the text of a printable key ("q", "/", "C").
func Key(name string) tea.KeyPressMsg {
	if name == "space" {
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	if code, ok := special[name]; ok {
		return tea.KeyPressMsg{Code: code}
	}
	return tea.KeyPressMsg{Code: []rune(name)[0], Text: name}
}

// Messages runs cmd the way bubbletea does (the commands of a batch concurrently) and
// returns the messages that arrive within wait, batches flattened, in no set order.
// Commands still running then (a cursor's blink, work that blocks) are left to finish
// on their own and their messages are dropped.
func Messages(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	var (
		mu   sync.Mutex
		msgs []tea.Msg
		wg   sync.WaitGroup
		run  func(tea.Cmd)
	)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		wg.Go(func() {
			switch m := c().(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range m {
					run(c)
				}
			default:
				mu.Lock()
				msgs = append(msgs, m)
				mu.Unlock()
			}
		})
	}
	run(cmd)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
	}
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(msgs)
}
