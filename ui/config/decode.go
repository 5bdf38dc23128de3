package config

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeStrict decodes data into c, refusing fields the config types do not have; every
// error names file and line.
func decodeStrict(file string, data []byte, c *Config) error {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	err := dec.Decode(c)
	if errors.Is(err, io.EOF) { // an empty file is the empty config
		return nil
	}
	if err == nil {
		var more yaml.Node
		if dec.Decode(&more) == nil {
			return &Error{File: file, Line: more.Line, Msg: "a second YAML document (the config is one document: remove the ---)"}
		}
		return nil
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var errs []error
		for _, m := range te.Errors {
			errs = append(errs, yamlError(file, m))
		}
		return errors.Join(errs...)
	}
	return yamlError(file, strings.TrimPrefix(err.Error(), "yaml: "))
}

// yamlLine splits yaml.v3's "line N: message".
var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// unknownField and cannotDecode are yaml.v3's words for the two mistakes people make most.
var (
	unknownField = regexp.MustCompile("^field (\\S+) not found in type (\\S+)$")
	cannotDecode = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
)

// yamlError turns one of yaml.v3's messages into an *Error that says what was expected.
func yamlError(file, msg string) error {
	e := &Error{File: file, Msg: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = m[2]
	}
	if m := unknownField.FindStringSubmatch(e.Msg); m != nil {
		e.Msg = fmt.Sprintf("unknown field %q (expected one of: %s)", m[1], strings.Join(fieldsOf[m[2]], ", "))
	} else if m := cannotDecode.FindStringSubmatch(e.Msg); m != nil {
		got := m[2]
		if got == "" {
			got = map[string]string{"seq": "a list", "map": "a mapping"}[m[1]]
		} else {
			got = strconv.Quote(got)
		}
		e.Msg = fmt.Sprintf("%s is not %s", got, expected(m[3]))
	}
	return e
}

// expected says in words what a Go type of the config holds.
func expected(goType string) string {
	switch {
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a single value (quote it if it holds a colon or starts with a special character)"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping of names to values"
	}
	return "a mapping of fields (" + strings.Join(fieldsOf[goType], ", ") + ")"
}

// fieldsOf lists each config type's YAML fields, by the name yaml.v3 gives the type.
var fieldsOf = func() map[string][]string {
	out := map[string][]string{}
	var walk func(t reflect.Type) []string
	walk = func(t reflect.Type) []string {
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			switch {
			case !f.IsExported() || tag == "-":
			case opts == "inline":
				names = append(names, walk(f.Type)...)
			default:
				names = append(names, tag)
			}
		}
		return names
	}
	for _, v := range []any{Config{}, Settings{}, Plugin{}, PluginPrompt{}} {
		t := reflect.TypeOf(v)
		out[t.String()] = walk(t)
		slices.Sort(out[t.String()])
	}
	return out
}()
