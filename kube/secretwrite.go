package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// MaxSecretSize is the most a secret can hold (the API server's limit on its data).
const MaxSecretSize = 1 << 20

// ValidSecretName checks name as the API server will: a DNS-1123 subdomain.
func ValidSecretName(name string) error {
	switch {
	case name == "":
		return errors.New("a name is required")
	case len(validation.IsDNS1123Subdomain(name)) > 0:
		return errors.New("name must be lowercase letters, digits, '-' or '.', start and end alphanumeric, ≤ 253 chars")
	}
	return nil
}

// ValidNamespaceName checks ns as the API server will: a DNS-1123 label.
func ValidNamespaceName(ns string) error {
	if len(validation.IsDNS1123Label(ns)) > 0 {
		return fmt.Errorf("namespace %q: lowercase letters, digits and '-', ≤ 63 chars", ns)
	}
	return nil
}

// ValidSecretKey checks a key name as kubectl does: [-._a-zA-Z0-9]+, not "." or "..".
func ValidSecretKey(key string) error {
	switch {
	case key == "":
		return errors.New("a key name is required")
	case len(validation.IsConfigMapKey(key)) > 0:
		return fmt.Errorf("key %q: only letters, digits, '-', '_' and '.' (not . or ..), ≤ 253 chars", key)
	}
	return nil
}

// SecretInput is one key of a secret being created, as typed: "KEY=VALUE" (a literal),
// "KEY=@PATH" (a file's content) or "KEY" alone (the value is asked for next, masked).
type SecretInput struct {
	Key   string
	Value string // the literal
	Path  string // the file to read, for KEY=@PATH
	Ask   bool   // KEY alone
}

// ParseSecretInput reads one typed key. It checks the key name and that a file is a
// regular file within MaxSecretSize (a stat: not for the UI goroutine); it reads no file.
func ParseSecretInput(text string) (SecretInput, error) {
	in, err := ParseSecretSyntax(text)
	if err == nil && in.Path != "" {
		err = CheckSecretFile(in.Path)
	}
	return in, err
}

// ParseSecretSyntax reads one typed key as ParseSecretInput does, checking only what is
// typed (the key name, a path after @): it touches no file, so it may run on every
// keystroke.
func ParseSecretSyntax(text string) (SecretInput, error) {
	k, v, hasValue := strings.Cut(text, "=")
	in := SecretInput{Key: k, Value: v, Ask: !hasValue}
	if err := ValidSecretKey(k); err != nil {
		return in, err
	}
	if path, ok := strings.CutPrefix(v, "@"); ok && hasValue {
		in.Value, in.Path = "", path
		if path == "" {
			return in, errors.New("a file path is required after @")
		}
	}
	return in, nil
}

// ValidSecretPath checks a typed file path without touching the file: it must not be empty.
func ValidSecretPath(path string) error {
	if path == "" {
		return errors.New("a file path is required")
	}
	return nil
}

// CheckSecretFile checks that path names a regular file small enough for a secret. It
// stats the file: run it off the UI goroutine.
func CheckSecretFile(path string) error {
	if err := ValidSecretPath(path); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	case fi.Size() > MaxSecretSize:
		return fmt.Errorf("%s is %d bytes, more than a secret holds (1 MiB)", path, fi.Size())
	}
	return nil
}

// ReadSecretFile reads a file for a secret's value, refusing one beyond MaxSecretSize.
func ReadSecretFile(path string) ([]byte, error) {
	if err := CheckSecretFile(path); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	}
	return b, nil
}

// ReadTLSPair reads a certificate and key file and checks that they are a matching pair.
func ReadTLSPair(certPath, keyPath string) (cert, key []byte, info *CertInfo, err error) {
	if cert, err = ReadSecretFile(certPath); err != nil {
		return nil, nil, nil, err
	}
	if key, err = ReadSecretFile(keyPath); err != nil {
		return nil, nil, nil, err
	}
	if info, err = ValidateTLSPair(cert, key); err != nil {
		return nil, nil, nil, err
	}
	return cert, key, info, nil
}

// NewTLSSecret is a kubernetes.io/tls secret holding cert and key.
func NewTLSSecret(ns, name string, cert, key []byte) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: cert, corev1.TLSPrivateKeyKey: key}}
}

// NewGenericSecret is an Opaque secret holding data.
func NewGenericSecret(ns, name string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Type: corev1.SecretTypeOpaque, Data: data}
}

// SecretCreateAccess is the request CreateSecret makes.
func SecretCreateAccess(ns string) Access {
	return Access{Verb: "create", GVR: GVRSecrets, Namespace: ns}
}

// SecretUpdateAccess is what SetSecretKey needs: it updates the secret (first, so a refusal
// names the change), after reading it.
func SecretUpdateAccess(ns string) []Access {
	return []Access{secretUpdate(ns), SecretReadAccess(ns)}
}

// secretUpdate is the request that writes the secret.
func secretUpdate(ns string) Access {
	return Access{Verb: "update", GVR: GVRSecrets, Namespace: ns}
}

// SecretReadAccess is the request SecretValue makes.
func SecretReadAccess(ns string) Access { return Access{Verb: "get", GVR: GVRSecrets, Namespace: ns} }

// CreateSecret is the mutation that creates s. Its summary counts the keys and never
// holds a value: "create secret shop/api-keys (2 keys)".
func (c *Client) CreateSecret(s *corev1.Secret) Mutation {
	what := "secret"
	if s.Type == corev1.SecretTypeTLS {
		what = "tls secret"
	}
	return Mutation{Access: SecretCreateAccess(s.Namespace), Name: s.Name,
		Summary: fmt.Sprintf("create %s %s/%s (%s)", what, s.Namespace, s.Name, plural(len(s.Data), "key")),
		Do: func(ctx context.Context) error {
			_, err := c.Clientset.CoreV1().Secrets(s.Namespace).Create(ctx, s, metav1.CreateOptions{})
			return err
		}}
}

// SetSecretKey is the mutation that sets one key of secret ns/name to value, provided the
// secret is still at resourceVersion rv (what the user saw): a change in between is a
// conflict, reported, and nothing is written. Its summary names the key, never the value.
func (c *Client) SetSecretKey(ns, name, rv, key string, value []byte) Mutation {
	return Mutation{Access: secretUpdate(ns), Name: name,
		Summary: fmt.Sprintf("set key %s of secret %s/%s", key, ns, name),
		Do: func(ctx context.Context) error {
			secrets := c.Clientset.CoreV1().Secrets(ns)
			s, err := secrets.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if s.ResourceVersion != rv {
				return &Error{Kind: KindConflict, Verb: "update", Resource: "secrets", Namespace: ns,
					Err: fmt.Errorf("secret %s/%s changed since it was shown (version %s, now %s); nothing written, look again and retry", ns, name, rv, s.ResourceVersion)}
			}
			if s.Data == nil {
				s.Data = map[string][]byte{}
			}
			s.Data[key] = value
			_, err = secrets.Update(ctx, s, metav1.UpdateOptions{}) // carries rv: the server refuses a newer object
			return err
		}}
}

// SecretValue fetches the value of one key of secret ns/name. Call it from a command, only
// when the user asked to reveal or copy it; the caller must not log or keep it.
func (c *Client) SecretValue(ctx context.Context, ns, name, key string) ([]byte, error) {
	s, err := c.Clientset.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, Classify(err, "get", "secrets", ns)
	}
	v, ok := s.Data[key]
	if !ok {
		return nil, &Error{Kind: KindNotFound, Verb: "get", Resource: "secrets", Namespace: ns,
			Err: fmt.Errorf("secret %s/%s has no key %s", ns, name, key)}
	}
	return v, nil
}

// Reveal is why a person asked for a secret value: to show it on screen or to copy it.
type Reveal string

// The two reasons to fetch a secret value, each the verb of its audit line.
const (
	RevealShow Reveal = "reveal"
	RevealCopy Reveal = "copy"
)

// RevealSecretValue is SecretValue for a person who asked to see or copy the value: it
// also appends an audit line whatever the outcome (verb "reveal" or "copy", the secret
// and the key's name, never the value). Reading changes nothing, so read-only mode
// allows it; a never-reveal policy is enforced before it is called.
func (c *Client) RevealSecretValue(ctx context.Context, why Reveal, ns, name, key string) ([]byte, error) {
	v, err := c.SecretValue(ctx, ns, name, key)
	summary := "show the value of key " + key
	if why == RevealCopy {
		summary = "copy the value of key " + key + " to the clipboard"
	}
	c.AuditReveal(why, SecretReadAccess(ns), name, summary, err)
	return v, err
}

// AuditReveal appends the audit line of secret data shown or copied on a person's request
// (verb why on a's resource, the object's name, what was shown; never a value), read with
// the outcome err. A reveal changes nothing, so read-only mode allows it.
func (c *Client) AuditReveal(why Reveal, a Access, name, summary string, err error) {
	a.Verb = string(why)
	c.audit(Mutation{Access: a, Name: name, Summary: summary}, outcome(err), err)
}

// plural is "1 key" or "N keys".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
