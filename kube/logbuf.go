package kube

import (
	"time"
	"unsafe"
)

// Bounds of the log buffers, unless a caller chooses others.
const (
	DefaultLogLines = 10_000   // lines a log buffer keeps
	DefaultLogBytes = 16 << 20 // bytes a log buffer keeps (text plus per-line overhead)
	MaxLineBytes    = 16 << 10 // longer lines are cut to this many bytes
)

// LogKind tells a container's own output from kdeck's notes about the stream.
type LogKind uint8

// The kinds of log line.
const (
	LogOutput LogKind = iota // a line the container wrote
	LogNote                  // kdeck's note: "reconnecting", "pod deleted", "… lines dropped"
)

// LogLine is one line of container output, without its trailing newline.
type LogLine struct {
	Time      time.Time // the kubelet's timestamp; zero when the line had none
	Pod       string    // the pod's name when several pods are streamed, else ""
	Container string
	Text      string
	Kind      LogKind
}

// lineOverhead is what a line costs beyond its text: the slot in the ring. Pod and
// container names are shared by every line of a stream, so they are not counted.
const lineOverhead = int64(unsafe.Sizeof(LogLine{}))

// Size is the number of bytes l is charged in a LogBuffer.
func (l LogLine) Size() int64 { return int64(len(l.Text)) + lineOverhead }

// LogBuffer is a ring of log lines bounded both in lines and in bytes: adding a line
// beyond either bound drops the oldest lines. Lines are addressed by absolute index: the
// n-th line ever added has index n-1, whether or not it is still held.
// A LogBuffer is not safe for concurrent use.
type LogBuffer struct {
	maxLines int
	maxBytes int64
	ring     []LogLine
	head     int   // slot of the oldest line
	n        int   // lines held
	bytes    int64 // bytes held
	dropped  int64 // lines dropped (or skipped) since the start: the oldest line's index
	drained  int64 // dropped as of the last Drain
}

// NewLogBuffer returns an empty buffer holding at most maxLines lines and maxBytes bytes;
// values below 1 mean the defaults.
func NewLogBuffer(maxLines int, maxBytes int64) *LogBuffer {
	if maxLines < 1 {
		maxLines = DefaultLogLines
	}
	if maxBytes < 1 {
		maxBytes = DefaultLogBytes
	}
	return &LogBuffer{maxLines: maxLines, maxBytes: maxBytes}
}

// Add appends l, dropping the oldest lines as needed to stay within both bounds.
// A line larger than the byte bound on its own is cut to fit.
func (b *LogBuffer) Add(l LogLine) {
	if room := b.maxBytes - lineOverhead; int64(len(l.Text)) > room {
		l.Text = cutUTF8(l.Text, int(max(room, 0)))
	}
	size := l.Size()
	for b.n > 0 && (b.n >= b.maxLines || b.bytes+size > b.maxBytes) {
		b.dropOldest()
	}
	if b.n == len(b.ring) {
		b.grow()
	}
	b.ring[(b.head+b.n)%len(b.ring)] = l
	b.n++
	b.bytes += size
}

// grow enlarges the ring (up to maxLines slots), keeping the lines in order from slot 0.
func (b *LogBuffer) grow() {
	size := min(max(2*len(b.ring), 64), b.maxLines)
	ring := make([]LogLine, size)
	for i := range b.n {
		ring[i] = b.ring[(b.head+i)%len(b.ring)]
	}
	b.ring, b.head = ring, 0
}

func (b *LogBuffer) dropOldest() {
	b.bytes -= b.ring[b.head].Size()
	b.ring[b.head] = LogLine{} // release the text
	b.head = (b.head + 1) % len(b.ring)
	b.n--
	b.dropped++
}

// Skip records n lines lost before reaching the buffer (they count as dropped).
func (b *LogBuffer) Skip(n int64) { b.dropped += n }

// Len is the number of lines held.
func (b *LogBuffer) Len() int { return b.n }

// Bytes is the number of bytes held, as charged by LogLine.Size.
func (b *LogBuffer) Bytes() int64 { return b.bytes }

// Dropped is the number of lines dropped so far, which is also the oldest held line's index.
func (b *LogBuffer) Dropped() int64 { return b.dropped }

// Total is the number of lines ever added (held or dropped): the next line's index.
func (b *LogBuffer) Total() int64 { return b.dropped + int64(b.n) }

// At returns the line with absolute index i, if it is still held.
func (b *LogBuffer) At(i int64) (LogLine, bool) {
	if i < b.dropped || i >= b.Total() {
		return LogLine{}, false
	}
	return b.ring[(b.head+int(i-b.dropped))%len(b.ring)], true
}

// Drain removes every held line and returns them, oldest first, with the number of lines
// dropped since the previous Drain (lines that never made it out).
func (b *LogBuffer) Drain() ([]LogLine, int64) {
	out := make([]LogLine, b.n)
	for i := range b.n {
		out[i] = b.ring[(b.head+i)%len(b.ring)]
	}
	lost := b.dropped - b.drained
	b.dropped += int64(b.n)
	b.drained = b.dropped
	b.ring, b.head, b.n, b.bytes = nil, 0, 0, 0
	return out, lost
}

// cutUTF8 returns s cut to at most n bytes, never inside a UTF-8 sequence.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i > n-4 && s[i]&0xC0 == 0x80 { // s[i] continues a rune started before it
		i--
	}
	return s[:i]
}
