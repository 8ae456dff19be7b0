package emulator

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// The completion report of a job (docs/emulator.md "S3 Batch
// Operations", after "Examples: S3 Batch Operations completion
// reports"): under the report prefix, job-ID/results/NAME.csv, one file
// for the succeeded tasks and one for the failed ones, and
// job-ID/manifest.json naming them with their MD5. The files are written
// as the job's role, with SSE-S3: "Completion reports are always
// encrypted with Amazon S3 managed keys (SSE-S3)".

// reportSchema is the manifest.json ReportSchema, as AWS writes it.
const reportSchema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"

type reportResultXML struct {
	TaskExecutionStatus string
	Bucket              string
	MD5Checksum         string
	Key                 string
}

type reportManifest struct {
	Format             string
	ReportCreationDate string
	Results            []reportResultXML
	ReportSchema       string
}

// reportCSV is the results file of the tasks that succeeded or failed.
// Each row is Bucket, Key, VersionId, TaskStatus, then the HTTP status
// code, the error code and the result message, the order of AWS's
// example reports (docs/decisions.md).
func reportCSV(results []taskResult, succeeded bool) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range results {
		if r.succeeded != succeeded {
			continue
		}
		status := "failed"
		if r.succeeded {
			status = "succeeded"
		}
		w.Write([]string{r.task.rawBucket, r.task.rawKey, r.task.versionID, status, strconv.Itoa(r.httpStatus), r.errorCode, r.message})
	}
	w.Flush()
	return b.Bytes()
}

// reportPrefix is where a job's report goes in the report bucket.
func reportPrefix(job *batchJob) string {
	p := strings.TrimSuffix(job.req.Report.Prefix, "/")
	if p != "" {
		p += "/"
	}
	return p + "job-" + job.id + "/"
}

// writeReport writes the report files as the role. A write S3 refuses
// returns its answer (the job then fails), an internal problem an error.
func (s *Server) writeReport(ctx context.Context, ss *serviceSession, job *batchJob, results []taskResult) (*serviceResponse, error) {
	bucket, _ := arn.S3Bucket(job.req.Report.Bucket)
	prefix := reportPrefix(job)
	man := reportManifest{Format: "Report_CSV_20180820", ReportCreationDate: xmlTime(s.now()), ReportSchema: reportSchema}
	put := s3ops.BatchStepOf(s3ops.BatchReport).Operation
	h := http.Header{"X-Amz-Server-Side-Encryption": {"AES256"}}
	for _, succeeded := range []bool{true, false} {
		if succeeded && job.req.Report.ReportScope == "FailedTasksOnly" {
			continue
		}
		body := reportCSV(results, succeeded)
		if len(body) == 0 {
			continue
		}
		status := "failed"
		if succeeded {
			status = "succeeded"
		}
		name := sha1.Sum([]byte(job.id + "/" + status))
		key := prefix + "results/" + hex.EncodeToString(name[:]) + ".csv"
		h.Set("Content-Type", "text/csv")
		resp, err := ss.call(ctx, put, bucket, key, nil, h, body)
		if err != nil {
			return nil, fmt.Errorf("completion report %s: %w", key, err)
		}
		if resp.Status != http.StatusOK {
			return resp, nil
		}
		sum := md5.Sum(body)
		man.Results = append(man.Results, reportResultXML{TaskExecutionStatus: status, Bucket: bucket, MD5Checksum: hex.EncodeToString(sum[:]), Key: key})
	}
	b, err := json.Marshal(man)
	if err != nil {
		return nil, fmt.Errorf("completion report manifest: %w", err)
	}
	h.Set("Content-Type", "application/json")
	resp, err := ss.call(ctx, put, bucket, prefix+"manifest.json", nil, h, b)
	if err != nil {
		return nil, fmt.Errorf("completion report manifest: %w", err)
	}
	if resp.Status != http.StatusOK {
		return resp, nil
	}
	return nil, nil
}
