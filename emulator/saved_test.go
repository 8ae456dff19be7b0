package emulator_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/emulator"
)

// TestSavedWorldSurvivesRestart: users, keys and policies made through
// the IAM API, and buckets made through S3, are served again after a
// restart on the same data directory without --world.
func TestSavedWorldSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	inDir := func(o *emulator.Options) { o.DataDir = dir }
	ctx := context.Background()
	s := startEmulator(t, s3WorldYAML, inDir)
	im := s.iam(t, s3Admin)
	if _, err := im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("late")}); err != nil {
		t.Fatal(err)
	}
	key, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("late")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := im.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("late"), PolicyName: aws.String("list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::made-at-run-time"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.s3(t, s3Admin).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("made-at-run-time")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "world.yaml")); err != nil {
		t.Fatalf("no saved world: %v", err)
	}

	s = startEmulator(t, "", inDir) // no world: the data directory's
	late := aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}
	if _, err := s.s3(t, late).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("made-at-run-time")}); err != nil {
		t.Errorf("after the restart, the user made through IAM cannot list the bucket made through S3: %v", err)
	}
	if _, err := s.s3(t, s3Reader).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("hello.txt")}); err != nil {
		t.Errorf("after the restart, the world file's user cannot read: %v", err)
	}
}
