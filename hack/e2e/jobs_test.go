//go:build e2e

package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// neverSchedule is a schedule that does not fire while a test runs: midnight on January 1st.
const neverSchedule = "0 0 1 1 *"

// kwokJobSpec is a job of completions pods that the testbed's emulated nodes run; kwok's
// pod-complete stage ends a job's pods successfully as soon as they run.
func kwokJobSpec(ns, name string, completions int32) batchv1.JobSpec {
	pod := kwokPod(ns, name)
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	return batchv1.JobSpec{Completions: ptr.To(completions), Parallelism: ptr.To(completions),
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: pod.Labels}, Spec: pod.Spec}}
}

// createCronJob creates cron job ns/name that never fires during a test, with a labelled
// and annotated job template.
func createCronJob(t *testing.T, ns, name string) *batchv1.CronJob {
	t.Helper()
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: batchv1.CronJobSpec{Schedule: neverSchedule, JobTemplate: batchv1.JobTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"team": "data"}, Annotations: map[string]string{"owner": "data@example.com"}},
			Spec:       kwokJobSpec(ns, name, 1)}}}
	cj, err := testbed.clientset.BatchV1().CronJobs(ns).Create(ctx(t), cj, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cj
}

// cronJobSuspended reads ns/name's spec.suspend.
func cronJobSuspended(t *testing.T, ns, name string) bool {
	t.Helper()
	cj, err := testbed.clientset.BatchV1().CronJobs(ns).Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ptr.Deref(cj.Spec.Suspend, false)
}

// `t` on a cron job creates the job kubectl create job --from=cronjob would (named in the
// dialog, owned by the cron job, marked manual), `z` suspends and resumes it; enter lists
// the cron job's jobs, which kwok runs to completion, enter on the job its pods, and :jobs
// lists the job too.
func TestCronJobTriggerSuspendResume(t *testing.T) {
	ns := newNamespace(t)
	cj := createCronJob(t, ns, "nightly")
	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "cronjobs")
	term.WaitLine(20*time.Second, "nightly ", neverSchedule, "False", "<none>")

	start := time.Now()
	term.Send("t")
	term.WaitText("Trigger cron job "+ns+"/nightly", 5*time.Second)
	name := regexp.MustCompile(`nightly-manual-[a-z0-9]{5}`).FindString(term.Screen())
	if name == "" {
		t.Fatalf("the dialog names no job:\n%s", term.Screen())
	}
	term.Send("y")
	term.WaitText("✓ create jobs "+ns+"/"+name+": created from cronjob nightly (manual run)", 10*time.Second)
	job, err := testbed.clientset.BatchV1().Jobs(ns).Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the job the dialog named: %v", err)
	}
	owner := metav1.GetControllerOf(job)
	if owner == nil || owner.Kind != "CronJob" || owner.Name != "nightly" || owner.UID != cj.UID ||
		job.Annotations["cronjob.kubernetes.io/instantiate"] != "manual" || job.Annotations["owner"] != "data@example.com" ||
		job.Labels["team"] != "data" {
		t.Fatalf("job %s: owner %+v, labels %v, annotations %v", name, owner, job.Labels, job.Annotations)
	}
	t.Logf("job created %s after t", time.Since(start).Round(time.Millisecond))

	term.Send("z")
	term.WaitText("Suspend cron job "+ns+"/nightly", 5*time.Second)
	term.Send("y")
	eventually(t, "suspended", 10*time.Second, func() bool { return cronJobSuspended(t, ns, "nightly") })
	term.WaitLine(10*time.Second, "nightly ", "True")
	term.Send("z")
	term.WaitText("Resume cron job "+ns+"/nightly", 5*time.Second)
	term.Send("y")
	eventually(t, "resumed", 10*time.Second, func() bool { return !cronJobSuspended(t, ns, "nightly") })
	term.WaitLine(10*time.Second, "nightly ", "False")

	term.Send("Enter")
	term.WaitText("jobs of nightly("+ns+")[1]", 10*time.Second)
	took := term.WaitLine(60*time.Second, name, "Complete", "1/1")
	t.Logf("the triggered job shown Complete %s after enter", took.Round(time.Millisecond))
	term.Send("Enter")
	term.WaitText("pods("+ns+")[1] batch.kubernetes.io/controller-uid="+string(job.UID), 10*time.Second)
	term.WaitLine(30*time.Second, name+"-", "Completed")
	term.Send(":", "j", "o", "b", "s", "Enter")
	term.WaitText("jobs("+ns+")[1]", 10*time.Second)
	term.WaitLine(10*time.Second, name, "Complete", "1/1")

	var got []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got = got[:0]
		for _, e := range auditEntries(t, term) {
			got = append(got, e["verb"]+" "+e["resource"]+" "+e["name"]+": "+e["summary"]+" "+e["result"])
		}
		if len(got) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	want := []string{"create jobs " + name + ": created from cronjob nightly (manual run) ok",
		"patch cronjobs nightly: suspended ok", "patch cronjobs nightly: resumed ok"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("audit\n got %q\nwant %q", got, want)
	}
}

// :jobs shows a job's status, completions and duration as kubectl does, enter lists its
// pods by its selector, l follows their logs.
func TestJobsView(t *testing.T) {
	ns := newNamespace(t)
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "migrate"}, Spec: kwokJobSpec(ns, "migrate", 2)}
	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "jobs")
	term.WaitText("jobs("+ns+")[0]", 20*time.Second)
	if _, err := testbed.clientset.BatchV1().Jobs(ns).Create(ctx(t), job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	took := term.WaitLine(60*time.Second, "migrate ", "Complete", "2/2")
	t.Logf("job Complete 2/2 on screen %s after its creation", took.Round(time.Millisecond))
	term.Send("Enter")
	term.WaitText("pods("+ns+")[2] batch.kubernetes.io/controller-uid=", 10*time.Second)
	term.WaitFor("two completed pods", 30*time.Second, func(s string) bool {
		return strings.Count(s, "Completed") == 2 && strings.Count(s, "migrate-") == 2
	})
	term.Send("Escape")
	term.WaitText("jobs("+ns+")[1]", 5*time.Second)
	term.Send("l")
	term.WaitText("logs "+ns+"/job/migrate", 10*time.Second)
}

// In read-only mode t and z on a cron job, and delete on a job, are refused before anything
// is asked or sent: no job is created and suspend is unchanged, and the proxy in front of
// the API server sees reads only.
func TestCronJobReadOnly(t *testing.T) {
	ns := newNamespace(t)
	createCronJob(t, ns, "nightly")
	proxy, kubeconfig := startCountingProxy(t, ns)
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "--readonly", "-c", "cronjobs")
	term.WaitText("READ-ONLY", 10*time.Second)
	term.WaitLine(20*time.Second, "nightly ", neverSchedule, "False")
	requireRefused(t, term, [2]string{"t", "trigger now (a job from its template)"}, [2]string{"z", "suspend / resume"},
		[2]string{"C-d", "delete (type the name to confirm)"})
	term.Send("?")
	term.WaitText("[disabled: refused, kdeck is read-only on this context]", 5*time.Second)
	term.Send("Escape")
	time.Sleep(500 * time.Millisecond) // anything sent would have reached the server by now
	jobs, err := testbed.clientset.BatchV1().Jobs(ns).List(ctx(t), metav1.ListOptions{})
	if err != nil || len(jobs.Items) != 0 {
		t.Fatalf("jobs after read-only t: %v %v", jobs, err)
	}
	if cronJobSuspended(t, ns, "nightly") {
		t.Fatal("read-only z suspended the cron job")
	}
	proxy.requireReadsOnly(t)
}

// RBAC is asked before any dialog: a user who may create jobs but not read cron jobs one by
// one is refused t (the trigger reads the cron job's template), and one who may not patch
// cron jobs is refused z; nothing is created or changed.
func TestCronJobForbidden(t *testing.T) {
	ns := newNamespace(t)
	createCronJob(t, ns, "nightly")
	kubeconfig := limitedKubeconfig(t, ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"batch"}, Resources: []string{"cronjobs"}, Verbs: []string{"list", "watch"}},
		{APIGroups: []string{"batch"}, Resources: []string{"jobs"}, Verbs: []string{"create", "list", "watch"}},
	})
	term := StartKdeck(t, 200, 30, "--kubeconfig", kubeconfig, "-c", "cronjobs")
	term.WaitLine(20*time.Second, "nightly ", neverSchedule)
	term.Send("t")
	term.WaitText("forbidden: cannot get cronjobs.batch in namespace "+ns, 10*time.Second)
	term.Send("z")
	term.WaitText("forbidden: cannot patch cronjobs.batch in namespace "+ns, 10*time.Second)
	if s := term.Screen(); strings.Contains(s, "╭") {
		t.Fatalf("a forbidden action opened a dialog:\n%s", s)
	}
	jobs, err := testbed.clientset.BatchV1().Jobs(ns).List(ctx(t), metav1.ListOptions{})
	if err != nil || len(jobs.Items) != 0 || cronJobSuspended(t, ns, "nightly") {
		t.Fatalf("the cluster changed: jobs %v (%v), suspended %v", jobs, err, cronJobSuspended(t, ns, "nightly"))
	}
}
