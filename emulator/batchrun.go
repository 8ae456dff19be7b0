package emulator

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// Running an S3PutObjectCopy job as S3 Batch Operations does
// (docs/emulator.md "S3 Batch Operations"): New, Preparing (the role
// assumed by the service principal, the manifest read as the role and its
// ETag checked), Suspended until confirmed when ConfirmationRequired,
// Ready, Active (one CopyObject per task, as the role's session), then
// the completion report and Complete; Failed when the role, the manifest
// or the report cannot be used or the task failure threshold is passed;
// Cancelled on request. Every call goes through serviceSession: the
// server's own handler, authorized by enforce and audited.

// jobFailureMinTasks: once a job has run this many tasks, it fails as
// soon as more than half of the tasks run have failed (docs/emulator.md
// "S3 Batch Operations", the task-failure threshold).
const jobFailureMinTasks = 1000

// batchTask is one row of the manifest.
type batchTask struct {
	// bucket, key and versionID as the manifest wrote them (the key
	// URL-encoded), for the report; versioned when the manifest has the
	// VersionId field.
	rawBucket, rawKey, versionID string
	bucket, key                  string
	versioned                    bool
}

// taskResult is the outcome of one task, a row of the completion report.
type taskResult struct {
	task       batchTask
	succeeded  bool
	httpStatus int
	errorCode  string
	message    string
}

// runJob runs a job to its end; it returns when the job is terminal or
// the server stops.
func (s *Server) runJob(job *batchJob) {
	j := s.jobs
	defer j.wg.Done()
	ctx := j.ctx
	j.mu.Lock()
	j.setStatus(job, jobPreparing, s.now())
	j.mu.Unlock()

	ss, err := s.assumeRoleAsService(job.req.RoleArn, s3ops.BatchOperationsPrincipal, "s3-batch-operations-"+job.id[:8])
	if err != nil {
		s.failJob(job, "AccessDenied", fmt.Sprintf("Unable to assume role %s: the role's trust policy must allow %s sts:AssumeRole", job.req.RoleArn, s3ops.BatchOperationsPrincipal))
		return
	}
	tasks, code, reason := s.readManifest(ctx, ss, job)
	if code != "" {
		s.failJob(job, code, reason)
		return
	}
	j.mu.Lock()
	job.total = int64(len(tasks))
	if job.req.ConfirmationRequired != nil && *job.req.ConfirmationRequired && !job.cancel {
		j.setStatus(job, jobSuspended, s.now())
		for job.status == jobSuspended && ctx.Err() == nil {
			j.changed.Wait()
		}
	}
	if ctx.Err() != nil {
		j.mu.Unlock()
		return
	}
	if job.cancel {
		j.setStatus(job, jobCancelled, s.now())
		j.mu.Unlock()
		return
	}
	j.setStatus(job, jobReady, s.now())
	j.setStatus(job, jobActive, s.now())
	j.mu.Unlock()

	results := make([]taskResult, 0, len(tasks))
	final := jobComplete
	for i, t := range tasks {
		if j.taskGate != nil {
			j.taskGate(job.id, i)
		}
		if ctx.Err() != nil {
			return
		}
		j.mu.Lock()
		cancel := job.cancel
		j.mu.Unlock()
		if cancel {
			final = jobCancelled
			break
		}
		res := s.copyTask(ctx, ss, job, t)
		if ctx.Err() != nil {
			return
		}
		results = append(results, res)
		j.mu.Lock()
		if res.succeeded {
			job.succeeded++
		} else {
			job.failed++
		}
		run := job.succeeded + job.failed
		over := run >= jobFailureMinTasks && job.failed*2 > run
		j.mu.Unlock()
		if over {
			final = jobFailed
			break
		}
	}
	s.finishJob(ctx, ss, job, results, final)
}

// failJob ends a job that could not run with one failure reason; a job
// cancelled meanwhile stays Cancelled.
func (s *Server) failJob(job *batchJob, code, reason string) {
	j := s.jobs
	j.mu.Lock()
	defer j.mu.Unlock()
	if job.status == jobCancelled {
		return
	}
	job.failures = append(job.failures, jobFailureXML{FailureCode: code, FailureReason: reason})
	j.setStatus(job, jobFailed, s.now())
}

// finishJob writes the completion report and moves the job to its final
// status through the transitional one (Completing, Failing, Cancelling).
func (s *Server) finishJob(ctx context.Context, ss *serviceSession, job *batchJob, results []taskResult, final string) {
	j := s.jobs
	transitional := map[string]string{jobComplete: jobCompleting, jobFailed: jobFailing, jobCancelled: jobCancelling}[final]
	j.mu.Lock()
	if final == jobFailed {
		job.failures = append(job.failures, jobFailureXML{FailureCode: "TaskFailureThresholdExceeded",
			FailureReason: fmt.Sprintf("More than half of the %d tasks run failed", job.succeeded+job.failed)})
	}
	if job.status != transitional {
		j.setStatus(job, transitional, s.now())
	}
	j.mu.Unlock()
	var reportErr *serviceResponse
	if job.req.Report.Enabled && len(results) > 0 {
		var err error
		if reportErr, err = s.writeReport(ctx, ss, job, results); err != nil {
			if ctx.Err() != nil {
				return
			}
			fmt.Fprintf(s.errorLog(), "lockstep serve: job %s: %v\n", job.id, err)
			reportErr = &serviceResponse{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if reportErr != nil {
		job.failures = append(job.failures, jobFailureXML{FailureCode: reportErr.Code,
			FailureReason: "Writing the completion report failed: " + reportErr.Code + ": " + reportErr.Message})
		final = jobFailed
	}
	j.setStatus(job, final, s.now())
}

// readManifest reads the manifest as the role and parses it; code and
// reason say why the job fails when it cannot.
func (s *Server) readManifest(ctx context.Context, ss *serviceSession, job *batchJob) (tasks []batchTask, code, reason string) {
	loc := job.req.Manifest.Location
	bucket, key, _ := arn.S3Object(loc.ObjectArn)
	// The job may name the manifest object's version
	// (Manifest.Location.ObjectVersionId): that version is read, which
	// takes s3:GetObjectVersion as any GetObject with a versionId.
	var query url.Values
	if loc.ObjectVersionId != "" {
		query = url.Values{"versionId": {loc.ObjectVersionId}}
	}
	resp, err := ss.call(ctx, s3ops.BatchStepOf(s3ops.BatchManifest).Operation, bucket, key, query, nil, nil)
	if err != nil {
		return nil, "InternalError", err.Error()
	}
	if resp.Status != http.StatusOK {
		code := resp.Code
		if code == "" {
			code = http.StatusText(resp.Status)
		}
		return nil, code, "Reading the manifest is forbidden: " + code + ": " + resp.Message
	}
	if sse := resp.Header.Get("X-Amz-Server-Side-Encryption"); strings.HasPrefix(sse, "aws:kms") {
		// "S3 Batch Operations does not support CSV manifest files that
		// are AWS KMS-encrypted" (docs/emulator.md "S3 Batch
		// Operations"; the code is docs/decisions.md "Batch
		// Operations: failure codes").
		return nil, "InvalidManifest", fmt.Sprintf("The manifest is encrypted with %s: S3 Batch Operations does not support CSV manifest files that are AWS KMS-encrypted; write it with SSE-S3 (x-amz-server-side-encryption: AES256)", sse)
	}
	if etag := strings.Trim(resp.Header.Get("ETag"), `"`); etag != strings.Trim(loc.ETag, `"`) {
		return nil, "ManifestETagMismatch", fmt.Sprintf("The manifest's ETag is %q, not the job's %q", etag, loc.ETag)
	}
	withVersion := len(job.req.Manifest.Spec.Fields) == 3
	rd := csv.NewReader(strings.NewReader(string(resp.Body)))
	rd.FieldsPerRecord = -1
	for line := 1; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "InvalidManifest", fmt.Sprintf("Reading the manifest failed: %v", err)
		}
		if len(rec) != len(job.req.Manifest.Spec.Fields) {
			return nil, "InvalidManifest", fmt.Sprintf("Line %d of the manifest has %d fields; the job names %d (%s)", line, len(rec), len(job.req.Manifest.Spec.Fields), strings.Join(job.req.Manifest.Spec.Fields, ", "))
		}
		t := batchTask{rawBucket: rec[0], rawKey: rec[1], bucket: rec[0]}
		if withVersion {
			t.versionID, t.versioned = rec[2], true
		}
		// The manifest's keys are URL-encoded ("Object keys must be
		// URL-encoded"): percent-escapes, a '+' being a plus sign, as
		// S3's own URL-encoded keys (docs/emulator.md "S3 Batch
		// Operations").
		if t.key, err = url.PathUnescape(rec[1]); err != nil || t.key == "" {
			return nil, "InvalidManifest", fmt.Sprintf("Line %d of the manifest: the key %q is not URL-encoded", line, rec[1])
		}
		tasks = append(tasks, t)
	}
	if len(tasks) == 0 {
		return nil, "InvalidManifest", "The manifest lists no object"
	}
	return tasks, "", ""
}

// copyTask copies one object as the role: CopyObject into the target
// bucket with the job's S3PutObjectCopy fields as its headers.
func (s *Server) copyTask(ctx context.Context, ss *serviceSession, job *batchJob, t batchTask) taskResult {
	cp := job.copy
	target, _ := arn.S3Bucket(cp.TargetResource)
	h := http.Header{}
	src := (&url.URL{Path: t.bucket + "/" + t.key}).EscapedPath()
	if t.versioned {
		// The manifest names the version: the task copies it, and
		// S3 refuses an empty one (docs/emulator.md "S3 Batch
		// Operations", versioned manifests).
		src += "?versionId=" + url.QueryEscape(t.versionID)
	}
	h.Set("X-Amz-Copy-Source", src)
	if cp.StorageClass != "" {
		h.Set("X-Amz-Storage-Class", cp.StorageClass)
	}
	if cp.MetadataDirective != "" {
		h.Set("X-Amz-Metadata-Directive", cp.MetadataDirective)
	}
	if m := cp.NewObjectMetadata; m != nil {
		for name, v := range map[string]string{"Cache-Control": m.CacheControl, "Content-Disposition": m.ContentDisposition,
			"Content-Encoding": m.ContentEncoding, "Content-Language": m.ContentLanguage, "Content-Type": m.ContentType} {
			if v != "" {
				h.Set(name, v)
			}
		}
		for _, e := range m.UserMetadata {
			h.Set("X-Amz-Meta-"+e.Key, e.Value)
		}
	}
	if t := cp.NewObjectTagging; t != nil {
		// The copy's tags replace the source's ("Specifies a list of
		// tags to add to the destination objects after they are
		// copied. If NewObjectTagging is not specified, the tags of the
		// source objects are copied"): the tagging directive REPLACE,
		// and the tags in x-amz-tagging, which needs
		// s3:PutObjectTagging.
		h.Set("X-Amz-Tagging-Directive", "REPLACE")
		if len(t.Tags) > 0 {
			h.Set("X-Amz-Tagging", encodeJobTags(t.Tags))
		}
	}
	if cp.SSEAwsKmsKeyId != "" {
		h.Set("X-Amz-Server-Side-Encryption", "aws:kms")
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", cp.SSEAwsKmsKeyId)
	}
	res := taskResult{task: t}
	resp, err := ss.call(ctx, s3ops.BatchStepOf(s3ops.BatchTask).Operation, target, batchTargetKey(cp.TargetKeyPrefix, t.key), nil, h, nil)
	if err != nil {
		res.httpStatus, res.errorCode, res.message = http.StatusInternalServerError, "InternalError", err.Error()
		return res
	}
	res.httpStatus = resp.Status
	if resp.Status == http.StatusOK && resp.Code == "" {
		res.succeeded, res.message = true, "Successful"
		return res
	}
	if resp.Status == http.StatusOK {
		// An error inside a 200 answer is S3's 500-class failure of a copy.
		res.httpStatus = http.StatusInternalServerError
	}
	res.errorCode, res.message = resp.Code, resp.Message
	return res
}

// encodeJobTags is x-amz-tagging for tags: URL query parameters, in the
// job's order.
func encodeJobTags(tags []jobTagXML) string {
	parts := make([]string, len(tags))
	for i, t := range tags {
		parts[i] = url.QueryEscape(t.Key) + "=" + url.QueryEscape(t.Value)
	}
	return strings.Join(parts, "&")
}

// call makes the catalogue operation op on bucket/key as the session,
// with the method its route names; query may be nil.
func (ss *serviceSession) call(ctx context.Context, op, bucket, key string, query url.Values, h http.Header, body []byte) (*serviceResponse, error) {
	row, ok := s3ops.Lookup("s3", op)
	if !ok {
		return nil, fmt.Errorf("no S3 operation %s in the catalogue", op)
	}
	rt, ok := s3ops.RouteOf(row)
	if !ok {
		return nil, fmt.Errorf("the S3 operation %s has no route", op)
	}
	return ss.do(ctx, rt.Method, "/"+bucket+"/"+key, query, h, body)
}

// batchTargetKey is the key a task copies to: the source key, under the
// folder TargetKeyPrefix names ("to copy objects into a folder named
// Folder1 in the destination bucket, set the TargetKeyPrefix property to
// Folder1": Folder1/KEY; docs/decisions.md "Batch Operations:
// TargetKeyPrefix").
func batchTargetKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return strings.TrimSuffix(prefix, "/") + "/" + key
}
