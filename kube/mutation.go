package kube

import (
	"context"
	"time"
)

// Mutation is one change to the cluster, described for the audit log and run by Apply.
type Mutation struct {
	Access         // the request it makes: verb, resource, namespace
	Name    string // the object's name
	Summary string // what changes, for people: "replicas 3 → 5"; never a secret value
	Long    bool   // runs as long as the person wants (a shell): no MutationTimeout
	Do      func(ctx context.Context) error
}

// MutationTimeout bounds one mutation, so a dead server never hangs an action.
const MutationTimeout = 30 * time.Second

// Apply is the one door every mutation goes through: it refuses in read-only mode without
// sending anything, runs m.Do with a timeout otherwise, and records the outcome in the
// audit log either way.
func (c *Client) Apply(ctx context.Context, m Mutation) error {
	var err error
	if c.Policy.ReadOnly {
		err = ErrReadOnly
	} else {
		cancel := func() {}
		if !m.Long {
			ctx, cancel = context.WithTimeout(ctx, MutationTimeout)
		}
		err = Classify(m.Do(ctx), m.Verb, m.GVR.Resource, m.Namespace)
		cancel()
	}
	c.audit(m, err)
	return err
}

func (c *Client) audit(m Mutation, err error) {
	if c.Audit == nil {
		return
	}
	e := AuditEntry{Time: time.Now().UTC(), Context: c.Info.Context, User: c.Info.Identity(), Server: c.Info.Server,
		Verb: m.Verb, Resource: m.GVR.Resource, Namespace: m.Namespace, Name: m.Name,
		Summary: m.Summary, Result: "ok"}
	if c.Info.As != "" {
		e.Impersonator = c.Info.User
	}
	if m.Subresource != "" {
		e.Resource += "/" + m.Subresource
	}
	switch {
	case KindOf(err) == KindReadOnly:
		e.Result, e.Error = "refused", err.Error()
	case err != nil:
		e.Result, e.Error = "error", err.Error()
	}
	_ = c.Audit.Append(e) // an unwritable log must not block an on-call fix; the toast shows the result
}
