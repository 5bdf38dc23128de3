package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// EditAccess is what an edit needs: the read of the object, then its update.
func EditAccess(ref ObjectRef) []Access {
	return []Access{{Verb: "update", GVR: ref.GVR, Namespace: ref.Namespace}, {Verb: "get", GVR: ref.GVR, Namespace: ref.Namespace}}
}

// Edit is one edit of an object through a private temporary file (0600, removed by Remove):
// the object as read, the file, and what was written to it.
type Edit struct {
	Ref     ObjectRef
	Path    string
	written []byte
}

// editHeader opens every edit file, as kubectl's does.
const editHeader = "# Edit the object below and save to apply it; an empty file or no change applies nothing.\n" +
	"# It is applied with its resourceVersion: a change made meanwhile is refused, not overwritten.\n#\n"

// BeginEdit reads ref and writes it as YAML, without managedFields, to a new
// private temporary file, under note (an error from the last try, as comment lines).
// Secrets are refused: their values never go to a file.
func (c *Client) BeginEdit(ctx context.Context, ref ObjectRef, note string) (*Edit, error) {
	if ref.GVR == GVRSecrets {
		return nil, errors.New("secrets are not edited in a file, so their values never reach the disk: open the secret and press e on a key")
	}
	obj, err := c.GetObject(ctx, ref)
	if err != nil {
		return nil, err
	}
	body, err := yaml.Marshal(DisplayObject(obj.Object))
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "kdeck-edit-*.yaml") // mode 0600
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var text bytes.Buffer
	text.WriteString(editHeader)
	for _, l := range strings.Split(strings.TrimSpace(note), "\n") {
		if l != "" {
			text.WriteString("# " + l + "\n")
		}
	}
	text.Write(body)
	if _, err := f.Write(text.Bytes()); err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	return &Edit{Ref: ref, Path: f.Name(), written: text.Bytes()}, nil
}

// Remove deletes the edit's file.
func (e *Edit) Remove() { _ = os.Remove(e.Path) }

// Edited reads the file back: the object to apply, or nil when the file is empty or
// unchanged. An object whose kind, name or namespace changed is an error.
func (e *Edit) Edited() (*unstructured.Unstructured, error) {
	b, err := os.ReadFile(e.Path)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(b, e.written) || len(bytes.TrimSpace(stripComments(b))) == 0 {
		return nil, nil
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("the file is not valid YAML: %w", err)
	}
	obj := &unstructured.Unstructured{Object: m}
	if obj.GetName() != e.Ref.Name || obj.GetNamespace() != e.Ref.Namespace {
		return nil, fmt.Errorf("the name or namespace changed (%s/%s): an edit changes one object", obj.GetNamespace(), obj.GetName())
	}
	return obj, nil
}

// stripComments drops the lines that are only a comment.
func stripComments(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// DryRunEdit asks the server to validate the edited object without storing it (a
// server-side dry-run update) and returns the diff between the live object and what would
// be stored, as unified diff lines; an empty diff means the edit changes nothing.
func (c *Client) DryRunEdit(ctx context.Context, e *Edit, obj *unstructured.Unstructured) (string, error) {
	o, err := c.objectClients()
	if err != nil {
		return "", err
	}
	res := o.dynamic.Resource(e.Ref.GVR).Namespace(e.Ref.Namespace)
	live, err := res.Get(ctx, e.Ref.Name, metav1.GetOptions{})
	if err != nil {
		return "", Classify(err, "get", e.Ref.GVR.Resource, e.Ref.Namespace)
	}
	after, err := res.Update(ctx, obj, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		return "", Classify(err, "update", e.Ref.GVR.Resource, e.Ref.Namespace)
	}
	from, err := diffYAML(live.Object)
	if err != nil {
		return "", err
	}
	to, err := diffYAML(after.Object)
	if err != nil {
		return "", err
	}
	if from == to {
		return "", nil
	}
	return udiff.Unified("live", "edited", from, to), nil
}

// diffYAML renders an object for the edit's diff: what the server bumps on every write
// (resourceVersion, generation, managedFields) left out.
func diffYAML(obj map[string]any) (string, error) {
	out := DisplayObject(obj)
	if meta, ok := out["metadata"].(map[string]any); ok {
		delete(meta, "resourceVersion")
		delete(meta, "generation")
	}
	b, err := yaml.Marshal(out)
	return string(b), err
}

// ApplyEdit returns the mutation that stores the edited object with the resourceVersion it
// was read with: a change made meanwhile makes it fail with a conflict.
func (c *Client) ApplyEdit(e *Edit, obj *unstructured.Unstructured) Mutation {
	return Mutation{Access: EditAccess(e.Ref)[0], Name: e.Ref.Name, Summary: "edited",
		Do: func(ctx context.Context) error {
			o, err := c.objectClients()
			if err != nil {
				return err
			}
			_, err = o.dynamic.Resource(e.Ref.GVR).Namespace(e.Ref.Namespace).Update(ctx, obj, metav1.UpdateOptions{})
			return err
		}}
}
