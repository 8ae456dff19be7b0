package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// CopyTree copies every object below src to dst, as `aws s3 cp
// --recursive`: no comparison, no destination listing, no deletion.
func CopyTree(ctx context.Context, client *s3.Client, src, dst Location, opts Options) (Summary, error) {
	opts.Strategy, opts.Delete = Always, false
	return Sync(ctx, client, src, dst, opts)
}

// CopyOne copies the single file or object src to dst, as `aws s3 cp`
// without --recursive: a dst that ends in "/" (or, locally, is a
// directory) receives the object under its base name.
func CopyOne(ctx context.Context, client *s3.Client, src, dst Location, opts Options) (Summary, error) {
	// cp compares nothing, so it lists no destination (nor does its
	// preflight: docs/sync.md#preflight).
	opts.Strategy = Always
	j, err := newJob(client, src, dst, opts)
	if err != nil {
		return Summary{}, err
	}
	start := time.Now()
	var e Entry
	var base string
	if src.IsS3() {
		if src.Key == "" || strings.HasSuffix(src.Key, "/") {
			return Summary{}, fmt.Errorf("%w: %s names a prefix, not an object: add --recursive to copy what it holds", ErrUsage, src)
		}
		head, err := j.source.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key)})
		if err != nil {
			return Summary{}, fmt.Errorf("reading %s: %w", src, err)
		}
		e = Entry{Size: aws.ToInt64(head.ContentLength), ModTime: aws.ToTime(head.LastModified)}
		base = path.Base(src.Key)
	} else {
		info, err := os.Stat(src.Local)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return Summary{}, fmt.Errorf("the source %s %w", src.Local, ErrSourceMissing)
		case err != nil:
			return Summary{}, err
		case info.IsDir():
			return Summary{}, fmt.Errorf("%w: %s is a directory: add --recursive to copy what it holds", ErrUsage, src.Local)
		}
		e = Entry{Size: info.Size(), ModTime: info.ModTime()}
		base = filepath.Base(src.Local)
	}
	// As in the AWS CLI, the filters match the file against the directory
	// holding it: --exclude '*.tmp' skips ./x.tmp.
	if !j.opts.Filters.Included(base) {
		j.summary.Skipped++
		j.summary.Duration = time.Since(start)
		return j.summary, nil
	}
	to := dst
	if dst.IsS3() {
		if dst.Key == "" || strings.HasSuffix(dst.Key, "/") {
			to.Key += base
		}
	} else if info, err := os.Stat(dst.Local); strings.HasSuffix(dst.Local, string(os.PathSeparator)) || (err == nil && info.IsDir()) {
		to.Local = filepath.Join(dst.Local, base)
	}
	var one *probeObject
	if src.IsS3() {
		one = &probeObject{Bucket: src.Bucket, Key: src.Key, Size: e.Size}
	}
	if err := j.prepare(ctx, one, to.Key[:strings.LastIndex(to.Key, "/")+1]); err != nil {
		return j.summary, err
	}
	ev := Event{Op: string(j.dir), Source: src.String(), Dest: to.String(), Size: e.Size, DryRun: j.opts.DryRun}
	if !j.opts.DryRun {
		j.opts.Progress.found(e.Size)
		j.opts.Progress.listingDone()
		ev.Size, ev.Err = j.copyEntry(ctx, src, to, e)
		ev.Duration = time.Since(start)
	}
	j.report(ev)
	j.summary.Duration = time.Since(start)
	if err := ctx.Err(); err != nil {
		return j.summary, fmt.Errorf("interrupted: %w", err)
	}
	return j.summary, nil
}
