package transfer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// download writes s3://bucket/key, listed with size bytes, to the local
// file path: into a temporary file in the destination directory, renamed
// into place once complete, so that no partial file ever has the final
// name (the temporary file is removed on failure and on cancellation).
// Below the multipart threshold one GetObject streams the object; at or
// above it, ranged GetObjects of the part size run in parallel, in the
// job's part slots (downloadRanges). The file's modification time is the
// object's LastModified (modTime), as the AWS CLI sets it, so that the
// next sync finds both sides equal.
func (j *job) download(ctx context.Context, bucket, key, path string, size int64, modTime time.Time) (int64, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(dir, ".lockstep-download-*")
	if err != nil {
		return 0, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var n int64
	var lastModified time.Time
	if size >= j.opts.MultipartThreshold {
		n, lastModified, err = j.downloadRanges(ctx, bucket, key, size, tmp)
	} else {
		n, lastModified, err = j.downloadWhole(ctx, bucket, key, tmp)
	}
	if err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if modTime.IsZero() {
		modTime = lastModified
	}
	if err := os.Chtimes(tmp.Name(), modTime, modTime); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	done = true
	return n, nil
}

// downloadWhole streams the object into f with one GetObject.
func (j *job) downloadWhole(ctx context.Context, bucket, key string, f *os.File) (int64, time.Time, error) {
	out, err := j.source.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return 0, time.Time{}, err
	}
	defer out.Body.Close()
	n, err := io.Copy(f, out.Body)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("reading the object: %w", err)
	}
	if want := aws.ToInt64(out.ContentLength); out.ContentLength != nil && n != want {
		return 0, time.Time{}, fmt.Errorf("the object ended after %d of its %d bytes", n, want)
	}
	return n, aws.ToTime(out.LastModified), nil
}

// downloadRanges writes the object (size bytes) into f in parts of the
// part size, each a ranged GetObject written at its offset, several at
// once in the job's part slots, memory bounded by a copy buffer a part
// (no part is held whole). The first range's answer names the version
// (its ETag) that the later ranges must read (If-Match), so that an
// object replaced during the download fails with PreconditionFailed
// instead of mixing two versions; the later ranges start once it came. A
// range whose body breaks off is read again from where it broke
// (readRange), and the file's size is checked at the end.
func (j *job) downloadRanges(ctx context.Context, bucket, key string, size int64, f *os.File) (int64, time.Time, error) {
	partSize := partSizeFor(size, j.opts.PartSize)
	n := int((size + partSize - 1) / partSize)
	var etag *string
	var lastModified time.Time
	versionKnown := make(chan struct{}) // closed once etag is set
	err := j.parts(ctx, n, func(ctx context.Context, i int) error {
		first := int64(i) * partSize
		length := min(partSize, size-first)
		w := io.NewOffsetWriter(f, first)
		if i > 0 {
			select {
			case <-versionKnown:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			if err := j.readRange(ctx, bucket, key, etag, first, length, w); err != nil {
				return err
			}
			partDone(ctx, length)
			return nil
		}
		out, err := j.source.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Range: aws.String(byteRange(0, length))}, noSkippedChecksumLog)
		if err != nil {
			return err
		}
		defer out.Body.Close()
		total, ok := rangeTotal(aws.ToString(out.ContentRange))
		switch {
		case !ok:
			return fmt.Errorf("s3://%s/%s: the answer to a ranged GetObject has no Content-Range (%q): not downloaded", bucket, key, aws.ToString(out.ContentRange))
		case total != size:
			return fmt.Errorf("s3://%s/%s changed during the sync (listed %d bytes, now %d): not downloaded", bucket, key, size, total)
		}
		etag, lastModified = out.ETag, aws.ToTime(out.LastModified)
		close(versionKnown)
		got, err := io.Copy(w, io.LimitReader(out.Body, length))
		if err != nil || got < length {
			// The rest of the range, of the same version.
			if err := j.readRange(ctx, bucket, key, etag, got, length-got, w); err != nil {
				return err
			}
		}
		partDone(ctx, length)
		return nil
	})
	if err != nil {
		return 0, time.Time{}, err
	}
	info, err := f.Stat()
	if err != nil {
		return 0, time.Time{}, err
	}
	if info.Size() != size {
		return 0, time.Time{}, fmt.Errorf("downloaded %d bytes of s3://%s/%s, which has %d", info.Size(), bucket, key, size)
	}
	return size, lastModified, nil
}

// rangeTotal is the complete length of a Content-Range header
// ("bytes 0-8388607/20971520",
// https://www.rfc-editor.org/rfc/rfc9110#name-content-range).
func rangeTotal(contentRange string) (int64, bool) {
	_, total, ok := strings.Cut(contentRange, "/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(total, 10, 64)
	return n, err == nil
}
