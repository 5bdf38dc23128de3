package views

import (
	"cmp"
	"strconv"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
)

// JobsSpec declares the jobs view; enter lists the job's pods, l follows their logs.
var JobsSpec = ui.ListSpec[*kube.Job]{
	Noun:    "jobs",
	Warm:    "jobs",
	Columns: jobColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.Job] {
		return env.Client.JobSource(ns)
	},
	Actions: append(objectActions[*kube.Job](kube.GVRJobs),
		selectorLogsAction("job", func(j *kube.Job) string { return j.Selector })),
	Enter: func(env *ui.Env, j *kube.Job) ui.Page {
		if j.Selector == "" { // the API server sets one; an empty one would list every pod
			return ui.NewMessage(env, "pods("+j.Namespace+") of job "+j.Name,
				"Job "+j.Namespace+"/"+j.Name+" has no pod selector.", "", "esc: back")
		}
		return NewPodsFor(env, j.Namespace, j.Selector)
	},
}

// NewJobs returns the jobs view for namespace ns ("" for all namespaces).
func NewJobs(env *ui.Env, ns string) *ui.ListPage[*kube.Job] {
	return ui.NewListPage(env, JobsSpec, ns)
}

// NewCronJobJobs returns the jobs of cron job ns/cronJob: the jobs in ns whose controller
// it is.
func NewCronJobJobs(env *ui.Env, ns, cronJob string) *ui.ListPage[*kube.Job] {
	return ui.NewListPage(env, cronJobJobsSpec(cronJob), ns)
}

// cronJobJobsSpec is the jobs view narrowed to the jobs cron job cronJob controls. No label
// marks them (the controller copies its template's labels, nothing more) and no field
// selector reaches owner references, so the page watches its namespace's jobs and keeps
// those whose row names the cron job.
func cronJobJobsSpec(cronJob string) ui.ListSpec[*kube.Job] {
	spec := JobsSpec
	spec.Noun = "jobs of " + cronJob
	spec.Warm = "" // not the jobs view's store: its rows are narrowed in Convert
	spec.Source = func(env *ui.Env, ns string) kube.Source[*kube.Job] {
		src := env.Client.JobSource(ns)
		convert := src.Convert
		src.Convert = func(obj runtime.Object) (*kube.Job, bool) {
			j, ok := convert(obj)
			return j, ok && j.CronJob == cronJob
		}
		return src
	}
	return spec
}

func jobColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Job] {
	type col = ui.Column[*kube.Job]
	cols := []col{
		{Name: "STATUS", Min: 7, Max: 36,
			Value: func(j *kube.Job) string { return j.Status },
			Style: func(st *theme.Styles, j *kube.Job) lipgloss.Style {
				switch j.Phase {
				case kube.JobComplete:
					return st.Good
				case kube.JobFailed:
					return st.Bad
				case kube.JobSuspended, kube.JobTerminating, kube.JobFinishing:
					return st.Warn
				}
				return st.Text
			}},
		{Name: "COMPLETIONS", Align: ui.Right, Drop: 1, Value: func(j *kube.Job) string { return j.Completions }},
		{Name: "DURATION", Align: ui.Right, Drop: 3,
			Value: func(j *kube.Job) string {
				if d, ok := j.Duration(env.Now()); ok {
					return duration.HumanDuration(d)
				}
				return ""
			},
			Compare: func(a, b *kube.Job) int {
				da, _ := a.Duration(env.Now())
				db, _ := b.Duration(env.Now())
				return cmp.Compare(da, db)
			}},
		{Name: "ACTIVE", Align: ui.Right, Drop: 5, Value: func(j *kube.Job) string { return strconv.Itoa(int(j.Active)) }},
	}
	cols = append(cols, templateColumns(func(j *kube.Job) (string, string) { return j.Containers, j.Images })...)
	return withNamespace(allNamespaces, append(cols,
		col{Name: "SELECTOR", Max: 60, Drop: 9, Value: func(j *kube.Job) string { return j.Selector }},
		ageColumn(env, func(j *kube.Job) time.Time { return j.Created }))...)
}

// templateColumns are kubectl -o wide's CONTAINERS and IMAGES columns of a pod template,
// among the first dropped on a narrow terminal.
func templateColumns[R kube.Row](containers func(R) (names, images string)) []ui.Column[R] {
	return []ui.Column[R]{
		{Name: "CONTAINERS", Max: 30, Drop: 8, Value: func(r R) string { n, _ := containers(r); return n }},
		{Name: "IMAGES", Max: 40, Drop: 7, Value: func(r R) string { _, i := containers(r); return i }},
	}
}
