package transfer

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// listS3 yields the objects below prefix in bucket, page by page, with
// keys relative to prefix; only one page is held at a time. S3 lists in
// byte order (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ListingKeysUsingAPIs.html:
// "List results are always returned in UTF-8 binary order").
func listS3(ctx context.Context, client *s3.Client, bucket, prefix string) Listing {
	return func(yield func(Entry, error) bool) {
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				yield(Entry{}, fmt.Errorf("listing s3://%s/%s: %w", bucket, prefix, err))
				return
			}
			for _, o := range page.Contents {
				key := aws.ToString(o.Key)
				rel, ok := strings.CutPrefix(key, prefix)
				if !ok || rel == "" {
					continue
				}
				if !yield(Entry{Key: rel, Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified)}, nil) {
					return
				}
			}
		}
	}
}
