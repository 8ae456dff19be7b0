package emulator_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// batchVersionWorldYAML is batchWorldYAML with a role that may read only
// object versions (s3:GetObjectVersion, not s3:GetObject) of the source
// and the manifests, and a jobs user that may version the manifests'
// bucket.
var batchVersionWorldYAML = strings.NewReplacer(
	`{Effect: Allow, Action: s3:GetObject, Resource: ["arn:aws:s3:::batch-src/*", "arn:aws:s3:::batch-manifests/*"]}`,
	`{Effect: Allow, Action: s3:GetObjectVersion, Resource: ["arn:aws:s3:::batch-src/*", "arn:aws:s3:::batch-manifests/*"]}`,
	`"arn:aws:s3:::batch-manifests/*", "arn:aws:s3:::batch-reports/*"]}`,
	`"arn:aws:s3:::batch-manifests", "arn:aws:s3:::batch-manifests/*", "arn:aws:s3:::batch-reports/*"]}`,
).Replace(batchWorldYAML)

// TestBatchCopyVersionedManifest runs a job whose manifest names object
// versions (Fields Bucket,Key,VersionId) and whose manifest object is
// itself named by version (Manifest.Location.ObjectVersionId), with a
// role that may read versions only: each task copies the version its row
// names, byte for byte, not the current one; the report's VersionId
// column is the row's; a row with an empty version ID fails as S3 fails
// it. Without ObjectVersionId the job reads the current manifest, which
// takes s3:GetObject: the role does not have it and the job fails.
func TestBatchCopyVersionedManifest(t *testing.T) {
	if strings.Count(batchVersionWorldYAML, "s3:GetObjectVersion") != 1 || !strings.Contains(batchVersionWorldYAML, `"arn:aws:s3:::batch-manifests", `) {
		t.Fatal("batchVersionWorldYAML no longer rewrites batchWorldYAML")
	}
	s := startEmulator(t, batchVersionWorldYAML)
	ctx := context.Background()
	s3c, ctl := s.s3(t, batchJobs), s.s3control(t, batchJobs)
	for _, b := range []string{"batch-src", "batch-manifests"} {
		if _, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatalf("PutBucketVersioning %s: %v", b, err)
		}
	}
	put := func(bucket, key, body string) (versionID, etag string) {
		t.Helper()
		out, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
		}
		return aws.ToString(out.VersionId), aws.ToString(out.ETag)
	}
	first, _ := put("batch-src", "k.txt", "first version of k")
	put("batch-src", "k.txt", "second version of k")
	other, _ := put("batch-src", "dir/o t.txt", "the only version of o t")
	put("batch-src", "k.txt", "current version of k")

	manifest := "batch-src,k.txt," + first + "\nbatch-src,dir/o%20t.txt," + other + "\nbatch-src,k.txt,\n"
	mv, etag := put("batch-manifests", "versions.csv", manifest)
	// The manifest's current version lists another object: the job
	// must read the version it names.
	_, currentETag := put("batch-manifests", "versions.csv", "batch-src,k.txt,"+first+"\nbatch-src,nothing.txt,"+first+"\n")

	in := copyJob("versions", "versions.csv", etag, batchRole)
	in.Manifest.Spec.Fields = []s3ctypes.JobManifestFieldName{"Bucket", "Key", "VersionId"}
	in.Manifest.Location.ObjectVersionId = aws.String(mv)
	out, err := ctl.CreateJob(ctx, in)
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	id := aws.ToString(out.JobId)
	job := waitJob(t, s, ctl, id, "")
	if job.Status != s3ctypes.JobStatusComplete {
		t.Fatalf("status %s, failures %+v; want Complete", job.Status, job.FailureReasons)
	}
	if got := aws.ToString(job.Manifest.Location.ObjectVersionId); got != mv {
		t.Errorf("DescribeJob Manifest.Location.ObjectVersionId %q; want %q", got, mv)
	}
	p := job.ProgressSummary
	if aws.ToInt64(p.TotalNumberOfTasks) != 3 || aws.ToInt64(p.NumberOfTasksSucceeded) != 2 || aws.ToInt64(p.NumberOfTasksFailed) != 1 {
		t.Errorf("progress %d total, %d succeeded, %d failed; want 3, 2, 1", aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed))
	}

	owner := s.s3(t, batchOwner)
	for key, want := range map[string]string{"k.txt": "first version of k", "dir/o t.txt": "the only version of o t"} {
		o, err := owner.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("batch-dst"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject batch-dst/%s: %v", key, err)
		}
		b, _ := io.ReadAll(o.Body)
		o.Body.Close()
		if string(b) != want {
			t.Errorf("batch-dst/%s = %q; want the named version %q", key, b, want)
		}
	}

	_, rows := readReport(t, s3c, id)
	got := map[string]bool{}
	for _, r := range rows {
		got[strings.Join(r[:6], ",")] = true
	}
	for _, want := range []string{
		"batch-src,k.txt," + first + ",succeeded,200,",
		"batch-src,dir/o%20t.txt," + other + ",succeeded,200,",
		"batch-src,k.txt,,failed,400,InvalidArgument",
	} {
		if !got[want] {
			t.Errorf("the report has no row %q; rows %q", want, rows)
		}
	}

	// The current manifest: GetObject without versionId, s3:GetObject.
	in = copyJob("current", "versions.csv", currentETag, batchRole)
	in.Manifest.Spec.Fields = []s3ctypes.JobManifestFieldName{"Bucket", "Key", "VersionId"}
	out, err = ctl.CreateJob(ctx, in)
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	job = waitJob(t, s, ctl, aws.ToString(out.JobId), "")
	if job.Status != s3ctypes.JobStatusFailed || len(job.FailureReasons) != 1 || aws.ToString(job.FailureReasons[0].FailureCode) != "AccessDenied" ||
		!strings.Contains(aws.ToString(job.FailureReasons[0].FailureReason), "Reading the manifest is forbidden") {
		t.Errorf("a job reading the current manifest without s3:GetObject: %s %+v; want Failed, AccessDenied reading the manifest", job.Status, job.FailureReasons)
	}
}
