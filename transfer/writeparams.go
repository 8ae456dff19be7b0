package transfer

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// writeParams are the --sse, --sse-kms-key-id, --acl and --storage-class
// of every object written.
type writeParams struct {
	sse          types.ServerSideEncryption
	kmsKeyID     *string
	acl          types.ObjectCannedACL
	storageClass types.StorageClass
}

func newWriteParams(o Options) writeParams {
	w := writeParams{
		sse:          types.ServerSideEncryption(o.SSE),
		acl:          types.ObjectCannedACL(o.ACL),
		storageClass: types.StorageClass(o.StorageClass),
	}
	if o.SSEKMSKeyID != "" {
		w.kmsKeyID = aws.String(o.SSEKMSKeyID)
	}
	return w
}

// createMultipart starts a multipart upload with the write parameters;
// opts set more of the request (the checksum of an upload).
func (w writeParams) createMultipart(ctx context.Context, c *s3.Client, bucket, key, contentType string, meta map[string]string, opts ...func(*s3.CreateMultipartUploadInput)) (string, error) {
	in := &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		ServerSideEncryption: w.sse, SSEKMSKeyId: w.kmsKeyID, ACL: w.acl, StorageClass: w.storageClass,
		Metadata: meta,
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	for _, o := range opts {
		o(in)
	}
	out, err := c.CreateMultipartUpload(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.UploadId), nil
}

// startMultipart creates the multipart upload of bucket/key (as
// writeParams.createMultipart) so that its upload ID is never lost: the
// creation runs on a context that Ctrl-C does not cancel, bounded by
// abortTimeout, so that S3's answer is always read once the request is
// sent (a cancellation while the answer is on its way would leave an
// upload that nobody knows to abort). When ctx was cancelled meanwhile,
// the new upload is aborted at once and the cancellation returned
// (docs/decisions.md, "The preflight's probe upload").
func (j *job) startMultipart(ctx context.Context, bucket, key, contentType string, meta map[string]string, opts ...func(*s3.CreateMultipartUploadInput)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	uploadID, err := j.write.createMultipart(cctx, j.client, bucket, key, contentType, meta, opts...)
	cancel()
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", abortMultipart(ctx, j.client, bucket, key, uploadID, err)
	}
	return uploadID, nil
}

// abortTimeout bounds the AbortMultipartUpload of a failed or cancelled
// upload, which runs even when the job's context is cancelled.
const abortTimeout = 30 * time.Second

// abortMultipart aborts an upload whose parts failed or were cancelled,
// so that no incomplete upload is left behind (and billed). It runs on a
// context that survives ctx's cancellation; its error joins cause.
func abortMultipart(ctx context.Context, c *s3.Client, bucket, key, uploadID string, cause error) error {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	_, err := c.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID)})
	if err != nil {
		return fmt.Errorf("%w (and aborting its multipart upload failed: %s; the upload stays incomplete until someone allowed to aborts it: aws s3api abort-multipart-upload --bucket %s --key %s --upload-id %s)", cause, apiMessage(err), bucket, key, uploadID)
	}
	return cause
}

// copySource is the x-amz-copy-source of bucket/key: the key URL-encoded,
// "/" kept (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html:
// "The value must be URL-encoded").
func copySource(bucket, key string) string {
	var b strings.Builder
	b.WriteString(bucket)
	b.WriteByte('/')
	for _, seg := range strings.SplitAfter(key, "/") {
		seg, slash := strings.CutSuffix(seg, "/")
		b.WriteString(strings.ReplaceAll(url.PathEscape(seg), "+", "%2B"))
		if slash {
			b.WriteByte('/')
		}
	}
	return b.String()
}
