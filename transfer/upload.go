package transfer

import (
	"context"
	"io"
	"mime"
	"os"
	"path/filepath"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// upload sends the local file path to s3://bucket/key: one PutObject below
// the multipart threshold, a multipart upload at or above it, several
// parts in flight, each read from the file as it is sent.
func (j *job) upload(ctx context.Context, path, bucket, key string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := info.Size()
	// The AWS CLI guesses the Content-Type from the file name.
	contentType := mime.TypeByExtension(filepath.Ext(path))
	if size < j.opts.MultipartThreshold {
		in := &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key),
			Body: f, ContentLength: aws.Int64(size),
			ServerSideEncryption: j.write.sse, SSEKMSKeyId: j.write.kmsKeyID, ACL: j.write.acl, StorageClass: j.write.storageClass,
		}
		if contentType != "" {
			in.ContentType = aws.String(contentType)
		}
		checksumPut(in)
		_, err := j.client.PutObject(ctx, in)
		return size, err
	}
	uploadID, err := j.startMultipart(ctx, bucket, key, contentType, nil, checksumMultipart)
	if err != nil {
		return 0, err
	}
	partSize := j.writePartSize(size)
	n := int((size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, n)
	err = j.parts(ctx, n, func(ctx context.Context, i int) error {
		off := int64(i) * partSize
		length := min(partSize, size-off)
		// The part is read straight from the file: a section the SDK can
		// hash and rewind for a retry, so no buffer holds it.
		return j.uploadPart(ctx, bucket, key, uploadID, parts, i, io.NewSectionReader(f, off, length), length)
	})
	return j.completeMultipart(ctx, bucket, key, uploadID, parts, partSize, size, err)
}

// uploadPart sends part i (0-based) of an upload from body, which the
// SDK can rewind for a retry, records it in parts and counts its bytes
// as done (partDone).
func (j *job) uploadPart(ctx context.Context, bucket, key, uploadID string, parts []types.CompletedPart, i int, body io.ReadSeeker, length int64) error {
	in := &s3.UploadPartInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
		PartNumber: aws.Int32(int32(i + 1)), Body: body, ContentLength: aws.Int64(length),
	}
	checksumPart(in)
	out, err := j.client.UploadPart(ctx, in)
	if err != nil {
		return err
	}
	parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1)), ChecksumCRC64NVME: out.ChecksumCRC64NVME}
	partDone(ctx, length)
	return nil
}

// completeMultipart completes the upload of parts when the parts went
// well (err nil), and aborts it otherwise or when completing fails.
func (j *job) completeMultipart(ctx context.Context, bucket, key, uploadID string, parts []types.CompletedPart, partSize, size int64, err error) (int64, error) {
	if err == nil {
		in := &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		}
		checksumComplete(in, parts, partSize, size)
		_, err = j.client.CompleteMultipartUpload(ctx, in)
	}
	if err != nil {
		return 0, abortMultipart(ctx, j.client, bucket, key, uploadID, err)
	}
	return size, nil
}

// parts runs part(i) for i in [0, n) and returns the first error,
// cancelling the parts not yet done. The parts of every object of the job
// share Workers slots, so that the requests in flight stay bounded however
// many large objects are transferred at once.
func (j *job) parts(ctx context.Context, n int, part func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := j.partSlots
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := part(ctx, i); err != nil {
				once.Do(func() { first = err; cancel(err) })
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx)
}
