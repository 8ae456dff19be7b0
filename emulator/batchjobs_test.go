package emulator_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// TestBatchJobFailures: a job fails as S3 fails it when its role does not
// trust batchoperations.s3.amazonaws.com, when the manifest's ETag is not
// the job's, and when the role may not read the manifest; each with its
// FailureReasons and no task run.
func TestBatchJobFailures(t *testing.T) {
	s := startEmulator(t, batchWorldYAML)
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	putObjects(t, s3c, "batch-src", map[string]string{"a.txt": "alpha"})
	etag := putManifest(t, s3c, "m.csv", []string{"a.txt"})
	// A manifest the role may not read: it may only write batch-reports.
	out, err := s3c.PutObject(context.Background(), s3PutInput("batch-reports", "m.csv", "batch-src,a.txt\n"))
	if err != nil {
		t.Fatal(err)
	}
	unreadable := aws.ToString(out.ETag)
	// A manifest encrypted with SSE-KMS (the account's aws/s3 key, whose
	// policy lets the role decrypt it through S3): S3 Batch Operations
	// does not support it.
	kmsIn := s3PutInput("batch-manifests", "kms.csv", "batch-src,a.txt\n")
	kmsIn.ServerSideEncryption = s3types.ServerSideEncryptionAwsKms
	out, err = s3c.PutObject(context.Background(), kmsIn)
	if err != nil {
		t.Fatal(err)
	}
	kmsManifest := aws.ToString(out.ETag)
	tests := []struct {
		name, role, manifest, etag string
		code, reason               string
	}{
		{"untrusted role", "arn:aws:iam::111111111111:role/Untrusted", "arn:aws:s3:::batch-manifests/m.csv", etag,
			"AccessDenied", "Unable to assume role arn:aws:iam::111111111111:role/Untrusted"},
		{"ETag mismatch", batchRole, "arn:aws:s3:::batch-manifests/m.csv", `"0123456789abcdef0123456789abcdef"`,
			"ManifestETagMismatch", "The manifest's ETag"},
		{"manifest forbidden", batchRole, "arn:aws:s3:::batch-reports/m.csv", unreadable,
			"AccessDenied", "Reading the manifest is forbidden: AccessDenied"},
		{"SSE-KMS manifest", batchRole, "arn:aws:s3:::batch-manifests/kms.csv", kmsManifest,
			"InvalidManifest", "S3 Batch Operations does not support CSV manifest files that are AWS KMS-encrypted"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := copyJob(fmt.Sprint("fail-", i), "m.csv", tt.etag, tt.role)
			in.Manifest.Location.ObjectArn = aws.String(tt.manifest)
			out, err := ctl.CreateJob(context.Background(), in)
			if err != nil {
				t.Fatalf("CreateJob: %v", err)
			}
			job := waitJob(t, s, ctl, aws.ToString(out.JobId), "")
			if job.Status != s3ctypes.JobStatusFailed || len(job.FailureReasons) != 1 {
				t.Fatalf("status %s, failures %+v; want Failed with one reason", job.Status, job.FailureReasons)
			}
			f := job.FailureReasons[0]
			if aws.ToString(f.FailureCode) != tt.code || !strings.Contains(aws.ToString(f.FailureReason), tt.reason) {
				t.Errorf("failure %s: %s; want %s: %s...", aws.ToString(f.FailureCode), aws.ToString(f.FailureReason), tt.code, tt.reason)
			}
			if n := aws.ToInt64(job.ProgressSummary.NumberOfTasksSucceeded) + aws.ToInt64(job.ProgressSummary.NumberOfTasksFailed); n != 0 {
				t.Errorf("%d tasks ran; want none", n)
			}
		})
	}
}

// TestBatchJobConfirmation: a job created with ConfirmationRequired waits
// Suspended until UpdateJobStatus Ready, then completes, copying under its
// TargetKeyPrefix; a second job is
// cancelled while Suspended; a finished job cannot change status; ListJobs
// filters by status; UpdateJobPriority changes the priority.
func TestBatchJobConfirmation(t *testing.T) {
	s := startEmulator(t, batchWorldYAML)
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	ctx := context.Background()
	putObjects(t, s3c, "batch-src", map[string]string{"a.txt": "alpha"})
	etag := putManifest(t, s3c, "m.csv", []string{"a.txt"})
	acct := aws.String(batchAccount)
	create := func(token string) string {
		in := copyJob(token, "m.csv", etag, batchRole)
		in.ConfirmationRequired = aws.Bool(true)
		in.Operation.S3PutObjectCopy.TargetKeyPrefix = aws.String("copies")
		out, err := ctl.CreateJob(ctx, in)
		if err != nil {
			t.Fatalf("CreateJob: %v", err)
		}
		return aws.ToString(out.JobId)
	}
	confirmed, cancelled := create("confirm"), create("cancel")
	for _, id := range []string{confirmed, cancelled} {
		if job := waitJob(t, s, ctl, id, "Suspended"); aws.ToString(job.SuspendedCause) == "" || job.SuspendedDate == nil ||
			aws.ToInt64(job.ProgressSummary.TotalNumberOfTasks) != 1 {
			t.Errorf("suspended job %+v", job)
		}
	}
	list, err := ctl.ListJobs(ctx, &s3control.ListJobsInput{AccountId: acct, JobStatuses: []s3ctypes.JobStatus{"Suspended"}})
	if err != nil || len(list.Jobs) != 2 {
		t.Fatalf("ListJobs Suspended: %v, %d jobs; want 2", err, len(list.Jobs))
	}
	if _, err := ctl.UpdateJobPriority(ctx, &s3control.UpdateJobPriorityInput{AccountId: acct, JobId: aws.String(confirmed), Priority: 42}); err != nil {
		t.Fatalf("UpdateJobPriority: %v", err)
	}
	if _, err := ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: acct, JobId: aws.String(confirmed), RequestedJobStatus: "Ready"}); err != nil {
		t.Fatalf("UpdateJobStatus Ready: %v", err)
	}
	if _, err := ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: acct, JobId: aws.String(cancelled), RequestedJobStatus: "Cancelled"}); err != nil {
		t.Fatalf("UpdateJobStatus Cancelled: %v", err)
	}
	if job := waitJob(t, s, ctl, confirmed, ""); job.Status != s3ctypes.JobStatusComplete || job.Priority != 42 {
		t.Errorf("confirmed job: %s, priority %d; want Complete, 42", job.Status, job.Priority)
	}
	// TargetKeyPrefix copies is the folder copies/.
	if got := getString(t, s.s3(t, batchOwner), "batch-dst", "copies/a.txt"); got != "alpha" {
		t.Errorf("batch-dst/copies/a.txt = %q; want alpha", got)
	}
	if job := waitJob(t, s, ctl, cancelled, ""); job.Status != s3ctypes.JobStatusCancelled || aws.ToInt64(job.ProgressSummary.NumberOfTasksSucceeded) != 0 {
		t.Errorf("cancelled job: %s, %d tasks", job.Status, aws.ToInt64(job.ProgressSummary.NumberOfTasksSucceeded))
	}
	_, err = ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: acct, JobId: aws.String(confirmed), RequestedJobStatus: "Cancelled"})
	if apiCode(err) != "JobStatusException" {
		t.Errorf("cancelling a Complete job: %v; want JobStatusException", err)
	}
	_, err = ctl.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: acct, JobId: aws.String("00000000-0000-4000-8000-000000000000")})
	if apiCode(err) != "NotFoundException" {
		t.Errorf("DescribeJob of no job: %v; want NotFoundException", err)
	}
	list, err = ctl.ListJobs(ctx, &s3control.ListJobsInput{AccountId: acct})
	if err != nil || len(list.Jobs) != 2 || list.Jobs[0].Operation != s3ctypes.OperationNameS3PutObjectCopy {
		t.Fatalf("ListJobs: %v, %+v", err, list)
	}
}

// TestCreateJobRequests: CreateJob's authorization (s3:CreateJob and
// iam:PassRole on the role), its idempotency token, and its refusals of
// bad input, each naming the field.
func TestCreateJobRequests(t *testing.T) {
	s := startEmulator(t, batchWorldYAML)
	ctx := context.Background()
	ctl := s.s3control(t, batchJobs)
	putObjects(t, s.s3(t, batchJobs), "batch-src", map[string]string{"a.txt": "alpha"})
	etag := putManifest(t, s.s3(t, batchJobs), "m.csv", []string{"a.txt"})

	first, err := ctl.CreateJob(ctx, copyJob("same", "m.csv", etag, batchRole))
	if err != nil {
		t.Fatal(err)
	}
	again, err := ctl.CreateJob(ctx, copyJob("same", "m.csv", etag, batchRole))
	if err != nil || aws.ToString(again.JobId) != aws.ToString(first.JobId) {
		t.Errorf("the same request with the same token: %v, job %s; want job %s", err, aws.ToString(again.JobId), aws.ToString(first.JobId))
	}
	other := copyJob("same", "m.csv", etag, batchRole)
	other.Priority = aws.Int32(11)
	if _, err := ctl.CreateJob(ctx, other); apiCode(err) != "IdempotencyException" {
		t.Errorf("another request with the same token: %v; want IdempotencyException", err)
	}
	waitJob(t, s, ctl, aws.ToString(first.JobId), "")

	if _, err := s.s3control(t, batchNoPass).CreateJob(ctx, copyJob("nopass", "m.csv", etag, batchRole)); apiCode(err) != "AccessDenied" ||
		!strings.Contains(err.Error(), "iam:PassRole") {
		t.Errorf("CreateJob without iam:PassRole: %v; want AccessDenied naming iam:PassRole", err)
	}

	tests := []struct {
		name   string
		change func(*s3control.CreateJobInput)
		code   string
		field  string
	}{
		{"role not an ARN", func(in *s3control.CreateJobInput) { in.RoleArn = aws.String("BatchCopy") }, "InvalidRequest", "RoleArn"},
		{"manifest not an object ARN", func(in *s3control.CreateJobInput) {
			in.Manifest.Location.ObjectArn = aws.String("arn:aws:s3:::batch-manifests")
		}, "InvalidRequest", "Manifest.Location.ObjectArn"},
		{"no ETag", func(in *s3control.CreateJobInput) { in.Manifest.Location.ETag = aws.String("") }, "InvalidRequest", "Manifest.Location.ETag"},
		{"fields", func(in *s3control.CreateJobInput) {
			in.Manifest.Spec.Fields = []s3ctypes.JobManifestFieldName{"Key", "Bucket"}
		}, "InvalidRequest", "Manifest.Spec.Fields"},
		{"report scope", func(in *s3control.CreateJobInput) { in.Report.ReportScope = "" }, "InvalidRequest", "Report.ReportScope"},
		{"tag without key", func(in *s3control.CreateJobInput) {
			in.Operation.S3PutObjectCopy.NewObjectTagging = []s3ctypes.S3Tag{{Key: aws.String(""), Value: aws.String("v")}}
		}, "InvalidRequest", "Operation.S3PutObjectCopy.NewObjectTagging"},
		{"report bucket", func(in *s3control.CreateJobInput) { in.Report.Bucket = aws.String("batch-reports") }, "InvalidRequest", "Report.Bucket"},
		{"target", func(in *s3control.CreateJobInput) {
			in.Operation.S3PutObjectCopy.TargetResource = aws.String("arn:aws:s3:::batch-dst/prefix")
		}, "InvalidRequest", "TargetResource"},
		{"unsupported copy field", func(in *s3control.CreateJobInput) {
			in.Operation.S3PutObjectCopy.CannedAccessControlList = s3ctypes.S3CannedAccessControlListBucketOwnerFullControl
		}, "NotImplemented", "CannedAccessControlList"},
		{"unsupported operation", func(in *s3control.CreateJobInput) {
			in.Operation = &s3ctypes.JobOperation{S3PutObjectTagging: &s3ctypes.S3SetObjectTaggingOperation{}}
		}, "NotImplemented", "S3PutObjectTagging"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := copyJob(fmt.Sprint("bad-", i), "m.csv", etag, batchRole)
			tt.change(in)
			_, err := ctl.CreateJob(ctx, in)
			if apiCode(err) != tt.code || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("%v; want %s naming %s", err, tt.code, tt.field)
			}
		})
	}
}

func s3PutInput(bucket, key, body string) *s3.PutObjectInput {
	return &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}
}

// TestBatchCopyThousand is issue 14's acceptance job: 1,000 objects
// copied across accounts into the CMK bucket, with the completion report;
// then a job of 1,000 tasks that all fail, which S3 fails once 1,000
// tasks have run with more than half failed.
func TestBatchCopyThousand(t *testing.T) {
	s := startEmulator(t, batchWorldYAML)
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	const n = 1000
	objects := map[string]string{}
	var keys, missing []string
	for i := range n {
		k := fmt.Sprintf("obj/%04d", i)
		objects[k] = fmt.Sprintf("object %d", i)
		keys = append(keys, k)
		missing = append(missing, fmt.Sprintf("missing/%04d", i))
	}
	putObjects(t, s3c, "batch-src", objects)
	out, err := ctl.CreateJob(context.Background(), copyJob("thousand", "all.csv", putManifest(t, s3c, "all.csv", keys), batchRole))
	if err != nil {
		t.Fatal(err)
	}
	job := waitJob(t, s, ctl, aws.ToString(out.JobId), "")
	if job.Status != s3ctypes.JobStatusComplete || aws.ToInt64(job.ProgressSummary.NumberOfTasksSucceeded) != n {
		t.Fatalf("status %s, %d succeeded; want Complete, %d", job.Status, aws.ToInt64(job.ProgressSummary.NumberOfTasksSucceeded), n)
	}
	owner := s.s3(t, batchOwner)
	for _, k := range []string{keys[0], keys[n/2], keys[n-1]} {
		if got := getString(t, owner, "batch-dst", k); got != objects[k] {
			t.Errorf("batch-dst/%s = %q; want %q", k, got, objects[k])
		}
	}
	if _, rows := readReport(t, s3c, aws.ToString(out.JobId)); len(rows) != n {
		t.Errorf("the report has %d rows; want %d", len(rows), n)
	}

	out, err = ctl.CreateJob(context.Background(), copyJob("missing", "missing.csv", putManifest(t, s3c, "missing.csv", append(missing, "obj/0000")), batchRole))
	if err != nil {
		t.Fatal(err)
	}
	job = waitJob(t, s, ctl, aws.ToString(out.JobId), "")
	p := job.ProgressSummary
	if job.Status != s3ctypes.JobStatusFailed || aws.ToInt64(p.NumberOfTasksFailed) != n || aws.ToInt64(p.TotalNumberOfTasks) != n+1 ||
		len(job.FailureReasons) != 1 || aws.ToString(job.FailureReasons[0].FailureCode) != "TaskFailureThresholdExceeded" {
		t.Errorf("status %s, %d of %d failed, reasons %+v; want Failed after %d failed tasks of %d", job.Status,
			aws.ToInt64(p.NumberOfTasksFailed), aws.ToInt64(p.TotalNumberOfTasks), job.FailureReasons, n, n+1)
	}
}

// TestBatchJobStopsWithServer: a job waiting for confirmation does not
// keep the server from closing: Close stops the job's runner and returns.
func TestBatchJobStopsWithServer(t *testing.T) {
	s := startEmulator(t, batchWorldYAML)
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	putObjects(t, s3c, "batch-src", map[string]string{"a.txt": "alpha"})
	in := copyJob("waits", "m.csv", putManifest(t, s3c, "m.csv", []string{"a.txt"}), batchRole)
	in.ConfirmationRequired = aws.Bool(true)
	out, err := ctl.CreateJob(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, s, ctl, aws.ToString(out.JobId), "Suspended")
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("Close did not return while a job waited for confirmation")
	}
	if _, err := s.WaitJob(context.Background(), batchAccount, aws.ToString(out.JobId), "Ready"); err == nil {
		t.Error("WaitJob on a closed server's job returned no error")
	}
}
