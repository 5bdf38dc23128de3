// Package uitest holds helpers shared by the UI packages' tests.
package uitest

import tea "charm.land/bubbletea/v2"

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
