package kube

import (
	"context"
	"strings"
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
// audit log either way. A long mutation (a shell) is also recorded when it starts, so the
// log says so while it runs.
func (c *Client) Apply(ctx context.Context, m Mutation) error {
	var err error
	if c.Policy.ReadOnly {
		err = ErrReadOnly
	} else {
		cancel := func() {}
		if m.Long {
			c.audit(m, "started", nil)
		} else {
			ctx, cancel = context.WithTimeout(ctx, MutationTimeout)
		}
		err = Classify(m.Do(ctx), m.Verb, m.GVR.Resource, m.Namespace)
		cancel()
	}
	c.audit(m, outcome(err), err)
	return err
}

// outcome is the audit result of an action that ended with err: "ok", "refused" (read-only)
// or "error".
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case KindOf(err) == KindReadOnly:
		return "refused"
	}
	return "error"
}

// audit appends the line of m (a mutation, or a reveal described as one) with result and
// err to the audit log. A failed append does not stop the action: the log reports it on
// AuditLog.Failures for the status line.
func (c *Client) audit(m Mutation, result string, err error) {
	if c.Audit == nil {
		return
	}
	e := AuditEntry{Time: time.Now().UTC(), Context: c.Info.Context, User: c.Info.Identity(), Server: c.Info.Server,
		Verb: m.Verb, Resource: m.GVR.Resource, Namespace: m.Namespace, Name: m.Name,
		Summary: m.Summary, Result: result}
	if c.Info.As != "" {
		e.Impersonator = c.Info.User
	}
	e.Groups = strings.Join(c.Info.Groups, ",")
	if c.Info.Token {
		e.Credential = "--token"
	}
	if m.Subresource != "" {
		e.Resource += "/" + m.Subresource
	}
	if err != nil {
		e.Error = err.Error()
	}
	_ = c.Audit.Append(e) // a failure goes to Audit.Failures; the action goes on
}
