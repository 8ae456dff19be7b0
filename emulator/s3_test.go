package emulator_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// s3WorldYAML: account 111111111111 with an administrator, a reader that
// may GetObject but not ListBucket, and a lister that may only ListBucket.
const s3WorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAS3ADMIN000000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: reader
        access_keys: [{id: AKIAS3READER00000001, secret: reader-secret}]
        policies:
          get: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::data/*"}]}
      - name: lister
        access_keys: [{id: AKIAS3LISTER00000001, secret: lister-secret}]
        policies:
          get-list:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::data/*"}
              - {Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::data"}
    buckets:
      - name: data
        objects: {hello.txt: "hello\n"}
`

var (
	s3Admin  = aws.Credentials{AccessKeyID: "AKIAS3ADMIN000000001", SecretAccessKey: "admin-secret"}
	s3Reader = aws.Credentials{AccessKeyID: "AKIAS3READER00000001", SecretAccessKey: "reader-secret"}
	s3Lister = aws.Credentials{AccessKeyID: "AKIAS3LISTER00000001", SecretAccessKey: "lister-secret"}
)

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestS3MissingObject403Or404 checks docs/authorization.md §2.4: a missing key is 404 with
// s3:ListBucket, 403 without it; an existing one is readable either way.
func TestS3MissingObject403Or404(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		creds aws.Credentials
		key   string
		want  string
	}{
		{"existing object, GetObject allowed", s3Reader, "hello.txt", ""},
		{"missing object without s3:ListBucket is 403", s3Reader, "missing.txt", "AccessDenied"},
		{"missing object with s3:ListBucket is 404", s3Lister, "missing.txt", "NoSuchKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.s3(t, tc.creds).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(tc.key)})
			if got := code(err); got != tc.want {
				t.Errorf("GetObject %s: error %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

// TestS3AuthenticationErrors: wrong secret, unknown key, skewed clock,
// unsigned requests (docs/authorization.md §4.1, §4.3).
func TestS3AuthenticationErrors(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	get := func(c aws.Credentials) error {
		_, err := s.s3(t, c).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("data")})
		if err == nil {
			_, err = s.s3(t, c).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
		}
		return err
	}
	if err := get(s3Admin); err != nil {
		t.Fatalf("admin: %v", err)
	}
	_, err := s.s3(t, aws.Credentials{AccessKeyID: s3Admin.AccessKeyID, SecretAccessKey: "wrong"}).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	if code(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	_, err = s.s3(t, aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: "x"}).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	if code(err) != "InvalidAccessKeyId" {
		t.Errorf("unknown key: %v, want InvalidAccessKeyId", err)
	}
	s.shift(20 * time.Minute)
	_, err = s.s3(t, s3Admin).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	if code(err) != "RequestTimeTooSkewed" {
		t.Errorf("skewed clock: %v, want RequestTimeTooSkewed", err)
	}
	s.shift(0)
	// Unsigned: the anonymous principal, denied without a public policy,
	// with the plain message (docs/authorization.md §4.2).
	resp, err := http.Get(s.Endpoint() + "/data/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>AccessDenied</Code><Message>Access Denied</Message>") {
		t.Errorf("anonymous GET: %d %s", resp.StatusCode, body)
	}
	// A missing bucket is 404 even for anonymous callers (docs/authorization.md §2.4).
	resp, err = http.Get(s.Endpoint() + "/no-such-bucket-here/k")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(body), "<Code>NoSuchBucket</Code>") {
		t.Errorf("anonymous GET of a missing bucket: %d %s", resp.StatusCode, body)
	}
}

// TestS3DetailedAccessDenied: same-account denials carry AWS's detailed
// message naming the IAM action (docs/authorization.md §4.2).
func TestS3DetailedAccessDenied(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	_, err := s.s3(t, s3Reader).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	want := `User: arn:aws:iam::111111111111:user/reader is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`
	if ae.ErrorCode() != "AccessDenied" || ae.ErrorMessage() != want {
		t.Errorf("got %s: %s\nwant AccessDenied: %s", ae.ErrorCode(), ae.ErrorMessage(), want)
	}
}

// TestS3KeysStayInside: any key S3 allows maps inside the data directory
// and round-trips (issue 3, storage).
func TestS3KeysStayInside(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	keys := []string{"../../../etc/passwd", "a//b", "trailing/", "/leading", "üñí çødé/ключ", strings.Repeat("k", 1024), "sp ace+plus%percent"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: strings.NewReader("v:" + k)}); err != nil {
			t.Fatalf("PutObject %q: %v", k, err)
		}
	}
	for _, k := range keys {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(k)})
		if err != nil {
			t.Fatalf("GetObject %q: %v", k, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != "v:"+k {
			t.Errorf("GetObject %q = %q", k, b)
		}
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	if int(aws.ToInt32(list.KeyCount)) != len(keys)+1 {
		t.Errorf("listed %d keys, want %d", aws.ToInt32(list.KeyCount), len(keys)+1)
	}
	for i := 1; i < len(list.Contents); i++ {
		if aws.ToString(list.Contents[i-1].Key) >= aws.ToString(list.Contents[i].Key) {
			t.Errorf("listing not in byte order at %d", i)
		}
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	if code(err) != "KeyTooLongError" {
		t.Errorf("1025-byte key: %v, want KeyTooLongError", err)
	}
}

// TestS3BadInput: malformed requests get S3's errors, never a 500.
func TestS3BadInput(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	if code(err) != "InvalidBucketName" {
		t.Errorf("CreateBucket Bad_Name: %v", err)
	}
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicy" || !strings.Contains(ae.ErrorMessage(), "Statement[0]") {
		t.Errorf("PutBucketPolicy without Principal and Resource: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("acl"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	if code(err) != "AccessControlListNotSupported" {
		t.Errorf("public-read on BucketOwnerEnforced: %v", err)
	}
	// x-amz-acl: private restates the default (docs/decisions.md).
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("acl"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPrivate})
	if err != nil {
		t.Errorf("TestPrivateACL: private on BucketOwnerEnforced: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, s.Endpoint()+"/data?delete", bytes.NewReader([]byte("<Delete><Object><Key>a")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Errorf("anonymous malformed DeleteObjects: %d", resp.StatusCode)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k"), UploadId: aws.String("nope"),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String("x")}}}})
	if code(err) != "NoSuchUpload" {
		t.Errorf("Complete of an unknown upload: %v", err)
	}
}

// TestS3LongCopy: a CopyObject of a source of 64 MiB or more answers 200
// before copying; the SDK reads the result from the body.
func TestS3LongCopy(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	data := bytes.Repeat([]byte("0123456789abcdef"), (65<<20)/16)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("big"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("big-copy"), CopySource: aws.String("data/big")})
	if err != nil {
		t.Fatal(err)
	}
	if out.CopyObjectResult == nil || aws.ToString(out.CopyObjectResult.ETag) == "" {
		t.Fatalf("no CopyObjectResult: %+v", out)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("big-copy")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(b, data) {
		t.Errorf("the copy has %d bytes, want %d equal bytes", len(b), len(data))
	}
}
