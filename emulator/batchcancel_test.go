package emulator_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// TestBatchJobCancelActive cancels a job while it is Active: the runner
// is held before its second task (a task gate, no sleep), UpdateJobStatus
// Cancelled answers Cancelling, and once released the runner stops before
// that task, writes the report of the task it ran and ends Cancelled
// (docs/emulator.md "S3 Batch Operations": "an Active one before its next
// task").
func TestBatchJobCancelActive(t *testing.T) {
	s := startEmulator(t, batchWorldYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	reached, release := make(chan string), make(chan struct{})
	s.SetBatchTaskGateForTest(func(id string, task int) {
		if task != 1 {
			return
		}
		select {
		case reached <- id:
		case <-ctx.Done():
			return
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
	})
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	putObjects(t, s3c, "batch-src", map[string]string{"one.txt": "1", "two.txt": "2", "three.txt": "3"})
	etag := putManifest(t, s3c, "cancel.csv", []string{"one.txt", "two.txt", "three.txt"})
	out, err := ctl.CreateJob(ctx, copyJob("cancel", "cancel.csv", etag, batchRole))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	id := aws.ToString(out.JobId)
	select {
	case got := <-reached:
		if got != id {
			t.Fatalf("the gate held job %s; want %s", got, id)
		}
	case <-ctx.Done():
		t.Fatal("the job never reached its second task")
	}
	d, err := ctl.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(batchAccount), JobId: aws.String(id)})
	if err != nil || d.Job.Status != s3ctypes.JobStatusActive {
		t.Fatalf("before the cancel: %v, status %v; want Active", err, d.Job.Status)
	}
	u, err := ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: aws.String(batchAccount), JobId: aws.String(id),
		RequestedJobStatus: s3ctypes.RequestedJobStatusCancelled, StatusUpdateReason: aws.String("test")})
	if err != nil || u.Status != s3ctypes.JobStatusCancelling {
		t.Fatalf("UpdateJobStatus Cancelled: %v, status %v; want Cancelling", err, u.Status)
	}
	close(release)
	job := waitJob(t, s, ctl, id, "")
	p := job.ProgressSummary
	if job.Status != s3ctypes.JobStatusCancelled || aws.ToInt64(p.TotalNumberOfTasks) != 3 || aws.ToInt64(p.NumberOfTasksSucceeded) != 1 || aws.ToInt64(p.NumberOfTasksFailed) != 0 {
		t.Fatalf("status %s, %d total, %d succeeded, %d failed; want Cancelled, 3, 1, 0", job.Status,
			aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed))
	}
	if aws.ToString(job.StatusUpdateReason) != "test" {
		t.Errorf("StatusUpdateReason %q; want test", aws.ToString(job.StatusUpdateReason))
	}
	_, rows := readReport(t, s3c, id)
	if len(rows) != 1 || rows[0][1] != "one.txt" || rows[0][3] != "succeeded" {
		t.Errorf("report rows %q; want the one task run, one.txt succeeded", rows)
	}
	// A cancelled job cannot be cancelled again.
	if _, err := ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: aws.String(batchAccount), JobId: aws.String(id),
		RequestedJobStatus: s3ctypes.RequestedJobStatusCancelled}); apiCode(err) != "JobStatusException" {
		t.Errorf("cancelling a Cancelled job: %v; want JobStatusException", err)
	}
}
