package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/s3ops"
)

// walkCreateJob is a valid CreateJob document on the walk world.
const walkCreateJob = `<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">
<ConfirmationRequired>true</ConfirmationRequired>
<Operation><S3PutObjectCopy><TargetResource>arn:aws:s3:::walk</TargetResource></S3PutObjectCopy></Operation>
<Report><Enabled>false</Enabled></Report>
<ClientRequestToken>walk</ClientRequestToken>
<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>
<Location><ObjectArn>arn:aws:s3:::walk/a.txt</ObjectArn><ETag>5d41402abc4b2a76b9719d911017c592</ETag></Location></Manifest>
<Priority>10</Priority>
<RoleArn>arn:aws:iam::111111111111:role/Target</RoleArn>
</CreateJobRequest>`

// s3ControlWalkRequest is a request of an S3 Control row on the walk
// world's account.
func s3ControlWalkRequest(op *s3ops.Operation) walkRequest {
	r := walkRequest{service: "s3", query: url.Values{}, header: http.Header{"X-Amz-Account-Id": {"111111111111"}}}
	const job = "/v20180820/jobs/00000000-0000-4000-8000-000000000000"
	switch op.Name {
	case "CreateJob":
		r.method, r.path, r.body = http.MethodPost, "/v20180820/jobs", walkCreateJob
	case "ListJobs":
		r.method, r.path = http.MethodGet, "/v20180820/jobs"
	case "DescribeJob":
		r.method, r.path = http.MethodGet, job
	case "UpdateJobStatus":
		r.method, r.path = http.MethodPost, job+"/status"
		r.query.Set("requestedJobStatus", "Cancelled")
	case "UpdateJobPriority":
		r.method, r.path = http.MethodPost, job+"/priority"
		r.query.Set("priority", "1")
	}
	return r
}

// TestS3ControlRoutes: every S3 Control row of the catalogue has a
// handler and is routed from its HTTP column; other paths are not.
func TestS3ControlRoutes(t *testing.T) {
	for _, op := range s3ops.Operations() {
		if op.Service != "s3control" {
			continue
		}
		if s3ControlHandlerOf(op.Name) == nil {
			t.Errorf("the S3 Control row %s has no handler", op.Name)
		}
		r := s3ControlWalkRequest(op)
		got, id, ok := s3ControlRoute(r.method, r.path)
		if !ok || got != op.Name {
			t.Errorf("%s %s routes to %q; want %s", r.method, r.path, got, op.Name)
		}
		if strings.Contains(op.HTTP, "{id}") != (id != "") {
			t.Errorf("%s %s: job ID %q", r.method, r.path, id)
		}
	}
	for _, path := range []string{"/v20180820/jobs/", "/v20180820/jobs/x/y", "/v20180820/accesspoint/x", "/v20180820/jobs/x/tagging"} {
		if op, _, ok := s3ControlRoute(http.MethodGet, path); ok {
			t.Errorf("GET %s routes to %s", path, op)
		}
	}
}
