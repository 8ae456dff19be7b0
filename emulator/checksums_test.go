package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/emulator"
)

// The checksums of the tests, computed with the standard library alone so
// that they check the emulator's own CRC code.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func crc64nvme(data []byte) []byte {
	return binary.BigEndian.AppendUint64(nil, crc64.Checksum(data, crc64.MakeTable(0x9a6c9329ac4bc9b5)))
}

func crc32ieee(data []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
}

func crc32c(data []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
}

// objectChecksum is what HeadObject or GetObject returned of a checksum.
type objectChecksum struct {
	CRC32, CRC32C, CRC64NVME, SHA256 string
	Type                             types.ChecksumType
}

func headChecksum(t *testing.T, c *s3.Client, key string, mode types.ChecksumMode) objectChecksum {
	t.Helper()
	h, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String(key), ChecksumMode: mode})
	if err != nil {
		t.Fatalf("HeadObject %s: %v", key, err)
	}
	return objectChecksum{aws.ToString(h.ChecksumCRC32), aws.ToString(h.ChecksumCRC32C), aws.ToString(h.ChecksumCRC64NVME), aws.ToString(h.ChecksumSHA256), h.ChecksumType}
}

// noChecksums makes the SDK send no checksum of its own, so that the
// emulator's default applies.
func noChecksums(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
}

// TestPutObjectChecksums: an object keeps the checksum its upload declared
// (header or trailer, verified), else S3's default full-object CRC64NVME;
// HeadObject and GetObject return it only with checksum mode ENABLED, and
// a ranged GET does not; listings name the algorithm and type.
func TestPutObjectChecksums(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	data := bytes.Repeat([]byte("lockstep checksums "), 1000)
	sha := sha256.Sum256(data)
	for _, tc := range []struct {
		name string
		in   s3.PutObjectInput
		opts []func(*s3.Options)
		want objectChecksum
	}{
		{"default", s3.PutObjectInput{}, []func(*s3.Options){noChecksums}, objectChecksum{CRC64NVME: b64(crc64nvme(data)), Type: types.ChecksumTypeFullObject}},
		{"sdk-crc32", s3.PutObjectInput{ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}, nil, objectChecksum{CRC32: b64(crc32ieee(data)), Type: types.ChecksumTypeFullObject}},
		{"sdk-sha256", s3.PutObjectInput{ChecksumAlgorithm: types.ChecksumAlgorithmSha256}, nil, objectChecksum{SHA256: b64(sha[:]), Type: types.ChecksumTypeFullObject}},
		{"header-crc32c", s3.PutObjectInput{ChecksumCRC32C: aws.String(b64(crc32c(data)))}, []func(*s3.Options){noChecksums}, objectChecksum{CRC32C: b64(crc32c(data)), Type: types.ChecksumTypeFullObject}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key, in.Body = aws.String("data"), aws.String(tc.name), bytes.NewReader(data)
			out, err := c.PutObject(ctx, &in, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got := objectChecksum{aws.ToString(out.ChecksumCRC32), aws.ToString(out.ChecksumCRC32C), aws.ToString(out.ChecksumCRC64NVME), aws.ToString(out.ChecksumSHA256), out.ChecksumType}
			if got != tc.want {
				t.Errorf("PutObject returned %+v, want %+v", got, tc.want)
			}
			if got := headChecksum(t, c, tc.name, types.ChecksumModeEnabled); got != tc.want {
				t.Errorf("HeadObject (checksum mode) %+v, want %+v", got, tc.want)
			}
			if got := headChecksum(t, c, tc.name, ""); got != (objectChecksum{}) {
				t.Errorf("HeadObject without checksum mode returned %+v", got)
			}
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(tc.name), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			g.Body.Close()
			if got := aws.ToString(g.ChecksumCRC64NVME) + aws.ToString(g.ChecksumCRC32) + aws.ToString(g.ChecksumCRC32C) + aws.ToString(g.ChecksumSHA256); got != tc.want.CRC64NVME+tc.want.CRC32+tc.want.CRC32C+tc.want.SHA256 {
				t.Errorf("GetObject checksum %q", got)
			}
			r, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(tc.name), Range: aws.String("bytes=0-9"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.ChecksumCRC64NVME != nil || r.ChecksumCRC32 != nil || r.ChecksumSHA256 != nil || r.ChecksumCRC32C != nil {
				t.Errorf("a ranged GET returned the object's checksum")
			}
		})
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	algs := map[string]string{}
	for _, o := range list.Contents {
		if len(o.ChecksumAlgorithm) == 1 {
			algs[aws.ToString(o.Key)] = string(o.ChecksumAlgorithm[0]) + "/" + string(o.ChecksumType)
		}
	}
	if algs["default"] != "CRC64NVME/FULL_OBJECT" || algs["sdk-sha256"] != "SHA256/FULL_OBJECT" {
		t.Errorf("listed checksums %v", algs)
	}
}

// TestPutObjectBadDigest: a checksum that does not match the body fails
// with BadDigest and stores nothing.
func TestPutObjectBadDigest(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("bad"), Body: bytes.NewReader([]byte("data")),
		ChecksumCRC64NVME: aws.String(b64(crc64nvme([]byte("other"))))}, noChecksums)
	if e := asSvcErr(t, err); e.Code != "BadDigest" || e.Status != http.StatusBadRequest {
		t.Errorf("error %+v, want 400 BadDigest", e)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("bad")}); err == nil {
		t.Error("the object was stored")
	}
}

// TestMultipartChecksums: parts carry checksums of the upload's algorithm;
// CompleteMultipartUpload gives the object a COMPOSITE checksum (the
// checksum of the parts' checksums, "-N") or a FULL_OBJECT CRC of the
// whole data; an upload without an algorithm gets S3's default
// full-object CRC64NVME; CopyObject computes a new full-object checksum.
func TestMultipartChecksums(t *testing.T) {
	s := startEmulator(t, s3WorldYAML, func(o *emulator.Options) { o.MinPartSize = 1024 })
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	parts := [][]byte{bytes.Repeat([]byte("a"), 2000), bytes.Repeat([]byte("b"), 1500)}
	whole := bytes.Join(parts, nil)
	composite := b64(crc32ieee(append(crc32ieee(parts[0]), crc32ieee(parts[1])...))) + "-2"
	for _, tc := range []struct {
		name string
		alg  types.ChecksumAlgorithm
		typ  types.ChecksumType
		opts []func(*s3.Options)
		want objectChecksum
	}{
		{"crc32-composite", types.ChecksumAlgorithmCrc32, "", nil, objectChecksum{CRC32: composite, Type: types.ChecksumTypeComposite}},
		{"crc32-full", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, nil, objectChecksum{CRC32: b64(crc32ieee(whole)), Type: types.ChecksumTypeFullObject}},
		{"crc64nvme", types.ChecksumAlgorithmCrc64nvme, "", nil, objectChecksum{CRC64NVME: b64(crc64nvme(whole)), Type: types.ChecksumTypeFullObject}},
		{"default", "", "", []func(*s3.Options){noChecksums}, objectChecksum{CRC64NVME: b64(crc64nvme(whole)), Type: types.ChecksumTypeFullObject}},
		// The SDK sends CRC32 parts to an upload created without an algorithm.
		{"default-crc32-parts", "", "", nil, objectChecksum{CRC64NVME: b64(crc64nvme(whole)), Type: types.ChecksumTypeFullObject}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := aws.String(tc.name)
			up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: key, ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ})
			if err != nil {
				t.Fatal(err)
			}
			var done []types.CompletedPart
			for i, p := range parts {
				n := aws.Int32(int32(i + 1))
				out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("data"), Key: key, UploadId: up.UploadId, PartNumber: n, Body: bytes.NewReader(p), ChecksumAlgorithm: tc.alg}, tc.opts...)
				if err != nil {
					t.Fatal(err)
				}
				done = append(done, types.CompletedPart{PartNumber: n, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC64NVME: out.ChecksumCRC64NVME})
			}
			lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("data"), Key: key, UploadId: up.UploadId})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range lp.Parts {
				if got := aws.ToString(p.ChecksumCRC32) + aws.ToString(p.ChecksumCRC64NVME); got != aws.ToString(done[i].ChecksumCRC32)+aws.ToString(done[i].ChecksumCRC64NVME) || got == "" {
					t.Errorf("ListParts part %d checksum %q, UploadPart returned %+v", i+1, got, done[i])
				}
			}
			out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: key, UploadId: up.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.ChecksumCRC32) + aws.ToString(out.ChecksumCRC64NVME); got != tc.want.CRC32+tc.want.CRC64NVME || out.ChecksumType != tc.want.Type {
				t.Errorf("CompleteMultipartUpload returned %q %q, want %+v", got, out.ChecksumType, tc.want)
			}
			if got := headChecksum(t, c, tc.name, types.ChecksumModeEnabled); got != tc.want {
				t.Errorf("HeadObject %+v, want %+v", got, tc.want)
			}
		})
	}
	t.Run("wrong part checksum", func(t *testing.T) {
		key := aws.String("wrong")
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: key, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("data"), Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(parts[0]), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: key, UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: out.ETag, ChecksumCRC32: aws.String(b64(crc32ieee(parts[1])))}}}})
		if e := asSvcErr(t, err); e.Code != "InvalidPart" || e.Status != http.StatusBadRequest {
			t.Errorf("Complete with a wrong part checksum: %+v, want 400 InvalidPart", e)
		}
	})
	t.Run("copy", func(t *testing.T) {
		for _, tc := range []struct {
			alg  types.ChecksumAlgorithm
			want objectChecksum
		}{
			{"", objectChecksum{CRC32: b64(crc32ieee(whole)), Type: types.ChecksumTypeFullObject}}, // the source's algorithm
			{types.ChecksumAlgorithmCrc32c, objectChecksum{CRC32C: b64(crc32c(whole)), Type: types.ChecksumTypeFullObject}},
		} {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("copy"), CopySource: aws.String("data/crc32-composite"), ChecksumAlgorithm: tc.alg})
			if err != nil {
				t.Fatal(err)
			}
			if got := headChecksum(t, c, "copy", types.ChecksumModeEnabled); got != tc.want {
				t.Errorf("copy with %q: %+v, want %+v", tc.alg, got, tc.want)
			}
		}
	})
}

// TestCreateMultipartUploadChecksumType: the checksum types an algorithm
// does not have are refused.
func TestCreateMultipartUploadChecksumType(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	c := s.s3(t, s3Admin)
	for _, tc := range []struct {
		alg types.ChecksumAlgorithm
		typ types.ChecksumType
	}{
		{types.ChecksumAlgorithmSha256, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeComposite},
		{"", types.ChecksumTypeComposite},
	} {
		_, err := c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k"), ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ})
		if e := asSvcErr(t, err); e.Status != http.StatusBadRequest || e.Code != "InvalidRequest" {
			t.Errorf("%q %q: %+v, want 400 InvalidRequest", tc.alg, tc.typ, e)
		}
	}
}

// TestChecksumsWithAWSCLI: the AWS CLI v2 reads checksums with `aws s3api
// head-object --checksum-mode ENABLED`. An object it puts with SHA256 comes
// back with the data's SHA256; one it puts without a checksum (the
// installed CLI predates S3's default checksums and sends none) has the
// default full-object CRC64NVME, which this CLI's model does not print, so
// the response headers of its debug log are read. Without checksum mode,
// no checksum.
func TestChecksumsWithAWSCLI(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	run := awsCLIv2(t, s, s3Admin)
	data := []byte("checked by the AWS CLI\n")
	file := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sha := sha256.Sum256(data)
	if r := run("s3api", "put-object", "--bucket", "data", "--key", "sha.txt", "--body", file, "--checksum-algorithm", "SHA256"); r.exit != 0 {
		t.Fatalf("put-object: exit %d: %s", r.exit, r.stderr)
	}
	var head struct{ ChecksumSHA256 string }
	r := run("s3api", "head-object", "--bucket", "data", "--key", "sha.txt", "--checksum-mode", "ENABLED")
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &head) != nil || head.ChecksumSHA256 != b64(sha[:]) {
		t.Errorf("head-object --checksum-mode ENABLED of a SHA256 upload: exit %d: %s%s", r.exit, r.stdout, r.stderr)
	}
	if r := run("s3api", "put-object", "--bucket", "data", "--key", "plain.txt", "--body", file); r.exit != 0 {
		t.Fatalf("put-object: exit %d: %s", r.exit, r.stderr)
	}
	r = run("--debug", "s3api", "head-object", "--bucket", "data", "--key", "plain.txt", "--checksum-mode", "ENABLED")
	want := "'X-Amz-Checksum-Crc64nvme': '" + b64(crc64nvme(data)) + "', 'X-Amz-Checksum-Type': 'FULL_OBJECT'"
	if r.exit != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("head-object --checksum-mode ENABLED of an upload without a checksum: exit %d; the response headers lack %s", r.exit, want)
	}
	r = run("--debug", "s3api", "head-object", "--bucket", "data", "--key", "sha.txt")
	if r.exit != 0 || strings.Contains(r.stderr, "'X-Amz-Checksum-") {
		t.Errorf("head-object without checksum mode: exit %d, or a checksum header came back", r.exit)
	}
}

// TestCompleteMultipartUploadObjectChecksum: CompleteMultipartUpload's
// x-amz-checksum-* is the object's checksum, not its XML body's: the right
// value completes the upload, another fails with BadDigest and leaves the
// upload to be completed.
func TestCompleteMultipartUploadObjectChecksum(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	data := []byte("one part")
	key := aws.String("full")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: key, ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("data"), Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sum      []byte
		wantCode string
	}{
		{crc64nvme([]byte("another")), "BadDigest"},
		{crc64nvme(data), ""},
	} {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: key, UploadId: up.UploadId,
			ChecksumCRC64NVME: aws.String(b64(tc.sum)), ChecksumType: types.ChecksumTypeFullObject,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: out.ETag, ChecksumCRC64NVME: out.ChecksumCRC64NVME}}}})
		if tc.wantCode == "" {
			if err != nil {
				t.Errorf("Complete with the object's CRC64NVME: %v", err)
			}
			continue
		}
		if e := asSvcErr(t, err); e.Code != tc.wantCode || e.Status != http.StatusBadRequest {
			t.Errorf("Complete with another CRC64NVME: %+v, want 400 %s", e, tc.wantCode)
		}
	}
	if got := headChecksum(t, c, "full", types.ChecksumModeEnabled); got.CRC64NVME != b64(crc64nvme(data)) {
		t.Errorf("HeadObject %+v", got)
	}
}
