package transfer

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// copyObject copies s3://srcBucket/srcKey (size bytes) to
// s3://bucket/key server-side: CopyObject below the multipart threshold,
// UploadPartCopy in parts, several at once, at or above it and always
// above 5 GiB, which CopyObject cannot copy
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html:
// "You can store individual objects of up to 5 TB in Amazon S3. You create
// a copy of your object up to 5 GB in size in a single atomic action using
// this API. However, to copy an object greater than 5 GB, you must use the
// multipart upload Upload Part - Copy (UploadPartCopy) API.").
func (j *job) copyObject(ctx context.Context, srcBucket, srcKey, bucket, key string, size int64) (int64, error) {
	source := copySource(srcBucket, srcKey)
	if size < j.opts.MultipartThreshold && size <= MaxCopyObject {
		_, err := j.client.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), CopySource: aws.String(source),
			ServerSideEncryption: j.write.sse, SSEKMSKeyId: j.write.kmsKeyID, ACL: j.write.acl, StorageClass: j.write.storageClass,
		})
		return size, err
	}
	// A multipart copy does not carry the source's Content-Type and
	// metadata as CopyObject does: read them first.
	head, err := j.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(srcBucket), Key: aws.String(srcKey)})
	if err != nil {
		return 0, err
	}
	uploadID, err := j.startMultipart(ctx, bucket, key, aws.ToString(head.ContentType), head.Metadata)
	if err != nil {
		return 0, err
	}
	partSize := j.writePartSize(size)
	n := int((size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, n)
	err = j.parts(ctx, n, func(ctx context.Context, i int) error {
		first := int64(i) * partSize
		last := min(first+partSize, size) - 1
		out, err := j.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String(source),
			CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", first, last)),
		})
		if err != nil {
			return err
		}
		parts[i] = types.CompletedPart{ETag: out.CopyPartResult.ETag, PartNumber: aws.Int32(int32(i + 1))}
		partDone(ctx, last-first+1)
		return nil
	})
	if err == nil {
		_, err = j.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
	}
	if err != nil {
		return 0, abortMultipart(ctx, j.client, bucket, key, uploadID, err)
	}
	return size, nil
}
