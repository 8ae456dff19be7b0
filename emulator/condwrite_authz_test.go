package emulator_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// condWriteWorldYAML: putter may only s3:PutObject in data; putget may
// also s3:GetObject there; copier may read data/hello.txt alone and
// write anywhere in data. The bucket enforced denies every object
// creation that does not send If-None-Match, exempting the steps of a
// multipart upload, as AWS's enforcement pages do; the bucket partial
// does so under locks/ alone.
const condWriteWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIACONDADMIN0000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: putter
        access_keys: [{id: AKIACONDPUTTER000001, secret: putter-secret}]
        policies:
          put: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::data/*"}]}
      - name: putget
        access_keys: [{id: AKIACONDPUTGET000001, secret: putget-secret}]
        policies:
          put-get: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [s3:PutObject, s3:GetObject], Resource: "arn:aws:s3:::data/*"}]}
      - name: copier
        access_keys: [{id: AKIACONDCOPIER000001, secret: copier-secret}]
        policies:
          copy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::data/hello.txt"}
              - {Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::data/*"}
    buckets:
      - name: data
        objects: {hello.txt: "hello\n"}
      - name: enforced
        objects: {source.txt: "source\n"}
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: RequireIfNoneMatch
              Effect: Deny
              Principal: "*"
              Action: s3:PutObject
              Resource: "arn:aws:s3:::enforced/*"
              Condition:
                "Null": {"s3:if-none-match": "true"}
                Bool: {"s3:ObjectCreationOperation": "true"}
      - name: partial
        objects: {source.txt: "source\n"}
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: RequireIfNoneMatchForLocks
              Effect: Deny
              Principal: "*"
              Action: s3:PutObject
              Resource: "arn:aws:s3:::partial/locks/*"
              Condition:
                "Null": {"s3:if-none-match": "true"}
                Bool: {"s3:ObjectCreationOperation": "true"}
`

var (
	condAdmin  = aws.Credentials{AccessKeyID: "AKIACONDADMIN0000001", SecretAccessKey: "admin-secret"}
	condPutter = aws.Credentials{AccessKeyID: "AKIACONDPUTTER000001", SecretAccessKey: "putter-secret"}
	condPutGet = aws.Credentials{AccessKeyID: "AKIACONDPUTGET000001", SecretAccessKey: "putget-secret"}
	condCopier = aws.Credentials{AccessKeyID: "AKIACONDCOPIER000001", SecretAccessKey: "copier-secret"}
)

// helloETag is the ETag of data/hello.txt ("hello\n").
const helloETag = `"b1946ac92492d2347c6235b4d2611184"`

// deniedGetObject is the start of the AccessDenied message of a caller
// without s3:GetObject on s3://data/KEY.
func deniedGetObject(user, key string) string {
	return "User: arn:aws:iam::111111111111:user/" + user + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/` + key + `"`
}

// TestConditionalWriteIfMatchNeedsGetObject checks docs/authorization.md
// §2.2: a write with If-None-Match needs s3:PutObject; one with If-Match
// needs s3:GetObject on the object too, on PutObject, CopyObject and
// CompleteMultipartUpload, and is refused before the object is looked at
// (no 404 or 412 tells a caller without it anything).
func TestConditionalWriteIfMatchNeedsGetObject(t *testing.T) {
	s := startEmulator(t, condWriteWorldYAML)
	ctx := context.Background()
	put := func(creds aws.Credentials, key string, in *s3.PutObjectInput) error {
		in.Bucket, in.Key, in.Body = aws.String("data"), aws.String(key), strings.NewReader("new\n")
		_, err := s.s3(t, creds).PutObject(ctx, in)
		return err
	}
	copyTo := func(creds aws.Credentials, key string, in *s3.CopyObjectInput) error {
		in.Bucket, in.Key, in.CopySource = aws.String("data"), aws.String(key), aws.String("data/hello.txt")
		_, err := s.s3(t, creds).CopyObject(ctx, in)
		return err
	}
	complete := func(creds aws.Credentials, key string, in *s3.CompleteMultipartUploadInput) error {
		cl := s.s3(t, creds)
		cr, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key)})
		if err != nil {
			return err
		}
		p, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("data"), Key: aws.String(key), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part\n")})
		if err != nil {
			return err
		}
		in.Bucket, in.Key, in.UploadId = aws.String("data"), aws.String(key), cr.UploadId
		in.MultipartUpload = &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}
		_, err = cl.CompleteMultipartUpload(ctx, in)
		return err
	}
	tests := []struct {
		name string
		call func() error
		// denied is the start of the AccessDenied message; empty: allowed.
		denied string
	}{
		{"PutObject If-None-Match with s3:PutObject alone", func() error {
			return put(condPutter, "created-by-putter", &s3.PutObjectInput{IfNoneMatch: aws.String("*")})
		}, ""},
		{"PutObject If-Match without s3:GetObject", func() error {
			return put(condPutter, "hello.txt", &s3.PutObjectInput{IfMatch: aws.String(helloETag)})
		}, deniedGetObject("putter", "hello.txt")},
		{"PutObject If-Match on a missing key without s3:GetObject is 403, not 404", func() error {
			return put(condPutter, "missing", &s3.PutObjectInput{IfMatch: aws.String(helloETag)})
		}, deniedGetObject("putter", "missing")},
		{"PutObject If-Match with another ETag without s3:GetObject is 403, not 412", func() error {
			return put(condPutter, "hello.txt", &s3.PutObjectInput{IfMatch: aws.String(`"00000000000000000000000000000000"`)})
		}, deniedGetObject("putter", "hello.txt")},
		{"PutObject without conditions with s3:PutObject alone", func() error {
			return put(condPutter, "plain", &s3.PutObjectInput{})
		}, ""},
		{"CompleteMultipartUpload If-None-Match with s3:PutObject alone", func() error {
			return complete(condPutter, "mpu-created", &s3.CompleteMultipartUploadInput{IfNoneMatch: aws.String("*")})
		}, ""},
		{"CompleteMultipartUpload If-Match without s3:GetObject", func() error {
			return complete(condPutter, "hello.txt", &s3.CompleteMultipartUploadInput{IfMatch: aws.String(helloETag)})
		}, deniedGetObject("putter", "hello.txt")},
		{"CopyObject If-None-Match with s3:GetObject on the source alone", func() error {
			return copyTo(condCopier, "copied", &s3.CopyObjectInput{IfNoneMatch: aws.String("*")})
		}, ""},
		{"CopyObject If-Match without s3:GetObject on the destination", func() error {
			return copyTo(condCopier, "copied", &s3.CopyObjectInput{IfMatch: aws.String(helloETag)})
		}, deniedGetObject("copier", "copied")},
		// putget's writes come last: they replace hello.txt.
		{"CompleteMultipartUpload If-Match with s3:PutObject and s3:GetObject", func() error {
			head, err := s.s3(t, condAdmin).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("mpu-created")})
			if err != nil {
				return err
			}
			return complete(condPutGet, "mpu-created", &s3.CompleteMultipartUploadInput{IfMatch: head.ETag})
		}, ""},
		{"PutObject If-Match with s3:PutObject and s3:GetObject", func() error {
			return put(condPutGet, "hello.txt", &s3.PutObjectInput{IfMatch: aws.String(helloETag)})
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.denied == "" {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, tt.denied)
		})
	}
	// The refused writes changed nothing.
	if got := getString(t, s.s3(t, condAdmin), "data", "copied"); got != "hello\n" {
		t.Errorf("data/copied = %q after a refused If-Match copy, want the first copy", got)
	}
}

// TestConditionalWriteEnforcedByBucketPolicy checks docs/authorization.md
// §2.3 "Conditional writes": a bucket policy denying s3:PutObject when
// s3:if-none-match is absent and s3:ObjectCreationOperation is true lets
// conditional writes and every step of a multipart upload through, and
// refuses a plain PutObject, a CompleteMultipartUpload and a CopyObject
// without the header, for a caller whose own policy allows everything; a
// CopyObject with the header is 501 NotImplemented, as AWS's enforcement
// page says.
func TestConditionalWriteEnforcedByBucketPolicy(t *testing.T) {
	s := startEmulator(t, condWriteWorldYAML)
	cl := s.s3(t, condAdmin)
	ctx := context.Background()
	const explicitDeny = "with an explicit deny in a resource-based policy"
	bk := aws.String("enforced")

	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: bk, Key: aws.String("plain"), Body: strings.NewReader("x")})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, explicitDeny)
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: bk, Key: aws.String("conditional"), Body: strings.NewReader("x"),
		IfNoneMatch: aws.String("*")}); err != nil {
		t.Errorf("PutObject If-None-Match: %v", err)
	}

	// A multipart upload: its creation and parts carry no condition and
	// are exempt; its completion must carry one.
	key := aws.String("multipart")
	cr, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bk, Key: key})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	p1, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: bk, Key: key, UploadId: cr.UploadId, PartNumber: aws.Int32(1),
		Body: strings.NewReader(strings.Repeat("a", 5<<20))})
	if err != nil {
		t.Fatalf("UploadPart: %v", err)
	}
	p2, err := cl.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bk, Key: key, UploadId: cr.UploadId, PartNumber: aws.Int32(2),
		CopySource: aws.String("enforced/source.txt")})
	if err != nil {
		t.Fatalf("UploadPartCopy: %v", err)
	}
	done := &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
		{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.CopyPartResult.ETag}}}
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bk, Key: key, UploadId: cr.UploadId, MultipartUpload: done})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, explicitDeny)
	if _, err := cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bk, Key: key, UploadId: cr.UploadId,
		MultipartUpload: done, IfNoneMatch: aws.String("*")}); err != nil {
		t.Errorf("CompleteMultipartUpload If-None-Match: %v", err)
	}

	// CopyObject into the bucket: refused without the header (403), and
	// with it, once authorized (501 NotImplemented, docs/decisions.md
	// #32); the same copy
	// into a bucket that enforces nothing is served (see
	// TestConditionalWriteIfMatchNeedsGetObject).
	copyIn := func(in *s3.CopyObjectInput) error {
		in.Bucket, in.Key, in.CopySource = bk, aws.String("copy"), aws.String("enforced/source.txt")
		_, err := cl.CopyObject(ctx, in)
		return err
	}
	wantSvcErr(t, copyIn(&s3.CopyObjectInput{}), "AccessDenied", http.StatusForbidden, explicitDeny)
	wantSvcErr(t, copyIn(&s3.CopyObjectInput{IfNoneMatch: aws.String("*")}), "NotImplemented", http.StatusNotImplemented,
		"A header you provided implies functionality that is not implemented.")
	// If-Match alone is no If-None-Match: the Deny refuses it first.
	wantSvcErr(t, copyIn(&s3.CopyObjectInput{IfMatch: aws.String(`"b1946ac92492d2347c6235b4d2611184"`)}), "AccessDenied", http.StatusForbidden, explicitDeny)

	if got := getString(t, cl, "enforced", "conditional"); got != "x" {
		t.Errorf("enforced/conditional = %q, want %q", got, "x")
	}
	for _, key := range []string{"plain", "copy"} {
		if _, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bk, Key: aws.String(key)}); err == nil {
			t.Errorf("the refused write of enforced/%s stored an object", key)
		}
	}
}

// TestConditionalCopyOutsideEnforcedPrefix: the 501 of a conditional
// CopyObject is for "the bucket or prefix specified in your bucket
// policy" (docs/decisions.md #32): under the enforced prefix the copy is
// refused, beside it served under its condition.
func TestConditionalCopyOutsideEnforcedPrefix(t *testing.T) {
	s := startEmulator(t, condWriteWorldYAML)
	cl := s.s3(t, condAdmin)
	ctx := context.Background()
	copyTo := func(key string) error {
		_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("partial"), Key: aws.String(key),
			CopySource: aws.String("partial/source.txt"), IfNoneMatch: aws.String("*")})
		return err
	}
	wantSvcErr(t, copyTo("locks/a"), "NotImplemented", http.StatusNotImplemented, "implies functionality that is not implemented")
	if err := copyTo("other/a"); err != nil {
		t.Fatalf("CopyObject If-None-Match outside the enforced prefix: %v", err)
	}
	wantSvcErr(t, copyTo("other/a"), "PreconditionFailed", http.StatusPreconditionFailed, "pre-conditions")
	if got := getString(t, cl, "partial", "other/a"); got != "source\n" {
		t.Errorf("partial/other/a = %q, want the source's body", got)
	}
}
