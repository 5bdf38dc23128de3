package kube

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Mask stands in for a secret value wherever kdeck would otherwise show it.
const Mask = "••••••••"

// MinRedactLen is the shortest secret value Redact looks for in rendered text: shorter
// values would blank ordinary words, and say too little to be worth hiding by search.
const MinRedactLen = 4

// MaskedValue is the text shown in place of a secret value of n bytes.
func MaskedValue(n int) string { return fmt.Sprintf("%s  (%d bytes)", Mask, n) }

// IsSecret reports whether obj (an object's unstructured content) is a core/v1 Secret.
func IsSecret(obj map[string]any) bool {
	kind, _ := obj["kind"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	return kind == "Secret" && apiVersion == "v1"
}

// MaskSecret replaces, in place, every value of a Secret that can carry its data: the
// values of data (base64, masked with their decoded length) and stringData, and the
// kubectl last-applied-configuration annotation, which holds a copy of the data.
// Objects that are not Secrets are left alone.
func MaskSecret(obj map[string]any) {
	if !IsSecret(obj) {
		return
	}
	if data, ok := obj["data"].(map[string]any); ok {
		for k, v := range data {
			data[k] = MaskedValue(len(decoded(v)))
		}
	}
	if data, ok := obj["stringData"].(map[string]any); ok {
		for k, v := range data {
			s, _ := v.(string)
			data[k] = MaskedValue(len(s))
		}
	}
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	if v, ok := ann[corev1.LastAppliedConfigAnnotation].(string); ok {
		ann[corev1.LastAppliedConfigAnnotation] = MaskedValue(len(v))
	}
}

// decoded returns a data value's bytes: base64-decoded, or as is when it is not base64.
func decoded(v any) string {
	s, _ := v.(string)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return string(b)
	}
	return s
}

// SecretValues lists the values a Secret must never show, each both plain and in base64,
// for Redact; it is empty for objects that are not Secrets.
func SecretValues(obj map[string]any) []string {
	if !IsSecret(obj) {
		return nil
	}
	var out []string
	for _, field := range []string{"data", "stringData"} {
		m, _ := obj[field].(map[string]any)
		for _, v := range m {
			plain, _ := v.(string)
			if field == "data" {
				plain = decoded(v)
			}
			out = append(out, plain, base64.StdEncoding.EncodeToString([]byte(plain)))
		}
	}
	return out
}

// Redact replaces every occurrence of values in text with Mask. It guards text rendered
// from a Secret by code kdeck does not own; values shorter than MinRedactLen are skipped.
func Redact(text string, values []string) string {
	// longest first, so that a value containing another is replaced whole
	vs := slices.Clone(values)
	slices.SortFunc(vs, func(a, b string) int { return len(b) - len(a) })
	for _, v := range vs {
		if len(v) >= MinRedactLen {
			text = strings.ReplaceAll(text, v, Mask)
		}
	}
	return text
}

// DisplayObject returns a copy of obj fit to show: managedFields dropped and, for a
// Secret, every value masked. obj holds JSON values only, as the dynamic client returns.
func DisplayObject(obj map[string]any) map[string]any {
	out := runtime.DeepCopyJSON(obj)
	if meta, ok := out["metadata"].(map[string]any); ok {
		delete(meta, "managedFields")
	}
	MaskSecret(out)
	return out
}
