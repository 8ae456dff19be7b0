package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// bufferPool holds the buffers of streamed copies: at most n at once,
// each of size bytes (the part size, or the multipart threshold when
// larger, so that a whole small object fits), allocated when first
// needed. A worker copying a small object or a part in flight takes one
// and returns it when sent; memory stays at most n × size whatever the
// number and size of the objects. Holders never wait for a second
// buffer, so waiting for one cannot deadlock.
type bufferPool struct {
	size int64
	free chan *[]byte
}

func newBufferPool(size int64, n int) *bufferPool {
	p := &bufferPool{size: size, free: make(chan *[]byte, n)}
	for range n {
		p.free <- nil // a slot whose buffer is not allocated yet
	}
	return p
}

// get waits for a free buffer and returns it holding n bytes. A part
// larger than size (grown to fit an object in MaxParts parts) gets a
// buffer of its own, which put drops.
func (p *bufferPool) get(ctx context.Context, n int64) (*[]byte, error) {
	select {
	case b := <-p.free:
		if b == nil || int64(cap(*b)) < n {
			nb := make([]byte, max(n, p.size))
			b = &nb
		}
		*b = (*b)[:n]
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *bufferPool) put(b *[]byte) {
	if int64(cap(*b)) > p.size {
		b = nil
	}
	p.free <- b
}

// readAttempts bounds the reads of one source range whose body breaks off
// (the SDK's retryer retries failed requests, not a body cut mid-way).
const readAttempts = 3

// streamCopy copies s3://srcBucket/srcKey (size bytes) to s3://bucket/key
// through lockstep: the source's credentials read, the destination's
// write, through the job's bufferPool. Below the multipart threshold, one GetObject fills a buffer that
// one PutObject sends; at or above it, each part is a ranged GetObject
// into a pooled part buffer that an UploadPart sends, several parts at
// once. No temporary file; a part whose read fails re-reads its range;
// the ranged reads carry If-Match with the source's ETag, so that an
// object replaced during the copy fails instead of mixing two versions.
// The Content-Type and user metadata are the source's, as a CopyObject
// copies them.
func (j *job) streamCopy(ctx context.Context, srcBucket, srcKey, bucket, key string, size int64) (int64, error) {
	if size < j.opts.MultipartThreshold {
		return j.streamSmall(ctx, srcBucket, srcKey, bucket, key, size)
	}
	head, err := j.source.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(srcBucket), Key: aws.String(srcKey)})
	if err != nil {
		return 0, err
	}
	if n := aws.ToInt64(head.ContentLength); n != size {
		return 0, fmt.Errorf("s3://%s/%s changed during the sync (listed %d bytes, now %d): not copied", srcBucket, srcKey, size, n)
	}
	uploadID, err := j.startMultipart(ctx, bucket, key, aws.ToString(head.ContentType), head.Metadata, checksumMultipart)
	if err != nil {
		return 0, err
	}
	partSize := partSizeFor(size, j.opts.PartSize)
	n := int((size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, n)
	err = j.parts(ctx, n, func(ctx context.Context, i int) error {
		first := int64(i) * partSize
		length := min(partSize, size-first)
		buf, err := j.buffers.get(ctx, length)
		if err != nil {
			return err
		}
		defer j.buffers.put(buf)
		if err := j.readRange(ctx, srcBucket, srcKey, head.ETag, first, length, &bufferWriter{buf: *buf}); err != nil {
			return err
		}
		// A bytes.Reader the SDK can rewind for a retry of the upload.
		return j.uploadPart(ctx, bucket, key, uploadID, parts, i, bytes.NewReader(*buf), length)
	})
	return j.completeMultipart(ctx, bucket, key, uploadID, parts, partSize, size, err)
}

// streamSmall copies an object below the multipart threshold: one
// GetObject into a buffer, one PutObject from it.
func (j *job) streamSmall(ctx context.Context, srcBucket, srcKey, bucket, key string, size int64) (int64, error) {
	out, err := j.source.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srcBucket), Key: aws.String(srcKey)}, noSkippedChecksumLog)
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	if n := aws.ToInt64(out.ContentLength); n != size {
		return 0, fmt.Errorf("s3://%s/%s changed during the sync (listed %d bytes, now %d): not copied", srcBucket, srcKey, size, n)
	}
	buf, err := j.buffers.get(ctx, size)
	if err != nil {
		return 0, err
	}
	defer j.buffers.put(buf)
	if _, err := io.ReadFull(out.Body, *buf); err != nil {
		return 0, fmt.Errorf("reading s3://%s/%s: %w", srcBucket, srcKey, err)
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(*buf), ContentLength: aws.Int64(size),
		ContentType: out.ContentType, Metadata: out.Metadata,
		ServerSideEncryption: j.write.sse, SSEKMSKeyId: j.write.kmsKeyID, ACL: j.write.acl, StorageClass: j.write.storageClass,
	}
	checksumPut(in)
	if _, err := j.client.PutObject(ctx, in); err != nil {
		return 0, err
	}
	return size, nil
}

// readRange writes the length bytes of s3://bucket/key from first on,
// version etag, to w in order, with ranged GetObjects carrying If-Match
// etag: when a body breaks off, the rest of the range is read again (the
// SDK's retryer retries failed requests, not a body cut mid-way).
func (j *job) readRange(ctx context.Context, bucket, key string, etag *string, first, length int64, w io.Writer) error {
	var err error
	var done int64
	for range readAttempts {
		var out *s3.GetObjectOutput
		out, err = j.source.GetObject(ctx, &s3.GetObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: etag,
			Range: aws.String(byteRange(first+done, length-done)),
		}, noSkippedChecksumLog)
		if err != nil && etag != nil && errorCode(err) == "PreconditionFailed" {
			return fmt.Errorf("s3://%s/%s changed during the sync (its ETag is no longer %s): not copied: %w", bucket, key, aws.ToString(etag), err)
		}
		if err != nil {
			return err // the SDK's retryer has retried what can be
		}
		var n int64
		n, err = io.Copy(w, io.LimitReader(out.Body, length-done))
		out.Body.Close()
		done += n
		if err == nil && done < length {
			err = io.ErrUnexpectedEOF
		}
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("reading s3://%s/%s bytes %d-%d: %w", bucket, key, first, first+length-1, errors.Join(err, ctx.Err()))
	}
	return nil
}

// byteRange is the Range header of the length bytes from first on
// (https://www.rfc-editor.org/rfc/rfc9110#name-byte-ranges: "bytes=0-499"
// is the first 500 bytes).
func byteRange(first, length int64) string {
	return fmt.Sprintf("bytes=%d-%d", first, first+length-1)
}

// bufferWriter writes into buf from its start, never beyond its end.
type bufferWriter struct {
	buf []byte
	n   int
}

func (w *bufferWriter) Write(p []byte) (int, error) {
	n := copy(w.buf[w.n:], p)
	w.n += n
	if n < len(p) {
		return n, io.ErrShortWrite
	}
	return n, nil
}
