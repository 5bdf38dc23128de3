package kube

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestLogBufferLineBound(t *testing.T) {
	b := NewLogBuffer(100, 1<<30)
	for i := range 1000 {
		b.Add(LogLine{Text: fmt.Sprint(i)})
	}
	if b.Len() != 100 || b.Dropped() != 900 || b.Total() != 1000 {
		t.Fatalf("len %d dropped %d total %d, want 100 900 1000", b.Len(), b.Dropped(), b.Total())
	}
	if l, ok := b.At(900); !ok || l.Text != "900" {
		t.Fatalf("oldest held line = %q %v, want 900", l.Text, ok)
	}
	if l, ok := b.At(999); !ok || l.Text != "999" {
		t.Fatalf("newest line = %q %v", l.Text, ok)
	}
	if _, ok := b.At(899); ok {
		t.Fatalf("a dropped line is still readable")
	}
}

func TestLogBufferByteBound(t *testing.T) {
	const maxBytes = 64 << 10
	b := NewLogBuffer(1_000_000, maxBytes)
	text := strings.Repeat("x", 1000)
	for range 10_000 {
		b.Add(LogLine{Text: text})
		if b.Bytes() > maxBytes {
			t.Fatalf("buffer holds %d bytes, bound %d", b.Bytes(), maxBytes)
		}
	}
	want := int(maxBytes / (1000 + lineOverhead))
	if b.Len() != want {
		t.Fatalf("holds %d lines of 1000 bytes, want %d", b.Len(), want)
	}
	// A line larger than the whole bound is cut, not kept whole.
	b.Add(LogLine{Text: strings.Repeat("é", maxBytes)})
	if b.Len() != 1 || b.Bytes() > maxBytes {
		t.Fatalf("a huge line: %d lines, %d bytes", b.Len(), b.Bytes())
	}
	if l, _ := b.At(b.Total() - 1); !strings.HasSuffix(l.Text, "é") {
		t.Fatalf("the cut split a character")
	}
}

func TestLogBufferDrain(t *testing.T) {
	b := NewLogBuffer(3, 1<<20)
	for i := range 5 {
		b.Add(LogLine{Text: fmt.Sprint(i)})
	}
	lines, lost := b.Drain()
	if len(lines) != 3 || lines[0].Text != "2" || lost != 2 {
		t.Fatalf("drain: %v lost %d", lines, lost)
	}
	b.Add(LogLine{Text: "5"})
	lines, lost = b.Drain()
	if len(lines) != 1 || lost != 0 || b.Total() != 6 {
		t.Fatalf("second drain: %v lost %d total %d", lines, lost, b.Total())
	}
}

// A log buffer stays within its bounds however much is fed into it: a million lines of
// 40 to 4,000 bytes (about 2 GB of text) leave the heap within the byte bound plus slack.
func TestLogBufferMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("feeds millions of lines")
	}
	const maxBytes = 16 << 20
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	b := NewLogBuffer(DefaultLogLines, maxBytes)
	long := strings.Repeat("0123456789", 400)
	var fed int64
	for i := range 1_000_000 {
		n := 40 + i*7919%(len(long)-40)
		text := strings.Clone(long[:n]) // every line its own allocation, as from a stream
		fed += int64(n)
		b.Add(LogLine{Text: text})
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("fed %d lines, %.1f GB; buffer holds %d lines, %.1f MiB charged; heap grew %.1f MiB",
		b.Total(), float64(fed)/1e9, b.Len(), float64(b.Bytes())/(1<<20), float64(heap)/(1<<20))
	if b.Bytes() > maxBytes || b.Len() > DefaultLogLines {
		t.Fatalf("buffer over its bounds: %d lines, %d bytes", b.Len(), b.Bytes())
	}
	if heap > maxBytes+maxBytes/4 {
		t.Fatalf("heap grew %d bytes, bound %d", heap, maxBytes)
	}
}

func TestCutUTF8(t *testing.T) {
	if got := cutUTF8("aé", 2); got != "a" {
		t.Fatalf("cutUTF8 split a rune: %q", got)
	}
	if got := cutUTF8("abc", 5); got != "abc" {
		t.Fatalf("cutUTF8 = %q", got)
	}
}
