package transfer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/transfer"
)

// rewrite replaces a file's content with data of the same size and puts
// its modification time back: only its content changed.
func rewrite(t *testing.T, path, data string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() != int64(len(data)) {
		t.Fatalf("rewrite %s: %d bytes for a file of %d", path, len(data), info.Size())
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
}

// TestSyncChecksumDetectsSameSizeAndTime is issue 12's acceptance: a
// changed object of the same size and modification time is not copied by
// the default rule, and is by --checksum, both ways; an unchanged one is
// not copied. The uploads carry a full-object CRC64NVME, also in parts.
func TestSyncChecksumDetectsSameSizeAndTime(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	big := strings.Repeat("0123456789abcdef", 11<<20/16) // three parts
	local := t.TempDir()
	writeTree(t, local, map[string]string{"a.txt": "version 1", "same.txt": "unchanged", "big.bin": big})
	if sum, err := transfer.Sync(ctx, c, loc(t, local), loc(t, "s3://dst/p"), multipart); err != nil || sum.Copied != 3 {
		t.Fatalf("first sync: %+v, %v", sum, err)
	}
	for _, key := range []string{"p/a.txt", "p/big.bin"} {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if head.ChecksumCRC64NVME == nil || head.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("%s uploaded without a full-object CRC64NVME: %v %q", key, aws.ToString(head.ChecksumCRC64NVME), head.ChecksumType)
		}
	}

	// Upload: the local file changes, same size and time.
	rewrite(t, filepath.Join(local, "a.txt"), "version 2")
	rewrite(t, filepath.Join(local, "big.bin"), "X"+big[1:])
	checksum := multipart
	checksum.Strategy = transfer.Checksum
	for _, tc := range []struct {
		name       string
		opts       transfer.Options
		wantCopied int
	}{
		{"size and time", multipart, 0},
		{"dry run", func() transfer.Options { o := checksum; o.DryRun = true; return o }(), 0},
		{"checksum", checksum, 2},
		{"checksum again", checksum, 0},
	} {
		sum, err := transfer.Sync(ctx, c, loc(t, local), loc(t, "s3://dst/p"), tc.opts)
		if err != nil || sum.Failed > 0 || sum.Copied != tc.wantCopied {
			t.Errorf("upload, %s: %+v, %v; want %d copied", tc.name, sum, err, tc.wantCopied)
		}
		if tc.opts.DryRun && sum.WouldCopy != 2 {
			t.Errorf("upload, dry run: would copy %d, want 2", sum.WouldCopy)
		}
	}
	if got := objects(t, c, "dst", "p/")["a.txt"]; got != "version 2" {
		t.Errorf("s3://dst/p/a.txt is %q", got)
	}

	// Download: the local copy changes, same size and time.
	down := t.TempDir()
	if _, err := transfer.Sync(ctx, c, loc(t, "s3://dst/p"), loc(t, down), multipart); err != nil {
		t.Fatal(err)
	}
	rewrite(t, filepath.Join(down, "a.txt"), "version 3")
	for _, tc := range []struct {
		opts       transfer.Options
		wantCopied int
	}{{multipart, 0}, {checksum, 1}} {
		sum, err := transfer.Sync(ctx, c, loc(t, "s3://dst/p"), loc(t, down), tc.opts)
		if err != nil || sum.Failed > 0 || sum.Copied != tc.wantCopied {
			t.Errorf("download, strategy %d: %+v, %v; want %d copied", tc.opts.Strategy, sum, err, tc.wantCopied)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(down, "a.txt")); string(got) != "version 2" {
		t.Errorf("downloaded a.txt is %q", got)
	}
}

// TestSyncChecksumFallbacks: an object without a full-object CRC64NVME is
// compared by its MD5 ETag when it has one (one part, not SSE-KMS), and
// else by size, with a warning.
func TestSyncChecksumFallbacks(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.client(t, syncer)
	part := strings.Repeat("p", 5<<20)
	for _, tc := range []struct {
		name      string
		bucket    string
		put       func(t *testing.T, c *s3.Client, bucket, key, data string) // written another way than lockstep's
		local     string
		remote    string
		wantCopy  bool
		wantWarns int
	}{
		{"md5-etag-same", "dst", putSHA256, "same data", "same data", false, 0},
		{"md5-etag-changed", "dst", putSHA256, "new  data", "old  data", true, 0},
		{"composite-multipart-size-only", "dst", putMultipartSHA256, part + "new", part + "old", false, 1},
		{"sse-kms-size-only", "kmsdst", putSHA256, "new  data", "old  data", false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.put(t, c, tc.bucket, tc.name+"/f", tc.remote)
			local := t.TempDir()
			writeTree(t, local, map[string]string{"f": tc.local})
			var warns []string
			opts := multipart
			opts.Strategy = transfer.Checksum
			opts.Notice = func(line string) {
				if strings.HasPrefix(line, "warning: ") {
					warns = append(warns, line)
				}
			}
			sum, err := transfer.Sync(ctx, c, loc(t, local), loc(t, "s3://"+tc.bucket+"/"+tc.name), opts)
			if err != nil || sum.Failed > 0 || (sum.Copied == 1) != tc.wantCopy || len(warns) != tc.wantWarns {
				t.Errorf("%+v, %v, warnings %q; want copy %v, %d warnings", sum, err, warns, tc.wantCopy, tc.wantWarns)
			}
		})
	}
}

// putSHA256 writes an object in one request with a SHA256 checksum: it
// has no CRC64NVME, and an MD5 ETag unless the bucket encrypts with KMS.
func putSHA256(t *testing.T, c *s3.Client, bucket, key, data string) {
	t.Helper()
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256}); err != nil {
		t.Fatal(err)
	}
}

// putMultipartSHA256 uploads in two parts with composite SHA256
// checksums: no full-object checksum, no MD5 ETag.
func putMultipartSHA256(t *testing.T, c *s3.Client, bucket, key, data string) {
	t.Helper()
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, chunk := range []string{data[:5<<20], data[5<<20:]} {
		n := aws.Int32(int32(i + 1))
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId, PartNumber: n,
			Body: strings.NewReader(chunk), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: n, ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
}

// TestSyncChecksumTwoCredentialSets: with two credential sets, --checksum
// asks each side for its checksums with that side's credentials. In seed
// 001's shape the destination's user cannot read the source, so a source
// HeadObject signed by it would fail every key both sides have; the
// source's reader signs it, and a same-sized change is found.
func TestSyncChecksumTwoCredentialSets(t *testing.T) {
	ctx := context.Background()
	e := startEnv(t, seed001TwoSets)
	objs := map[string][]byte{"a.txt": []byte("version 1"), "same.txt": []byte("unchanged")}
	put(t, e.client(t, seeder), "seed1-src", objs)
	src, dst := transfer.Location{Bucket: "seed1-src"}, transfer.Location{Bucket: "seed1-dst", Key: "backup"}
	var notices noticeLog
	opts := transfer.Options{SourceClient: e.client(t, srcReader), Notice: notices.add}
	if sum, err := transfer.Sync(ctx, e.client(t, dstWriter), src, dst, opts); err != nil || sum.Copied != 2 {
		t.Fatalf("first sync = %+v, %v\n%s", sum, err, notices.String())
	}
	put(t, e.client(t, seeder), "seed1-src", map[string][]byte{"a.txt": []byte("version 2")})
	opts.Strategy = transfer.Checksum
	sum, err := transfer.Sync(ctx, e.client(t, dstWriter), src, dst, opts)
	if err != nil || sum.Failed != 0 || sum.Copied != 1 || sum.Skipped != 1 {
		t.Fatalf("sync --checksum = %+v, %v\n%s", sum, err, notices.String())
	}
	objs["a.txt"] = []byte("version 2")
	if got, want := digests(t, e.client(t, dstWriter), "seed1-dst", "backup/"), digestsOf(objs); !equalMaps(got, want) {
		t.Errorf("destination holds %v, want %v", got, want)
	}
}
