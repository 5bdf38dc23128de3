package views

import (
	"fmt"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// cronJobKeys are the cron jobs view's own keys (the README's key table).
var cronJobKeys = struct{ Trigger, Suspend key.Binding }{
	Trigger: ui.NewKey("cron jobs", "trigger now (a job from its template)", "t"),
	Suspend: ui.NewKey("cron jobs", "suspend / resume", "z"),
}

// CronJobsSpec declares the cron jobs view; enter lists the cron job's jobs.
var CronJobsSpec = ui.ListSpec[*kube.CronJob]{
	Noun:    "cronjobs",
	Warm:    "cronjobs",
	Columns: cronJobColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.CronJob] {
		return env.Client.CronJobSource(ns)
	},
	Actions: append(objectActions[*kube.CronJob](kube.GVRCronJobs),
		ui.Action[*kube.CronJob]{Key: cronJobKeys.Trigger, Mutates: kube.TriggerAccess, Run: triggerDialog},
		ui.Action[*kube.CronJob]{Key: cronJobKeys.Suspend, Mutates: kube.Only(kube.SuspendAccess), Run: suspendDialog},
	),
	Enter: func(env *ui.Env, cj *kube.CronJob) ui.Page {
		return NewCronJobJobs(env, cj.Namespace, cj.Name)
	},
}

// NewCronJobs returns the cron jobs view for namespace ns ("" for all namespaces).
func NewCronJobs(env *ui.Env, ns string) *ui.ListPage[*kube.CronJob] {
	return ui.NewListPage(env, CronJobsSpec, ns)
}

// triggerDialog asks before running cron job cj now, naming the job it will create.
func triggerDialog(env *ui.Env, cj *kube.CronJob) tea.Cmd {
	return triggerJobDialog(env, cj, kube.ManualJobName(cj.Name))
}

// triggerJobDialog asks before creating job name from cron job cj's template.
func triggerJobDialog(env *ui.Env, cj *kube.CronJob, name string) tea.Cmd {
	body := []string{"Creates job " + name + " from its job template now,",
		"as kubectl create job " + name + " --from=cronjob/" + cj.Name + " does."}
	if cj.Suspend {
		body = append(body, "The cron job is suspended: this run starts anyway.")
	}
	switch {
	case cj.Active == 1:
		body = append(body, "One of its jobs is running now.")
	case cj.Active > 1:
		body = append(body, fmt.Sprintf("%d of its jobs are running now.", cj.Active))
	}
	return env.Ask(&ui.Dialog{Title: "Trigger cron job " + cj.Namespace + "/" + cj.Name, Body: body,
		OK: func(string) tea.Cmd { return env.Mutate(env.Client.Trigger(cj.Namespace, cj.Name, name), nil) }})
}

// suspendDialog asks before suspending cron job cj, or resuming it when it is suspended.
func suspendDialog(env *ui.Env, cj *kube.CronJob) tea.Cmd {
	verb, body := "Suspend", []string{"No new job is scheduled until it is resumed.", "Jobs running now go on."}
	if cj.Suspend {
		verb, body = "Resume", []string{"Jobs are scheduled again from now on. A run missed while suspended",
			"may start at once, unless its startingDeadlineSeconds has passed."}
	}
	return env.Ask(&ui.Dialog{Title: verb + " cron job " + cj.Namespace + "/" + cj.Name, Body: body,
		OK: func(string) tea.Cmd { return env.Mutate(env.Client.Suspend(cj.Namespace, cj.Name, !cj.Suspend), nil) }})
}

func cronJobColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.CronJob] {
	type col = ui.Column[*kube.CronJob]
	since := func(name string, drop int, t func(*kube.CronJob) time.Time) col {
		return col{Name: name, Align: ui.Right, Drop: drop,
			Value: func(c *kube.CronJob) string {
				if t(c).IsZero() {
					return "<none>"
				}
				return age(t(c), env.Now())
			},
			Compare: func(a, b *kube.CronJob) int { return t(b).Compare(t(a)) }} // most recent first
	}
	cols := []col{
		{Name: "SCHEDULE", Max: 24, Value: func(c *kube.CronJob) string { return c.Schedule }},
		{Name: "TIMEZONE", Max: 20, Drop: 6, Value: func(c *kube.CronJob) string {
			if c.TimeZone == "" {
				return "<none>"
			}
			return c.TimeZone
		}},
		{Name: "SUSPEND", Drop: 3,
			Value: func(c *kube.CronJob) string { // as kubectl prints it
				if c.Suspend {
					return "True"
				}
				return "False"
			},
			Style: func(st *theme.Styles, c *kube.CronJob) lipgloss.Style {
				if c.Suspend {
					return st.Warn
				}
				return st.Text
			}},
		{Name: "ACTIVE", Align: ui.Right, Drop: 5, Value: func(c *kube.CronJob) string { return strconv.Itoa(c.Active) }},
		since("LAST SCHEDULE", 1, func(c *kube.CronJob) time.Time { return c.LastSchedule }),
		since("LAST SUCCESS", 6, func(c *kube.CronJob) time.Time { return c.LastSuccess }),
	}
	cols = append(cols, templateColumns(func(c *kube.CronJob) (string, string) { return c.Containers, c.Images })...)
	return withNamespace(allNamespaces, append(cols, ageColumn(env, func(c *kube.CronJob) time.Time { return c.Created }))...)
}
