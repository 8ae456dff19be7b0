package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/plan"
)

// TestAWSCLIBatchOperations runs the S3 Batch Operations copy job of
// examples/batch-copy.yaml with the AWS CLI v2's s3control commands, as
// the world's operator, the role given the policies lockstep plans:
// create-job, describe-job until Complete, list-jobs, and update-job-status
// refused on a finished job. The CLI addresses the account's own host
// (111111111111.127.0.0.1:PORT), which no resolver knows: HTTP_PROXY
// sends its requests to the emulator, which serves that host
// (docs/emulator.md "S3 Batch Operations").
func TestAWSCLIBatchOperations(t *testing.T) {
	cli := awsV2(t)
	m, w, err := examples.World("batch-copy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	job := plan.BatchCopyJob{Role: "arn:aws:iam::111111111111:role/BatchCopy", Manifest: plan.Location{Bucket: "batch-manifests", Key: "copy.csv"},
		Sources: []plan.Location{{Bucket: "batch-src"}}, Dest: plan.Location{Bucket: "batch-dst"}, Report: plan.Location{Bucket: "batch-reports", Key: "reports"}}
	p, err := plan.BatchCopy(job, plan.ContextFromWorld(w, job.Role))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(m); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, m)
	e := append(env(t, creds{key: "AKIABATCHOPERATOR001", secret: "operator-secret"}, "us-east-1"),
		"HTTP_PROXY="+srv.Endpoint(), "http_proxy="+srv.Endpoint(), "NO_PROXY=", "no_proxy=")
	aws := func(args ...string) result {
		t.Helper()
		return run(t, e, t.TempDir(), cli.path, append([]string{"--endpoint-url", srv.Endpoint(), "--output", "json"}, args...)...)
	}
	head := aws("s3api", "head-object", "--bucket", "batch-manifests", "--key", "copy.csv")
	var obj struct{ ETag string }
	if head.err != nil || json.Unmarshal([]byte(head.stdout), &obj) != nil {
		t.Fatalf("head-object: %s", head)
	}
	manifest, _ := json.Marshal(map[string]any{
		"Spec":     map[string]any{"Format": "S3BatchOperations_CSV_20180820", "Fields": []string{"Bucket", "Key"}},
		"Location": map[string]string{"ObjectArn": "arn:aws:s3:::batch-manifests/copy.csv", "ETag": obj.ETag},
	})
	created := aws("s3control", "create-job", "--account-id", "111111111111", "--no-confirmation-required",
		"--operation", `{"S3PutObjectCopy":{"TargetResource":"arn:aws:s3:::batch-dst"}}`,
		"--manifest", string(manifest),
		"--report", `{"Bucket":"arn:aws:s3:::batch-reports","Prefix":"reports","Format":"Report_CSV_20180820","Enabled":true,"ReportScope":"AllTasks"}`,
		"--priority", "10", "--role-arn", job.Role, "--client-request-token", "cli-1")
	out := struct{ JobId string }{waitCLIJob(t, srv, created)}
	described := aws("s3control", "describe-job", "--account-id", "111111111111", "--job-id", out.JobId)
	var d struct {
		Job struct {
			Status          string
			ProgressSummary struct{ TotalNumberOfTasks, NumberOfTasksSucceeded int }
		}
	}
	if described.err != nil || json.Unmarshal([]byte(described.stdout), &d) != nil {
		t.Fatalf("describe-job: %s", described)
	}
	if d.Job.Status != "Complete" || d.Job.ProgressSummary.TotalNumberOfTasks != 2 || d.Job.ProgressSummary.NumberOfTasksSucceeded != 2 {
		t.Errorf("describe-job: %s", described.stdout)
	}
	listed := aws("s3control", "list-jobs", "--account-id", "111111111111", "--job-statuses", "Complete")
	if listed.err != nil || !strings.Contains(listed.stdout, out.JobId) {
		t.Errorf("list-jobs: %s", listed)
	}
	report := aws("s3api", "head-object", "--bucket", "batch-reports", "--key", "reports/job-"+out.JobId+"/manifest.json")
	if report.err != nil {
		t.Errorf("the completion report's manifest.json: %s", report)
	}
	refused := aws("s3control", "update-job-status", "--account-id", "111111111111", "--job-id", out.JobId, "--requested-job-status", "Cancelled")
	if refused.err == nil || !strings.Contains(refused.stderr, "JobStatusException") {
		t.Errorf("update-job-status on a Complete job: %s", refused)
	}
}

// waitCLIJob reads the job ID aws s3control create-job printed and waits
// until the emulator has run the job of account 111111111111.
func waitCLIJob(t *testing.T, srv *emulator.Server, created result) string {
	t.Helper()
	var out struct{ JobId string }
	if created.err != nil || json.Unmarshal([]byte(created.stdout), &out) != nil || out.JobId == "" {
		t.Fatalf("create-job: %s", created)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := srv.WaitJob(ctx, "111111111111", out.JobId, ""); err != nil {
		t.Fatal(err)
	}
	return out.JobId
}
