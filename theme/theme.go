// Package theme turns a palette of semantic colours into every lipgloss style kdeck uses.
// Styles are built once and passed to the UI; nothing here is global or mutable.
package theme

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
)

// Palette names colours by what they mean, not by how they look.
type Palette struct {
	Text      color.Color // ordinary text
	Muted     color.Color // secondary text, column headers' rules, stale rows
	Accent    color.Color // titles, the header's context, key names in help
	Good      color.Color // healthy: Running, Ready, Live
	Warn      color.Color // in progress or worth a look: Pending, ContainerCreating
	Bad       color.Color // broken: CrashLoopBackOff, Error, disconnected
	Info      color.Color // neutral state changes: Terminating, Completed
	SelectFg  color.Color // the selected row
	SelectBg  color.Color
	HeaderBg  color.Color // the column header band
	StatusBar color.Color // background of the status line
	// HeaderFg and HeaderBand, when set, draw the header line (kdeck, context, cluster…)
	// as a band: every field in HeaderFg over HeaderBand, so a context stands out (a red
	// band on production). nil keeps the fields' own colours on the terminal's background.
	HeaderFg   color.Color
	HeaderBand color.Color
}

// Dark is the palette for dark terminal backgrounds (the default).
func Dark() Palette {
	return Palette{
		Text: lipgloss.Color("#d0d0d0"), Muted: lipgloss.Color("#7a7a7a"), Accent: lipgloss.Color("#5fafff"),
		Good: lipgloss.Color("#5fd75f"), Warn: lipgloss.Color("#ffd75f"), Bad: lipgloss.Color("#ff5f5f"),
		Info: lipgloss.Color("#d787ff"), SelectFg: lipgloss.Color("#000000"), SelectBg: lipgloss.Color("#5fafff"),
		HeaderBg: lipgloss.Color("#262626"), StatusBar: lipgloss.Color("#1c1c1c"),
	}
}

// Light is the palette for light terminal backgrounds.
func Light() Palette {
	return Palette{
		Text: lipgloss.Color("#1c1c1c"), Muted: lipgloss.Color("#6c6c6c"), Accent: lipgloss.Color("#005fd7"),
		Good: lipgloss.Color("#008700"), Warn: lipgloss.Color("#af8700"), Bad: lipgloss.Color("#d70000"),
		Info: lipgloss.Color("#8700af"), SelectFg: lipgloss.Color("#ffffff"), SelectBg: lipgloss.Color("#005fd7"),
		HeaderBg: lipgloss.Color("#e4e4e4"), StatusBar: lipgloss.Color("#eeeeee"),
	}
}

// Styles holds every style the UI draws with.
type Styles struct {
	Text, Muted, Accent, Good, Warn, Bad, Info lipgloss.Style

	Title       lipgloss.Style // a view's title in the header
	HeaderKey   lipgloss.Style // "context:" labels in the header
	HeaderValue lipgloss.Style
	ColumnHead  lipgloss.Style // the table's column header band
	Selected    lipgloss.Style // the selected row
	Marked      lipgloss.Style // rows marked to act on together
	Stale       lipgloss.Style // rows that are no longer known to be current
	StatusLine  lipgloss.Style
	HelpKey     lipgloss.Style
	HelpDesc    lipgloss.Style
	Box         lipgloss.Style // overlays such as help
	Header      lipgloss.Style // the header line's band and text colour, when the palette has them

	// Chosen is set on styles a person chose (a skin, NO_COLOR): the terminal's background
	// colour, once known, does not replace them with the dark or light palette.
	Chosen bool
}

// New builds the styles for p.
func New(p Palette) *Styles {
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	header := lipgloss.NewStyle()
	if p.HeaderFg != nil {
		header = header.Foreground(p.HeaderFg)
	}
	if p.HeaderBand != nil {
		header = header.Background(p.HeaderBand)
	}
	return &Styles{
		Text: fg(p.Text), Muted: fg(p.Muted), Accent: fg(p.Accent),
		Good: fg(p.Good), Warn: fg(p.Warn), Bad: fg(p.Bad), Info: fg(p.Info),

		Title:       fg(p.Accent).Bold(true),
		HeaderKey:   fg(p.Muted),
		HeaderValue: fg(p.Text).Bold(true),
		ColumnHead:  fg(p.Text).Background(p.HeaderBg).Bold(true),
		Selected:    lipgloss.NewStyle().Foreground(p.SelectFg).Background(p.SelectBg),
		Marked:      fg(p.Accent).Bold(true),
		Stale:       fg(p.Muted).Faint(true),
		StatusLine:  fg(p.Text).Background(p.StatusBar),
		HelpKey:     fg(p.Accent).Bold(true),
		HelpDesc:    fg(p.Text),
		Box:         lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent).Padding(0, 1),
		Header:      header,
	}
}

// NoColor builds styles without a single colour, for NO_COLOR (https://no-color.org): only
// attributes that carry meaning remain. The selected row and the current search match are
// reversed, titles, errors and marked rows bold, warnings underlined, secondary text and
// stale rows faint.
func NoColor() *Styles {
	plain := lipgloss.NewStyle()
	bold := plain.Bold(true)
	return &Styles{
		Text: plain, Muted: plain.Faint(true), Accent: plain,
		Good: plain, Warn: plain.Underline(true), Bad: bold, Info: plain,

		Title:       bold,
		HeaderKey:   plain.Faint(true),
		HeaderValue: bold,
		ColumnHead:  bold.Underline(true),
		Selected:    plain.Reverse(true),
		Marked:      bold,
		Stale:       plain.Faint(true),
		StatusLine:  plain,
		HelpKey:     bold,
		HelpDesc:    plain,
		Box:         plain.Border(lipgloss.RoundedBorder()).Padding(0, 1),
		Header:      plain,
		Chosen:      true,
	}
}

// OnHeader is st as drawn on the header line: in the palette's header text colour over its
// header band, where the palette has them; else st unchanged.
func (s *Styles) OnHeader(st lipgloss.Style) lipgloss.Style {
	if c := s.Header.GetForeground(); !isNone(c) {
		st = st.Foreground(c)
	}
	if c := s.Header.GetBackground(); !isNone(c) {
		st = st.Background(c)
	}
	return st
}

// HeaderBanded reports whether the header line is drawn as a band of its own colour.
func (s *Styles) HeaderBanded() bool { return !isNone(s.Header.GetBackground()) }

// isNone reports whether c is no colour at all (unset, or the terminal's default).
func isNone(c color.Color) bool {
	_, none := c.(lipgloss.NoColor)
	return c == nil || none
}

// ForLevel picks the style for a log line's level (any case): errors and worse in red,
// warnings in yellow, debug and trace dim, anything else (info) in the text colour.
func (s *Styles) ForLevel(level string) lipgloss.Style {
	switch strings.ToLower(level) {
	case "error", "err", "fatal", "panic", "dpanic", "critical", "crit", "alert", "emergency", "emerg":
		return s.Bad
	case "warn", "warning":
		return s.Warn
	case "debug", "dbg", "trace", "verbose":
		return s.Muted
	}
	return s.Text
}

// ForStatus picks the style for a pod or workload status word.
func (s *Styles) ForStatus(status string) lipgloss.Style {
	switch status {
	case "Running", "Ready", "Active", "Bound", "Healthy":
		return s.Good
	case "Completed", "Succeeded", "Terminating":
		return s.Info
	case "Pending", "ContainerCreating", "PodInitializing", "NotReady", "Unknown":
		return s.Warn
	}
	if len(status) > 5 && status[:5] == "Init:" {
		return s.Warn
	}
	return s.Bad
}
