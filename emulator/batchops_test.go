package emulator_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"

	"github.com/lockstep-dev/lockstep/emulator"
)

// batchWorldYAML: S3 Batch Operations copying across accounts into a
// bucket encrypted with a customer managed key.
//
// Account 111111111111 holds the source bucket batch-src, the manifests
// (batch-manifests) and the reports (batch-reports). jobs may create and
// manage jobs and pass BatchCopy and Untrusted; nopass may create jobs
// but pass no role. BatchCopy trusts batchoperations.s3.amazonaws.com and
// may read the source and the manifests, write the destination and the
// reports, and use key 2222 of account 222222222222; Untrusted trusts
// ec2.amazonaws.com only.
//
// Account 222222222222 (whose user owner reads its bucket) owns batch-dst, encrypted by default with its key
// 2222; its bucket policy lets BatchCopy write but denies the prefix
// denied/, and the key policy lets BatchCopy generate data keys.
const batchWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: jobs
        access_keys: [{id: AKIABATCHJOBS0000001, secret: jobs-secret}]
        policies:
          jobs:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: ["s3:CreateJob", "s3:DescribeJob", "s3:ListJobs", "s3:UpdateJobStatus", "s3:UpdateJobPriority"], Resource: "*"}
              - {Effect: Allow, Action: iam:PassRole, Resource: ["arn:aws:iam::111111111111:role/BatchCopy", "arn:aws:iam::111111111111:role/Untrusted"]}
              - {Effect: Allow, Action: "s3:*", Resource: ["arn:aws:s3:::batch-src", "arn:aws:s3:::batch-src/*", "arn:aws:s3:::batch-manifests/*", "arn:aws:s3:::batch-reports/*"]}
      - name: nopass
        access_keys: [{id: AKIABATCHNOPASS00001, secret: nopass-secret}]
        policies:
          jobs: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:CreateJob", Resource: "*"}]}
    roles:
      - name: BatchCopy
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {Service: batchoperations.s3.amazonaws.com}, Action: sts:AssumeRole}]
        policies:
          copy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: ["arn:aws:s3:::batch-src/*", "arn:aws:s3:::batch-manifests/*"]}
              - {Effect: Allow, Action: s3:PutObject, Resource: ["arn:aws:s3:::batch-dst/*", "arn:aws:s3:::batch-reports/*"]}
              - {Effect: Allow, Action: kms:GenerateDataKey, Resource: "arn:aws:kms:us-east-1:222222222222:key/22222222-2222-4222-8222-222222222222"}
      - name: Untrusted
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
    buckets:
      - name: batch-src
      - name: batch-manifests
      - name: batch-reports
  - id: "222222222222"
    users:
      - name: owner
        access_keys: [{id: AKIABATCHOWNER000001, secret: owner-secret}]
        policies:
          read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"], Resource: "*"}]}
    buckets:
      - name: batch-dst
        encryption:
          kms_key: "arn:aws:kms:us-east-1:222222222222:key/22222222-2222-4222-8222-222222222222"
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: BatchWrites, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/BatchCopy"}, Action: s3:PutObject, Resource: "arn:aws:s3:::batch-dst/*"}
            - {Sid: NoDenied, Effect: Deny, Principal: "*", Action: s3:PutObject, Resource: "arn:aws:s3:::batch-dst/denied/*"}
    keys:
      - id: 22222222-2222-4222-8222-222222222222
        policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: "kms:*", Resource: "*"}
            - {Sid: BatchCopy, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/BatchCopy"}, Action: kms:GenerateDataKey, Resource: "*"}
`

const (
	batchAccount = "111111111111"
	batchRole    = "arn:aws:iam::111111111111:role/BatchCopy"
)

var (
	batchJobs   = aws.Credentials{AccessKeyID: "AKIABATCHJOBS0000001", SecretAccessKey: "jobs-secret"}
	batchNoPass = aws.Credentials{AccessKeyID: "AKIABATCHNOPASS00001", SecretAccessKey: "nopass-secret"}
	batchOwner  = aws.Credentials{AccessKeyID: "AKIABATCHOWNER000001", SecretAccessKey: "owner-secret"}
)

// s3control is an S3 Control client for the emulator. The SDK addresses
// the account's own host ({AccountId}.127.0.0.1:PORT), which no resolver
// knows: the client dials the emulator whatever the host, and the
// emulator reads the host as the SDK sent it.
func (s *svcServer) s3control(t *testing.T, creds aws.Credentials) *s3control.Client {
	t.Helper()
	addr := strings.TrimPrefix(s.Endpoint(), "http://")
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: dial}}
	return s3control.NewFromConfig(s.cfg(t, creds), func(o *s3control.Options) { o.HTTPClient = hc })
}

// putObjects writes objects as jobs: key -> body.
func putObjects(t *testing.T, cl *s3.Client, bucket string, objects map[string]string) {
	t.Helper()
	for k, v := range objects {
		if _, err := cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(v)}); err != nil {
			t.Fatalf("PutObject %s/%s: %v", bucket, k, err)
		}
	}
}

// putManifest writes a CSV manifest of keys of batch-src and returns its
// ETag.
func putManifest(t *testing.T, cl *s3.Client, key string, keys []string) string {
	t.Helper()
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "batch-src,%s\n", k)
	}
	out, err := cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("batch-manifests"), Key: aws.String(key), Body: strings.NewReader(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ETag)
}

// copyJob is a CreateJob input of an S3PutObjectCopy job into batch-dst
// with a report of all tasks under reports/.
func copyJob(token, manifestKey, etag, role string) *s3control.CreateJobInput {
	return &s3control.CreateJobInput{
		AccountId:          aws.String(batchAccount),
		ClientRequestToken: aws.String(token),
		Priority:           aws.Int32(10),
		RoleArn:            aws.String(role),
		Operation:          &s3ctypes.JobOperation{S3PutObjectCopy: &s3ctypes.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::batch-dst")}},
		Manifest: &s3ctypes.JobManifest{
			Spec:     &s3ctypes.JobManifestSpec{Format: s3ctypes.JobManifestFormatS3BatchOperationsCsv20180820, Fields: []s3ctypes.JobManifestFieldName{"Bucket", "Key"}},
			Location: &s3ctypes.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::batch-manifests/" + manifestKey), ETag: aws.String(etag)},
		},
		Report: &s3ctypes.JobReport{Enabled: true, Bucket: aws.String("arn:aws:s3:::batch-reports"), Prefix: aws.String("reports"),
			Format: s3ctypes.JobReportFormatReportCsv20180820, ReportScope: s3ctypes.JobReportScopeAllTasks},
	}
}

// waitJob waits until the job is terminal (or in status) and describes it.
func waitJob(t *testing.T, s *svcServer, cl *s3control.Client, id, status string) *s3ctypes.JobDescriptor {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := s.WaitJob(ctx, batchAccount, id, status); err != nil {
		t.Fatalf("job %s: %v", id, err)
	}
	out, err := cl.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(batchAccount), JobId: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeJob: %v", err)
	}
	return out.Job
}

// readReport reads a job's report manifest and its results rows.
func readReport(t *testing.T, cl *s3.Client, id string) (manifest map[string]any, rows [][]string) {
	t.Helper()
	get := func(key string) []byte {
		out, err := cl.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("batch-reports"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %s: %v", key, err)
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if err := json.Unmarshal(get("reports/job-"+id+"/manifest.json"), &manifest); err != nil {
		t.Fatal(err)
	}
	results, _ := manifest["Results"].([]any)
	for _, r := range results {
		key := r.(map[string]any)["Key"].(string)
		if !strings.HasPrefix(key, "reports/job-"+id+"/results/") || !strings.HasSuffix(key, ".csv") {
			t.Errorf("results file %s is not under reports/job-%s/results/", key, id)
		}
		recs, err := csv.NewReader(bytes.NewReader(get(key))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, recs...)
	}
	return manifest, rows
}

// TestBatchCopyJob runs an S3PutObjectCopy job across accounts into a
// bucket with a CMK: the copies are byte-exact and encrypted with the
// destination's key, a task the bucket policy denies fails with S3's
// AccessDenied in the report, the progress counts both, and every call
// the job made is in the audit log as the role's session invoked by
// batchoperations.s3.amazonaws.com.
func TestBatchCopyJob(t *testing.T) {
	audit := &lockedBuffer{}
	s := startEmulator(t, batchWorldYAML, withAudit(audit))
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	objects := map[string]string{"a.txt": "alpha", "dir/b.txt": "bravo", "denied/c.txt": "charlie", "sp ace+plus.txt": "delta"}
	putObjects(t, s3c, "batch-src", objects)
	etag := putManifest(t, s3c, "m.csv", []string{"a.txt", "dir/b.txt", "denied/c.txt", "sp%20ace%2Bplus.txt"})

	out, err := ctl.CreateJob(context.Background(), copyJob("t1", "m.csv", etag, batchRole))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	id := aws.ToString(out.JobId)
	job := waitJob(t, s, ctl, id, "")
	if job.Status != s3ctypes.JobStatusComplete {
		t.Fatalf("status %s, failures %+v; want Complete", job.Status, job.FailureReasons)
	}
	p := job.ProgressSummary
	if aws.ToInt64(p.TotalNumberOfTasks) != 4 || aws.ToInt64(p.NumberOfTasksSucceeded) != 3 || aws.ToInt64(p.NumberOfTasksFailed) != 1 {
		t.Errorf("progress %d total, %d succeeded, %d failed; want 4, 3, 1", aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed))
	}
	if aws.ToString(job.JobArn) != "arn:aws:s3:us-east-1:111111111111:job/"+id || aws.ToString(job.RoleArn) != batchRole {
		t.Errorf("JobArn %s RoleArn %s", aws.ToString(job.JobArn), aws.ToString(job.RoleArn))
	}

	// The copies, read by the destination's owner through the key.
	admin := s.s3(t, batchOwner)
	for k, v := range objects {
		o, err := admin.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("batch-dst"), Key: aws.String(k)})
		if k == "denied/c.txt" {
			if err == nil {
				t.Errorf("%s was copied despite the bucket policy's Deny", k)
			}
			continue
		}
		if err != nil {
			t.Fatalf("GetObject batch-dst/%s: %v", k, err)
		}
		b, _ := io.ReadAll(o.Body)
		o.Body.Close()
		if string(b) != v || aws.ToString(o.SSEKMSKeyId) != "arn:aws:kms:us-east-1:222222222222:key/22222222-2222-4222-8222-222222222222" {
			t.Errorf("batch-dst/%s = %q under %s; want %q under key 2222", k, b, aws.ToString(o.SSEKMSKeyId), v)
		}
	}

	manifest, rows := readReport(t, s3c, id)
	if manifest["Format"] != "Report_CSV_20180820" || manifest["ReportSchema"] != "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage" {
		t.Errorf("report manifest %v", manifest)
	}
	got := map[string]string{}
	for _, r := range rows {
		if len(r) != 7 {
			t.Fatalf("report row %q has %d fields; want 7", r, len(r))
		}
		got[r[1]] = strings.Join(r[3:6], ",")
	}
	want := map[string]string{"a.txt": "succeeded,200,", "dir/b.txt": "succeeded,200,", "sp%20ace%2Bplus.txt": "succeeded,200,", "denied/c.txt": "failed,403,AccessDenied"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("report row of %s: %q; want %q", k, got[k], w)
		}
	}

	if err := s.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var copies, denied, assumed int
	for _, line := range strings.Split(strings.TrimSpace(audit.String()), "\n") {
		var rec emulator.Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		switch {
		case rec.EventName == "AssumeRole" && rec.UserIdentity.InvokedBy == "batchoperations.s3.amazonaws.com":
			assumed++
			if rec.UserIdentity.Type != "AWSService" || rec.ErrorCode != "" {
				t.Errorf("AssumeRole record %+v", rec)
			}
		case rec.EventName == "CopyObject":
			copies++
			ui := rec.UserIdentity
			if ui.Type != "AssumedRole" || ui.InvokedBy != "batchoperations.s3.amazonaws.com" || rec.SourceIPAddress != "batchoperations.s3.amazonaws.com" ||
				ui.SessionContext == nil || ui.SessionContext.SessionIssuer.ARN != batchRole {
				t.Errorf("CopyObject record identity %+v from %s", ui, rec.SourceIPAddress)
			}
			if rec.ErrorCode == "AccessDenied" {
				denied++
				if rec.AdditionalEventData == nil || !strings.Contains(line, "NoDenied") {
					t.Errorf("the denied copy's record does not name the bucket policy's NoDenied statement: %s", line)
				}
			}
		}
	}
	if assumed != 1 || copies != 4 || denied != 1 {
		t.Errorf("audit: %d AssumeRole, %d CopyObject (%d denied); want 1, 4 (1)", assumed, copies, denied)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
