package kube

import (
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// JobPhase says where a job stands, in kubectl's order of precedence.
type JobPhase int8

// Job phases, from the job's conditions as `kubectl get jobs` reads them.
const (
	JobRunning     JobPhase = iota // no terminal condition yet
	JobComplete                    // condition Complete
	JobFailed                      // condition Failed
	JobSuspended                   // condition Suspended (spec.suspend)
	JobTerminating                 // being deleted
	JobFinishing                   // FailureTarget or SuccessCriteriaMet: pods are being cleaned up
)

// Job is the compact row kdeck keeps per job.
type Job struct {
	Namespace string
	Name      string
	Phase     JobPhase
	// Status is the STATUS column: kubectl's word ("Complete", "Running", "Suspended" …),
	// a failure with its reason ("Failed: BackoffLimitExceeded").
	Status      string
	Completions string // "1/3", "0/1 of 4" (no completions, parallelism 4), as kubectl prints it
	Active      int32
	Started     time.Time // status.startTime; zero until the controller starts it
	Completed   time.Time // status.completionTime; zero until it completes
	Containers  string    // container names, comma-separated
	Images      string    // container images, comma-separated
	Selector    string    // the pod selector as a label selector string
	CronJob     string    // the cron job that controls it ("" when none)
	Created     time.Time
}

// RowKey implements Row.
func (j *Job) RowKey() Key { return Key{Namespace: j.Namespace, Name: j.Name} }

// Duration is the DURATION column's span: start to completion, or the running time at now;
// ok is false before the job has started.
func (j *Job) Duration(now time.Time) (d time.Duration, ok bool) {
	switch {
	case j.Started.IsZero():
		return 0, false
	case j.Completed.IsZero():
		return now.Sub(j.Started), true
	}
	return j.Completed.Sub(j.Started), true
}

// JobSource returns the Source for jobs in ns ("" for all namespaces).
func (c *Client) JobSource(ns string) Source[*Job] {
	api := c.Clientset.BatchV1().Jobs(ns)
	return TypedSource("jobs", ns, "", api.List, api.Watch,
		func(l *batchv1.JobList) []batchv1.Job { return l.Items }, JobRow)
}

// JobRow summarises j the way `kubectl get jobs -o wide` does, with the cron job that
// controls it, if any.
func JobRow(j *batchv1.Job) *Job {
	r := &Job{
		Namespace: j.Namespace,
		Name:      j.Name,
		Active:    j.Status.Active,
		Created:   j.CreationTimestamp.Time,
	}
	r.Phase, r.Status = jobStatus(j)
	r.Completions = completions(j)
	if t := j.Status.StartTime; t != nil {
		r.Started = t.Time
	}
	if t := j.Status.CompletionTime; t != nil {
		r.Completed = t.Time
	}
	r.Containers, r.Images = containerCells(j.Spec.Template.Spec.Containers)
	if j.Spec.Selector != nil {
		if sel, err := metav1.LabelSelectorAsSelector(j.Spec.Selector); err == nil {
			r.Selector = sel.String()
		}
	}
	if ref := metav1.GetControllerOf(j); ref != nil && ref.Kind == "CronJob" && strings.HasPrefix(ref.APIVersion, "batch/") {
		r.CronJob = ref.Name
	}
	return r
}

// jobStatus follows kubectl's printer: a terminal condition first, then deletion, then
// suspension, then the conditions of a job whose pods are being cleaned up.
func jobStatus(j *batchv1.Job) (JobPhase, string) {
	cond := func(t batchv1.JobConditionType) *batchv1.JobCondition {
		for i, c := range j.Status.Conditions {
			if c.Type == t && c.Status == corev1.ConditionTrue {
				return &j.Status.Conditions[i]
			}
		}
		return nil
	}
	failed := cond(batchv1.JobFailed)
	switch {
	case cond(batchv1.JobComplete) != nil:
		return JobComplete, "Complete"
	case failed != nil && failed.Reason != "":
		return JobFailed, "Failed: " + failed.Reason
	case failed != nil:
		return JobFailed, "Failed"
	case j.DeletionTimestamp != nil:
		return JobTerminating, "Terminating"
	case cond(batchv1.JobSuspended) != nil:
		return JobSuspended, "Suspended"
	case cond(batchv1.JobFailureTarget) != nil:
		return JobFinishing, "FailureTarget"
	case cond(batchv1.JobSuccessCriteriaMet) != nil:
		return JobFinishing, "SuccessCriteriaMet"
	}
	return JobRunning, "Running"
}

// completions is kubectl's COMPLETIONS: succeeded of spec.completions, or of 1 (with the
// parallelism) for a work-queue job that sets none.
func completions(j *batchv1.Job) string {
	done := j.Status.Succeeded
	if c := j.Spec.Completions; c != nil {
		return fmt.Sprintf("%d/%d", done, *c)
	}
	if p := j.Spec.Parallelism; p != nil && *p > 1 {
		return fmt.Sprintf("%d/1 of %d", done, *p)
	}
	return fmt.Sprintf("%d/1", done)
}

// containerCells are the CONTAINERS and IMAGES cells of a pod template, as kubectl -o wide
// lays them out.
func containerCells(cs []corev1.Container) (names, images string) {
	n := make([]string, len(cs))
	im := make([]string, len(cs))
	for i, c := range cs {
		n[i], im[i] = c.Name, c.Image
	}
	return strings.Join(n, ","), strings.Join(im, ",")
}

// CronJob is the compact row kdeck keeps per cron job.
type CronJob struct {
	Namespace    string
	Name         string
	Schedule     string
	TimeZone     string // spec.timeZone; "" when unset (the controller's local zone)
	Suspend      bool
	Active       int       // jobs running now
	LastSchedule time.Time // status.lastScheduleTime; zero when never
	LastSuccess  time.Time // status.lastSuccessfulTime; zero when never
	Containers   string    // the job template's container names, comma-separated
	Images       string    // the job template's images, comma-separated
	Created      time.Time
}

// RowKey implements Row.
func (c *CronJob) RowKey() Key { return Key{Namespace: c.Namespace, Name: c.Name} }

// CronJobSource returns the Source for cron jobs in ns ("" for all namespaces).
func (c *Client) CronJobSource(ns string) Source[*CronJob] {
	api := c.Clientset.BatchV1().CronJobs(ns)
	return TypedSource("cronjobs", ns, "", api.List, api.Watch,
		func(l *batchv1.CronJobList) []batchv1.CronJob { return l.Items }, CronJobRow)
}

// CronJobRow summarises cj the way `kubectl get cronjobs -o wide` does, with the time of
// its last successful job.
func CronJobRow(cj *batchv1.CronJob) *CronJob {
	r := &CronJob{
		Namespace: cj.Namespace,
		Name:      cj.Name,
		Schedule:  cj.Spec.Schedule,
		Suspend:   cj.Spec.Suspend != nil && *cj.Spec.Suspend,
		Active:    len(cj.Status.Active),
		Created:   cj.CreationTimestamp.Time,
	}
	if cj.Spec.TimeZone != nil {
		r.TimeZone = *cj.Spec.TimeZone
	}
	if t := cj.Status.LastScheduleTime; t != nil {
		r.LastSchedule = t.Time
	}
	if t := cj.Status.LastSuccessfulTime; t != nil {
		r.LastSuccess = t.Time
	}
	r.Containers, r.Images = containerCells(cj.Spec.JobTemplate.Spec.Template.Spec.Containers)
	return r
}
