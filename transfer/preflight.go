package transfer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// PreflightError is a probe of the preflight that failed: the job lacks a
// permission it needs (or a location is wrong), found before anything was
// transferred. Err is the AWS error of the probe's call.
type PreflightError struct {
	// Probe says what was being proved, e.g. "writing s3://dst/data/".
	Probe string
	Err   error
	// Needs names the permissions the probe's call needs, for the denials
	// whose AWS message names none (a KMS key of another account:
	// "Access Denied").
	Needs string
}

func (e *PreflightError) Error() string {
	msg := fmt.Sprintf("preflight: %s: %v; nothing transferred", e.Probe, e.Err)
	if e.Needs != "" {
		msg += " (the probe needs " + e.Needs + ")"
	}
	return msg
}

func (e *PreflightError) Unwrap() error { return e.Err }

// probePayload is the body of the probe upload's one part when it is not
// copied from a source object.
var probePayload = []byte("lockstep preflight probe\n")

// preflight proves, with calls that leave nothing behind, the permissions
// the job needs (docs/sync.md#preflight): listing each S3 side, reading a
// source object, and, unless DryRun, writing the destination with a
// multipart upload that is created, given one part and aborted. listed
// says the source was listed to find obj (a tree; CopyOne lists nothing).
func (j *job) preflight(ctx context.Context, obj *probeObject, destPrefix string, listed bool) error {
	var proved []string
	if listed {
		proved = append(proved, "listed "+j.src.String())
	}
	if j.dst.IsS3() && j.opts.Strategy != Always {
		// A tree's listing goes on from this first page (one listing of
		// the side); CopyOne lists nothing else: one key proves it.
		in := &s3.ListObjectsV2Input{Bucket: aws.String(j.dst.Bucket), Prefix: aws.String(j.dst.dirPrefix())}
		if !j.tree {
			in.MaxKeys = aws.Int32(1)
		}
		out, err := j.client.ListObjectsV2(ctx, in)
		if err != nil {
			return j.probeFailed(ctx, "listing the destination "+j.dst.String(), err)
		}
		if j.tree {
			j.dstFirstPage = out
		}
		proved = append(proved, "listed "+j.dst.String())
	}
	// The client that reads the source's bytes is the destination's for
	// a server-side copy; with two sets of credentials, choosePath has
	// read with it already.
	reader := j.source
	if j.dir == Copy && !j.streamed {
		reader = j.client
	}
	readByPath := j.dir == Copy && !j.streamed && j.source != j.client
	if obj != nil && !readByPath {
		if err := readProbe(ctx, reader, obj); err != nil {
			return j.probeFailed(ctx, fmt.Sprintf("reading s3://%s/%s", obj.Bucket, obj.Key), err)
		}
		proved = append(proved, fmt.Sprintf("read s3://%s/%s", obj.Bucket, obj.Key))
	}
	if !j.opts.DryRun && j.dst.IsS3() {
		wrote, err := j.writeProbe(ctx, obj, destPrefix)
		if err != nil {
			return err
		}
		proved = append(proved, wrote)
	}
	if len(proved) > 0 {
		j.opts.Notice("preflight: passed: " + strings.Join(proved, "; "))
	}
	if j.opts.DryRun || !j.dst.IsS3() {
		return nil
	}
	if j.opts.Delete {
		j.opts.Notice("preflight: not probed: s3:DeleteObject for --delete (no probe can delete harmlessly); a denied deletion is reported as it happens")
	}
	if j.opts.ACL != "" {
		j.opts.Notice("preflight: not probed: that --acl " + j.opts.ACL + " takes effect (an ACL applies to a completed object, which the probe never makes)")
	}
	return nil
}

// writeProbe proves that multipart uploads can be aborted, then creates
// a multipart upload on a probe key below destPrefix
// with the job's write parameters (--sse, --sse-kms-key-id, --acl,
// --storage-class), gives it one part, and aborts it: s3:PutObject, and
// kms:GenerateDataKey on an SSE-KMS destination. The part is an
// UploadPartCopy of the first byte of obj for a server-side copy, which
// also needs s3:GetObject on the source and kms:Decrypt on the
// destination's key (docs/authorization.md, seed 003), else an UploadPart
// of a few bytes. The upload is always aborted, on failure and on Ctrl-C
// too; its creation is not cancelled half-way, so that its upload ID is
// always known.
//
// It returns what it proved, for the preflight's line.
func (j *job) writeProbe(ctx context.Context, obj *probeObject, destPrefix string) (string, error) {
	key := destPrefix + ".lockstep-preflight-" + randomSuffix()
	// s3:AbortMultipartUpload first, on an upload ID that does not exist:
	// S3 authorizes a request before it looks its upload up, so a denial
	// is AccessDenied and a grant NoSuchUpload. Without the grant, the
	// probe upload (and any upload Ctrl-C interrupts) could not be
	// removed: the job stops before creating anything (docs/decisions.md).
	_, err := j.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(j.dst.Bucket), Key: aws.String(key), UploadId: aws.String(randomSuffix() + randomSuffix() + randomSuffix())})
	if err != nil && errorCode(err) != "NoSuchUpload" {
		return "", j.probeFailed(ctx, fmt.Sprintf("aborting multipart uploads below s3://%s/%s (probed with an upload ID that does not exist; without it an interrupted upload could not be removed)", j.dst.Bucket, destPrefix), err)
	}
	where := fmt.Sprintf("writing s3://%s/%s (a multipart upload, aborted)", j.dst.Bucket, destPrefix)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	uploadID, err := j.write.createMultipart(cctx, j.client, j.dst.Bucket, key, "", nil)
	cancel()
	if err != nil {
		return "", j.probeFailed(ctx, where, err)
	}
	serverSide := j.dir == Copy && !j.streamed && obj != nil && obj.Size > 0
	if ctx.Err() == nil {
		if serverSide {
			where = fmt.Sprintf("copying s3://%s/%s to s3://%s/%s (UploadPartCopy of its first byte into a multipart upload, aborted)", obj.Bucket, obj.Key, j.dst.Bucket, destPrefix)
			_, err = j.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
				Bucket: aws.String(j.dst.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID), PartNumber: aws.Int32(1),
				CopySource: aws.String(copySource(obj.Bucket, obj.Key)), CopySourceRange: aws.String("bytes=0-0"),
			})
		} else {
			_, err = j.client.UploadPart(ctx, &s3.UploadPartInput{
				Bucket: aws.String(j.dst.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID), PartNumber: aws.Int32(1),
				Body: bytes.NewReader(probePayload), ContentLength: aws.Int64(int64(len(probePayload))),
			})
		}
	}
	actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer acancel()
	_, abortErr := j.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(j.dst.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID)})
	switch {
	case err != nil:
		perr := j.probeFailed(ctx, where, err)
		if pe, ok := perr.(*PreflightError); ok {
			pe.Needs = writeNeeds(serverSide)
		}
		return "", perr
	case ctx.Err() != nil:
		return "", j.probeFailed(ctx, where, ctx.Err())
	case abortErr != nil:
		return "", &PreflightError{Probe: fmt.Sprintf("aborting the probe upload %s of s3://%s/%s (abort it with aws s3api abort-multipart-upload)", uploadID, j.dst.Bucket, key), Err: abortErr}
	}
	if serverSide {
		return fmt.Sprintf("copied a part of s3://%s/%s to s3://%s/%s and aborted the upload", obj.Bucket, obj.Key, j.dst.Bucket, key), nil
	}
	return fmt.Sprintf("wrote a part to s3://%s/%s and aborted the upload", j.dst.Bucket, key), nil
}

// writeNeeds names what the write probe's part needs
// (docs/authorization.md: UploadPartCopy into an SSE-KMS destination needs
// kms:Decrypt on the destination's key, granted by its key policy and, for
// a caller of another account, by the caller's IAM policy too).
func writeNeeds(serverSide bool) string {
	if serverSide {
		return "s3:PutObject on the destination, s3:GetObject on the source object and, into an SSE-KMS destination, kms:GenerateDataKey and kms:Decrypt on the destination's key (in its key policy and, from another account, in the caller's IAM policy)"
	}
	return "s3:PutObject on the destination and, into an SSE-KMS destination, kms:GenerateDataKey and kms:Decrypt on its key"
}

// probeFailed is the error of a failed probe; an interruption is one, not
// a missing permission.
func (j *job) probeFailed(ctx context.Context, probe string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted during the preflight: %w (the probe upload, if any, was aborted; nothing transferred)", ctx.Err())
	}
	return &PreflightError{Probe: probe, Err: err}
}

// randomSuffix names a probe key that no object has.
func randomSuffix() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return fmt.Sprint(time.Now().UnixNano())
	}
	return hex.EncodeToString(b)
}
