package emulator_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/world"
)

// managedKeyWorldYAML: account 111111111111 owns the bucket shared-in,
// whose policy lets 222222222222 write, and cmk-default, whose default
// encryption is a customer managed key. writer of 222222222222 may use S3
// and every KMS key as far as IAM goes.
const managedKeyWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAMKADMIN000000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    keys:
      - id: 1234abcd-12ab-34cd-56ef-1234567890ab
    buckets:
      - name: shared-in
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: "arn:aws:iam::222222222222:root"}
              Action: s3:PutObject
              Resource: arn:aws:s3:::shared-in/*
      - name: cmk-default
        encryption: {kms_key: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
  - id: "222222222222"
    users:
      - name: writer
        access_keys: [{id: AKIAMKWRITER00000001, secret: writer-secret}]
        policies:
          s3-kms: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:*", "kms:*"], Resource: "*"}]}
`

var (
	mkAdmin  = aws.Credentials{AccessKeyID: "AKIAMKADMIN000000001", SecretAccessKey: "admin-secret"}
	mkWriter = aws.Credentials{AccessKeyID: "AKIAMKWRITER00000001", SecretAccessKey: "writer-secret"}
	// mkS3Key is the aws/s3 key of 111111111111 (docs/authorization.md §3.3).
	mkS3Key = "arn:aws:kms:us-east-1:111111111111:key/" + world.S3KeyID("us-east-1", "111111111111")
	mkCMK   = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// putKMS writes an object with x-amz-server-side-encryption: aws:kms and
// no key ID.
func putKMS(ctx context.Context, c *s3.Client, bucket, key, body string) (*s3.PutObjectOutput, error) {
	return c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms,
	})
}

// SSE-KMS without a key ID uses the bucket owner's AWS managed key
// aws/s3 (docs/authorization.md §3.1 "Additional rules", §3.3), and the object reads back.
func TestS3ManagedKeyRoundTrip(t *testing.T) {
	s := startEmulator(t, managedKeyWorldYAML)
	ctx := context.Background()
	c := s.s3(t, mkAdmin)
	out, err := putKMS(ctx, c, "shared-in", "a.txt", "under aws/s3\n")
	if err != nil {
		t.Fatal(err)
	}
	if out.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) != mkS3Key {
		t.Errorf("PutObject: x-amz-server-side-encryption %q, key id %q; want aws:kms, %s", out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), mkS3Key)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared-in"), Key: aws.String("a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "under aws/s3\n" || aws.ToString(got.SSEKMSKeyId) != mkS3Key {
		t.Errorf("GetObject = %q under %q", body, aws.ToString(got.SSEKMSKeyId))
	}

	// The header without a key ID means aws/s3 even when the bucket's
	// default is a customer managed key (docs/decisions.md); without the
	// header the default applies.
	out, err = putKMS(ctx, c, "cmk-default", "b.txt", "b")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SSEKMSKeyId) != mkS3Key {
		t.Errorf("aws:kms without a key ID on a CMK-default bucket used %q, want aws/s3 %s", aws.ToString(out.SSEKMSKeyId), mkS3Key)
	}
	out, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cmk-default"), Key: aws.String("c.txt"), Body: strings.NewReader("c")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SSEKMSKeyId) != mkCMK {
		t.Errorf("no SSE header on a CMK-default bucket used %q, want %s", aws.ToString(out.SSEKMSKeyId), mkCMK)
	}

	// The alias names the caller's own aws/s3 key.
	out, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-in"), Key: aws.String("d.txt"), Body: strings.NewReader("d"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/aws/s3")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SSEKMSKeyId) != mkS3Key {
		t.Errorf("SSEKMSKeyId alias/aws/s3 used %q, want %s", aws.ToString(out.SSEKMSKeyId), mkS3Key)
	}
}

// A caller from another account cannot use the bucket owner's aws/s3 key,
// even with the bucket policy and its own IAM policy allowing (docs/authorization.md §3.3).
func TestS3ManagedKeyCrossAccountDenied(t *testing.T) {
	s := startEmulator(t, managedKeyWorldYAML)
	ctx := context.Background()
	w := s.s3(t, mkWriter)
	// The same write without SSE-KMS is allowed: the denial is KMS's.
	if _, err := w.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-in"), Key: aws.String("plain.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("cross-account SSE-S3 write: %v", err)
	}
	_, err := putKMS(ctx, w, "shared-in", "kms.txt", "x")
	// Cross-account callers get the plain message (docs/authorization.md §4.2).
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "Access Denied")
	if _, err := s.s3(t, mkAdmin).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("shared-in"), Key: aws.String("kms.txt")}); code(err) != "NotFound" {
		t.Errorf("the denied object exists: HeadObject error %q", code(err))
	}
}

// PutBucketEncryption with aws:kms and no KMSMasterKeyID makes the bucket
// owner's aws/s3 key the default; GetBucketEncryption shows no key ID.
func TestS3ManagedKeyBucketDefault(t *testing.T) {
	s := startEmulator(t, managedKeyWorldYAML)
	ctx := context.Background()
	c := s.s3(t, mkAdmin)
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String("shared-in"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("shared-in")})
	if err != nil {
		t.Fatal(err)
	}
	def := enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
	if def.SSEAlgorithm != types.ServerSideEncryptionAwsKms || def.KMSMasterKeyID != nil {
		t.Errorf("GetBucketEncryption = %s %q; want aws:kms without a key ID", def.SSEAlgorithm, aws.ToString(def.KMSMasterKeyID))
	}
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-in"), Key: aws.String("e.txt"), Body: strings.NewReader("e")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SSEKMSKeyId) != mkS3Key {
		t.Errorf("default-encrypted write used %q, want aws/s3 %s", aws.ToString(out.SSEKMSKeyId), mkS3Key)
	}
	// The other account's writer is now denied by default encryption.
	_, err = s.s3(t, mkWriter).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-in"), Key: aws.String("f.txt"), Body: strings.NewReader("f")})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "Access Denied")
}

// Through KMS the managed key describes itself as AWS managed, and its
// policy cannot be changed (docs/authorization.md §3.3).
func TestKMSManagedKey(t *testing.T) {
	s := startEmulator(t, managedKeyWorldYAML)
	ctx := context.Background()
	k := s.kms(t, mkAdmin)
	desc, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil {
		t.Fatal(err)
	}
	if md := desc.KeyMetadata; aws.ToString(md.Arn) != mkS3Key || md.KeyManager != kmstypes.KeyManagerTypeAws || aws.ToString(md.Description) != world.S3KeyDescription {
		t.Errorf("DescribeKey(alias/aws/s3) = %+v", md)
	}
	pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(mkS3Key)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(pol.Policy), `"Id":"auto-s3-2"`) {
		t.Errorf("GetKeyPolicy = %s", aws.ToString(pol.Policy))
	}
	open := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}`
	_, err = k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(mkS3Key), Policy: aws.String(open)})
	wantSvcErr(t, err, "AccessDeniedException", http.StatusBadRequest, "kms:PutKeyPolicy on resource: "+mkS3Key)
	// A direct call cannot use the key: it has no kms:ViaService.
	_, err = k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/aws/s3"), KeySpec: kmstypes.DataKeySpecAes256})
	wantSvcErr(t, err, "AccessDeniedException", http.StatusBadRequest, "kms:GenerateDataKey on resource: "+mkS3Key)
}
