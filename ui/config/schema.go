package config

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/invopop/jsonschema"
)

// SchemaID is where editors find the schema, named in the config's first line:
// # yaml-language-server: $schema=<SchemaID>
const SchemaID = "https://raw.githubusercontent.com/kdeck/kdeck/main/docs/config.schema.json"

// reflectSchema reflects the config types, their descriptions read from the doc comments
// of this package's source in dir, relative to the module's root (the working directory).
func reflectSchema(dir string) (*jsonschema.Schema, error) {
	r := &jsonschema.Reflector{FieldNameTag: "yaml", DoNotReference: true, RequiredFromJSONSchemaTags: true}
	if err := r.AddGoComments("github.com/kdeck/kdeck", dir, jsonschema.WithFullComment()); err != nil {
		return nil, fmt.Errorf("reading the config types' comments in %s: %w", dir, err)
	}
	s := r.Reflect(&Config{})
	s.ID = SchemaID
	s.Title = "kdeck config file"
	return s, nil
}

// Schema returns the config file's JSON schema, generated from the config types; dir is
// this package's source directory relative to the module's root, which must be the
// working directory: its doc comments become the descriptions.
func Schema(dir string) ([]byte, error) {
	s, err := reflectSchema(dir)
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(s, "", "  ")
	return append(out, '\n'), err
}

// Reference returns the configuration reference in Markdown, generated like the schema.
func Reference(dir string) (string, error) {
	s, err := reflectSchema(dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("# Configuration reference\n\n")
	b.WriteString("<!-- Generated from the types in ui/config by `make docs`; a test fails when it is stale. -->\n\n")
	b.WriteString("kdeck reads `$XDG_CONFIG_HOME/kdeck/config.yaml` (`~/.config/kdeck/config.yaml` when unset), or the\n")
	b.WriteString("file `--config` names. Every field may be left out. `kdeck config check` validates the file without\n")
	b.WriteString("connecting; every mistake is reported as FILE:LINE before the UI starts. Editors complete and\n")
	b.WriteString("check it with the JSON schema [config.schema.json](config.schema.json): put\n")
	b.WriteString("`# yaml-language-server: $schema=" + SchemaID + "` on its first line.\n\n")
	b.WriteString(describe(s.Description) + "\n")
	fields(&b, s, "")
	return b.String(), nil
}

// fields writes one section per property of s, nested properties under their parent's path.
func fields(b *strings.Builder, s *jsonschema.Schema, parent string) {
	if s.Properties == nil {
		return
	}
	for p := s.Properties.Oldest(); p != nil; p = p.Next() {
		name, prop := p.Key, p.Value
		path := strings.TrimPrefix(parent+"."+name, ".")
		fmt.Fprintf(b, "## `%s` (%s)\n\n%s\n", path, typeOf(prop), describe(prop.Description))
		if prop.Items != nil && prop.Items.Description != "" {
			b.WriteString(describe(prop.Items.Description) + "\n")
		}
		switch {
		case prop.Items != nil:
			fields(b, prop.Items, path+"[]")
		case prop.AdditionalProperties != nil && prop.AdditionalProperties.Properties != nil:
			fields(b, prop.AdditionalProperties, path+".NAME")
		default:
			fields(b, prop, path)
		}
	}
}

// typeOf names a property's type in words.
func typeOf(s *jsonschema.Schema) string {
	switch {
	case s.Type == "array" && s.Items != nil:
		return "list of " + typeOf(s.Items)
	case s.Type == "object" && s.AdditionalProperties != nil && s.AdditionalProperties.Type != "":
		return "map of names to " + typeOf(s.AdditionalProperties)
	case s.Type == "object":
		return "mapping"
	}
	return s.Type
}

// describe turns a doc comment into Markdown: its indented example kept as code.
func describe(doc string) string {
	var out []string
	code := false
	for _, line := range strings.Split(doc, "\n") {
		indented := strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "  ")
		switch {
		case indented && !code:
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
			out = append(out, "```yaml")
			code = true
		case !indented && code:
			out = append(out, "```", "")
			code = false
		}
		if code {
			line = strings.TrimPrefix(line, "\t")
		}
		out = append(out, line)
	}
	if code {
		out = append(out, "```")
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}
