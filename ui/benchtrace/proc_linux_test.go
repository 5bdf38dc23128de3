package benchtrace

import "testing"

func TestStatField(t *testing.T) {
	stat := "1234 (kdeck (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 9 0 5567 12345 678"
	if v, ok := statField(stat, 22); !ok || v != 5567 {
		t.Fatalf("starttime = %d, %v; want 5567", v, ok)
	}
	if v, ok := statField(stat, 14); !ok || v != 7 {
		t.Fatalf("utime = %d, %v; want 7", v, ok)
	}
	if _, ok := statField(stat, 99); ok {
		t.Fatal("field 99 should not exist")
	}
}
