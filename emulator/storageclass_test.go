package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestStorageClassAndTimes: an object's storage class is reported by
// HeadObject (x-amz-storage-class, sent for every class but STANDARD) and
// by the listing, and the listing's LastModified is HeadObject's to the
// second, with zero milliseconds as S3 lists it.
func TestStorageClassAndTimes(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	for key, class := range map[string]types.StorageClass{"ia.txt": types.StorageClassStandardIa, "std.txt": ""} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: strings.NewReader("x"), StorageClass: class}); err != nil {
			t.Fatal(err)
		}
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("ia.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if head.StorageClass != types.StorageClassStandardIa {
		t.Errorf("HeadObject storage class %q, want STANDARD_IA", head.StorageClass)
	}
	if h, _ := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("std.txt")}); h == nil || h.StorageClass != "" {
		t.Errorf("HeadObject of a STANDARD object sends a storage class: %+v", h)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Contents {
		if aws.ToString(o.Key) != "ia.txt" {
			continue
		}
		if o.StorageClass != types.ObjectStorageClassStandardIa {
			t.Errorf("listed storage class %q, want STANDARD_IA", o.StorageClass)
		}
		if !o.LastModified.Equal(*head.LastModified) || o.LastModified.Nanosecond() != 0 {
			t.Errorf("listed LastModified %v, HeadObject %v", o.LastModified, head.LastModified)
		}
	}
}
