package e2e

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestContentMD5LargeBodies: PutObject and UploadPart bodies of several
// MiB, which the store writes in chunks while the next is read, with a
// Content-MD5: the right one gives the MD5 as ETag (the store takes the
// MD5 the sigv4 layer verified instead of hashing again), a wrong one is
// BadDigest with nothing stored, whether the payload hash is signed or
// UNSIGNED-PAYLOAD. S3's PutObject reference on Content-MD5: "This header
// can be used as a message integrity check to verify that the data is the
// same data that was originally sent" (docs/emulator.md, Storage).
func TestContentMD5LargeBodies(t *testing.T) {
	srv := startServer(t, nil)
	ep, region := srv.Endpoint(), srv.Region()
	const bucket = "md5-e2e"
	ctx := context.Background()
	cl := sdkClient(t, ep, region, admin, nil)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	cmu, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu")})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	part := int32(0)
	for _, size := range []int{100 << 10, 3<<20 + 7} {
		body := randomBytes(size)
		sum := md5.Sum(body)
		wrong := md5.Sum(append([]byte("x"), body...))
		for _, upload := range []bool{false, true} {
			for _, payload := range []string{hexSHA256(body), "UNSIGNED-PAYLOAD"} {
				for _, good := range []bool{true, false} {
					key := fmt.Sprintf("obj-%d-%v-%d-%v", size, upload, len(payload), good)
					url := ep + "/" + bucket + "/" + key
					if upload {
						part++
						url = fmt.Sprintf("%s/%s/mpu?partNumber=%d&uploadId=%s", ep, bucket, part, aws.ToString(cmu.UploadId))
					}
					what := fmt.Sprintf("%d bytes, upload part %v, payload %.16s, right MD5 %v", size, upload, payload, good)
					declared := sum
					if !good {
						declared = wrong
					}
					req := newRawRequest(t, "PUT", url, body)
					req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(declared[:]))
					signRaw(t, req, admin, payload, "s3", region, time.Now())
					if !good {
						wantReply(t, what, send(t, req), http.StatusBadRequest, "BadDigest", "")
						if !upload {
							wantAbsent(t, ep, region, bucket, key)
						} else if partListed(t, cl, bucket, aws.ToString(cmu.UploadId), part) {
							t.Errorf("%s: the part is listed after BadDigest", what)
						}
						continue
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if want := `"` + hex.EncodeToString(sum[:]) + `"`; resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != want {
						t.Errorf("%s: status %d ETag %s, want 200 %s: %s", what, resp.StatusCode, resp.Header.Get("ETag"), want, b)
					}
				}
			}
		}
	}
}

// partListed reports whether ListParts shows part n of the upload.
func partListed(t *testing.T, cl *s3.Client, bucket, uploadID string, n int32) bool {
	t.Helper()
	out, err := cl.ListParts(context.Background(), &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("mpu"), UploadId: aws.String(uploadID)})
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	for _, p := range out.Parts {
		if aws.ToInt32(p.PartNumber) == n {
			return true
		}
	}
	return false
}
