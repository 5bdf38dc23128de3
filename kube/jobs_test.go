package kube

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

// job is report-1 in ops, made by cron job report, finished after 90 s.
func job() *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "report-1", CreationTimestamp: metav1.NewTime(t0),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "report", UID: "cj-uid", Controller: ptr.To(true)}}},
		Spec: batchv1.JobSpec{
			Completions: ptr.To[int32](3), Parallelism: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "job-uid"}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "report", Image: "registry.example.com/report:1.4"}, {Name: "upload", Image: "amazon/aws-cli:2"}}}},
		},
		Status: batchv1.JobStatus{Succeeded: 3, StartTime: ptr.To(metav1.NewTime(t0.Add(time.Second))),
			CompletionTime: ptr.To(metav1.NewTime(t0.Add(91 * time.Second))),
			Conditions: []batchv1.JobCondition{
				{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue},
				{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}},
	}
}

func TestJobRow(t *testing.T) {
	r := JobRow(job())
	want := Job{Namespace: "ops", Name: "report-1", Phase: JobComplete, Status: "Complete", Completions: "3/3",
		Started: t0.Add(time.Second), Completed: t0.Add(91 * time.Second), Containers: "report,upload",
		Images: "registry.example.com/report:1.4,amazon/aws-cli:2", Selector: "batch.kubernetes.io/controller-uid=job-uid",
		CronJob: "report", Created: t0}
	if *r != want {
		t.Errorf("row\n got %+v\nwant %+v", *r, want)
	}
	if d, ok := r.Duration(t0.Add(time.Hour)); !ok || d != 90*time.Second {
		t.Errorf("finished job's duration %s %v, want 90s", d, ok)
	}

	running := func(j *batchv1.Job) {
		j.Status.Conditions, j.Status.CompletionTime, j.Status.Succeeded, j.Status.Active = nil, nil, 1, 2
	}
	cases := []struct {
		name        string
		edit        func(j *batchv1.Job)
		phase       JobPhase
		status, cmp string
	}{
		{"running", running, JobRunning, "Running", "1/3"},
		{"failed with reason", func(j *batchv1.Job) {
			running(j)
			j.Status.Conditions = []batchv1.JobCondition{
				{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"},
				{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"}}
		}, JobFailed, "Failed: BackoffLimitExceeded", "1/3"},
		{"failing, pods still terminating", func(j *batchv1.Job) {
			running(j)
			j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue}}
		}, JobFinishing, "FailureTarget", "1/3"},
		{"suspended", func(j *batchv1.Job) {
			running(j)
			j.Spec.Suspend = ptr.To(true)
			j.Status.Conditions = []batchv1.JobCondition{
				{Type: batchv1.JobSuspended, Status: corev1.ConditionTrue, Reason: "JobSuspended"}}
		}, JobSuspended, "Suspended", "1/3"},
		{"resumed: suspended condition false", func(j *batchv1.Job) {
			running(j)
			j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobSuspended, Status: corev1.ConditionFalse}}
		}, JobRunning, "Running", "1/3"},
		{"deleted", func(j *batchv1.Job) { running(j); j.DeletionTimestamp = ptr.To(metav1.NewTime(t0)) }, JobTerminating, "Terminating", "1/3"},
		{"work queue", func(j *batchv1.Job) { running(j); j.Spec.Completions = nil; j.Spec.Parallelism = ptr.To[int32](4) }, JobRunning, "Running", "1/1 of 4"},
		{"single pod", func(j *batchv1.Job) { running(j); j.Spec.Completions, j.Spec.Parallelism = nil, nil }, JobRunning, "Running", "1/1"},
	}
	for _, c := range cases {
		j := job()
		c.edit(j)
		r := JobRow(j)
		if r.Phase != c.phase || r.Status != c.status || r.Completions != c.cmp {
			t.Errorf("%s: %d %q %q, want %d %q %q", c.name, r.Phase, r.Status, r.Completions, c.phase, c.status, c.cmp)
		}
	}

	j := job()
	running(j)
	if d, ok := JobRow(j).Duration(t0.Add(10 * time.Minute)); !ok || d != 10*time.Minute-time.Second {
		t.Errorf("running job's duration %s %v", d, ok)
	}
	j.Status.StartTime = nil
	if _, ok := JobRow(j).Duration(t0); ok {
		t.Errorf("a job not started has a duration")
	}
	// owned by something else, or by a CronJob of another group: no cron job
	j.OwnerReferences = []metav1.OwnerReference{{APIVersion: "example.com/v1", Kind: "CronJob", Name: "x", Controller: ptr.To(true)}}
	if r := JobRow(j); r.CronJob != "" {
		t.Errorf("CronJob %q from a foreign owner", r.CronJob)
	}
	j.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "x"}} // not its controller
	if r := JobRow(j); r.CronJob != "" {
		t.Errorf("CronJob %q from an owner that is not the controller", r.CronJob)
	}
}

// cronJob is report in ops: every night at 2, a manual template with labels and annotations.
func cronJob() *batchv1.CronJob {
	tmpl := job().Spec
	tmpl.Selector = nil
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "report", UID: "cj-uid", CreationTimestamp: metav1.NewTime(t0)},
		Spec: batchv1.CronJobSpec{Schedule: "0 2 * * *", TimeZone: ptr.To("Europe/Paris"), Suspend: ptr.To(true),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"team": "data"}, Annotations: map[string]string{"owner": "data@example.com"}},
				Spec:       tmpl}},
		Status: batchv1.CronJobStatus{Active: []corev1.ObjectReference{{Name: "report-1"}},
			LastScheduleTime: ptr.To(metav1.NewTime(t0.Add(time.Hour))), LastSuccessfulTime: ptr.To(metav1.NewTime(t0.Add(2 * time.Hour)))},
	}
}

func TestCronJobRow(t *testing.T) {
	want := CronJob{Namespace: "ops", Name: "report", Schedule: "0 2 * * *", TimeZone: "Europe/Paris", Suspend: true, Active: 1,
		LastSchedule: t0.Add(time.Hour), LastSuccess: t0.Add(2 * time.Hour), Containers: "report,upload",
		Images: "registry.example.com/report:1.4,amazon/aws-cli:2", Created: t0}
	if r := CronJobRow(cronJob()); *r != want {
		t.Errorf("row\n got %+v\nwant %+v", *r, want)
	}
	cj := cronJob()
	cj.Spec.TimeZone, cj.Spec.Suspend, cj.Status = nil, nil, batchv1.CronJobStatus{}
	if r := CronJobRow(cj); r.TimeZone != "" || r.Suspend || r.Active != 0 || !r.LastSchedule.IsZero() || !r.LastSuccess.IsZero() {
		t.Errorf("a new cron job's row %+v", *r)
	}
}

func TestManualJobName(t *testing.T) {
	name := ManualJobName("report")
	if !regexp.MustCompile(`^report-manual-[a-z0-9]{5}$`).MatchString(name) {
		t.Errorf("name %q", name)
	}
	if ManualJobName("report") == name {
		t.Errorf("two names alike: %q", name)
	}
	long := strings.Repeat("a", 49) + "-b-c" // 52, a cron job's longest name
	if got := ManualJobName(long); len(got) > 63 || !strings.HasPrefix(got, strings.Repeat("a", 49)+"-manual-") {
		t.Errorf("long name %q (%d)", got, len(got))
	}
}

// Trigger reads the cron job and creates the job kubectl's create job --from would.
func TestTrigger(t *testing.T) {
	cs := fake.NewClientset(cronJob())
	c := &Client{Clientset: cs}
	m := c.Trigger("ops", "report", "report-manual-abcde")
	if m.Access != (Access{Verb: "create", GVR: GVRJobs, Namespace: "ops"}) || m.Name != "report-manual-abcde" {
		t.Fatalf("mutation %+v", m)
	}
	if err := c.Apply(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	j, err := cs.BatchV1().Jobs("ops").Get(context.Background(), "report-manual-abcde", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if j.Annotations["cronjob.kubernetes.io/instantiate"] != "manual" || j.Annotations["owner"] != "data@example.com" ||
		j.Labels["team"] != "data" {
		t.Errorf("labels %v annotations %v", j.Labels, j.Annotations)
	}
	refs := j.OwnerReferences
	if len(refs) != 1 || refs[0].Kind != "CronJob" || refs[0].APIVersion != "batch/v1" || refs[0].Name != "report" ||
		refs[0].UID != "cj-uid" || !ptr.Deref(refs[0].Controller, false) || refs[0].BlockOwnerDeletion != nil {
		t.Errorf("owner references %+v", refs)
	}
	if j.Spec.Template.Spec.Containers[0].Image != "registry.example.com/report:1.4" || *j.Spec.Completions != 3 {
		t.Errorf("spec %+v", j.Spec)
	}
	if r := JobRow(j); r.CronJob != "report" {
		t.Errorf("the job's row names cron job %q", r.CronJob)
	}
	if err := c.Apply(context.Background(), c.Trigger("ops", "gone", "gone-manual-abcde")); KindOf(err) != KindNotFound {
		t.Errorf("trigger of a missing cron job: %v", err)
	}
}

func TestSuspend(t *testing.T) {
	cs := fake.NewClientset(cronJob())
	c := &Client{Clientset: cs}
	for _, suspend := range []bool{false, true} {
		m := c.Suspend("ops", "report", suspend)
		if m.Access != SuspendAccess("ops") {
			t.Fatalf("access %+v", m.Access)
		}
		if err := c.Apply(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		cj, _ := cs.BatchV1().CronJobs("ops").Get(context.Background(), "report", metav1.GetOptions{})
		if *cj.Spec.Suspend != suspend {
			t.Errorf("suspend %v after %q", *cj.Spec.Suspend, m.Summary)
		}
	}
	patch := cs.Actions()[len(cs.Actions())-2].(k8stesting.PatchAction) // before the test's own get
	if got := string(patch.GetPatch()); got != `{"spec":{"suspend":true}}` || patch.GetPatchType() != types.MergePatchType {
		t.Errorf("patch %s %s", patch.GetPatchType(), got)
	}
	ro := &Client{Clientset: cs, Policy: Policy{ReadOnly: true}}
	before := len(cs.Actions())
	if err := ro.Apply(context.Background(), ro.Suspend("ops", "report", false)); KindOf(err) != KindReadOnly {
		t.Errorf("read-only suspend: %v", err)
	}
	if err := ro.Apply(context.Background(), ro.Trigger("ops", "report", "report-manual-abcde")); KindOf(err) != KindReadOnly {
		t.Errorf("read-only trigger: %v", err)
	}
	if n := len(cs.Actions()) - before; n != 0 {
		t.Errorf("read-only mode sent %d requests", n)
	}
}
