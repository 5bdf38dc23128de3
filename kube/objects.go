package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/describe"
	"sigs.k8s.io/yaml"
)

// ObjectRef names one object of any kind.
type ObjectRef struct {
	GVR       schema.GroupVersionResource
	Namespace string // empty for cluster-scoped objects
	Name      string
}

// String is "RESOURCE/NAMESPACE/NAME", or "RESOURCE/NAME" for cluster-scoped objects.
func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.GVR.Resource + "/" + r.Name
	}
	return r.GVR.Resource + "/" + r.Namespace + "/" + r.Name
}

// objectRequestTimeout bounds one describe or get when no --request-timeout is given:
// kubectl's describers take no context, so this is what stops them.
const objectRequestTimeout = 20 * time.Second

// objectClients are the clients for objects of any kind, built on first use.
type objectClients struct {
	once    sync.Once
	dynamic dynamic.Interface
	config  *rest.Config // Config with a request timeout, for kubectl's describers
	err     error
}

func (c *Client) objectClients() (*objectClients, error) {
	o := &c.objects
	o.once.Do(func() {
		if c.Config == nil {
			o.err = &Error{Kind: KindConfig, Err: errors.New("not connected to a cluster")}
			return
		}
		o.config = rest.CopyConfig(c.Config)
		if o.config.Timeout == 0 {
			o.config.Timeout = objectRequestTimeout
		}
		o.dynamic, o.err = dynamic.NewForConfig(o.config)
		if o.err != nil {
			o.err = &Error{Kind: KindConfig, Err: o.err}
		}
	})
	return o, o.err
}

// GetObject fetches the object ref names, whatever its kind.
func (c *Client) GetObject(ctx context.Context, ref ObjectRef) (*unstructured.Unstructured, error) {
	o, err := c.objectClients()
	if err != nil {
		return nil, err
	}
	obj, err := o.dynamic.Resource(ref.GVR).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	return obj, Classify(err, "get", ref.GVR.Resource, ref.Namespace)
}

// ObjectYAML fetches the object ref names and renders it as YAML, without managedFields
// and with a Secret's values masked.
func (c *Client) ObjectYAML(ctx context.Context, ref ObjectRef) (string, error) {
	obj, err := c.GetObject(ctx, ref)
	if err != nil {
		return "", err
	}
	return RenderYAML(obj.Object)
}

// RenderYAML renders obj (unstructured content) as YAML, without managedFields and with
// a Secret's values masked.
func RenderYAML(obj map[string]any) (string, error) {
	out, err := yaml.Marshal(DisplayObject(obj))
	if err != nil {
		return "", fmt.Errorf("rendering YAML: %w", err)
	}
	return Redact(string(out), SecretValues(obj)), nil
}

// Describe renders the object ref names the way `kubectl describe` does, with its events;
// kinds kubectl has no describer for (CRDs) get its generic one. A Secret's values are
// masked.
func (c *Client) Describe(ctx context.Context, ref ObjectRef) (string, error) {
	o, err := c.objectClients()
	if err != nil {
		return "", err
	}
	obj, err := c.GetObject(ctx, ref)
	if err != nil {
		return "", err
	}
	if IsSecret(obj.Object) {
		return DescribeSecret(obj.Object)
	}
	gvk := obj.GroupVersionKind()
	d, ok := describe.DescriberFor(gvk.GroupKind(), o.config)
	if !ok {
		scope := meta.RESTScopeNamespace
		if ref.Namespace == "" {
			scope = meta.RESTScopeRoot
		}
		mapping := &meta.RESTMapping{Resource: ref.GVR, GroupVersionKind: gvk, Scope: scope}
		if d, ok = describe.GenericDescriberFor(mapping, o.config); !ok {
			return "", fmt.Errorf("no describer for %s", gvk.Kind)
		}
	}
	text, err := d.Describe(ref.Namespace, ref.Name, describe.DescriberSettings{ShowEvents: true, ChunkSize: 500})
	return text, Classify(err, "get", ref.GVR.Resource, ref.Namespace)
}

// DescribeSecret renders a Secret (unstructured content) the way `kubectl describe` does,
// but never with a value: each key shows only its length (kubectl itself prints a service
// account token in full) and the last-applied-configuration annotation, which holds a
// copy of the data, is masked.
func DescribeSecret(obj map[string]any) (string, error) {
	var s corev1.Secret
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &s); err != nil {
		return "", fmt.Errorf("reading secret: %w", err)
	}
	for k, v := range s.Data {
		s.Data[k] = []byte(strings.Repeat("*", len(v)))
	}
	for k, v := range s.StringData {
		s.StringData[k] = strings.Repeat("*", len(v))
	}
	if v, ok := s.Annotations[corev1.LastAppliedConfigAnnotation]; ok {
		s.Annotations[corev1.LastAppliedConfigAnnotation] = MaskedValue(len(v))
	}
	text, err := describe.DefaultObjectDescriber.DescribeObject(&s)
	if err != nil {
		return "", err
	}
	return Redact(text, SecretValues(obj)), nil
}
