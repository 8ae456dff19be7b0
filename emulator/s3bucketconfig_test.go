package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// refreshCall is one call of the Terraform AWS provider's aws_s3_bucket
// refresh (resourceBucketRead): the operation, the IAM action S3 checks
// for it, the error code S3 answers for a bucket created through the API
// and never configured ("" for success), and a check of the answer.
type refreshCall struct {
	op, action, wantCode string
	call                 func(ctx context.Context, c *s3.Client, bucket string) (any, error)
	check                func(t *testing.T, out any)
}

// terraformRefresh lists the provider's calls in its order: HeadBucket
// (findBucket), then policy, ACL, CORS, website, versioning, accelerate,
// request payment, logging, lifecycle, replication, encryption and object
// lock, the region (HeadBucket again) and the tags. The provider tolerates
// the not-found codes below and fails the refresh on any other error.
func terraformRefresh() []refreshCall {
	b := func(bucket string) *string { return aws.String(bucket) }
	return []refreshCall{
		{op: "HeadBucket", action: "s3:ListBucket", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b(bucket)})
		}},
		{op: "GetBucketPolicy", action: "s3:GetBucketPolicy", wantCode: "NoSuchBucketPolicy", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b(bucket)})
		}},
		{op: "GetBucketAcl", action: "s3:GetBucketAcl", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b(bucket)})
		}, check: func(t *testing.T, out any) {
			o := out.(*s3.GetBucketAclOutput)
			if o.Owner == nil || len(o.Grants) != 1 || o.Grants[0].Permission != types.PermissionFullControl ||
				o.Grants[0].Grantee == nil || aws.ToString(o.Grants[0].Grantee.ID) != aws.ToString(o.Owner.ID) || o.Grants[0].Grantee.Type != types.TypeCanonicalUser {
				t.Errorf("GetBucketAcl = owner %+v grants %+v, want one FULL_CONTROL grant to the owner", o.Owner, o.Grants)
			}
		}},
		{op: "GetBucketCors", action: "s3:GetBucketCORS", wantCode: "NoSuchCORSConfiguration", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b(bucket)})
		}},
		{op: "GetBucketWebsite", action: "s3:GetBucketWebsite", wantCode: "NoSuchWebsiteConfiguration", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: b(bucket)})
		}},
		{op: "GetBucketVersioning", action: "s3:GetBucketVersioning", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b(bucket)})
		}, check: func(t *testing.T, out any) {
			if o := out.(*s3.GetBucketVersioningOutput); o.Status != "" || o.MFADelete != "" {
				t.Errorf("GetBucketVersioning = %q %q, want no status for a never-versioned bucket", o.Status, o.MFADelete)
			}
		}},
		{op: "GetBucketAccelerateConfiguration", action: "s3:GetAccelerateConfiguration", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: b(bucket)})
		}, check: func(t *testing.T, out any) {
			if o := out.(*s3.GetBucketAccelerateConfigurationOutput); o.Status != "" {
				t.Errorf("GetBucketAccelerateConfiguration status = %q, want none", o.Status)
			}
		}},
		{op: "GetBucketRequestPayment", action: "s3:GetBucketRequestPayment", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b(bucket)})
		}, check: func(t *testing.T, out any) {
			if o := out.(*s3.GetBucketRequestPaymentOutput); o.Payer != types.PayerBucketOwner {
				t.Errorf("GetBucketRequestPayment payer = %q, want BucketOwner", o.Payer)
			}
		}},
		{op: "GetBucketLogging", action: "s3:GetBucketLogging", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b(bucket)})
		}, check: func(t *testing.T, out any) {
			if o := out.(*s3.GetBucketLoggingOutput); o.LoggingEnabled != nil {
				t.Errorf("GetBucketLogging = %+v, want logging not enabled", o.LoggingEnabled)
			}
		}},
		{op: "GetBucketLifecycleConfiguration", action: "s3:GetLifecycleConfiguration", wantCode: "NoSuchLifecycleConfiguration", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b(bucket)})
		}},
		{op: "GetBucketReplication", action: "s3:GetReplicationConfiguration", wantCode: "ReplicationConfigurationNotFoundError", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: b(bucket)})
		}},
		{op: "GetBucketEncryption", action: "s3:GetEncryptionConfiguration", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b(bucket)})
		}},
		{op: "GetObjectLockConfiguration", action: "s3:GetBucketObjectLockConfiguration", wantCode: "ObjectLockConfigurationNotFoundError", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b(bucket)})
		}},
		{op: "HeadBucket (region)", action: "s3:ListBucket", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b(bucket)})
		}, check: func(t *testing.T, out any) {
			if o := out.(*s3.HeadBucketOutput); aws.ToString(o.BucketRegion) != "us-east-1" {
				t.Errorf("HeadBucket region = %q, want us-east-1", aws.ToString(o.BucketRegion))
			}
		}},
		{op: "GetBucketTagging", action: "s3:GetBucketTagging", wantCode: "NoSuchTagSet", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b(bucket)})
		}},
		{op: "GetPublicAccessBlock", action: "s3:GetBucketPublicAccessBlock", wantCode: "NoSuchPublicAccessBlockConfiguration", call: func(ctx context.Context, c *s3.Client, bucket string) (any, error) {
			return c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b(bucket)})
		}},
	}
}

// TestTerraformBucketRefresh replays the provider's refresh of an
// aws_s3_bucket on a bucket created through the API: every call answers
// as S3 does for an unconfigured bucket (never NotImplemented), and each
// is authorized with its own IAM action: a user without it is denied with
// a message naming it.
func TestTerraformBucketRefresh(t *testing.T) {
	audit := &svcAudit{}
	s := startEmulator(t, s3WorldYAML, withAudit(audit))
	ctx := context.Background()
	const bucket = "tf-refresh"
	admin := s.s3(t, s3Admin)
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	for _, rc := range terraformRefresh() {
		t.Run(rc.op, func(t *testing.T) {
			out, err := rc.call(ctx, admin, bucket)
			if rc.wantCode == "" {
				if err != nil {
					t.Fatalf("%s: %v", rc.op, err)
				}
				if rc.check != nil {
					rc.check(t, out)
				}
				return
			}
			wantSvcErr(t, err, rc.wantCode, http.StatusNotFound, "")
		})
	}
	// Each call is one CloudTrail record named after its operation, with
	// S3's error code when it failed.
	want := map[string]int{"CreateBucket/": 1}
	for _, rc := range terraformRefresh() {
		name, _, _ := strings.Cut(rc.op, " ")
		want[name+"/"+rc.wantCode]++
	}
	got := map[string]int{}
	for _, r := range audit.wait(t, 1+len(terraformRefresh())) {
		code, _ := r["errorCode"].(string)
		got[fmt.Sprint(r["eventName"])+"/"+code]++
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("audit records (eventName/errorCode) = %v\nwant %v", got, want)
	}
	reader := s.s3(t, s3Reader)
	for _, rc := range terraformRefresh() {
		if strings.HasPrefix(rc.op, "HeadBucket") {
			continue // a HEAD answer has no body to name the action
		}
		t.Run(rc.op+" denied", func(t *testing.T) {
			_, err := rc.call(ctx, reader, bucket)
			wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "because no identity-based policy allows the "+rc.action+" action")
		})
	}
	t.Run("missing bucket", func(t *testing.T) {
		for _, rc := range terraformRefresh() {
			if strings.HasPrefix(rc.op, "HeadBucket") {
				continue
			}
			_, err := rc.call(ctx, admin, "no-such-bucket-here")
			wantSvcErr(t, err, "NoSuchBucket", http.StatusNotFound, "The specified bucket does not exist")
		}
	})
}

// TestCreateBucketWithObjectLockRefused: a bucket created with Object Lock
// enabled would read back as having no Object Lock configuration, so the
// emulator refuses to create it (NotImplemented) once the caller is
// authorized, and creates nothing.
func TestCreateBucketWithObjectLockRefused(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	in := &s3.CreateBucketInput{Bucket: aws.String("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}
	_, err := s.s3(t, s3Reader).CreateBucket(ctx, in)
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "s3:CreateBucket")
	_, err = s.s3(t, s3Admin).CreateBucket(ctx, in)
	wantSvcErr(t, err, "NotImplemented", http.StatusNotImplemented, "object lock")
	_, err = s.s3(t, s3Admin).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("locked")})
	if code(err) != "NotFound" {
		t.Errorf("HeadBucket after the refused CreateBucket: %v, want NotFound", err)
	}
}

// TestCreateBucketHeaderActions: the actions CreateBucket's headers add
// (s3:PutBucketOwnershipControls for x-amz-object-ownership, s3:PutBucketAcl
// for a canned ACL other than private) are checked on the bucket it would
// create, which does not exist yet (docs/authorization.md §2.2 CreateBucket):
// allowed for the administrator, denied by name for a user with only
// s3:CreateBucket, never an internal error.
func TestCreateBucketHeaderActions(t *testing.T) {
	const world = s3WorldYAML + `
  - id: "222222222222"
    users:
      - name: creator
        access_keys: [{id: AKIAS3CREATOR0000001, secret: creator-secret}]
        policies:
          create: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:CreateBucket, Resource: "*"}]}
`
	creator := aws.Credentials{AccessKeyID: "AKIAS3CREATOR0000001", SecretAccessKey: "creator-secret"}
	s := startEmulator(t, world)
	ctx := context.Background()
	for _, tc := range []struct {
		name, bucket string
		in           s3.CreateBucketInput
		action       string
	}{
		{"object ownership", "owned-by-writer", s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipObjectWriter}, "s3:PutBucketOwnershipControls"},
		{"public-read ACL", "read-by-all", s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipObjectWriter, ACL: types.BucketCannedACLPublicRead}, "s3:PutBucketAcl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = aws.String(tc.bucket + "-denied")
			_, err := s.s3(t, creator).CreateBucket(ctx, &in)
			wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "because no identity-based policy allows the "+tc.action+" action")
			in.Bucket = aws.String(tc.bucket)
			if _, err := s.s3(t, s3Admin).CreateBucket(ctx, &in); err != nil {
				t.Fatalf("administrator: %v", err)
			}
			out, err := s.s3(t, s3Admin).GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: in.Bucket})
			if err != nil || len(out.OwnershipControls.Rules) != 1 || out.OwnershipControls.Rules[0].ObjectOwnership != tc.in.ObjectOwnership {
				t.Errorf("ownership controls after CreateBucket: %+v, %v", out, err)
			}
		})
	}
}
