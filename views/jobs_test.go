package views

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

const backupUID = "batch.kubernetes.io/controller-uid=6f1c2a9e-3b7d-4c51-9a0e-2d8f4b6c1e37"

func fixtureJobs() []*kube.Job {
	return []*kube.Job{
		{Namespace: "ops", Name: "backup-29876540", Phase: kube.JobComplete, Status: "Complete", Completions: "1/1",
			Started: ago(3 * time.Hour), Completed: ago(3*time.Hour - 134*time.Second), Containers: "backup",
			Images: "registry.example.com/ops/backup:2.3", Selector: backupUID, CronJob: "backup", Created: ago(3 * time.Hour)},
		{Namespace: "ops", Name: "report-manual-x7k2p", Phase: kube.JobRunning, Status: "Running", Completions: "1/3", Active: 2,
			Started: ago(4 * time.Minute), Containers: "report,upload", Images: "registry.example.com/report:1.4,amazon/aws-cli:2",
			Selector: "batch.kubernetes.io/controller-uid=0b9e7d2c-5a41-4f3e-8c6d-7e1f2a3b4c5d", CronJob: "report", Created: ago(4 * time.Minute)},
		{Namespace: "shop", Name: "db-migrate-42", Phase: kube.JobFailed, Status: "Failed: BackoffLimitExceeded", Completions: "0/1",
			Started: ago(26 * time.Hour), Completed: ago(26*time.Hour - 65*time.Second), Containers: "migrate",
			Images: "registry.example.com/shop/migrate:42", Selector: "batch.kubernetes.io/controller-uid=9d3e1f7a-2c4b-4e8d-b1a6-3f5c7e9d0b2a", Created: ago(26 * time.Hour)},
		{Namespace: "shop", Name: "reindex", Phase: kube.JobSuspended, Status: "Suspended", Completions: "0/1 of 4",
			Containers: "indexer", Images: "registry.example.com/search/indexer:7.1",
			Selector: "batch.kubernetes.io/controller-uid=1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Created: ago(40 * time.Minute)},
	}
}

func fixtureCronJobs() []*kube.CronJob {
	return []*kube.CronJob{
		{Namespace: "ops", Name: "backup", Schedule: "0 */6 * * *", LastSchedule: ago(3 * time.Hour), LastSuccess: ago(3 * time.Hour),
			Containers: "backup", Images: "registry.example.com/ops/backup:2.3", Created: ago(30 * 24 * time.Hour)},
		{Namespace: "ops", Name: "report", Schedule: "30 2 * * 1-5", TimeZone: "Europe/Paris", Active: 1,
			LastSchedule: ago(4 * time.Minute), LastSuccess: ago(26 * time.Hour), Containers: "report,upload",
			Images: "registry.example.com/report:1.4,amazon/aws-cli:2", Created: ago(9 * 24 * time.Hour)},
		{Namespace: "shop", Name: "cleanup", Schedule: "*/15 * * * *", Suspend: true, LastSchedule: ago(50 * time.Hour),
			Containers: "cleanup", Images: "registry.example.com/shop/cleanup:1.0", Created: ago(60 * 24 * time.Hour)},
	}
}

func TestJobsGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderList(JobsSpec, "", w, h, fixtureJobs(), live) })
}

func TestCronJobsGolden(t *testing.T) {
	requireGoldenSizes(t, func(w, h int) string { return renderList(CronJobsSpec, "", w, h, fixtureCronJobs(), live) })
}

func TestJobsEverySize(t *testing.T) {
	t.Run("jobs", func(t *testing.T) {
		requireEverySize(t, func(w, h int) string { return renderList(JobsSpec, "", w, h, fixtureJobs(), live) })
	})
	t.Run("cronjobs", func(t *testing.T) {
		requireEverySize(t, func(w, h int) string { return renderList(CronJobsSpec, "", w, h, fixtureCronJobs(), live) })
	})
}

// The trigger and suspend dialogs over the cron jobs view name the context, the cron job,
// the job to be created and which way suspend goes.
func TestCronJobDialogsGolden(t *testing.T) {
	render := func(w, h int, dialog func(env *ui.Env) tea.Cmd) string {
		env := testEnv("ops")
		page := NewCronJobs(env, "ops")
		page.Show(kube.Snapshot[*kube.CronJob]{Rows: fixtureCronJobs()[:2], State: live})
		app := ui.New(env, Registry, ui.ViewSpec{Name: "test", New: func(*ui.Env, string) ui.Page { return page }})
		app.Update(tea.WindowSizeMsg{Width: w, Height: h})
		app.Update(dialog(env)())
		return app.View().Content
	}
	report := fixtureCronJobs()[1]
	trigger := func(env *ui.Env) tea.Cmd { return triggerJobDialog(env, report, "report-manual-x7k2p") }
	requireGoldenSizes(t, func(w, h int) string { return render(w, h, trigger) })
	requireEverySize(t, func(w, h int) string { return render(w, h, trigger) })
	for _, c := range []struct {
		name string
		cj   *kube.CronJob
		want []string
	}{
		{"suspend", report, []string{"Suspend cron job ops/report", "No new job is scheduled"}},
		{"resume", fixtureCronJobs()[2], []string{"Resume cron job shop/cleanup", "A run missed while suspended"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			screen := ansi.Strip(render(100, 24, func(env *ui.Env) tea.Cmd { return suspendDialog(env, c.cj) }))
			golden.RequireEqual(t, screen)
			for _, w := range c.want {
				if !strings.Contains(screen, w) {
					t.Errorf("no %q in\n%s", w, screen)
				}
			}
		})
	}
	screen := ansi.Strip(render(100, 24, func(env *ui.Env) tea.Cmd { return triggerJobDialog(env, fixtureCronJobs()[2], "cleanup-manual-abcde") }))
	if !strings.Contains(screen, "suspended: this run starts anyway") {
		t.Errorf("triggering a suspended cron job does not say it runs anyway:\n%s", screen)
	}
}

// Enter on a job lists its pods by its selector; on a cron job, its jobs (by owner);
// the registry opens both views by name, alias and group-qualified resource.
func TestJobsDrillDown(t *testing.T) {
	env := testEnv("")
	if got := JobsSpec.Enter(env, fixtureJobs()[0]).Title(); got != "pods(ops)[0] "+backupUID {
		t.Errorf("job drill-down title %q", got)
	}
	if got := CronJobsSpec.Enter(env, fixtureCronJobs()[1]).Title(); got != "jobs of report(ops)[0]" {
		t.Errorf("cron job drill-down title %q", got)
	}
	requireOpens(t, map[string]string{"jobs": "jobs", "job": "jobs", "jo": "jobs", "cronjobs": "cronjobs", "cj": "cronjobs", "cronjob": "cronjobs"},
		"batch/v1", []metav1.APIResource{
			{Name: "jobs", SingularName: "job", Kind: "Job"},
			{Name: "cronjobs", SingularName: "cronjob", ShortNames: []string{"cj"}, Kind: "CronJob"}},
		map[string]string{"jobs.batch": "jobs", "Job": "jobs", "cronjobs.batch": "cronjobs", "CronJob": "cronjobs", "cronjob.v1.batch": "cronjobs"})
}

// The jobs of a cron job are the namespace's jobs it controls: another cron job's, and
// jobs of no cron job, are left out.
func TestCronJobJobsNarrowsByOwner(t *testing.T) {
	owned := func(name, owner string) *batchv1.Job {
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: name}}
		if owner != "" {
			j.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: owner, Controller: new(true)}}
		}
		return j
	}
	env := testEnv("ops")
	env.Client.Clientset = fake.NewClientset()
	src := cronJobJobsSpec("report").Source(env, "ops")
	var kept []string
	for _, j := range []*batchv1.Job{owned("report-1", "report"), owned("backup-1", "backup"), owned("adhoc", ""), owned("report-2", "report")} {
		if row, ok := src.Convert(j); ok {
			kept = append(kept, row.Name)
		}
	}
	if got := strings.Join(kept, ","); got != "report-1,report-2" {
		t.Errorf("kept %q, want report-1,report-2", got)
	}
	if src.Selector != "" || src.Resource != "jobs" {
		t.Errorf("source %q %q", src.Resource, src.Selector)
	}
}
