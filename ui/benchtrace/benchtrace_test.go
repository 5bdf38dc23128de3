package benchtrace

import (
	"testing"
	"time"
)

func TestDisabledIsInert(t *testing.T) {
	if enabled {
		t.Skip("KDECK_BENCH_TRACE is set")
	}
	FirstRows()
	Loaded()
	Filter(1)
	Event("x", "y")
}

func TestProcessAge(t *testing.T) {
	age, ok := processAge()
	if !ok {
		t.Skip("no /proc")
	}
	if age < 0 || age > time.Hour {
		t.Fatalf("process age %s is implausible", age)
	}
}
