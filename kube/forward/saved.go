package forward

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/kdeck/kdeck/kube"
	"sigs.k8s.io/yaml"
)

// SavedPath is where kdeck saves port-forwards: forwards.yaml beside the config file
// ($XDG_CONFIG_HOME/kdeck/forwards.yaml).
func SavedPath() string { return filepath.Join(filepath.Dir(kube.ConfigPath()), "forwards.yaml") }

// Saved is the file of port-forwards saved per context, so that they can be
// restarted in one key after kdeck restarts. It holds targets and ports only.
//
//	contexts:
//	  kind-dev:
//	  - {namespace: shop, kind: service, name: web, local: 8080, remote: 80}
type Saved struct {
	path string
	mu   sync.Mutex
}

type forwardsFile struct {
	Contexts map[string][]Spec `json:"contexts"`
}

// NewSaved returns the saved forwards kept in the file at path.
func NewSaved(path string) *Saved { return &Saved{path: path} }

// For returns the forwards saved for context kctx; a missing file saves none.
func (s *Saved) For(kctx string) ([]Spec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.read()
	return f.Contexts[kctx], err
}

// Add saves spec for context kctx, replacing what was saved on the same local port.
func (s *Saved) Add(kctx string, spec Spec) error {
	return s.update(kctx, func(list []Spec) []Spec {
		list = slices.DeleteFunc(list, func(o Spec) bool { return o.Local == spec.Local })
		return append(list, spec)
	})
}

// Remove forgets the forward saved for context kctx on local port local.
func (s *Saved) Remove(kctx string, local int) error {
	return s.update(kctx, func(list []Spec) []Spec {
		return slices.DeleteFunc(list, func(o Spec) bool { return o.Local == local })
	})
}

func (s *Saved) update(kctx string, change func([]Spec) []Spec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.read()
	if err != nil {
		return err
	}
	if f.Contexts == nil {
		f.Contexts = map[string][]Spec{}
	}
	list := change(f.Contexts[kctx])
	if len(list) == 0 {
		delete(f.Contexts, kctx)
	} else {
		f.Contexts[kctx] = list
	}
	data, err := yaml.Marshal(f)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}

func (s *Saved) read() (forwardsFile, error) {
	var f forwardsFile
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		return f, fmt.Errorf("%s: %v", s.path, err)
	}
	return f, nil
}
