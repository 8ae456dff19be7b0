package transfer_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/transfer"
)

// Parts of the minimum size S3 accepts, so that an 11 MiB file is a
// three-part upload.
var multipart = transfer.Options{PartSize: transfer.MinPartSize, MultipartThreshold: transfer.MinPartSize}

func loc(t *testing.T, arg string) transfer.Location {
	t.Helper()
	l, err := transfer.ParseLocation(arg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Local → S3 → local → S3 (SSE-KMS), each followed by a re-sync that
// transfers nothing: only listings.
func TestSyncRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	big := strings.Repeat("0123456789abcdef", 11<<20/16) // 11 MiB: three parts
	files := map[string]string{"a-b": "1", "a.b": "22", "a/b": "333", "a0": "4444", "deep/er/x.txt": "x", "big.bin": big, "sp ace+plus%.txt": "odd key"}
	src := t.TempDir()
	writeTree(t, src, files)

	steps := []struct {
		name      string
		from, to  string
		opts      transfer.Options
		wantCalls []string // distinct S3 operations of the first sync
	}{
		{"upload", src, "s3://src/data", multipart, []string{"CompleteMultipartUpload", "CreateMultipartUpload", "ListObjectsV2", "PutObject", "UploadPart"}},
		{"download", "s3://src/data/", filepath.Join(t.TempDir(), "down"), multipart, []string{"GetObject", "ListObjectsV2"}},
		{"copy to SSE-KMS", "s3://src/data", "s3://kmsdst/copy", func() transfer.Options {
			o := multipart
			o.SSE, o.SSEKMSKeyID = "aws:kms", keyARN
			return o
		}(), []string{"CompleteMultipartUpload", "CopyObject", "CreateMultipartUpload", "HeadObject", "ListObjectsV2", "UploadPartCopy"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			e.calls(t)
			sum, err := transfer.Sync(ctx, c, loc(t, st.from), loc(t, st.to), st.opts)
			if err != nil || sum.Failed > 0 || sum.Copied != len(files) || sum.Duration <= 0 {
				t.Fatalf("sync: %+v, %v", sum, err)
			}
			if got := distinct(e.calls(t)); !slices.Equal(got, st.wantCalls) {
				t.Errorf("calls %q, want %q", got, st.wantCalls)
			}
			// The destination holds the files.
			var got map[string]string
			if to := loc(t, st.to); to.IsS3() {
				got = objects(t, c, to.Bucket, to.Key+"/")
			} else {
				got = readTree(t, to.Local)
			}
			if len(got) != len(files) {
				t.Errorf("destination holds %d objects, want %d", len(got), len(files))
			}
			for k, v := range files {
				if got[k] != v {
					t.Errorf("%s: %d bytes, want %d", k, len(got[k]), len(v))
				}
			}
			e.calls(t)
			// A second sync lists both sides and transfers nothing.
			sum, err = transfer.Sync(ctx, c, loc(t, st.from), loc(t, st.to), st.opts)
			if err != nil || sum.Copied != 0 || sum.Skipped != len(files) {
				t.Errorf("re-sync: %+v, %v", sum, err)
			}
			if calls := e.calls(t); slices.ContainsFunc(calls, func(c string) bool { return c != "ListObjectsV2" }) {
				t.Errorf("re-sync called %q, want listings only", calls)
			}
		})
	}
	// The copies into kmsdst are encrypted with the key asked for.
	for _, key := range []string{"copy/a.b", "copy/big.bin"} {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("kmsdst"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != keyARN {
			t.Errorf("%s: encryption %q with %q, want aws:kms with %s", key, head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId), keyARN)
		}
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A download sets each file's time to the object's LastModified, so that
// --exact-timestamps finds them equal; a changed local file of the same
// size and a newer time is downloaded again (the AWS CLI's rule).
func TestSyncDownloadTimes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("f.txt"), Body: strings.NewReader("remote")}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := transfer.Sync(ctx, c, loc(t, "s3://src"), loc(t, dir), transfer.Options{}); err != nil {
		t.Fatal(err)
	}
	// The time of the listing, which sync compares.
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "f.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if lm := aws.ToTime(list.Contents[0].LastModified); !info.ModTime().Equal(lm) {
		t.Errorf("file time %v, object LastModified %v", info.ModTime(), lm)
	}
	if sum, err := transfer.Sync(ctx, c, loc(t, "s3://src"), loc(t, dir), transfer.Options{Strategy: transfer.ExactTimestamps}); err != nil || sum.Copied != 0 {
		t.Errorf("exact-timestamps re-sync: %+v, %v", sum, err)
	}
	// Same size, local file newer: the AWS CLI downloads it again.
	writeTree(t, dir, map[string]string{"f.txt": "locals"})
	later := info.ModTime().Add(1e9)
	if err := os.Chtimes(filepath.Join(dir, "f.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	if sum, err := transfer.Sync(ctx, c, loc(t, "s3://src"), loc(t, dir), transfer.Options{}); err != nil || sum.Copied != 1 {
		t.Errorf("sync over a newer local file: %+v, %v", sum, err)
	}
	if got := readTree(t, dir)["f.txt"]; got != "remote" {
		t.Errorf("f.txt holds %q, want the object's content", got)
	}
}

// --exclude/--include: later filters win, and an excluded destination
// object is not deleted.
func TestSyncFilters(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	for _, k := range []string{"keep.log", "stale.txt"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dst"), Key: aws.String(k), Body: strings.NewReader("old")}); err != nil {
			t.Fatal(err)
		}
	}
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.txt": "a", "b.jpg": "b", ".git/config": "c", "sub/c.txt": "c", "other.log": "l"})
	opts := transfer.Options{Delete: true, MaxDelete: -1, Filters: transfer.Filters{{Exclude: true, Pattern: "*"}, {Pattern: "*.txt"}, {Exclude: true, Pattern: "sub/*"}}}
	if sum, err := transfer.Sync(ctx, c, loc(t, src), loc(t, "s3://dst"), opts); err != nil || sum.Copied != 1 || sum.Deleted != 1 {
		t.Fatalf("sync: %+v, %v", sum, err)
	}
	got := slices.Sorted(mapKeys(objects(t, c, "dst", "")))
	if want := []string{"a.txt", "keep.log"}; !slices.Equal(got, want) {
		t.Errorf("dst holds %q, want %q", got, want)
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// A download writes nothing outside the destination directory, whatever
// the keys, and skips "folder" marker objects.
func TestSyncDownloadKeysStayInside(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	putKeys := []string{"in/../../escape", "in/ok", "in/folder/", "in/a/./b"}
	for _, k := range putKeys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	root := t.TempDir()
	dst := filepath.Join(root, "dst")
	var rec recorder
	sum, err := transfer.Sync(ctx, c, loc(t, "s3://src/in"), loc(t, dst), transfer.Options{Report: rec.report})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 1 || sum.Copied != 2 || sum.Skipped != 1 {
		t.Errorf("summary %+v, want 1 failed, 2 copied, 1 skipped", sum)
	}
	if got := slices.Sorted(mapKeys(readTree(t, root))); !slices.Equal(got, []string{"dst/a/b", "dst/ok"}) {
		t.Errorf("wrote %q, want dst/a/b and dst/ok only", got)
	}
}

// --sse, --storage-class and --acl reach every write: the objects are
// encrypted as asked, and a storage class or an ACL the emulator refuses
// (an unknown class; an ACL on a BucketOwnerEnforced bucket) fails each
// object. (The emulator stores the storage class but HeadObject does not
// return it yet, so the refusal is what shows that it is sent.)
func TestSyncWriteParams(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	src := t.TempDir()
	writeTree(t, src, map[string]string{"small": "s", "big": strings.Repeat("b", 6<<20)})
	opts := multipart
	opts.SSE, opts.StorageClass = "AES256", "STANDARD_IA"
	if sum, err := transfer.Sync(ctx, c, loc(t, src), loc(t, "s3://dst"), opts); err != nil || sum.Copied != 2 {
		t.Fatalf("sync: %+v, %v", sum, err)
	}
	for _, key := range []string{"small", "big"} {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if head.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("%s: encryption %q, want AES256", key, head.ServerSideEncryption)
		}
	}
	for _, tt := range []struct {
		acl, storageClass, wantCode string
	}{
		{"", "NOT_A_CLASS", "InvalidStorageClass"},
		{"public-read", "", "AccessControlListNotSupported"},
	} {
		o := multipart
		o.ACL, o.StorageClass = tt.acl, tt.storageClass
		var rec recorder
		o.Report = rec.report
		sum, err := transfer.Sync(ctx, c, loc(t, src), loc(t, "s3://dst/refused"), o)
		if err != nil || sum.Failed != 2 {
			t.Fatalf("sync with %+v: %+v, %v", tt, sum, err)
		}
		for _, ev := range rec.events {
			if ev.Err == nil || !strings.Contains(ev.Err.Error(), tt.wantCode) {
				t.Errorf("%s: %v, want %s", ev.Dest, ev.Err, tt.wantCode)
			}
		}
	}
}
