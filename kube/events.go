package kube

import (
	"strings"
	"time"

	eventsv1 "k8s.io/api/events/v1"
)

// Event is the compact row kdeck keeps per event (events.k8s.io/v1).
type Event struct {
	Namespace string
	Name      string
	LastSeen  time.Time
	Type      string // Normal or Warning
	Reason    string
	Object    string // kind/name of the object the event is about
	Message   string
	Count     int32
}

// RowKey implements Row.
func (e *Event) RowKey() Key { return Key{Namespace: e.Namespace, Name: e.Name} }

// EventSource returns the Source for events in ns ("" for all namespaces), as protobuf.
func (c *Client) EventSource(ns string) Source[*Event] {
	events := c.Clientset.EventsV1().Events(ns)
	return TypedSource("events", ns, "", events.List, events.Watch,
		func(l *eventsv1.EventList) []eventsv1.Event { return l.Items }, EventRow)
}

// EventRow summarises e the way `kubectl events` does: the latest time it was seen and how
// often, whichever of the series, the new or the deprecated fields the reporter filled in.
func EventRow(e *eventsv1.Event) *Event {
	r := &Event{
		Namespace: e.Namespace,
		Name:      e.Name,
		Type:      e.Type,
		Reason:    e.Reason,
		Message:   strings.Join(strings.Fields(e.Note), " "),
		Count:     max(e.DeprecatedCount, 1),
	}
	if o := e.Regarding; o.Name != "" {
		r.Object = strings.ToLower(o.Kind) + "/" + o.Name
	}
	switch {
	case e.Series != nil:
		r.Count = max(e.Series.Count, r.Count)
		r.LastSeen = e.Series.LastObservedTime.Time
	case !e.EventTime.IsZero():
		r.LastSeen = e.EventTime.Time
	case !e.DeprecatedLastTimestamp.IsZero():
		r.LastSeen = e.DeprecatedLastTimestamp.Time
	default:
		r.LastSeen = e.CreationTimestamp.Time
	}
	if !e.DeprecatedLastTimestamp.IsZero() && e.DeprecatedLastTimestamp.After(r.LastSeen) {
		r.LastSeen = e.DeprecatedLastTimestamp.Time
	}
	return r
}

// NewestFirst orders events by when they were last seen, newest first, then by key.
func NewestFirst(a, b *Event) int {
	if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
		return c
	}
	return a.RowKey().Compare(b.RowKey())
}
