package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestDeleteVersionPermissions: DeleteObject with a versionId takes
// s3:DeleteObjectVersion alone, and without one s3:DeleteObject alone;
// denying one action leaves the other kind of delete allowed, which is
// why AWS tells whoever wants to block deletes to deny both
// (docs/decisions.md, "Does DeleteObject with a versionId need
// s3:DeleteObject too?").
func TestDeleteVersionPermissions(t *testing.T) {
	tests := []struct {
		name string
		// deny is the action a bucket policy denies everyone; "" none.
		deny  string
		creds aws.Credentials
		// versionDelete and markerDelete are the outcomes of
		// DeleteObject with and without a versionId.
		versionDelete, markerDelete string
	}{
		{"only s3:DeleteObjectVersion", "", versVersions, "ok", "AccessDenied"},
		{"only s3:DeleteObject", "", versCurrent, "AccessDenied", "ok"},
		{"s3:DeleteObject denied", "s3:DeleteObject", versAdmin, "ok", "AccessDenied"},
		{"s3:DeleteObjectVersion denied", "s3:DeleteObjectVersion", versAdmin, "AccessDenied", "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startEmulator(t, versioningWorldYAML)
			ctx := context.Background()
			admin := &versionRun{t: t, ctx: ctx, c: s.s3(t, versAdmin), vars: map[string]string{}}
			admin.step("versioning Enabled")
			admin.step("put k one -> v1")
			admin.step("put k two -> v2")
			if tt.deny != "" {
				policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"` + tt.deny + `","Resource":"arn:aws:s3:::vers/*"}]}`
				if _, err := admin.c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("vers"), Policy: aws.String(policy)}); err != nil {
					t.Fatal(err)
				}
			}
			r := &versionRun{t: t, ctx: ctx, c: s.s3(t, tt.creds), vars: admin.vars}
			r.step("delete k@v1 = " + tt.versionDelete)
			r.step("delete k = " + tt.markerDelete)
			want := "one"
			if tt.versionDelete == "ok" {
				want = "NoSuchVersion"
			}
			admin.step("get k@v1 = " + want)
		})
	}
}
