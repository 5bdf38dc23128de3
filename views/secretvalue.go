package views

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// hexPreview is how many bytes of a binary value are shown in hex.
const hexPreview = 16

// displayValue renders a revealed value on one line: text with its line breaks, tabs and
// carriage returns escaped (\n, \t, \r); anything else (binary) as
// "binary, N bytes: 0a1b…", the first hexPreview bytes in hex.
func displayValue(b []byte) string {
	if isText(b) {
		return strings.NewReplacer("\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(string(b))
	}
	h := hex.EncodeToString(b[:min(len(b), hexPreview)])
	if len(b) > hexPreview {
		h += "…"
	}
	return fmt.Sprintf("binary, %d bytes: %s", len(b), h)
}

// isText reports whether b is UTF-8 without control characters other than line breaks and tabs.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}
