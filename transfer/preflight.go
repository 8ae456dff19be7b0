package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
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
		// The first page: the job's listing goes on from it, so that the
		// destination is listed once.
		out, err := j.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(j.dst.Bucket), Prefix: aws.String(j.dst.dirPrefix())})
		if err != nil {
			return j.probeFailed(ctx, "listing the destination "+j.dst.String(), err)
		}
		j.dstFirstPage = out
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
	// is AccessDenied and a grant NoSuchUpload. Without the grant, a probe
	// upload could not be removed: the write is probed by a PutObject S3
	// refuses for its Content-MD5 instead, which writes nothing
	// (docs/decisions.md).
	_, err := j.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(j.dst.Bucket), Key: aws.String(key), UploadId: aws.String(randomSuffix() + randomSuffix() + randomSuffix())})
	switch {
	case err == nil, errorCode(err) == "NoSuchUpload":
	case errorCode(err) == "AccessDenied" && ctx.Err() == nil:
		return j.digestProbe(ctx, key, destPrefix)
	default:
		return "", j.probeFailed(ctx, fmt.Sprintf("aborting multipart uploads below s3://%s/%s (probed with an upload ID that does not exist)", j.dst.Bucket, destPrefix), err)
	}
	where := fmt.Sprintf("writing s3://%s/%s (a multipart upload, aborted)", j.dst.Bucket, destPrefix)
	uploadID, err := j.startMultipart(ctx, j.dst.Bucket, key, "", nil)
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

// digestProbe proves s3:PutObject on the destination without writing
// anything, for a job that may not abort multipart uploads: a PutObject of the probe key with the job's write
// parameters and a Content-MD5 that is not its body's. S3 authorizes the
// request before it reads the body, so a denial is AccessDenied; a grant
// is BadDigest, and the object is not stored ("Amazon S3 checks the object
// against the provided MD5 value and, if they do not match, returns an
// error", docs/sync.md#preflight). What it cannot prove (the destination
// key's KMS permissions, UploadPartCopy of a server-side copy), and that
// an interrupted multipart upload of the job would stay, is said.
func (j *job) digestProbe(ctx context.Context, key, destPrefix string) (string, error) {
	j.opts.Notice(fmt.Sprintf("preflight: s3:AbortMultipartUpload is denied below s3://%s/%s, so the write probe makes no multipart upload (it could not remove it); a multipart upload of this job that fails or is interrupted cannot be aborted and stays incomplete (aws s3api list-multipart-uploads --bucket %s lists them); grant it, as lockstep sync --plan does, to have them removed", j.dst.Bucket, destPrefix, j.dst.Bucket))
	other := md5.Sum([]byte("not the probe's body"))
	in := &s3.PutObjectInput{
		Bucket: aws.String(j.dst.Bucket), Key: aws.String(key),
		Body: bytes.NewReader(probePayload), ContentLength: aws.Int64(int64(len(probePayload))),
		ContentMD5:           aws.String(base64.StdEncoding.EncodeToString(other[:])),
		ServerSideEncryption: j.write.sse, SSEKMSKeyId: j.write.kmsKeyID, ACL: j.write.acl, StorageClass: j.write.storageClass,
	}
	where := fmt.Sprintf("writing s3://%s/%s (a PutObject with a wrong Content-MD5, which S3 refuses)", j.dst.Bucket, destPrefix)
	_, err := j.client.PutObject(ctx, in)
	switch {
	case err == nil:
		// A server that ignores Content-MD5 stored the probe: remove it,
		// or say where it is.
		if _, derr := j.client.DeleteObject(context.WithoutCancel(ctx), &s3.DeleteObjectInput{Bucket: aws.String(j.dst.Bucket), Key: aws.String(key)}); derr != nil {
			return "", &PreflightError{Probe: fmt.Sprintf("writing s3://%s/%s: the destination ignored Content-MD5 and stored the probe object, which could not be deleted (delete it with aws s3 rm s3://%s/%s)", j.dst.Bucket, destPrefix, j.dst.Bucket, key), Err: derr}
		}
		j.opts.Notice(fmt.Sprintf("preflight: the destination ignored Content-MD5 and stored the probe object s3://%s/%s, which was deleted", j.dst.Bucket, key))
	case errorCode(err) == "BadDigest":
	default:
		perr := j.probeFailed(ctx, where, err)
		if pe, ok := perr.(*PreflightError); ok {
			pe.Needs = "s3:PutObject on the destination"
		}
		return "", perr
	}
	j.opts.Notice("preflight: not probed: the destination key's KMS permissions, when it encrypts with SSE-KMS (kms:GenerateDataKey, and kms:Decrypt for multipart uploads and copies), and UploadPartCopy, which only a multipart probe exercises")
	return fmt.Sprintf("proved s3:PutObject below s3://%s/%s with a PutObject S3 refused for its wrong Content-MD5 (nothing written)", j.dst.Bucket, destPrefix), nil
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
