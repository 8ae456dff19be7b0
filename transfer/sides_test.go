package transfer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/lockstep-dev/lockstep/emulator/emulatortest"
	"github.com/lockstep-dev/lockstep/transfer"
	"github.com/lockstep-dev/lockstep/world"
)

// startEnv is an emulator serving the world text, its audit log kept.
func startEnv(t *testing.T, text string) *env {
	t.Helper()
	m, err := world.Decode([]byte(text), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	audit := &lockedBuffer{}
	srv, err := emulatortest.Start(context.Background(), m, t.Name(), audit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{srv: srv, audit: audit}
}

// Seed 001's shape (examples/seed001-cross-account.yaml): the source
// bucket is in account 111111111111, the destination in 222222222222, and
// no bucket policy lets either account's user into the other's bucket:
// only two credential sets, each reading or writing its own side, can
// copy. seeder fills the source.
const seed001TwoSets = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: seeder
        access_keys: [{id: AKIASEEDER0000000001, secret: seeder-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: ["arn:aws:s3:::seed1-src", "arn:aws:s3:::seed1-src/*"]}]}
      - name: srcreader
        access_keys: [{id: AKIASRCREADER0000001, secret: srcreader-secret}]
        policies:
          read:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::seed1-src"}
              - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::seed1-src/*"}
    buckets:
      - name: seed1-src
  - id: "222222222222"
    users:
      - name: dstwriter
        access_keys: [{id: AKIADSTWRITER0000001, secret: dstwriter-secret}]
        policies:
          write:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: [s3:ListBucket, s3:ListBucketMultipartUploads], Resource: "arn:aws:s3:::seed1-dst"}
              - {Effect: Allow, Action: [s3:GetObject, s3:PutObject, s3:AbortMultipartUpload], Resource: "arn:aws:s3:::seed1-dst/*"}
      - name: dstnoabort
        access_keys: [{id: AKIADSTNOABORT000001, secret: dstnoabort-secret}]
        policies:
          write:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::seed1-dst"}
              - {Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::seed1-dst/*"}
      - name: dstlistonly
        access_keys: [{id: AKIADSTLISTONLY00001, secret: dstlistonly-secret}]
        policies:
          list: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::seed1-dst"}]}
    buckets:
      - name: seed1-dst
`

const (
	seeder     = "arn:aws:iam::111111111111:user/seeder"
	srcReader  = "arn:aws:iam::111111111111:user/srcreader"
	dstWriter  = "arn:aws:iam::222222222222:user/dstwriter"
	dstNoAbort = "arn:aws:iam::222222222222:user/dstnoabort"
	dstList    = "arn:aws:iam::222222222222:user/dstlistonly"
)

// put writes objects (key → content) to bucket.
func put(t *testing.T, c *s3.Client, bucket string, objs map[string][]byte) {
	t.Helper()
	for k, data := range objs {
		if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(data)}); err != nil {
			t.Fatal(err)
		}
	}
}

// digests are the SHA-256 of the objects below prefix in bucket.
func digests(t *testing.T, c *s3.Client, bucket, prefix string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range objects(t, c, bucket, prefix) {
		out[k] = fmt.Sprintf("%x", sha256.Sum256([]byte(v)))
	}
	return out
}

func digestsOf(objs map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, v := range objs {
		out[k] = fmt.Sprintf("%x", sha256.Sum256(v))
	}
	return out
}

// pattern is n bytes that differ from part to part.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i/4096) ^ seed ^ byte(i)
	}
	return b
}

// noticeLog collects Options.Notice lines.
type noticeLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *noticeLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *noticeLog) String() string { return strings.Join(l.lines, "\n") }

// TestTwoCredentialSetsStream is seed 001 with two credential sets and no
// bucket policy: the probe finds that the destination's user cannot read
// the source, so every object streams through lockstep (small ones with
// PutObject, a 12 MiB one in 5 MiB parts), and no server-side copy is
// attempted.
func TestTwoCredentialSetsStream(t *testing.T) {
	e := startEnv(t, seed001TwoSets)
	objs := map[string][]byte{"a.txt": []byte("alpha"), "empty": {}, "dir/big.bin": pattern(12<<20+7, 1)}
	put(t, e.client(t, seeder), "seed1-src", objs)
	e.calls(t)
	var notices noticeLog
	src, dst := transfer.Location{Bucket: "seed1-src"}, transfer.Location{Bucket: "seed1-dst", Key: "backup"}
	opts := transfer.Options{SourceClient: e.client(t, srcReader), Preflight: true, PartSize: 5 << 20, Notice: notices.add}
	sum, err := transfer.Sync(context.Background(), e.client(t, dstWriter), src, dst, opts)
	if err != nil || sum.Failed != 0 || sum.Copied != 3 {
		t.Fatalf("Sync = %+v, %v\n%s", sum, err, notices.String())
	}
	if sum.CopyPath != transfer.CopyStreamed {
		t.Errorf("CopyPath = %q, want %q", sum.CopyPath, transfer.CopyStreamed)
	}
	if !strings.Contains(notices.String(), "copy path: streamed (the destination's credentials cannot read the source: AccessDenied)") {
		t.Errorf("notices do not report the path:\n%s", notices.String())
	}
	calls := distinct(e.calls(t))
	for _, op := range []string{"CopyObject", "UploadPartCopy"} {
		if slices.Contains(calls, op) {
			t.Errorf("a streamed job called %s: %v", op, calls)
		}
	}
	for _, op := range []string{"AbortMultipartUpload", "CompleteMultipartUpload", "UploadPart", "PutObject"} {
		if !slices.Contains(calls, op) {
			t.Errorf("no %s in %v", op, calls)
		}
	}
	if got, want := digests(t, e.client(t, dstWriter), "seed1-dst", "backup/"), digestsOf(objs); !equalMaps(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
	if n := multipartUploads(t, e.client(t, dstWriter), "seed1-dst"); n != 0 {
		t.Errorf("%d multipart uploads left at the destination", n)
	}
	// A second run copies nothing: the streamed copies are newer.
	sum, err = transfer.Sync(context.Background(), e.client(t, dstWriter), src, dst, opts)
	if err != nil || sum.Copied != 0 || sum.Skipped != 3 {
		t.Errorf("re-sync = %+v, %v", sum, err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// multipartUploads counts the incomplete multipart uploads of bucket.
func multipartUploads(t *testing.T, c *s3.Client, bucket string) int {
	t.Helper()
	out, err := c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Uploads)
}

// seed003World is seed 003 (examples/seed003-kms-multipart.yaml): EC2Role
// of account 111111111111 copies from cp-src to cp-dst of account
// 222222222222, whose default encryption is a customer managed key of
// 222222222222, granted by cp-dst's bucket policy (with the listing and
// abort a sync needs beside the post's s3:PutObject). DECRYPT is
// replaced by kms:Decrypt in both the role's policy and the key policy
// (the post's fix), or by nothing (its failure).
const seed003World = `
region: us-east-1
accounts:
  - id: "111111111111"
    roles:
      - name: EC2Role
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
        policies:
          s3-multipart: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [s3:PutObject, s3:GetObject, s3:ListBucket, s3:AbortMultipartUpload], Resource: "*"}]}
          kms-multipart: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [kms:Encrypt, DECRYPT "kms:ReEncrypt*", "kms:GenerateDataKey*", kms:DescribeKey], Resource: "*"}]}
    buckets:
      - name: cp-src
  - id: "222222222222"
    users:
      - name: admin
        access_keys: [{id: AKIAADMIN00000000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:*", "kms:*"], Resource: "*"}]}
    keys:
      - id: 1234abcd-12ab-34cd-56ef-1234567890ab
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: EnableIAM, Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: "kms:*", Resource: "*"}
            - {Sid: EC2Role, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/EC2Role"}, Action: [kms:Encrypt, DECRYPT "kms:ReEncrypt*", "kms:GenerateDataKey*", kms:DescribeKey], Resource: "*"}
    buckets:
      - name: cp-dst
        encryption: {kms_key: "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:role/EC2Role"}
              Action: [s3:PutObject, s3:ListBucket, s3:AbortMultipartUpload]
              Resource: ["arn:aws:s3:::cp-dst", "arn:aws:s3:::cp-dst/*"]
`

const (
	ec2Role  = "arn:aws:sts::111111111111:assumed-role/EC2Role/i-0123456789abcdef0"
	admin222 = "arn:aws:iam::222222222222:user/admin"
)

func seed003(t *testing.T, decrypt bool) (*env, map[string][]byte) {
	t.Helper()
	action := ""
	if decrypt {
		action = "kms:Decrypt,"
	}
	e := startEnv(t, strings.ReplaceAll(seed003World, "DECRYPT", action))
	objs := map[string][]byte{"20mb-a.dat": pattern(20<<20, 3), "20mb-b.dat": pattern(20<<20, 5), "1mb.dat": pattern(1<<20, 7)}
	put(t, e.client(t, ec2Role), "cp-src", objs)
	e.calls(t)
	return e, objs
}

// TestSeed003ServerSide: with the post's fix (kms:Decrypt in both
// policies), one principal reads the source and writes the CMK
// destination, so the copies are server-side: the 20 MiB objects with
// UploadPartCopy in 5 MiB parts, the small one with CopyObject; nothing
// passes through lockstep.
func TestSeed003ServerSide(t *testing.T) {
	e, objs := seed003(t, true)
	var notices noticeLog
	opts := transfer.Options{Preflight: true, PartSize: 5 << 20, Notice: notices.add}
	sum, err := transfer.Sync(context.Background(), e.client(t, ec2Role), transfer.Location{Bucket: "cp-src"}, transfer.Location{Bucket: "cp-dst"}, opts)
	if err != nil || sum.Failed != 0 || sum.Copied != 3 {
		t.Fatalf("Sync = %+v, %v\n%s", sum, err, notices.String())
	}
	if sum.CopyPath != transfer.CopyServerSide {
		t.Errorf("CopyPath = %q, want %q", sum.CopyPath, transfer.CopyServerSide)
	}
	calls := e.calls(t)
	if n := count(calls, "UploadPartCopy"); n != 1+2*4 {
		t.Errorf("%d UploadPartCopy (want the probe's and 4 per 20 MiB object): %v", n, distinct(calls))
	}
	for _, op := range []string{"UploadPart", "PutObject"} {
		if slices.Contains(calls, op) {
			t.Errorf("a server-side job called %s: %v", op, distinct(calls))
		}
	}
	if !strings.Contains(notices.String(), "; copied a part of s3://cp-src/") {
		t.Errorf("notices:\n%s", notices.String())
	}
	if got, want := digests(t, e.client(t, admin222), "cp-dst", ""), digestsOf(objs); !equalMaps(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
	if n := multipartUploads(t, e.client(t, admin222), "cp-dst"); n != 0 {
		t.Errorf("%d multipart uploads left", n)
	}
}

func count(names []string, name string) int {
	n := 0
	for _, s := range names {
		if s == name {
			n++
		}
	}
	return n
}

// TestSeed003PreflightStops: without kms:Decrypt, the preflight's
// UploadPartCopy is denied exactly where seed 003's copy failed, and the
// job stops before any object is written: no PutObject, CopyObject or
// CompleteMultipartUpload in the audit log, no upload left.
func TestSeed003PreflightStops(t *testing.T) {
	e, _ := seed003(t, false)
	opts := transfer.Options{Preflight: true, PartSize: 5 << 20}
	sum, err := transfer.Sync(context.Background(), e.client(t, ec2Role), transfer.Location{Bucket: "cp-src"}, transfer.Location{Bucket: "cp-dst"}, opts)
	var pf *transfer.PreflightError
	if !errors.As(err, &pf) {
		t.Fatalf("Sync = %+v, %v; want a PreflightError", sum, err)
	}
	for _, want := range []string{"UploadPartCopy", "AccessDenied", "kms:Decrypt on the destination's key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if sum.Copied+sum.Failed != 0 {
		t.Errorf("summary %+v: objects were tried", sum)
	}
	// AWS's message for a key of another account is a bare "Access
	// Denied": the audit log names the denied permission.
	if log := string(e.audit.take()); !strings.Contains(log, `"eventName":"UploadPartCopy"`) || !strings.Contains(log, `"deniedAction":"kms:Decrypt"`) {
		t.Errorf("the audit log shows no UploadPartCopy denied for kms:Decrypt:\n%s", log)
	} else {
		e.audit.Write([]byte(log))
	}
	calls := e.calls(t)
	for _, op := range []string{"PutObject", "CopyObject", "CompleteMultipartUpload"} {
		if slices.Contains(calls, op) {
			t.Errorf("the preflight let %s through: %v", op, calls)
		}
	}
	if !slices.Contains(calls, "AbortMultipartUpload") {
		t.Errorf("the probe upload was not aborted: %v", calls)
	}
	if n := multipartUploads(t, e.client(t, admin222), "cp-dst"); n != 0 {
		t.Errorf("%d multipart uploads left", n)
	}
	if got := objects(t, e.client(t, admin222), "cp-dst", ""); len(got) != 0 {
		t.Errorf("objects written: %v", got)
	}
}

// TestPreflightInterrupted: Ctrl-C (a cancelled context) while the probe
// upload is being created, and while its part is sent, leaves no upload.
func TestPreflightInterrupted(t *testing.T) {
	for _, op := range []string{"CreateMultipartUpload", "UploadPartCopy"} {
		t.Run(op, func(t *testing.T) {
			e, _ := seed003(t, true)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// cancel is Ctrl-C, pressed while op is in flight.
			interrupt := func(o *s3.Options) {
				o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
					return s.Initialize.Add(middleware.InitializeMiddlewareFunc("interrupt", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
						if middleware.GetOperationName(ctx) == op {
							cancel()
						}
						return next.HandleInitialize(ctx, in)
					}), middleware.After)
				})
			}
			opts := transfer.Options{Preflight: true, PartSize: 5 << 20}
			sum, err := transfer.Sync(ctx, e.client(t, ec2Role, interrupt), transfer.Location{Bucket: "cp-src"}, transfer.Location{Bucket: "cp-dst"}, opts)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Sync = %+v, %v; want an interruption", sum, err)
			}
			calls := e.calls(t)
			if !slices.Contains(calls, "CreateMultipartUpload") || !slices.Contains(calls, "AbortMultipartUpload") {
				t.Errorf("calls %v: want the probe upload created and aborted", calls)
			}
			if n := multipartUploads(t, e.client(t, admin222), "cp-dst"); n != 0 {
				t.Errorf("%d multipart uploads left", n)
			}
		})
	}
}

// TestPreflightDryRun: with DryRun the preflight runs its read probes
// only, so seed 003's missing kms:Decrypt (a write probe's) does not stop
// it, and nothing is created at the destination.
func TestPreflightDryRun(t *testing.T) {
	e, _ := seed003(t, false)
	var notices noticeLog
	opts := transfer.Options{Preflight: true, DryRun: true, Notice: notices.add}
	sum, err := transfer.Sync(context.Background(), e.client(t, ec2Role), transfer.Location{Bucket: "cp-src"}, transfer.Location{Bucket: "cp-dst"}, opts)
	if err != nil || sum.WouldCopy != 3 {
		t.Fatalf("Sync = %+v, %v", sum, err)
	}
	if got, want := distinct(e.calls(t)), []string{"GetObject", "ListObjectsV2"}; !slices.Equal(got, want) {
		t.Errorf("a dry run's preflight called %v, want %v", got, want)
	}
	if want := "preflight: passed: listed s3://cp-src/; listed s3://cp-dst/; read s3://cp-src/"; !strings.Contains(notices.String(), want) {
		t.Errorf("notices lack %q:\n%s", want, notices.String())
	}
}

// cutOnce is an HTTP client that cuts off, once, the body of the ranged
// GET whose Range starts at from: the read fails half-way, as a dropped
// connection would.
type cutOnce struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	from string
	mu   sync.Mutex
	cut  bool
}

func (c *cutOnce) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.inner.Do(r)
	if err != nil || r.Method != http.MethodGet || !strings.HasPrefix(r.Header.Get("Range"), "bytes="+c.from+"-") {
		return resp, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.cut {
		c.cut = true
		resp.Body = &cutBody{r: resp.Body, left: 1000}
	}
	return resp, err
}

type cutBody struct {
	r    io.ReadCloser
	left int
}

func (b *cutBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n, err := b.r.Read(p[:min(len(p), b.left)])
	b.left -= n
	return n, err
}

func (b *cutBody) Close() error { return b.r.Close() }

// TestStreamRereadsPart: a part whose source read breaks off half-way is
// read again from its range, and the copy is whole.
func TestStreamRereadsPart(t *testing.T) {
	e := startEnv(t, seed001TwoSets)
	objs := map[string][]byte{"big.bin": pattern(11<<20, 9)}
	put(t, e.client(t, seeder), "seed1-src", objs)
	flaky := &cutOnce{from: fmt.Sprint(5 << 20)}
	source := e.client(t, srcReader, func(o *s3.Options) {
		flaky.inner = o.HTTPClient
		o.HTTPClient = flaky
	})
	e.calls(t)
	opts := transfer.Options{SourceClient: source, PartSize: 5 << 20}
	sum, err := transfer.Sync(context.Background(), e.client(t, dstWriter), transfer.Location{Bucket: "seed1-src"}, transfer.Location{Bucket: "seed1-dst"}, opts)
	if err != nil || sum.Copied != 1 || sum.CopyPath != transfer.CopyStreamed {
		t.Fatalf("Sync = %+v, %v", sum, err)
	}
	if !flaky.cut {
		t.Fatal("no read was cut off: the test tests nothing")
	}
	// The path probe (destination's client, denied), then three parts and
	// the one read again.
	if n := count(e.calls(t), "GetObject"); n != 1+3+1 {
		t.Errorf("%d GetObject, want 5", n)
	}
	if got, want := digests(t, e.client(t, dstWriter), "seed1-dst", ""), digestsOf(objs); !equalMaps(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
}

// TestPreflightWithoutAbort: seed 001's destination policy (s3:ListBucket
// and s3:PutObject only) cannot abort a multipart upload, so the preflight
// makes none it could not remove: it proves s3:PutObject with a PutObject
// S3 refuses for its wrong Content-MD5, says what that leaves unproved,
// and the job runs. Without s3:PutObject the same probe stops the job
// before anything is written.
func TestPreflightWithoutAbort(t *testing.T) {
	for _, tc := range []struct {
		name, writer string
		wantErr      string
	}{
		{name: "put-granted", writer: dstNoAbort},
		{name: "put-denied", writer: dstList, wantErr: "is not authorized to perform: s3:PutObject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startEnv(t, seed001TwoSets)
			put(t, e.client(t, seeder), "seed1-src", map[string][]byte{"a.txt": []byte("alpha")})
			e.calls(t)
			var notices noticeLog
			opts := transfer.Options{SourceClient: e.client(t, srcReader), Preflight: true, Notice: notices.add}
			sum, err := transfer.Sync(context.Background(), e.client(t, tc.writer), transfer.Location{Bucket: "seed1-src"}, transfer.Location{Bucket: "seed1-dst"}, opts)
			calls := e.calls(t)
			if slices.Contains(calls, "CreateMultipartUpload") {
				t.Errorf("the preflight created a multipart upload it could not abort: %v", calls)
			}
			if n := multipartUploads(t, e.client(t, dstWriter), "seed1-dst"); n != 0 {
				t.Errorf("%d multipart uploads left", n)
			}
			got := objects(t, e.client(t, dstWriter), "seed1-dst", "")
			if tc.wantErr != "" {
				var pf *transfer.PreflightError
				if !errors.As(err, &pf) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "Content-MD5") {
					t.Fatalf("Sync: %v; want a PreflightError of the Content-MD5 probe with %q", err, tc.wantErr)
				}
				if len(got) != 0 || sum.Copied+sum.Failed != 0 {
					t.Errorf("written after a failed preflight: %v, %+v", got, sum)
				}
				return
			}
			if err != nil || sum.Copied != 1 {
				t.Fatalf("Sync = %+v, %v\n%s", sum, err, notices.String())
			}
			if count(calls, "PutObject") != 2 || count(calls, "AbortMultipartUpload") != 1 {
				t.Errorf("want the denied abort probe, the conditional PutObject probe and one upload: %v", calls)
			}
			for _, want := range []string{"s3:AbortMultipartUpload is denied", "stays incomplete", "not probed: the destination key's KMS permissions", "proved s3:PutObject below s3://seed1-dst/ with a PutObject S3 refused for its wrong Content-MD5"} {
				if !strings.Contains(notices.String(), want) {
					t.Errorf("notices lack %q:\n%s", want, notices.String())
				}
			}
			if len(got) != 1 || got["a.txt"] != "alpha" {
				t.Errorf("destination holds %v, want only a.txt", got)
			}
		})
	}
}
