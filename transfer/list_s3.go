package transfer

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listS3 yields the objects below prefix in bucket, with keys relative to
// prefix. S3 lists in byte order
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ListingKeysUsingAPIs.html:
// "List results are always returned in UTF-8 binary order"). The next page
// is fetched while the current one is consumed, so that the listings of
// both sides of a sync run at once; at most two pages are held. first,
// when not nil, is the listing's first page, fetched already (by the
// preflight): the listing goes on from it, so that each side is listed
// once.
func listS3(ctx context.Context, client *s3.Client, bucket, prefix string, first *s3.ListObjectsV2Output) Listing {
	return func(yield func(Entry, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		pages := make(chan pageOrError, 1)
		go fetchPages(ctx, client, bucket, prefix, first, pages)
		for p := range pages {
			if p.err != nil {
				yield(Entry{}, fmt.Errorf("listing s3://%s/%s: %w", bucket, prefix, p.err))
				return
			}
			for _, o := range p.objects {
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
		// A listing cut short by a cancellation is an error, never a
		// complete listing (which --delete would act on).
		if err := ctx.Err(); err != nil {
			yield(Entry{}, fmt.Errorf("listing s3://%s/%s: %w", bucket, prefix, err))
		}
	}
}

type pageOrError struct {
	objects []types.Object
	err     error
}

// fetchPages sends the pages of the listing to pages, then closes it; it
// stops when ctx is done. A first page given is sent first and the
// listing continues after it.
func fetchPages(ctx context.Context, client *s3.Client, bucket, prefix string, first *s3.ListObjectsV2Output, pages chan<- pageOrError) {
	defer close(pages)
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	if first != nil {
		select {
		case pages <- pageOrError{objects: first.Contents}:
		case <-ctx.Done():
			return
		}
		if !aws.ToBool(first.IsTruncated) || aws.ToString(first.NextContinuationToken) == "" {
			return
		}
		in.ContinuationToken = first.NextContinuationToken
	}
	p := s3.NewListObjectsV2Paginator(client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		select {
		case pages <- pageOrError{objects: pageObjects(page), err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

func pageObjects(page *s3.ListObjectsV2Output) []types.Object {
	if page == nil {
		return nil
	}
	return page.Contents
}
