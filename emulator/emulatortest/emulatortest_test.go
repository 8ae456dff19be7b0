package emulatortest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/emulator/emulatortest"
)

// TestConfig: a world file in one call, and credentials for a user, a
// role and an assumed-role session; a principal the world lacks is an
// error that names it.
func TestConfig(t *testing.T) {
	ctx := context.Background()
	srv := emulatortest.NewServerFile("../../examples/world.yaml")
	defer srv.Close()
	for _, p := range []string{
		"arn:aws:iam::111111111111:user/alice",
		"arn:aws:iam::111111111111:role/CopyRole",
		"arn:aws:sts::111111111111:assumed-role/CopyRole/job",
	} {
		cfg, err := srv.Config(ctx, p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		// Every one of them may list the source bucket in examples/world.yaml.
		_, err = s3.NewFromConfig(cfg, srv.S3Options).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("kazue-sync-source")})
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := srv.Config(ctx, "arn:aws:iam::111111111111:user/nobody"); err == nil || !strings.Contains(err.Error(), "user/nobody") {
		t.Errorf("unknown principal: %v", err)
	}
}
