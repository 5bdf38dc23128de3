package kube

import (
	"context"
	"encoding/json"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"
)

// instantiateAnnotation marks a job made from a cron job by hand, as kubectl marks it.
const instantiateAnnotation = "cronjob.kubernetes.io/instantiate"

// TriggerAccess is what Trigger needs: it creates a job (first, so a refusal names the
// change), after reading the cron job's template.
func TriggerAccess(ns string) []Access {
	return []Access{jobCreate(ns), {Verb: "get", GVR: GVRCronJobs, Namespace: ns}}
}

// jobCreate is the request that runs the cron job: the job's creation.
func jobCreate(ns string) Access {
	return Access{Verb: "create", GVR: GVRJobs, Namespace: ns}
}

// ManualJobName is a fresh name for a job run by hand from cron job cronJob:
// "CRONJOB-manual-x7k2p", the cron job's name shortened when the whole would be longer
// than a job's name may be (63: it becomes the pods' job-name label).
func ManualJobName(cronJob string) string {
	const suffix = "-manual-"
	prefix := cronJob
	if n := validation.DNS1123LabelMaxLength - len(suffix) - 5; len(prefix) > n {
		prefix = strings.TrimRight(prefix[:n], "-.")
	}
	return prefix + suffix + utilrand.String(5)
}

// JobFromCronJob is the job `kubectl create job NAME --from=cronjob/CJ` creates: the cron
// job's job template, its labels and annotations, the annotation
// cronjob.kubernetes.io/instantiate=manual, and the cron job as its controller (without
// blockOwnerDeletion, as kubectl: that would need the cronjobs/finalizers permission).
func JobFromCronJob(cj *batchv1.CronJob, name string) *batchv1.Job {
	annotations := map[string]string{instantiateAnnotation: "manual"}
	for k, v := range cj.Spec.JobTemplate.Annotations {
		annotations[k] = v
	}
	return &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: batchv1.SchemeGroupVersion.String(), Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   cj.Namespace,
			Annotations: annotations,
			Labels:      cj.Spec.JobTemplate.Labels,
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: batchv1.SchemeGroupVersion.String(),
				Kind:       "CronJob",
				Name:       cj.Name,
				UID:        cj.UID,
				Controller: ptr.To(true),
			}},
		},
		Spec: cj.Spec.JobTemplate.Spec,
	}
}

// Trigger returns the mutation that runs cron job ns/cronJob now: it reads the cron job
// and creates job name from its template, as `kubectl create job name --from=cronjob/…`.
func (c *Client) Trigger(ns, cronJob, name string) Mutation {
	return Mutation{
		Access:  jobCreate(ns),
		Name:    name,
		Summary: "created from cronjob " + cronJob + " (manual run)",
		Do: func(ctx context.Context) error {
			cj, err := c.Clientset.BatchV1().CronJobs(ns).Get(ctx, cronJob, metav1.GetOptions{})
			if err != nil {
				return err
			}
			_, err = c.Clientset.BatchV1().Jobs(ns).Create(ctx, JobFromCronJob(cj, name), metav1.CreateOptions{})
			return err
		},
	}
}

// SuspendAccess is the request Suspend makes: a patch of the cron job.
func SuspendAccess(ns string) Access {
	return Access{Verb: "patch", GVR: GVRCronJobs, Namespace: ns}
}

// Suspend returns the mutation that suspends (suspend true) or resumes cron job ns/name:
// a merge patch of spec.suspend. Jobs already running go on either way.
func (c *Client) Suspend(ns, name string, suspend bool) Mutation {
	summary := "resumed"
	if suspend {
		summary = "suspended"
	}
	return Mutation{
		Access:  SuspendAccess(ns),
		Name:    name,
		Summary: summary,
		Do: func(ctx context.Context) error {
			p, err := json.Marshal(map[string]any{"spec": map[string]any{"suspend": suspend}})
			if err != nil {
				return err
			}
			_, err = c.Clientset.BatchV1().CronJobs(ns).Patch(ctx, name, types.MergePatchType, p, metav1.PatchOptions{})
			return err
		},
	}
}
