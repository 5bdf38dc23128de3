package triage

import (
	"fmt"
	"strings"
	"time"

	"github.com/kdeck/kdeck/kube"
	"k8s.io/apimachinery/pkg/util/duration"
)

// startFailures are the waiting reasons of a container that cannot start, with what they
// mean in plain words.
var startFailures = map[string]string{
	"ImagePullBackOff":           "cannot pull its image",
	"ErrImagePull":               "cannot pull its image",
	"InvalidImageName":           "its image name is invalid",
	"CreateContainerConfigError": "cannot create its container: a config map, secret or key it names is missing",
	"CreateContainerError":       "cannot create its container",
	"RunContainerError":          "cannot start its container",
}

// Pods finds each pod's most pressing problem: stuck terminating, crash-looping, killed
// for memory, unable to start, unschedulable, not started, evicted or restarting.
func Pods(pods []*kube.Pod, now time.Time) []*Problem {
	var out []*Problem
	for _, p := range pods {
		if pr := podProblem(p, now); pr != nil {
			pr.Kind, pr.Namespace, pr.Name = "pod", p.Namespace, p.Name
			out = append(out, pr)
		}
	}
	return out
}

func podProblem(p *kube.Pod, now time.Time) *Problem {
	status := strings.TrimPrefix(p.Status, "Init:")
	restarts := func() string {
		s := plural(int(p.Restarts), "restart")
		if !p.LastRestart.IsZero() {
			s += ", last " + ago(p.LastRestart, now)
		}
		return s
	}
	recent := !p.LastRestart.IsZero() && now.Sub(p.LastRestart) <= RestartWindow
	switch {
	case !p.Deleted.IsZero() && now.Sub(p.Deleted) > TerminatingAfter:
		return &Problem{Severity: Warning, Check: "terminating", Reason: "stuck terminating",
			Numbers: "deleted " + ago(p.Deleted, now), Since: p.Deleted}
	case !p.Deleted.IsZero():
		return nil // going away, within its grace
	case status == "CrashLoopBackOff" && p.LastExit == "OOMKilled":
		return &Problem{Severity: Critical, Check: "crashloop", Reason: "crash-looping: killed for running out of memory (OOMKilled)", Numbers: restarts()}
	case status == "CrashLoopBackOff":
		reason := "crash-looping"
		if p.LastExit != "" {
			reason += ": the last run ended with " + p.LastExit
		}
		return &Problem{Severity: Critical, Check: "crashloop", Reason: reason, Numbers: restarts()}
	case status == "OOMKilled" || (recent && p.LastExit == "OOMKilled"):
		return &Problem{Severity: Critical, Check: "oomkilled", Reason: "killed for running out of memory (OOMKilled)",
			Numbers: restarts(), Since: p.LastRestart}
	case startFailures[status] != "":
		return &Problem{Severity: Warning, Check: "start", Reason: startFailures[status] + " (" + status + ")",
			Numbers: fmt.Sprintf("%d/%d ready", p.Ready, p.Containers), Since: p.Created}
	case p.Unscheduled != "":
		return &Problem{Severity: Warning, Check: "unschedulable", Reason: "cannot be scheduled: " + p.Unscheduled,
			Numbers: "pending " + duration.HumanDuration(now.Sub(p.Created)), Since: p.Created}
	case (status == "Pending" || status == "ContainerCreating" || status == "PodInitializing") && now.Sub(p.Created) > StartingAfter:
		return &Problem{Severity: Warning, Check: "starting", Reason: "not started (" + status + ")",
			Numbers: "created " + ago(p.Created, now), Since: p.Created}
	case status == "Evicted":
		return &Problem{Severity: Warning, Check: "evicted", Reason: "evicted by its node's kubelet"}
	case recent:
		reason := "restarting"
		if p.LastExit != "" {
			reason += ": the last run ended with " + p.LastExit
		}
		return &Problem{Severity: Warning, Check: "restarts", Reason: reason, Numbers: restarts(), Since: p.LastRestart}
	}
	return nil
}

// Workloads finds deployments, stateful sets and daemon sets that are down, short of
// ready replicas outside a rollout, stalled (ProgressDeadlineExceeded) or paused half way.
func Workloads(deps []*kube.Deployment, sets []*kube.StatefulSet, daemons []*kube.DaemonSet) []*Problem {
	var out []*Problem
	add := func(pr *Problem, kind, ns, name string) {
		if pr != nil {
			pr.Kind, pr.Namespace, pr.Name = kind, ns, name
			out = append(out, pr)
		}
	}
	for _, d := range deps {
		switch {
		case d.Rollout == kube.RolloutStalled:
			add(&Problem{Severity: Critical, Check: "rollout", Reason: "rollout stalled: no progress within its deadline (ProgressDeadlineExceeded)",
				Numbers: fmt.Sprintf("%d/%d updated, %d available", d.UpToDate, d.Desired, d.Available)}, "deployment", d.Namespace, d.Name)
		case d.Paused && d.UpToDate < d.Desired:
			add(&Problem{Severity: Warning, Check: "rollout", Reason: "rollout paused half way",
				Numbers: fmt.Sprintf("%d/%d updated", d.UpToDate, d.Desired)}, "deployment", d.Namespace, d.Name)
		}
		add(shortOf("available", d.Available, d.UpToDate, d.Desired), "deployment", d.Namespace, d.Name)
	}
	for _, s := range sets {
		add(shortOf("ready", s.Ready, s.Updated, s.Desired), "statefulset", s.Namespace, s.Name)
	}
	for _, d := range daemons {
		add(shortOf("available", d.Available, d.UpToDate, d.Desired), "daemonset", d.Namespace, d.Name)
	}
	return out
}

// shortOf is the problem of a workload with have of its desired replicas ready (or
// available, as word says) and updated of them at the current template: none is
// critical; some short is a warning once no rollout is replacing them (a stalled rollout
// is its own problem). nil when nothing is short.
func shortOf(word string, have, updated, desired int32) *Problem {
	var pr *Problem
	switch {
	case desired == 0 || have >= desired:
		return nil
	case have == 0:
		pr = &Problem{Severity: Critical, Check: "available", Reason: "down: no replica " + word}
	case updated >= desired:
		pr = &Problem{Severity: Warning, Check: "available", Reason: plural(int(desired-have), "replica") + " not " + word}
	default:
		return nil
	}
	pr.Numbers = fmt.Sprintf("%d/%d %s", have, desired, word)
	return pr
}

// HPAs finds autoscalers that cannot scale or are pinned at their max, with the
// explainer's headline as the reason.
func HPAs(hpas []*kube.HPA) []*Problem {
	var out []*Problem
	for _, h := range hpas {
		plan := kube.PlanScale(h)
		text, concern := kube.HPAHeadline(h, plan)
		pr := &Problem{Severity: Warning, Kind: "horizontalpodautoscaler", Namespace: h.Namespace, Name: h.Name, Reason: text,
			Numbers: fmt.Sprintf("%s, min %d, max %d", plural(int(h.Current), "replica"), h.Min, h.Max)}
		switch {
		case concern == kube.HPAStuck:
			pr.Check = "stuck"
		case plan.Clamp == kube.MaxBound && h.Current >= h.Max:
			pr.Check = "max"
		default:
			continue
		}
		if c, ok := h.Limiting(); ok {
			pr.Since = c.Since
		}
		out = append(out, pr)
	}
	return out
}

// Nodes finds nodes not ready, under pressure or cordoned, with how many of pods (the
// rows of every pod, or nil) still run on each.
func Nodes(nodes []*kube.Node, pods []*kube.Pod) []*Problem {
	var out []*Problem
	var counted map[string]int
	onIt := func(node string) string {
		if pods == nil {
			return ""
		}
		if counted == nil {
			counted = map[string]int{}
			for _, p := range pods {
				if p.Node != "" && !p.Finished {
					counted[p.Node]++
				}
			}
		}
		return plural(counted[node], "pod") + " on it"
	}
	for _, n := range nodes {
		add := func(sev Severity, check, reason string, since time.Time) {
			out = append(out, &Problem{Severity: sev, Kind: "node", Name: n.Name, Check: check, Reason: reason,
				Numbers: onIt(n.Name), Since: since})
		}
		if !n.Ready {
			reason := "not ready: the kubelet reports it unhealthy"
			if strings.HasPrefix(n.Status, "Unknown") {
				reason = "not ready: the kubelet stopped reporting (Unknown)"
			}
			add(Critical, "ready", reason, n.ReadySince)
		}
		if n.Troubled {
			var conds []string
			for _, c := range strings.Split(n.Status, ",")[1:] {
				if c != "SchedulingDisabled" {
					conds = append(conds, c)
				}
			}
			add(Warning, "pressure", "under pressure: "+strings.Join(conds, ", "), time.Time{})
		}
		if n.Unschedulable {
			add(Notice, "cordoned", "cordoned: no new pods are scheduled on it", time.Time{})
		}
	}
	return out
}

// Claims finds claims not bound to a volume, or whose volume is lost.
func Claims(claims []*kube.PVC) []*Problem {
	var out []*Problem
	for _, c := range claims {
		pr := &Problem{Kind: "persistentvolumeclaim", Namespace: c.Namespace, Name: c.Name, Check: "bound", Since: c.Created}
		switch c.Status {
		case "Pending":
			pr.Severity, pr.Reason = Warning, "pending: not bound to a volume"
			if c.StorageClass != "" {
				pr.Numbers = "storage class " + c.StorageClass
			}
		case "Lost":
			pr.Severity, pr.Reason, pr.Numbers = Critical, "lost: its volume "+c.Volume+" is gone", ""
		default:
			continue
		}
		out = append(out, pr)
	}
	return out
}

// Jobs finds failed jobs.
func Jobs(jobs []*kube.Job) []*Problem {
	var out []*Problem
	for _, j := range jobs {
		if j.Phase != kube.JobFailed {
			continue
		}
		reason := "failed"
		if r, ok := strings.CutPrefix(j.Status, "Failed: "); ok {
			reason += " (" + r + ")"
		}
		out = append(out, &Problem{Severity: Warning, Kind: "job", Namespace: j.Namespace, Name: j.Name, Check: "failed",
			Reason: reason, Numbers: j.Completions + " completed"})
	}
	return out
}

// Certs finds TLS secrets whose certificate has expired, expires within CertWarnBefore, or
// does not parse.
func Certs(secrets []*kube.Secret, now time.Time) []*Problem {
	var out []*Problem
	for _, s := range secrets {
		pr := &Problem{Kind: "secret", Namespace: s.Namespace, Name: s.Name, Check: "certificate"}
		switch left := s.Expires.Sub(now); {
		case s.Expires.IsZero() && s.CertErr != "":
			pr.Severity, pr.Reason = Warning, "its certificate cannot be read: "+s.CertErr
		case s.Expires.IsZero() || left > CertWarnBefore:
			continue
		case left <= 0:
			pr.Severity, pr.Reason, pr.Since = Critical, "certificate expired", s.Expires
			pr.Numbers = "expired " + ago(s.Expires, now) + " (" + s.Expires.UTC().Format(time.DateTime) + " UTC)"
		default:
			pr.Severity, pr.Reason, pr.Since = Warning, "certificate expires soon", s.Expires.Add(-CertWarnBefore)
			pr.Numbers = "expires in " + duration.HumanDuration(left) + " (" + s.Expires.UTC().Format(time.DateTime) + " UTC)"
		}
		out = append(out, pr)
	}
	return out
}

// Services finds services with a selector and no ready endpoint: traffic to them fails.
func Services(services []*kube.Service) []*Problem {
	var out []*Problem
	for _, s := range services {
		if s.Selector == "" || s.Type == "ExternalName" || s.Ready > 0 {
			continue
		}
		pr := &Problem{Severity: Critical, Kind: "service", Namespace: s.Namespace, Name: s.Name, Check: "endpoints",
			Reason: "no ready endpoints: traffic to it fails", Numbers: fmt.Sprintf("0/%d ready", s.Total)}
		if s.Total == 0 {
			pr.Severity, pr.Reason, pr.Numbers = Warning, "no endpoints: no pod matches its selector", "selector "+s.Selector
		}
		out = append(out, pr)
	}
	return out
}

// Events groups the warning events seen within RestartWindow by object and reason, with
// their counts summed and the newest message.
func Events(events []*kube.Event, now time.Time) []*Problem {
	type group struct {
		ns, object, reason string
	}
	type sum struct {
		count  int
		newest *kube.Event
	}
	sums := map[group]*sum{}
	for _, e := range events {
		if e.Type != "Warning" || now.Sub(e.LastSeen) > RestartWindow {
			continue
		}
		g := group{e.Namespace, e.Object, e.Reason}
		s := sums[g]
		if s == nil {
			s = &sum{newest: e}
			sums[g] = s
		}
		s.count += int(e.Count)
		if e.LastSeen.After(s.newest.LastSeen) {
			s.newest = e
		}
	}
	out := make([]*Problem, 0, len(sums))
	for g, s := range sums {
		kind, name, _ := strings.Cut(g.object, "/")
		out = append(out, &Problem{Severity: Notice, Kind: kind, Namespace: g.ns, Name: name, Check: "event " + g.reason,
			Reason:  g.reason + ": " + s.newest.Message,
			Numbers: fmt.Sprintf("%s, last %s", plural(s.count, "event"), ago(s.newest.LastSeen, now)), Since: s.newest.LastSeen})
	}
	Rank(out) // a map's order is random
	return out
}
