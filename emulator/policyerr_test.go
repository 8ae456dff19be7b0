package emulator_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// wantExactSvcErr checks a call's error code, HTTP status and exact
// message.
func wantExactSvcErr(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	ae := asSvcErr(t, err)
	if ae.Code != code || ae.Status != status || ae.Message != msg {
		t.Errorf("error = %s (HTTP %d): %q\nwant %s (HTTP %d): %q", ae.Code, ae.Status, ae.Message, code, status, msg)
	}
}

const groupDev = "arn:aws:iam::111111111111:group/dev"

// TestPolicyValidationMessages: a policy failing a validation AWS performs
// (docs/authorization.md §1.10) gets each service's own code and message.
func TestPolicyValidationMessages(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	admin := s.iam(t, svcKeys["admin"])
	keys := s.kms(t, svcKeys["admin"])
	const (
		dupSid   = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"Read","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`
		spaceSid = `{"Version":"2012-10-17","Statement":[{"Sid":"Read objects","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
		groupKey = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"},` +
			`{"Sid":"Developers","Effect":"Allow","Principal":{"AWS":"` + groupDev + `"},"Action":"kms:Decrypt","Resource":"*"}]}`
		groupTrust  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + groupDev + `"},"Action":"sts:AssumeRole"}]}`
		sidTrust    = `{"Version":"2012-10-17","Statement":[{"Sid":"allow-admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/admin"},"Action":"sts:AssumeRole"}]}`
		iamSidChars = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	)
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"PutUserPolicy with repeated Sids", func() error {
			_, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(dupSid)})
			return err
		}, "MalformedPolicyDocument", "Statement IDs (SID) in a single policy must be unique."},
		{"PutRolePolicy with a space in a Sid", func() error {
			_, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Reader"), PolicyName: aws.String("p"), PolicyDocument: aws.String(spaceSid)})
			return err
		}, "MalformedPolicyDocument", iamSidChars},
		{"PutUserPermissionsBoundary with a space in a Sid", func() error {
			_, err := admin.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String(spaceSid)})
			return err
		}, "MalformedPolicyDocument", iamSidChars},
		{"CreateRole trusting a group", func() error {
			_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("GroupTrust"), AssumeRolePolicyDocument: aws.String(groupTrust)})
			return err
		}, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"` + groupDev + `"`},
		{"CreateRole with a hyphen in a trust policy Sid", func() error {
			_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("SidTrust"), AssumeRolePolicyDocument: aws.String(sidTrust)})
			return err
		}, "MalformedPolicyDocument", iamSidChars},
		{"CreateKey naming a group", func() error {
			_, err := keys.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(groupKey)})
			return err
		}, "MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals."},
		{"PutKeyPolicy naming a group", func() error {
			_, err := keys.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(svcDefaultKey), Policy: aws.String(groupKey)})
			return err
		}, "MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantExactSvcErr(t, tt.call(), tt.code, http.StatusBadRequest, tt.msg)
		})
	}

	// Spaces in key policy Sids are fine: the default key policy has one.
	if _, err := keys.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}`)}); err != nil {
		t.Errorf("CreateKey with the default key policy: %v", err)
	}
}

// TestPutBucketPolicyValidation: S3 refuses a group principal and a
// resource outside the bucket with MalformedPolicy and its own messages,
// and stores repeated Sids and Sids with spaces (docs/authorization.md
// §1.10).
func TestPutBucketPolicyValidation(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	put := func(statements string) error {
		_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + statements + `]}`)})
		return err
	}
	refused := []struct {
		name, statements, msg string
	}{
		{"group principal", `{"Effect":"Allow","Principal":{"AWS":"` + groupDev + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}`, "Invalid principal in policy"},
		{"group in NotPrincipal", `{"Effect":"Deny","NotPrincipal":{"AWS":"` + groupDev + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}`, "Invalid principal in policy"},
		{"another bucket", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::data/*","arn:aws:s3:::other/*"]}`, "Policy has invalid resource"},
		{"Resource *", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`, "Policy has invalid resource"},
		{"a KMS key", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:kms:us-east-1:111111111111:key/k"}`, "Policy has invalid resource"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			wantExactSvcErr(t, put(tt.statements), "MalformedPolicy", http.StatusBadRequest, tt.msg)
		})
	}
	accepted := `{"Sid":"Public read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"},` +
		`{"Sid":"Public read","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::d*"}`
	if err := put(accepted); err != nil {
		t.Errorf("PutBucketPolicy with a repeated Sid with a space and a wildcard bucket: %v", err)
	}
}
