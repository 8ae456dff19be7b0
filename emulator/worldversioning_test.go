package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestWorldVersioning: a world bucket's versioning (docs/world.md
// buckets[].versioning) is the state the emulator serves it with: what
// GetBucketVersioning answers and how writes are versioned; a bucket
// without it has none.
func TestWorldVersioning(t *testing.T) {
	const worldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAWVERADMIN0000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    buckets:
      - {name: enabled, versioning: Enabled}
      - {name: suspended, versioning: Suspended}
      - {name: never}
`
	s := startEmulator(t, worldYAML)
	c := s.s3(t, aws.Credentials{AccessKeyID: "AKIAWVERADMIN0000001", SecretAccessKey: "admin-secret"})
	ctx := context.Background()
	tests := []struct {
		bucket, status string
		versionID      bool
	}{
		{"enabled", "Enabled", true},
		{"suspended", "Suspended", false},
		{"never", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.bucket, func(t *testing.T) {
			v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(tt.bucket)})
			if err != nil {
				t.Fatal(err)
			}
			if string(v.Status) != tt.status {
				t.Errorf("status %q, want %q", v.Status, tt.status)
			}
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(tt.bucket), Key: aws.String("k")})
			if err != nil {
				t.Fatal(err)
			}
			vid := aws.ToString(out.VersionId)
			if got := vid != "" && vid != "null"; got != tt.versionID {
				t.Errorf("version ID %q, want one of its own: %v", vid, tt.versionID)
			}
		})
	}
}
