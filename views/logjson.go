package views

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// jsonLine is a JSON log line as the logs page shows it: its level apart (it has a colour
// of its own), then the message and the other keys.
type jsonLine struct {
	level string // the level in capitals ("ERROR"), "" when the line has none
	text  string // the message, then key=value for every other key in the line's order
}

// The keys that hold a JSON log line's message and its level, as common loggers name
// them (zap, logrus, slog, pino, bunyan, Elastic's ECS, journald, Cloud Logging).
var (
	jsonMessageKeys = []string{"msg", "message", "MESSAGE"}
	jsonLevelKeys   = []string{"level", "lvl", "severity", "log.level"}
)

// pinoLevels are the numeric levels of pino and bunyan.
var pinoLevels = map[string]string{"10": "TRACE", "20": "DEBUG", "30": "INFO", "40": "WARN", "50": "ERROR", "60": "FATAL"}

// jsonField is one key of a JSON object and its value as written.
type jsonField struct {
	key string
	val json.RawMessage
}

// formatJSON shows s, if it is one JSON object, as its level, its message and key=value
// for the other keys in their order (nested values compact); ok is false for any other
// text. The result went through cleanLine: decoded strings may hold control characters.
func formatJSON(s string) (line jsonLine, ok bool) {
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' {
		return jsonLine{}, false // the common case for text logs: no parse at all
	}
	fields, ok := jsonFields(t)
	if !ok {
		return jsonLine{}, false
	}
	msg, lvl := -1, -1
	for i, f := range fields {
		switch {
		case msg < 0 && slices.Contains(jsonMessageKeys, f.key):
			msg = i
		case lvl < 0 && slices.Contains(jsonLevelKeys, f.key):
			lvl = i
		}
	}
	var b strings.Builder
	b.Grow(len(t))
	if msg >= 0 {
		b.WriteString(jsonText(fields[msg].val))
	}
	for i, f := range fields {
		if i == msg || i == lvl {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteIfNeeded(f.key))
		b.WriteByte('=')
		v := jsonText(f.val)
		if f.val[0] == '"' {
			v = quoteIfNeeded(v)
		}
		b.WriteString(v)
	}
	if lvl >= 0 {
		v := jsonText(fields[lvl].val)
		if name, ok := pinoLevels[v]; ok {
			v = name
		}
		line.level = cleanLine(strings.ToUpper(v))
	}
	line.text = cleanLine(b.String())
	return line, true
}

// jsonFields splits one JSON object, and nothing after it, into its keys in order.
func jsonFields(t string) ([]jsonField, bool) {
	dec := json.NewDecoder(strings.NewReader(t))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var fields []jsonField
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		fields = append(fields, jsonField{key, raw})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') || dec.InputOffset() != int64(len(t)) {
		return nil, false
	}
	return fields, true
}

// jsonText is a JSON value as text: a string decoded, anything else compact.
func jsonText(raw json.RawMessage) string {
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// quoteIfNeeded quotes s (Go syntax) when it would not read as one key or value of
// key=value: empty, or holding a space, '=', '"' or a character that is not printable.
func quoteIfNeeded(s string) string {
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r == '=' || r == '"' || !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}
