package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"
)

// TestBatchManifestKeyEncoding: a manifest's keys are URL-encoded with
// percent-escapes; a '+' is a plus sign, not a space, and %20 is a space.
func TestBatchManifestKeyEncoding(t *testing.T) {
	s := startEmulator(t, batchWorldYAML)
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	objects := map[string]string{"a+b c.txt": "plus and space", "x+y.txt": "plus"}
	putObjects(t, s3c, "batch-src", objects)
	etag := putManifest(t, s3c, "m.csv", []string{"a+b%20c.txt", "x%2By.txt"})
	out, err := ctl.CreateJob(context.Background(), copyJob("plus", "m.csv", etag, batchRole))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	job := waitJob(t, s, ctl, aws.ToString(out.JobId), "")
	if job.Status != s3ctypes.JobStatusComplete || aws.ToInt64(job.ProgressSummary.NumberOfTasksSucceeded) != 2 {
		t.Fatalf("status %s, %d of 2 tasks succeeded, failures %+v; want Complete, 2", job.Status,
			aws.ToInt64(job.ProgressSummary.NumberOfTasksSucceeded), job.FailureReasons)
	}
	_, rows := readReport(t, s3c, aws.ToString(out.JobId))
	for _, r := range rows {
		if r[3] != "succeeded" {
			t.Errorf("report row %q: want succeeded", r)
		}
	}
}

// TestCreateJobWhileClosing: once the server has begun to close (its jobs
// stopped), CreateJob starts no job: 503 ServiceUnavailable.
func TestCreateJobWhileClosing(t *testing.T) {
	s := startEmulator(t, batchWorldYAML)
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	putObjects(t, s3c, "batch-src", map[string]string{"a.txt": "alpha"})
	etag := putManifest(t, s3c, "m.csv", []string{"a.txt"})
	s.StopBatchJobsForTest()
	// One attempt: the SDK retries a 503.
	_, err := ctl.CreateJob(context.Background(), copyJob("closing", "m.csv", etag, batchRole), func(o *s3control.Options) { o.RetryMaxAttempts = 1 })
	var re interface{ HTTPStatusCode() int }
	var ae smithy.APIError
	if err == nil || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable || !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailable" {
		t.Fatalf("CreateJob while closing: %v; want 503 ServiceUnavailable", err)
	}
	list, err := ctl.ListJobs(context.Background(), &s3control.ListJobsInput{AccountId: aws.String(batchAccount)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Jobs) != 0 {
		t.Errorf("%d jobs listed; want none", len(list.Jobs))
	}
}
