package ui

import (
	"fmt"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/theme"
)

// The painter's cached escape codes give exactly what lipgloss renders, and are reused.
func TestPainterMatchesLipgloss(t *testing.T) {
	st := theme.New(theme.Dark())
	var p painter
	for _, s := range []struct {
		name string
		want string
		got  string
	}{
		{"bad", st.Bad.Render("CrashLoopBackOff"), p.render(st.Bad, "CrashLoopBackOff")},
		{"stale", st.Stale.Render("web-1"), p.render(st.Stale, "web-1")},
		{"bad again", st.Bad.Render("Error"), p.render(st.Bad, "Error")},
	} {
		if s.got != s.want {
			t.Errorf("%s: painter %q, lipgloss %q", s.name, s.got, s.want)
		}
	}
	if len(p.cache) != 2 {
		t.Errorf("cache holds %d styles, want 2 (bad, stale)", len(p.cache))
	}
}

// BenchmarkTableView renders a 220x60 window of a 50,000-row table.
func BenchmarkTableView(b *testing.B) {
	rows := make([]*item, 50000)
	for i := range rows {
		rows[i] = &item{fmt.Sprintf("ns-%d", i%50), fmt.Sprintf("pod-%05d-7c9d5b8f6-x7k2p", i)}
	}
	st := theme.New(theme.Dark())
	var t Table[*item]
	for _, name := range []string{"NAMESPACE", "NAME", "STATUS", "READY", "RESTARTS", "IP", "NODE", "AGE"} {
		t.Columns = append(t.Columns, Column[*item]{Name: name, Value: func(i *item) string { return i.name[:8] },
			Style: func(s *theme.Styles, _ *item) lipgloss.Style { return s.Good }})
	}
	t.Columns[1].Flex = true
	t.SetRows(rows, nil)
	for b.Loop() {
		t.View(st, 220, 60, false)
	}
}

// Rows that stream in (a watch's first load, sorted newest first) leave an untouched
// cursor on the first row; once a person moves it, it follows the row they chose.
func TestCursorStaysOnTopUntilMoved(t *testing.T) {
	same := func(a, b int) bool { return a == b }
	var tb Table[int]
	tb.SetRows([]int{1}, same)
	tb.SetRows([]int{3, 2, 1}, same)
	if r, _ := tb.Selected(); r != 3 {
		t.Fatalf("untouched cursor on %d, want the first row 3", r)
	}
	tb.Move(1)
	tb.SetRows([]int{4, 3, 2, 1}, same)
	if r, _ := tb.Selected(); r != 2 {
		t.Fatalf("moved cursor on %d, want the row chosen, 2", r)
	}
}
