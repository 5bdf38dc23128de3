package kube

import "testing"

func TestFormatBytes(t *testing.T) {
	for b, want := range map[int64]string{0: "0Ki", 1: "1Ki", 512 << 10: "512Ki", 100 << 20: "100Mi",
		(100 << 20) + (600 << 10): "101Mi", 12 << 30: "12.0Gi", 5 << 30: "5120Mi"} {
		if got := FormatBytes(b); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", b, got, want)
		}
	}
}

func TestFormatDecimal(t *testing.T) {
	for x, want := range map[float64]string{4.6: "4.6", 4: "4", 4.666: "4.67", 1.5: "1.5", 0.004: "0", 2.10: "2.1"} {
		if got := FormatDecimal(x); got != want {
			t.Errorf("FormatDecimal(%v) = %q, want %q", x, got, want)
		}
	}
}
