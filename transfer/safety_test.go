package transfer_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/transfer"
)

// putObjects writes keys (content: the key) to bucket.
func putObjects(t *testing.T, c *s3.Client, bucket string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
}

// --delete never deletes when the source is missing, unreadable or
// empty, when a copy failed, or beyond --max-delete (AWS CLI #1564).
func TestSyncDeleteSafety(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	admin := e.client(t, syncer)
	putObjects(t, admin, "dst", "backup/1", "backup/2", "backup/3")
	putObjects(t, admin, "src", "full/1", "full/new")
	emptyDir := t.TempDir()
	tests := []struct {
		name      string
		principal string
		src       string
		maxDelete int
		wantErr   error
		wantText  string
	}{
		{"missing local source", syncer, filepath.Join(emptyDir, "unmounted"), -1, transfer.ErrSourceMissing, "does not exist"},
		{"missing source bucket", syncer, "s3://no-such-bucket/x", -1, nil, "NoSuchBucket"},
		{"source the principal cannot list", dstOnly, "s3://src/full", -1, nil, "s3:ListBucket"},
		{"empty source directory", syncer, emptyDir, -1, transfer.ErrDeleteRefused, "lists no object"},
		{"empty source prefix", syncer, "s3://src/nothing-here", -1, transfer.ErrDeleteRefused, "lists no object"},
		{"more than --max-delete", syncer, "s3://src/full", 1, transfer.ErrDeleteRefused, "would delete 2 objects, more than --max-delete 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.calls(t)
			_, err := transfer.Sync(ctx, e.client(t, tt.principal), loc(t, tt.src), loc(t, "s3://dst/backup"), transfer.Options{Delete: true, MaxDelete: tt.maxDelete})
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %v, want %v containing %q", err, tt.wantErr, tt.wantText)
			}
			if calls := e.calls(t); slices.Contains(calls, "DeleteObject") || slices.Contains(calls, "DeleteObjects") {
				t.Errorf("deleted despite the error: %q", calls)
			}
		})
	}
	// Within --max-delete, the deletions run after the copies.
	sum, err := transfer.Sync(ctx, admin, loc(t, "s3://src/full"), loc(t, "s3://dst/backup"), transfer.Options{Delete: true, MaxDelete: 2})
	if err != nil || sum.Deleted != 2 || sum.Copied+sum.Skipped != 2 {
		t.Fatalf("sync: %+v, %v", sum, err)
	}
	if got := slices.Sorted(mapKeys(objects(t, admin, "dst", "backup/"))); !slices.Equal(got, []string{"1", "new"}) {
		t.Errorf("dst/backup holds %q", got)
	}
}

// A copy that fails (denied) is reported per object, the others go on,
// and --delete then deletes nothing.
func TestSyncDeniedWrite(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	putObjects(t, e.client(t, syncer), "dst", "stale")
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a": "a", "b": "b"})
	var rec recorder
	sum, err := transfer.Sync(ctx, e.client(t, reader), loc(t, src), loc(t, "s3://dst"), transfer.Options{Delete: true, MaxDelete: -1, Report: rec.report})
	if !errors.Is(err, transfer.ErrDeleteRefused) || sum.Failed != 2 || sum.Deleted != 0 {
		t.Fatalf("sync: %+v, %v", sum, err)
	}
	for _, ev := range rec.events {
		if ev.Err == nil || !strings.Contains(ev.Err.Error(), "AccessDenied") || !strings.Contains(ev.Err.Error(), "s3:PutObject") {
			t.Errorf("%s: error %v, want AccessDenied naming s3:PutObject", ev.Dest, ev.Err)
		}
	}
}

// --dryrun reports what it would do and calls nothing but listings.
func TestSyncDryRun(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	putObjects(t, e.client(t, syncer), "dst", "stale")
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a": "a", "d/b": "b"})
	e.calls(t)
	var rec recorder
	_, err := transfer.Sync(ctx, e.client(t, syncer), loc(t, src), loc(t, "s3://dst"), transfer.Options{Delete: true, MaxDelete: -1, DryRun: true, Report: rec.report})
	if err != nil {
		t.Fatal(err)
	}
	if calls := distinct(e.calls(t)); !slices.Equal(calls, []string{"ListObjectsV2"}) {
		t.Errorf("dry run called %q, want listings only", calls)
	}
	var got []string
	for _, ev := range rec.events {
		if !ev.DryRun {
			t.Errorf("%+v is not marked dry run", ev)
		}
		got = append(got, ev.Op+" "+ev.Dest)
	}
	if want := []string{"upload s3://dst/a", "upload s3://dst/d/b", "delete s3://dst/stale"}; !slices.Equal(got, want) {
		t.Errorf("dry run reported %q, want %q", got, want)
	}
}

// cancelOnPart cancels the job when the upload's second part is sent.
type cancelOnPart struct {
	next   s3.HTTPClient
	cancel context.CancelFunc
}

func (c cancelOnPart) Do(r *http.Request) (*http.Response, error) {
	if r.URL.Query().Get("partNumber") == "2" {
		c.cancel()
	}
	return c.next.Do(r)
}

// A cancelled sync (Ctrl-C) aborts its multipart uploads, of an upload
// (UploadPart) or of an S3 copy (UploadPartCopy): none is left.
func TestSyncCancelAbortsMultipart(t *testing.T) {
	big := strings.Repeat("x", 16<<20)
	for _, tt := range []struct{ name, src, dst string }{
		{"upload", "", "s3://dst/up"},
		{"S3 copy", "s3://src/big", "s3://dst/copy"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			admin := e.client(t, syncer)
			src := tt.src
			if src == "" {
				src = t.TempDir()
				writeTree(t, src, map[string]string{"big": big})
			} else if _, err := admin.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("big/big"), Body: strings.NewReader(big)}); err != nil {
				t.Fatal(err)
			}
			e.calls(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := e.client(t, syncer, func(o *s3.Options) { o.HTTPClient = cancelOnPart{next: o.HTTPClient, cancel: cancel} })
			_, err := transfer.Sync(ctx, c, loc(t, src), loc(t, tt.dst), multipart)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want the cancellation", err)
			}
			uploads, err := admin.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("dst")})
			if err != nil {
				t.Fatal(err)
			}
			if len(uploads.Uploads) != 0 {
				t.Errorf("%d multipart uploads left after the cancel", len(uploads.Uploads))
			}
			if calls := e.calls(t); !slices.Contains(calls, "AbortMultipartUpload") || slices.Contains(calls, "CompleteMultipartUpload") {
				t.Errorf("calls %q: want an abort and no completion", calls)
			}
			if got := objects(t, admin, "dst", ""); len(got) != 0 {
				t.Errorf("the cancelled transfer left objects %q", slices.Collect(mapKeys(got)))
			}
		})
	}
}

// cp copies one object, or a tree with --recursive, without listing the
// destination.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	src := t.TempDir()
	writeTree(t, src, map[string]string{"one.txt": "1", "tree/a": "a", "tree/b/c": "c"})
	e.calls(t)
	if sum, err := transfer.CopyOne(ctx, c, loc(t, filepath.Join(src, "one.txt")), loc(t, "s3://dst/docs/"), transfer.Options{}); err != nil || sum.Copied != 1 {
		t.Fatalf("cp: %+v, %v", sum, err)
	}
	if sum, err := transfer.CopyTree(ctx, c, loc(t, filepath.Join(src, "tree")), loc(t, "s3://dst/t"), transfer.Options{}); err != nil || sum.Copied != 2 {
		t.Fatalf("cp --recursive: %+v, %v", sum, err)
	}
	if calls := distinct(e.calls(t)); !slices.Equal(calls, []string{"PutObject"}) {
		t.Errorf("cp called %q, want PutObject only", calls)
	}
	down := t.TempDir()
	if sum, err := transfer.CopyOne(ctx, c, loc(t, "s3://dst/docs/one.txt"), loc(t, down), transfer.Options{}); err != nil || sum.Copied != 1 {
		t.Fatalf("cp download: %+v, %v", sum, err)
	}
	if got := readTree(t, down); got["one.txt"] != "1" {
		t.Errorf("downloaded %q", got)
	}
	if got := objects(t, c, "dst", ""); got["docs/one.txt"] != "1" || got["t/b/c"] != "c" {
		t.Errorf("dst holds %q", got)
	}
	excluded := transfer.Options{Filters: transfer.Filters{{Exclude: true, Pattern: "*.txt"}}}
	if sum, err := transfer.CopyOne(ctx, c, loc(t, filepath.Join(src, "one.txt")), loc(t, "s3://dst/excluded/"), excluded); err != nil || sum.Copied != 0 || sum.Skipped != 1 {
		t.Errorf("cp of an excluded file: %+v, %v", sum, err)
	}
	if _, err := transfer.CopyOne(ctx, c, loc(t, src), loc(t, "s3://dst/"), transfer.Options{}); !errors.Is(err, transfer.ErrUsage) {
		t.Errorf("cp of a directory without --recursive: %v, want a usage error", err)
	}
}
