package transfer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// download writes s3://bucket/key to the local file path: into a temporary
// file in the destination directory, renamed into place once complete, so
// that no partial file ever has the final name; the file's modification
// time is the object's LastModified (modTime), as the AWS CLI sets it, so
// that the next sync finds both sides equal.
func (j *job) download(ctx context.Context, bucket, key, path string, modTime time.Time) (int64, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	out, err := j.source.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
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
	n, err := io.Copy(tmp, out.Body)
	if err != nil {
		return 0, fmt.Errorf("reading the object: %w", err)
	}
	if want := aws.ToInt64(out.ContentLength); out.ContentLength != nil && n != want {
		return 0, fmt.Errorf("the object ended after %d of its %d bytes", n, want)
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if modTime.IsZero() {
		modTime = aws.ToTime(out.LastModified)
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
