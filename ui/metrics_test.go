package ui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestSparkline(t *testing.T) {
	for _, tc := range []struct {
		values []int64
		width  int
		top    int64
		want   string
	}{
		{nil, 5, 0, "     "},
		{[]int64{0, 0, 0}, 3, 0, "▁▁▁"},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8}, 8, 0, "▁▂▃▄▅▆▇█"},
		{[]int64{8, 4}, 5, 0, "   █▄"},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8}, 3, 0, "▆▇█"}, // newest kept
		{[]int64{90, 90}, 2, 100, "▇▇"},                // against a request: near, not full
		{[]int64{100, 150}, 2, 100, "▆█"},              // above the request: scaled to the peak
		{[]int64{1, 50}, 2, 100, "▁▄"},
		{[]int64{5}, 0, 0, ""},
	} {
		got := Sparkline(tc.values, tc.width, tc.top)
		if got != tc.want {
			t.Errorf("Sparkline(%v, %d, %d) = %q, want %q", tc.values, tc.width, tc.top, got, tc.want)
		}
		if w := ansi.StringWidth(got); w != max(tc.width, 0) {
			t.Errorf("Sparkline(%v, %d) is %d cells wide", tc.values, tc.width, w)
		}
	}
}

func TestPercentAndUnits(t *testing.T) {
	for _, tc := range []struct {
		used, of int64
		want     string
	}{
		{90, 100, "90%"}, {0, 100, "0%"}, {250, 100, "250%"}, {1, 3, "33%"}, {2, 3, "67%"},
		{5, 0, "-"}, {5, -1, "-"}, {100 << 20, 128 << 20, "78%"},
	} {
		if got := Percent(tc.used, tc.of); got != tc.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", tc.used, tc.of, got, tc.want)
		}
	}
	if got := MilliCPU(90); got != "90m" {
		t.Errorf("MilliCPU(90) = %q", got)
	}
}
