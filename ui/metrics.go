package ui

import (
	"fmt"
	"strings"
)

// sparkBlocks are the eight heights a sparkline cell can take.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values (oldest first) as width cells of block characters, newest at the
// right; with fewer values than width it is padded on the left with spaces. Heights are
// scaled so that top (or the largest value, when larger) fills a cell: pass a request or
// limit as top to show usage against it, or 0 to scale to the values themselves.
func Sparkline(values []int64, width int, top int64) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	b.Grow(width * 3)
	b.WriteString(strings.Repeat(" ", width-len(values)))
	n := int64(len(sparkBlocks))
	for _, v := range values {
		level := int64(0)
		if top > 0 && v > 0 {
			level = (v*n + top - 1) / top // ceil: any usage shows above the floor…
			level = max(0, min(level, n)-1)
			if v < top && level == n-1 {
				level = n - 2 // …and only the top fills the cell
			}
		}
		b.WriteRune(sparkBlocks[level])
	}
	return b.String()
}

// MilliCPU renders CPU in millicores the way `kubectl top` does: "90m".
func MilliCPU(m int64) string { return fmt.Sprintf("%dm", m) }

// Percent renders used as a whole percentage of of, rounded: "90%"; "-" when of is not
// set (no request or limit to compare with).
func Percent(used, of int64) string {
	p, ok := Pct(used, of)
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%d%%", p)
}

// Pct is used as a whole percentage of of, rounded half up; ok is false when of is not
// positive.
func Pct(used, of int64) (int64, bool) {
	if of <= 0 {
		return 0, false
	}
	return (used*100 + of/2) / of, true
}
