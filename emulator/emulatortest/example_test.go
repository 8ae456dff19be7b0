package emulatortest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/lockstep-dev/lockstep/emulator/emulatortest"
	"github.com/lockstep-dev/lockstep/world"
)

// A world built in Go: alice may list the bucket, not read its objects.
const worldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: alice
        access_keys: [{id: AKIAALICEEXAMPLE0001, secret: alice-secret}]
        policies:
          list: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::reports"}]}
    buckets:
      - name: reports
        objects: {q1.csv: "a,b\n"}
`

// Start the emulator on a world, call S3 as one of its users with the AWS
// SDK for Go v2, and see the AccessDenied AWS would answer.
func Example() {
	ctx := context.Background()
	m, err := world.Decode([]byte(worldYAML), "example")
	if err != nil {
		panic(err)
	}
	srv := emulatortest.NewServer(m) // or emulatortest.NewServerFile("world.yaml")
	defer srv.Close()

	cfg, err := srv.Config(ctx, "arn:aws:iam::111111111111:user/alice")
	if err != nil {
		panic(err)
	}
	client := s3.NewFromConfig(cfg, srv.S3Options)

	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("reports")})
	if err != nil {
		panic(err)
	}
	fmt.Println("listed:", aws.ToString(list.Contents[0].Key))

	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("reports"), Key: aws.String("q1.csv")})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.ErrorCode()+":", strings.TrimSpace(strings.SplitAfter(apiErr.ErrorMessage(), " because")[1]))
	}
	// Output:
	// listed: q1.csv
	// AccessDenied: no identity-based policy allows the s3:GetObject action
}
