package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// The copy paths of an S3 → S3 job (Summary.CopyPath).
const (
	// CopyServerSide copies with CopyObject and UploadPartCopy, signed by
	// the destination's credentials: S3 moves the bytes.
	CopyServerSide = "server-side"
	// CopyStreamed reads with the source's credentials and writes with the
	// destination's, the bytes passing through lockstep (stream.go).
	CopyStreamed = "streamed"
)

// clientFor is the client of the source side or of the destination side.
func (j *job) clientFor(source bool) *s3.Client {
	if source {
		return j.source
	}
	return j.client
}

// probeObject is the source object the probes read: the first one listed
// (or CopyOne's), Size bytes.
type probeObject struct {
	Bucket, Key string
	Size        int64
}

// prepare is the job's set-up once its locations are known and before
// anything is transferred: for S3 → S3 the choice of the copy path, then
// the preflight (Options.Preflight). one is CopyOne's source object (nil
// for a tree, whose first listed object is probed); destPrefix is where
// the preflight's probe upload goes.
func (j *job) prepare(ctx context.Context, one *probeObject, destPrefix string) error {
	twoSides := j.source != j.client
	if !j.opts.Preflight && !(j.dir == Copy && twoSides) {
		return nil
	}
	obj := one
	if obj == nil && j.src.IsS3() {
		var err error
		obj, err = j.firstSourceObject(ctx)
		if err != nil {
			if !j.opts.Preflight {
				// The listing fails again in the run, which reports it.
				j.setPath(CopyStreamed, "the source cannot be listed")
				return nil
			}
			return &PreflightError{Probe: "listing the source " + j.src.String(), Err: err}
		}
	}
	if j.dir == Copy {
		j.choosePath(ctx, obj, twoSides)
	}
	if !j.opts.Preflight {
		return nil
	}
	return j.preflight(ctx, obj, destPrefix, one == nil && j.src.IsS3())
}

// firstSourceObject lists the first page of the source and returns its
// first object the filters include, preferring one with bytes (a ranged
// read of an empty object is an error); nil when the page holds none. The
// page is kept: the job's listing of the source goes on from it.
func (j *job) firstSourceObject(ctx context.Context) (*probeObject, error) {
	prefix := j.src.dirPrefix()
	out, err := j.source.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(j.src.Bucket), Prefix: aws.String(prefix)})
	if err != nil {
		return nil, err
	}
	j.srcFirstPage = out
	var found *probeObject
	for _, o := range out.Contents {
		key := aws.ToString(o.Key)
		rel, ok := strings.CutPrefix(key, prefix)
		if !ok || rel == "" || strings.HasSuffix(rel, "/") || !j.opts.Filters.Included(rel) {
			continue
		}
		p := &probeObject{Bucket: j.src.Bucket, Key: key, Size: aws.ToInt64(o.Size)}
		if p.Size > 0 {
			return p, nil
		}
		if found == nil {
			found = p
		}
	}
	return found, nil
}

// choosePath decides, once for the job, how S3 → S3 copies run. With one
// set of credentials they are server-side. With two, they are server-side
// when the destination's credentials can read the source (a server-side
// copy is one request, signed by one principal, that reads the source and
// writes the destination), which a 1-byte ranged GET of a source object
// proves; otherwise the source's credentials read and the destination's
// write, the bytes streaming through lockstep.
func (j *job) choosePath(ctx context.Context, obj *probeObject, twoSides bool) {
	switch {
	case !twoSides:
		j.setPath(CopyServerSide, "one set of credentials reads the source and writes the destination")
	case obj == nil:
		j.setPath(CopyStreamed, "the first page of the source listing holds no object to probe")
	default:
		if err := readProbe(ctx, j.client, obj); err != nil {
			j.setPath(CopyStreamed, "the destination's credentials cannot read the source: "+errorCode(err))
			return
		}
		j.setPath(CopyServerSide, "the destination's credentials can read the source")
	}
}

// setPath records the copy path and says why.
func (j *job) setPath(path, why string) {
	if j.dir != Copy {
		return
	}
	j.streamed = path == CopyStreamed
	if j.streamed && j.buffers == nil {
		j.buffers = newBufferPool(max(j.opts.PartSize, j.opts.MultipartThreshold), j.opts.Workers)
	}
	j.summary.CopyPath = path
	j.opts.Notice(fmt.Sprintf("copy path: %s (%s)", path, why))
}

// readProbe reads the first byte of obj with c (HeadObject for an empty
// object, whose every range is unsatisfiable): s3:GetObject, and
// kms:Decrypt when the object is SSE-KMS encrypted.
func readProbe(ctx context.Context, c *s3.Client, obj *probeObject) error {
	if obj.Size == 0 {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)})
		return err
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key), Range: aws.String("bytes=0-0")}, noSkippedChecksumLog)
	if err != nil {
		return err
	}
	return out.Body.Close()
}

// noSkippedChecksumLog keeps the SDK from logging, on standard error,
// that a GetObject response carries no checksum to validate: S3 returns
// none for a range, nor for an object stored without one, which is no
// fault.
func noSkippedChecksumLog(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }

// apiMessage is an AWS error as "Code: message", without the SDK's
// operation and request details; another error as it is.
func apiMessage(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}

// errorCode is the AWS error code of err, or its text.
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return err.Error()
}
