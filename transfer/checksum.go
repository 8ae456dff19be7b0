package transfer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/internal/checksum"
)

// fingerprint is what --checksum compares of one side of a key: the
// full-object CRC64NVME (base64) and the MD5 (hex) of the content, each
// empty when the side cannot tell it.
type fingerprint struct {
	crc64nvme string
	md5       string
}

// unchanged reports whether --checksum finds the key d copies unchanged
// at the destination, and then counts it as skipped. A key the destination
// lacks, or another strategy, is never unchanged here; a side that cannot
// be read fails the object.
func (j *job) unchanged(ctx context.Context, d Decision) bool {
	if j.opts.Strategy != Checksum || d.Dst.Key == "" {
		return false
	}
	same, err := j.sameContent(ctx, d)
	if err != nil {
		if ctx.Err() == nil {
			j.opts.Progress.objectDone(d.Src.Size, 0, true)
			j.report(Event{Op: string(j.dir), Source: j.src.display(d.Src.Key), Dest: j.dst.display(d.Src.Key), Size: d.Src.Size, Err: fmt.Errorf("comparing checksums: %w", err)})
		}
		return true
	}
	if same {
		j.opts.Progress.unneeded(d.Src.Size)
		j.mu.Lock()
		j.summary.Skipped++
		j.mu.Unlock()
	}
	return same
}

// sameContent decides a key both sides have under the Checksum strategy
// (docs/sync.md "What is copied"): objects of different sizes differ;
// otherwise the full-object CRC64NVME of both sides is compared, else the
// MD5 (a local file's, or the ETag of an S3 object uploaded in one part
// without SSE-KMS), else the equal sizes decide, with a warning.
func (j *job) sameContent(ctx context.Context, d Decision) (bool, error) {
	if d.Src.Size != d.Dst.Size {
		return false, nil
	}
	src, err := j.fingerprint(ctx, j.src.join(d.Src.Key), true)
	if err != nil {
		return false, err
	}
	dst, err := j.fingerprint(ctx, j.dst.join(d.Src.Key), false)
	if err != nil {
		return false, err
	}
	switch {
	case src.crc64nvme != "" && dst.crc64nvme != "":
		return src.crc64nvme == dst.crc64nvme, nil
	case src.md5 != "" && dst.md5 != "":
		return src.md5 == dst.md5, nil
	}
	j.warn(fmt.Sprintf("%s: no comparable checksum on both sides (no full-object CRC64NVME, no MD5 ETag): compared by size only", j.src.display(d.Src.Key)))
	return true, nil
}

// fingerprint reads one side's checksums: a local file is hashed (CRC64NVME
// and MD5 in one pass); an S3 object is asked with HeadObject in checksum
// mode, which returns the stored checksum and its type, signed by the
// credentials of its side (source: the source's, with two credential
// sets).
func (j *job) fingerprint(ctx context.Context, l Location, source bool) (fingerprint, error) {
	if !l.IsS3() {
		return fileFingerprint(l.Local)
	}
	head, err := j.clientFor(source).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		return fingerprint{}, err
	}
	return objectFingerprint(head), nil
}

// objectFingerprint is the fingerprint HeadObject gives: the CRC64NVME
// when it is of the whole object (type FULL_OBJECT, or no type: a
// single-request upload), and the ETag when it is the MD5 of the content,
// which S3 promises only for objects uploaded in one request and not
// encrypted with SSE-KMS or SSE-C
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html:
// "Objects created by the PUT Object, POST Object, or Copy operation, or
// through the Amazon Web Services Management Console, and are encrypted by
// SSE-S3 or plaintext, have ETags that are an MD5 digest of their object
// data.").
func objectFingerprint(head *s3.HeadObjectOutput) fingerprint {
	var f fingerprint
	if v := aws.ToString(head.ChecksumCRC64NVME); v != "" && !strings.Contains(v, "-") &&
		(head.ChecksumType == "" || head.ChecksumType == types.ChecksumTypeFullObject) {
		f.crc64nvme = v
	}
	etag := strings.Trim(aws.ToString(head.ETag), `"`)
	kms := head.ServerSideEncryption == types.ServerSideEncryptionAwsKms || head.ServerSideEncryption == types.ServerSideEncryptionAwsKmsDsse
	if len(etag) == 2*md5.Size && !kms && head.SSECustomerAlgorithm == nil {
		if _, err := hex.DecodeString(etag); err == nil {
			f.md5 = strings.ToLower(etag)
		}
	}
	return f
}

// fileFingerprint hashes a local file.
func fileFingerprint(path string) (fingerprint, error) {
	f, err := os.Open(path)
	if err != nil {
		return fingerprint{}, err
	}
	defer f.Close()
	crc, sum := checksum.New(checksum.CRC64NVME), md5.New()
	if _, err := io.Copy(io.MultiWriter(crc, sum), f); err != nil {
		return fingerprint{}, fmt.Errorf("hashing %s: %w", path, err)
	}
	return fingerprint{crc64nvme: crc.Base64(), md5: hex.EncodeToString(sum.Sum(nil))}, nil
}

// warn reports a warning through Options.Notice, one at a time.
func (j *job) warn(msg string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.opts.Notice("warning: " + msg)
}

// checksumPut and its kin make an upload (of a file, or a streamed copy)
// carry a full-object CRC64NVME, which S3 verifies and keeps: --checksum
// compares it later without reading the object (docs/sync.md "What is
// copied").
func checksumPut(in *s3.PutObjectInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc64nvme }

func checksumMultipart(in *s3.CreateMultipartUploadInput) {
	in.ChecksumAlgorithm, in.ChecksumType = types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject
}

func checksumPart(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc64nvme }

// checksumComplete declares the object's full-object CRC64NVME, combined
// from the parts' (each partSize bytes but the last, of an object of
// size bytes), so that S3 checks the whole object against it at
// CompleteMultipartUpload. Without every part's CRC, it declares none.
func checksumComplete(in *s3.CompleteMultipartUploadInput, parts []types.CompletedPart, partSize, size int64) {
	var total []byte
	for i, p := range parts {
		sum, ok := checksum.Decode(checksum.CRC64NVME, aws.ToString(p.ChecksumCRC64NVME))
		if !ok {
			return
		}
		if i == 0 {
			total = sum
			continue
		}
		length := min(partSize, size-int64(i)*partSize)
		if total, ok = checksum.Combine(checksum.CRC64NVME, total, sum, length); !ok {
			return
		}
	}
	in.ChecksumCRC64NVME, in.ChecksumType = aws.String(checksum.Encode(total)), types.ChecksumTypeFullObject
}
