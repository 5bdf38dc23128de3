package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/theme"
)

// Cell is one styled cell of a Grid; the zero Style is plain text.
type Cell struct {
	Text  string
	Style lipgloss.Style
}

// Grid aligns rows of cells in columns two spaces apart; with header the first row is
// drawn as column headings.
func Grid(st *theme.Styles, header bool, rows [][]Cell, aligns []Align) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(Safe(c.Text)))
		}
	}
	out := make([]string, len(rows))
	for j, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			a := Left
			if i < len(aligns) {
				a = aligns[i]
			}
			text := Safe(c.Text)
			if i < len(r)-1 || a == Right {
				text = Pad(text, widths[i], a)
			}
			switch {
			case j == 0 && header:
				b.WriteString(st.Muted.Bold(true).Render(text))
			default:
				b.WriteString(c.Style.Render(text))
			}
		}
		out[j] = b.String()
	}
	return out
}
