package prove

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/world"
)

// adminUser is the user the proof adds to each account of the world to
// write the test objects and the manifest, create the job and read the
// copies and the report: none of its calls is the job's.
const adminUser = "lockstep-prover-admin"

// addAdmins adds adminUser, allowed everything, to each account of m and
// returns the credentials of each account's.
func addAdmins(m *world.Model) map[string]aws.Credentials {
	out := map[string]aws.Credentials{}
	all := world.DocFromJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
	for i := range m.Accounts {
		a := &m.Accounts[i]
		id := "AKIA" + a.ID + "ADMN"
		u := world.UserModel{Name: adminUser, AccessKeys: []world.AccessKeyModel{{ID: id, Secret: "lockstep-proof-secret"}}}
		u.Policies.Set("everything", all)
		a.Users = append(a.Users, u)
		out[a.ID] = aws.Credentials{AccessKeyID: id, SecretAccessKey: "lockstep-proof-secret"}
	}
	return out
}

// batchRun is one run of the job on an emulator.
type batchRun struct {
	p      *plan.Plan
	srv    *emulator.Server
	admins map[string]aws.Credentials
	region string
	log    strings.Builder
	// objects are the test objects: source bucket/key -> data; tagged
	// are the keys written with a tag; versions, with a versioned
	// manifest, the version of each the manifest names (an older one:
	// the current version holds other bytes).
	objects  map[[2]string][]byte
	tagged   map[[2]string]bool
	versions map[[2]string]string
}

// proofTag is the tag of the tagged test objects, which the copies keep.
const proofTag = "lockstep-proof=batch"

// s3 is an S3 client of account's admin.
func (j *batchRun) s3(account string) *s3.Client {
	c := j.admins[account]
	return s3.New(s3.Options{Region: j.region, BaseEndpoint: aws.String(j.srv.Endpoint()), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, ""), RetryMaxAttempts: 1})
}

// control is an S3 Control client of account's admin. The SDK addresses
// {AccountId}.host, which no resolver knows: it dials the emulator
// whatever the host (docs/emulator.md "S3 Batch Operations").
func (j *batchRun) control(account string) *s3control.Client {
	c := j.admins[account]
	addr := strings.TrimPrefix(strings.TrimPrefix(j.srv.Endpoint(), "http://"), "https://")
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return s3control.New(s3control.Options{Region: j.region, BaseEndpoint: aws.String(j.srv.Endpoint()),
		Credentials: awscreds.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, ""), RetryMaxAttempts: 1,
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dial}}})
}

// jobCompleteWith begins the problem of a run whose job is Complete with
// failed tasks (S3 completes a job whose tasks fail below the failure
// threshold).
const jobCompleteWith = "the job is Complete with "

// owner is the account of a bucket of the world.
func (j *batchRun) owner(bucket string) string {
	if b := j.srv.World().Bucket(bucket); b != nil {
		return b.Account.ID
	}
	return ""
}

// do seeds the data, runs the job and checks it; the problem is why the
// run does not count as a success, "" when it does. An error is the
// proof's own failure.
func (j *batchRun) do(ctx context.Context, n int) (problem string, err error) {
	job := j.p.Job
	if err := j.seed(ctx, n); err != nil {
		return "", err
	}
	etag, manifestVersion, err := j.putManifest(ctx)
	if err != nil {
		return "", err
	}
	account := accountOf(job.Role)
	in := &s3control.CreateJobInput{
		AccountId: aws.String(account), ClientRequestToken: aws.String("lockstep-proof"), Priority: aws.Int32(10),
		ConfirmationRequired: aws.Bool(false), RoleArn: aws.String(job.Role),
		Operation: &s3ctypes.JobOperation{S3PutObjectCopy: &s3ctypes.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::" + job.Dest.Bucket)}},
		Manifest: &s3ctypes.JobManifest{
			Spec:     &s3ctypes.JobManifestSpec{Format: s3ctypes.JobManifestFormatS3BatchOperationsCsv20180820, Fields: []s3ctypes.JobManifestFieldName{"Bucket", "Key"}},
			Location: &s3ctypes.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::" + job.Manifest.Bucket + "/" + job.Manifest.Key), ETag: aws.String(etag)},
		},
		Report: &s3ctypes.JobReport{Enabled: false},
	}
	if job.VersionedManifest {
		in.Manifest.Spec.Fields = append(in.Manifest.Spec.Fields, "VersionId")
	}
	if job.ManifestVersion {
		in.Manifest.Location.ObjectVersionId = aws.String(manifestVersion)
	}
	if job.ReplaceTags {
		tags, err := plan.ParseTagging(job.NewObjectTagging)
		if err != nil {
			return "", err
		}
		in.Operation.S3PutObjectCopy.NewObjectTagging = []s3ctypes.S3Tag{}
		for _, t := range tags {
			in.Operation.S3PutObjectCopy.NewObjectTagging = append(in.Operation.S3PutObjectCopy.NewObjectTagging, s3ctypes.S3Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
		}
	}
	if job.Dest.Key != "" {
		in.Operation.S3PutObjectCopy.TargetKeyPrefix = aws.String(job.Dest.Key)
	}
	if job.KMSKey != "" {
		in.Operation.S3PutObjectCopy.SSEAwsKmsKeyId = aws.String(firstOf(j.p.SSEKMSKey, job.KMSKey))
	}
	if job.Report.Bucket != "" {
		in.Report = &s3ctypes.JobReport{Enabled: true, Bucket: aws.String("arn:aws:s3:::" + job.Report.Bucket), Prefix: aws.String(job.Report.Key),
			Format: s3ctypes.JobReportFormatReportCsv20180820, ReportScope: s3ctypes.JobReportScopeAllTasks}
	}
	ctl := j.control(account)
	out, err := ctl.CreateJob(ctx, in)
	if err != nil {
		return "", fmt.Errorf("CreateJob: %w", err)
	}
	id := aws.ToString(out.JobId)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if _, err := j.srv.WaitJob(wctx, account, id, ""); err != nil {
		return "", fmt.Errorf("job %s: %w", id, err)
	}
	d, err := ctl.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("DescribeJob: %w", err)
	}
	desc := d.Job
	ps := desc.ProgressSummary
	fmt.Fprintf(&j.log, "job %s: %s, %d tasks, %d succeeded, %d failed\n", id, desc.Status,
		aws.ToInt64(ps.TotalNumberOfTasks), aws.ToInt64(ps.NumberOfTasksSucceeded), aws.ToInt64(ps.NumberOfTasksFailed))
	switch {
	case desc.Status != s3ctypes.JobStatusComplete:
		var reasons []string
		for _, f := range desc.FailureReasons {
			reasons = append(reasons, aws.ToString(f.FailureCode)+": "+aws.ToString(f.FailureReason))
		}
		return fmt.Sprintf("the job is %s (%s)", desc.Status, strings.Join(reasons, "; ")), nil
	case aws.ToInt64(ps.NumberOfTasksFailed) > 0:
		return fmt.Sprintf("%s%d of %d tasks failed", jobCompleteWith, aws.ToInt64(ps.NumberOfTasksFailed), aws.ToInt64(ps.TotalNumberOfTasks)), nil
	}
	if problem, err := j.verifyCopies(ctx); problem != "" || err != nil {
		return problem, err
	}
	if job.Report.Bucket != "" {
		return j.verifyReport(ctx, id, int(aws.ToInt64(ps.TotalNumberOfTasks)))
	}
	return "", nil
}

// seed writes n objects of each kind under each source's prefix: plain
// (the bucket's default encryption), SSE-S3, tagged, and SSE-KMS under
// the bucket's default key when it has one.
func (j *batchRun) seed(ctx context.Context, n int) error {
	j.objects, j.tagged, j.versions = map[[2]string][]byte{}, map[[2]string]bool{}, map[[2]string]string{}
	for _, src := range j.p.Job.Sources {
		cl := j.s3(j.owner(src.Bucket))
		if j.p.Job.VersionedManifest {
			if err := j.enableVersioning(ctx, src.Bucket); err != nil {
				return err
			}
		}
		key := j.srv.World().Bucket(src.Bucket)
		kinds := []string{"plain", "sse-s3", "tagged"}
		if key != nil && key.KMSKey != nil {
			kinds = append(kinds, "sse-kms")
		}
		for _, kind := range kinds {
			for i := range n {
				k := src.Key + fmt.Sprintf("lockstep-proof/%s-%04d.txt", kind, i)
				data := []byte(fmt.Sprintf("%s object %d of %s\n", kind, i, src.Bucket))
				in := &s3.PutObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(k), Body: bytes.NewReader(data)}
				switch kind {
				case "sse-s3":
					in.ServerSideEncryption = s3types.ServerSideEncryptionAes256
				case "tagged":
					in.Tagging = aws.String(proofTag)
				case "sse-kms":
					in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(key.KMSKey.ARN)
				}
				// With a versioned manifest the version it names is
				// neither the first nor the current: an older and a
				// newer version, untagged, hold other bytes.
				other := func(which string) error {
					v := &s3.PutObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(k), Body: strings.NewReader(which + " version of " + k + "\n"),
						ServerSideEncryption: in.ServerSideEncryption, SSEKMSKeyId: in.SSEKMSKeyId}
					if _, err := cl.PutObject(ctx, v); err != nil {
						return fmt.Errorf("writing %s version of s3://%s/%s: %w", which, src.Bucket, k, err)
					}
					return nil
				}
				if j.p.Job.VersionedManifest {
					if err := other("an older"); err != nil {
						return err
					}
				}
				out, err := cl.PutObject(ctx, in)
				if err != nil {
					return fmt.Errorf("writing the test object s3://%s/%s: %w", src.Bucket, k, err)
				}
				o := [2]string{src.Bucket, k}
				j.objects[o], j.tagged[o] = data, kind == "tagged"
				if j.p.Job.VersionedManifest {
					j.versions[o] = aws.ToString(out.VersionId)
					if err := other("a newer"); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// putManifest writes the CSV manifest of the test objects, keys
// URL-encoded, with their versions when the job's manifest names them,
// and returns its ETag and version ID. When the job names the manifest's
// version, the manifest's bucket is versioned and a newer version of the
// manifest, listing nothing, is written after it.
func (j *batchRun) putManifest(ctx context.Context) (etag, versionID string, err error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, src := range j.p.Job.Sources {
		for o := range j.objects {
			if o[0] != src.Bucket {
				continue
			}
			// Keys URL-encoded as a path: a '+' in a manifest's
			// key is a plus sign (docs/emulator.md "S3 Batch
			// Operations").
			row := []string{o[0], url.PathEscape(o[1])}
			if j.p.Job.VersionedManifest {
				row = append(row, j.versions[o])
			}
			w.Write(row)
		}
	}
	w.Flush()
	m := j.p.Job.Manifest
	if j.p.Job.ManifestVersion {
		if err := j.enableVersioning(ctx, m.Bucket); err != nil {
			return "", "", err
		}
	}
	cl := j.s3(j.owner(m.Bucket))
	// With SSE-S3 whatever the bucket's default: "S3 Batch Operations
	// does not support CSV manifest files that are AWS KMS-encrypted"
	// (docs/emulator.md "S3 Batch Operations").
	out, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(m.Bucket), Key: aws.String(m.Key), Body: bytes.NewReader(b.Bytes()),
		ServerSideEncryption: s3types.ServerSideEncryptionAes256})
	if err != nil {
		return "", "", fmt.Errorf("writing the manifest %s: %w", m, err)
	}
	if j.p.Job.ManifestVersion {
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(m.Bucket), Key: aws.String(m.Key), Body: strings.NewReader(""),
			ServerSideEncryption: s3types.ServerSideEncryptionAes256}); err != nil {
			return "", "", fmt.Errorf("writing a newer version of the manifest %s: %w", m, err)
		}
	}
	return aws.ToString(out.ETag), aws.ToString(out.VersionId), nil
}

// enableVersioning turns versioning on for bucket, as its owner.
func (j *batchRun) enableVersioning(ctx context.Context, bucket string) error {
	_, err := j.s3(j.owner(bucket)).PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	if err != nil {
		return fmt.Errorf("enabling versioning on %s: %w", bucket, err)
	}
	return nil
}

// verifyCopies reads each copy as the target bucket's owner.
func (j *batchRun) verifyCopies(ctx context.Context) (string, error) {
	dest := j.p.Job.Dest
	cl := j.s3(j.owner(dest.Bucket))
	for o, data := range j.objects {
		key := o[1]
		if dest.Key != "" {
			key = strings.TrimSuffix(dest.Key, "/") + "/" + key
		}
		out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(dest.Bucket), Key: aws.String(key)})
		if err != nil {
			return fmt.Sprintf("the copy s3://%s/%s cannot be read: %v", dest.Bucket, key, err), nil
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			return "", err
		}
		if !bytes.Equal(got, data) {
			return fmt.Sprintf("the copy s3://%s/%s is not byte-exact", dest.Bucket, key), nil
		}
		want, which := "", "no tag"
		switch {
		case j.p.Job.ReplaceTags:
			want, which = encodeTags(j.p.Job.NewObjectTagging), "the job's NewObjectTagging"
		case j.tagged[o]:
			want, which = proofTag, "the source's tag"
		}
		tags, err := cl.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(dest.Bucket), Key: aws.String(key)})
		if err != nil {
			return fmt.Sprintf("the tags of the copy s3://%s/%s cannot be read: %v", dest.Bucket, key, err), nil
		}
		var pairs []string
		for _, t := range tags.TagSet {
			pairs = append(pairs, url.QueryEscape(aws.ToString(t.Key))+"="+url.QueryEscape(aws.ToString(t.Value)))
		}
		if strings.Join(pairs, "&") != want {
			return fmt.Sprintf("the copy s3://%s/%s has the tags %q, not %s %q", dest.Bucket, key, strings.Join(pairs, "&"), which, want), nil
		}
	}
	return "", nil
}

// verifyReport reads the job's completion report: manifest.json, each
// results file with its MD5, one succeeded row per task.
func (j *batchRun) verifyReport(ctx context.Context, id string, tasks int) (string, error) {
	rep := j.p.Job.Report
	cl := j.s3(j.owner(rep.Bucket))
	get := func(key string) ([]byte, error) {
		out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(rep.Bucket), Key: aws.String(key)})
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		return io.ReadAll(out.Body)
	}
	prefix := strings.TrimSuffix(rep.Key, "/")
	if prefix != "" {
		prefix += "/"
	}
	manifestKey := prefix + "job-" + id + "/manifest.json"
	b, err := get(manifestKey)
	if err != nil {
		return fmt.Sprintf("the completion report's %s cannot be read: %v", manifestKey, err), nil
	}
	var man struct {
		Format  string
		Results []struct{ TaskExecutionStatus, Bucket, MD5Checksum, Key string }
	}
	if err := json.Unmarshal(b, &man); err != nil || man.Format != "Report_CSV_20180820" {
		return fmt.Sprintf("the completion report's %s is not a Report_CSV_20180820 manifest", manifestKey), nil
	}
	rows := 0
	for _, r := range man.Results {
		data, err := get(r.Key)
		if err != nil {
			return fmt.Sprintf("the completion report's %s cannot be read: %v", r.Key, err), nil
		}
		if sum := md5.Sum(data); hex.EncodeToString(sum[:]) != r.MD5Checksum {
			return fmt.Sprintf("the completion report's %s does not have the MD5 its manifest.json gives", r.Key), nil
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			return fmt.Sprintf("the completion report's %s is not CSV: %v", r.Key, err), nil
		}
		for _, rec := range recs {
			if len(rec) != 7 || rec[3] != "succeeded" {
				return fmt.Sprintf("the completion report has the row %q", strings.Join(rec, ",")), nil
			}
			rows++
		}
	}
	if rows != tasks {
		return fmt.Sprintf("the completion report has %d rows for %d tasks", rows, tasks), nil
	}
	fmt.Fprintf(&j.log, "completion report %s: %d rows\n", manifestKey, rows)
	return "", nil
}

// encodeTags is tags in x-amz-tagging form, each part encoded as
// verifyCopies encodes the tags it reads.
func encodeTags(tagging string) string {
	tags, _ := plan.ParseTagging(tagging)
	var pairs []string
	for _, t := range tags {
		pairs = append(pairs, url.QueryEscape(t.Key)+"="+url.QueryEscape(t.Value))
	}
	return strings.Join(pairs, "&")
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
