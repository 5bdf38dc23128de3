// Package triage finds what in a cluster needs a person now: pure functions from the
// compact rows kdeck's stores keep (pods, workloads, HPAs, nodes, claims, jobs, TLS secrets,
// services, events) to Problem rows ranked by severity, and a kube.Cache that runs those
// stores and joins them on each snapshot.
package triage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
	"k8s.io/apimachinery/pkg/util/duration"
)

// Severity ranks a problem; a smaller value is more urgent.
type Severity int8

// Severities, most urgent first.
const (
	Critical Severity = iota // something is down: a crash loop, a node NotReady, a stalled rollout
	Warning                  // something is degraded or stuck and will not mend itself
	Unknown                  // kdeck cannot read a source (forbidden, unreachable): its problems are not known
	Notice                   // worth a look: a cordoned node, warning events
)

// Severities lists every severity, most urgent first.
var Severities = []Severity{Critical, Warning, Unknown, Notice}

// String is the severity's word: "critical", "warning", "unknown", "notice".
func (s Severity) String() string {
	switch s {
	case Critical:
		return "critical"
	case Warning:
		return "warning"
	case Unknown:
		return "unknown"
	}
	return "notice"
}

// Problem is one thing that needs a person: the object, why in plain words, the numbers
// behind it and since when.
type Problem struct {
	Severity Severity
	// Kind is the object's kind in lower case ("pod", "deployment", "node"); for a source
	// kdeck cannot read, its resource ("nodes") and an empty Name.
	Kind      string
	Namespace string // "" for a cluster-wide object
	Name      string
	Check     string // what found it ("crashloop", "cordoned" …): one object may have several problems
	Reason    string // one line in plain words
	Numbers   string // the numbers behind it ("14 restarts, last 20s ago"); may be ""
	// Since is when the problem started, as the cluster records it; the Cache fills in
	// when it first saw a problem whose start the cluster does not record.
	Since time.Time
}

// RowKey implements kube.Row: the object and the check, so each problem is a row.
func (p *Problem) RowKey() kube.Key {
	return kube.Key{Namespace: p.Namespace, Name: p.Kind + "/" + p.Name + "#" + p.Check}
}

// Object is "kind/name", or the resource alone for a source kdeck cannot read.
func (p *Problem) Object() string {
	if p.Name == "" {
		return p.Kind
	}
	return p.Kind + "/" + p.Name
}

// Counts is how many problems there are of each severity (a cluster's summary on a fleet
// screen); severities with none are absent.
func Counts(problems []*Problem) map[Severity]int {
	out := map[Severity]int{}
	for _, p := range problems {
		out[p.Severity]++
	}
	return out
}

// Thresholds of the checks.
const (
	CertWarnBefore   = 14 * 24 * time.Hour // a certificate expiring sooner is a warning
	TerminatingAfter = 5 * time.Minute     // a pod deleted longer ago and still there is stuck
	StartingAfter    = 5 * time.Minute     // a scheduled pod not started after this is stuck
	RestartWindow    = time.Hour           // a restart within it counts; so does a warning event
)

// Unseen is a source kdeck cannot read now, and why.
type Unseen struct {
	Resource string // "nodes"
	Err      error
}

// Input is everything the checks read: the rows of each source at one moment. A source
// with no rows (none yet, or none it may read) finds nothing; a broken source's last rows
// are still checked, beside its Unseen row.
type Input struct {
	Now          time.Time
	Pods         []*kube.Pod
	Deployments  []*kube.Deployment
	StatefulSets []*kube.StatefulSet
	DaemonSets   []*kube.DaemonSet
	HPAs         []*kube.HPA
	Nodes        []*kube.Node
	Claims       []*kube.PVC
	Jobs         []*kube.Job
	Certs        []*kube.Secret  // kubernetes.io/tls secrets with their certificates' expiry
	Services     []*kube.Service // with their endpoint counts (kube.JoinEndpoints)
	Events       []*kube.Event
	Unseen       []Unseen
}

// Detect runs every check on in and returns the problems, ranked (see Rank).
func Detect(in Input) []*Problem {
	out := unseenProblems(in.Unseen)
	out = append(out, Pods(in.Pods, in.Now)...)
	out = append(out, Workloads(in.Deployments, in.StatefulSets, in.DaemonSets)...)
	out = append(out, HPAs(in.HPAs)...)
	out = append(out, Nodes(in.Nodes, in.Pods)...)
	out = append(out, Claims(in.Claims)...)
	out = append(out, Jobs(in.Jobs)...)
	out = append(out, Certs(in.Certs, in.Now)...)
	out = append(out, Services(in.Services)...)
	out = append(out, Events(in.Events, in.Now)...)
	Rank(out)
	return out
}

// kindRank orders kinds within a severity: what many others depend on first.
var kindRank = map[string]int{"node": 0, "deployment": 1, "statefulset": 1, "daemonset": 1,
	"service": 2, "horizontalpodautoscaler": 3, "persistentvolumeclaim": 4, "pod": 5, "job": 6, "secret": 7}

// Rank orders problems by severity, then kind (nodes, workloads, services, HPAs, claims,
// pods, jobs, certificates, then the rest: events), then namespace, name and check.
func Rank(problems []*Problem) {
	rank := func(k string) int {
		if r, ok := kindRank[k]; ok {
			return r
		}
		return len(kindRank)
	}
	slices.SortFunc(problems, func(a, b *Problem) int {
		return cmp.Or(cmp.Compare(a.Severity, b.Severity), cmp.Compare(rank(a.Kind), rank(b.Kind)),
			strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Kind, b.Kind),
			strings.Compare(a.Name, b.Name), strings.Compare(a.Check, b.Check))
	})
}

// ago renders how long before now t was: "40s ago", "3h ago".
func ago(t, now time.Time) string { return duration.HumanDuration(now.Sub(t)) + " ago" }

// plural renders "1 restart", "3 restarts".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
