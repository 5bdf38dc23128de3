package ui

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Safe returns s with every character that could drive a terminal made visible: text from
// the cluster or a kubeconfig (images, annotations, event messages, log lines, server
// errors, context names) passes through it before it is styled. C0 controls and DEL read
// in caret notation (ESC as ^[, a carriage return as ^M, a tab as ^I), C1 controls
// (U+0080–U+009F), bidirectional overrides and invalid UTF-8 bytes as \xNN or \uNNNN.
// Printable text, including any script and emoji, is unchanged. Multi-line text is split
// into lines (and tabs expanded) before each line goes through Safe.
func Safe(s string) string {
	i := unsafeAt(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r < 0x20:
			b.WriteByte('^')
			b.WriteByte(byte(r) + '@')
		case r == 0x7f:
			b.WriteString("^?")
		case isUnsafeRune(r):
			b.WriteString(`\u`)
			b.WriteString(strings.Repeat("0", 4-len(strconv.FormatInt(int64(r), 16))))
			b.WriteString(strconv.FormatInt(int64(r), 16))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// SafeLines splits text from the cluster into lines, expands its tabs to four spaces and
// makes each line safe (see Safe): what describe, YAML and log pages show.
func SafeLines(text string) []string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = Safe(strings.ReplaceAll(l, "\t", "    "))
	}
	return lines
}

// unsafeAt is the index of the first byte of s that Safe changes, or -1.
func unsafeAt(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f { // printable ASCII: the common case, one comparison
			i++
			continue
		}
		if c < 0x80 {
			return i
		}
		size, bad := runeAt(s, i)
		if bad {
			return i
		}
		i += size
	}
	return -1
}

// runeAt decodes the non-ASCII rune at s[i:] and reports whether Safe changes it: a C1
// control, a bidi override or a byte that is not UTF-8.
func runeAt(s string, i int) (size int, unsafe bool) {
	r, size := utf8.DecodeRuneInString(s[i:])
	return size, (r == utf8.RuneError && size == 1) || isUnsafeRune(r)
}

// isUnsafeRune reports the non-ASCII runes a terminal may act on or that reorder what a
// person reads: C1 controls and the bidirectional embeddings, overrides and isolates.
func isUnsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// SafeFrame is the last guard before a frame reaches the terminal: it keeps printable text,
// line breaks and the SGR sequences (colours, bold, reverse …) that kdeck's styles emit, and
// makes everything else visible as Safe does: cursor moves, OSC (titles, clipboard, links),
// DCS, C1 controls, carriage returns. SGR attributes that hide or blink text (conceal,
// blink) are dropped. Text from the cluster is made safe with Safe before it is styled;
// SafeFrame makes sure nothing that skipped that step can drive the terminal.
func SafeFrame(frame string) string {
	i := frameUnsafeAt(frame)
	if i < 0 {
		return frame
	}
	var b strings.Builder
	b.Grow(len(frame) + 16)
	b.WriteString(frame[:i])
	for i < len(frame) {
		switch frame[i] {
		case 0x1b:
			n := sgrLen(frame[i:])
			if n == 0 { // an escape that is not an SGR: shown, and the bytes after it as text
				b.WriteString("^[")
				i++
				continue
			}
			if sgrAllowed(frame[i+2 : i+n-1]) {
				b.WriteString(frame[i : i+n])
			}
			i += n
		case '\n':
			b.WriteByte('\n')
			i++
		default:
			j := i + 1
			for j < len(frame) && frame[j] != 0x1b && frame[j] != '\n' {
				j++
			}
			b.WriteString(Safe(frame[i:j]))
			i = j
		}
	}
	return b.String()
}

// frameUnsafeAt is the index of the first byte SafeFrame may change, or -1: a frame of
// plain text and well-formed SGR sequences comes back as it is, without a copy.
func frameUnsafeAt(frame string) int {
	for i := 0; i < len(frame); {
		c := frame[i]
		switch {
		case c == '\n' || (c >= 0x20 && c < 0x7f):
			i++
		case c == 0x1b:
			n := sgrLen(frame[i:])
			if n == 0 || !sgrAllowed(frame[i+2:i+n-1]) {
				return i
			}
			i += n
		case c < 0x80:
			return i
		default:
			size, bad := runeAt(frame, i)
			if bad {
				return i
			}
			i += size
		}
	}
	return -1
}

// sgrLen is the length of the SGR sequence (ESC [ params m) at the start of s, or 0.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c == 'm':
			return i + 1
		case (c < '0' || c > '9') && c != ';' && c != ':':
			return 0
		}
	}
	return 0
}

// sgrAllowed reports whether the parameters of an SGR sequence set only what kdeck's styles
// use: no blink (5, 6) and no conceal (8). Extended colours (38/48/58 followed by 5;N or
// 2;R;G;B) are skipped over, so a colour index of 5 or 8 is not mistaken for an attribute.
func sgrAllowed(params string) bool {
	skip := 0 // fields still to skip: the rest of an extended colour
	for params != "" {
		field, rest, _ := strings.Cut(params, ";")
		params = rest
		if skip > 0 {
			skip--
			if skip == 3 && field != "2" { // 38;5;N: only N follows
				skip = 1
			}
			continue
		}
		head, _, colon := strings.Cut(field, ":")
		switch head {
		case "5", "6", "8":
			return false
		case "38", "48", "58":
			if !colon { // 38;5;N or 38;2;R;G;B; the colon form keeps its colour inside
				skip = 4
			}
		}
	}
	return true
}
