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
