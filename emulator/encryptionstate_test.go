package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// encStateWorldYAML: bucket kms-default encrypts with a key whose policy
// lets only the account root use it; reader may read, list and write the
// bucket but not use the key. secret.txt is seeded under the bucket's
// default (SSE-KMS).
const encStateWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: reader
        access_keys: [{id: AKIAENCSTATEREADER01, secret: reader-secret}]
        policies:
          rw:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::kms-default", "arn:aws:s3:::kms-default/*"]}
    buckets:
      - name: kms-default
        objects: {secret.txt: "secret"}
        encryption:
          kms_key: "arn:aws:kms:us-east-1:111111111111:key/44444444-4444-4444-8444-444444444444"
    keys:
      - id: 44444444-4444-4444-8444-444444444444
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: RootOnly, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "kms:*", Resource: "*", Condition: {StringEquals: {"aws:PrincipalArn": "arn:aws:iam::111111111111:root"}}}
`

// TestKMSCallsFollowTheObjectsEncryption: S3's KMS calls follow how the
// object is encrypted, not its bucket's default (docs/authorization.md
// §3.1 "To download an object encrypted with an AWS KMS key, you need
// kms:Decrypt"; docs/decisions.md #31): in an SSE-KMS bucket, an object
// written with SSE-S3 is read and copied without kms:Decrypt, a key that
// does not exist answers NoSuchKey to a caller who may list the bucket,
// and only the SSE-KMS object needs kms:Decrypt.
func TestKMSCallsFollowTheObjectsEncryption(t *testing.T) {
	s := startEmulator(t, encStateWorldYAML)
	ctx := context.Background()
	reader := s.s3(t, aws.Credentials{AccessKeyID: "AKIAENCSTATEREADER01", SecretAccessKey: "reader-secret"})
	bucket := aws.String("kms-default")
	if _, err := reader.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("plain.txt"),
		Body: strings.NewReader("plain"), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatalf("PutObject with SSE-S3 into an SSE-KMS bucket: %v", err)
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"GetObject of an SSE-S3 object in an SSE-KMS bucket needs no kms:Decrypt", func() error {
			_, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("plain.txt")})
			return err
		}, ""},
		{"CopyObject from an SSE-S3 object to SSE-S3 needs no KMS permission", func() error {
			_, err := reader.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("plain-copy.txt"),
				CopySource: aws.String("kms-default/plain.txt"), ServerSideEncryption: types.ServerSideEncryptionAes256})
			return err
		}, ""},
		{"GetObject of a key that does not exist: NoSuchKey with s3:ListBucket, no kms:Decrypt asked", func() error {
			_, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("missing.txt")})
			return err
		}, "NoSuchKey"},
		{"GetObject of the SSE-KMS object needs kms:Decrypt", func() error {
			_, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("secret.txt")})
			return err
		}, "AccessDenied"},
		{"HeadObject of the SSE-KMS object needs no KMS permission", func() error {
			_, err := reader.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("secret.txt")})
			return err
		}, ""},
		{"HeadObject of the SSE-KMS object in checksum mode needs kms:Decrypt (docs/authorization.md §3.1)", func() error {
			_, err := reader.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("secret.txt"), ChecksumMode: types.ChecksumModeEnabled})
			return err
		}, "Forbidden"},
		{"CopyObject from the SSE-KMS object needs kms:Decrypt on its key", func() error {
			_, err := reader.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("secret-copy.txt"),
				CopySource: aws.String("kms-default/secret.txt"), ServerSideEncryption: types.ServerSideEncryptionAes256})
			return err
		}, "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.call()); got != tt.want {
				t.Errorf("error %q, want %q", got, tt.want)
			}
		})
	}
}
