package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (c creds) aws() aws.Credentials {
	return aws.Credentials{AccessKeyID: c.key, SecretAccessKey: c.secret, SessionToken: c.token}
}

// newRawRequest is an unsigned request with body (nil: none).
func newRawRequest(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// signRaw signs req in its Authorization header with the SDK's SigV4
// signer, at the given time, with payloadHash as x-amz-content-sha256
// (set for S3 as the S3 clients do).
func signRaw(t *testing.T, req *http.Request, c creds, payloadHash, service, region string, at time.Time) {
	t.Helper()
	if service == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	err := v4.NewSigner().SignHTTP(context.Background(), c.aws(), req, payloadHash, service, region, at,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

// reply is a response read to the end, with its AWS error code.
type reply struct {
	status  int
	code    string
	message string
	body    string
}

// send sends req and reads the reply; every reply must be below 500.
func send(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, body: string(b)}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &e) == nil {
			r.code, r.message = e.Type, e.Message
		}
	} else {
		var e struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		}
		if xml.Unmarshal(b, &e) == nil {
			r.code, r.message = e.Code, e.Message
		}
	}
	if resp.StatusCode >= 500 {
		t.Errorf("%s %s: status %d (a 5xx): %s", req.Method, req.URL, resp.StatusCode, b)
	}
	return r
}

// wantReply fails the test unless r has the status and code (and a
// message containing msg, if not empty).
func wantReply(t *testing.T, what string, r reply, status int, code, msg string) {
	t.Helper()
	if r.status != status || r.code != code || (msg != "" && !strings.Contains(r.message, msg)) {
		t.Errorf("%s: status %d code %q message %q, want %d %s %q\nbody: %s", what, r.status, r.code, r.message, status, code, msg, r.body)
	}
}

// wantAbsent fails the test unless the admin's GetObject of key answers
// 404 NoSuchKey.
func wantAbsent(t *testing.T, endpoint, region, bucket, key string) {
	t.Helper()
	req := newRawRequest(t, "GET", endpoint+"/"+bucket+"/"+key, nil)
	signRaw(t, req, admin, hexSHA256(nil), "s3", region, time.Now())
	wantReply(t, "GetObject "+key+" after the failed upload", send(t, req), http.StatusNotFound, "NoSuchKey", "")
}

// chunkedBody encodes data as an aws-chunked STREAMING-AWS4-HMAC-SHA256-PAYLOAD
// body with the given chunk signatures (one per chunk and one for the
// final empty chunk).
func chunkedBody(chunks [][]byte, sigs []string) []byte {
	var b bytes.Buffer
	for i, c := range append(chunks, nil) {
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(c), sigs[i])
		b.Write(c)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// streamingPut is a PUT of data with a STREAMING-AWS4-HMAC-SHA256-PAYLOAD
// body in chunks of 64 KiB; corrupt, if >= 0, is the index of the chunk
// whose signature is wrong.
func streamingPut(t *testing.T, url, region string, data []byte, corrupt int, at time.Time) *http.Request {
	t.Helper()
	var chunks [][]byte
	for off := 0; off < len(data); off += 64 << 10 {
		chunks = append(chunks, data[off:min(off+64<<10, len(data))])
	}
	zero := make([]string, len(chunks)+1)
	for i := range zero {
		zero[i] = strings.Repeat("0", 64)
	}
	req := newRawRequest(t, "PUT", url, chunkedBody(chunks, zero))
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	signRaw(t, req, admin, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "s3", region, at)
	a := req.Header.Get("Authorization")
	seed, err := hex.DecodeString(a[strings.LastIndex(a, "Signature=")+len("Signature="):])
	if err != nil {
		t.Fatal(err)
	}
	ss := v4.NewStreamSigner(admin.aws(), "s3", region, seed)
	sigs := make([]string, 0, len(chunks)+1)
	for _, c := range append(chunks, nil) {
		sig, err := ss.GetSignature(context.Background(), nil, c, at)
		if err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, hex.EncodeToString(sig))
	}
	if corrupt >= 0 {
		b := []byte(sigs[corrupt])
		if b[10] == '0' {
			b[10] = '1'
		} else {
			b[10] = '0'
		}
		sigs[corrupt] = string(b)
	}
	body := chunkedBody(chunks, sigs)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	return req
}

// TestNegative: requests that must fail against the running emulator,
// over HTTP, each with AWS's status and error code and never a 5xx; a
// body that fails verification is never committed (issue 3 acceptance).
func TestNegative(t *testing.T) {
	srv := startServer(t, nil)
	ep, region := srv.Endpoint(), srv.Region()
	const bucket = "neg-e2e"
	cl := sdkClient(t, ep, region, admin, nil)
	ctx := context.Background()
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	empty := hexSHA256(nil)
	now := time.Now()

	t.Run("WrongSecret", func(t *testing.T) {
		req := newRawRequest(t, "GET", ep+"/"+bucket+"?list-type=2", nil)
		signRaw(t, req, creds{key: adminKey, secret: "not-the-secret"}, empty, "s3", region, now)
		wantReply(t, "wrong secret", send(t, req), http.StatusForbidden, "SignatureDoesNotMatch", "")
	})

	t.Run("UnknownKey", func(t *testing.T) {
		req := newRawRequest(t, "GET", ep+"/"+bucket+"?list-type=2", nil)
		signRaw(t, req, creds{key: "AKIAUNKNOWN000000000", secret: "whatever"}, empty, "s3", region, now)
		wantReply(t, "unknown key", send(t, req), http.StatusForbidden, "InvalidAccessKeyId", "")
	})

	t.Run("SkewedClock", func(t *testing.T) {
		req := newRawRequest(t, "GET", ep+"/"+bucket+"?list-type=2", nil)
		signRaw(t, req, admin, empty, "s3", region, time.Now().Add(-20*time.Minute))
		wantReply(t, "clock 20 minutes behind", send(t, req), http.StatusForbidden, "RequestTimeTooSkewed", "")
	})

	t.Run("ExpiredPresignedURL", func(t *testing.T) {
		if err := srv.PutObject(ctx, bucket, "presigned-target", strings.NewReader("data")); err != nil {
			t.Fatal(err)
		}
		req := newRawRequest(t, "GET", ep+"/"+bucket+"/presigned-target", nil)
		q := req.URL.Query()
		q.Set("X-Amz-Expires", "60")
		req.URL.RawQuery = q.Encode()
		u, _, err := v4.NewSigner().PresignHTTP(ctx, admin.aws(), req, "UNSIGNED-PAYLOAD", "s3", region, time.Now().Add(-2*time.Hour),
			func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		if err != nil {
			t.Fatal(err)
		}
		wantReply(t, "expired presigned URL", send(t, newRawRequest(t, "GET", u, nil)), http.StatusForbidden, "AccessDenied", "Request has expired")
	})

	t.Run("TamperedBody", func(t *testing.T) {
		signed, sent := []byte("the body that was signed"), []byte("the body that was sent!!")
		req := newRawRequest(t, "PUT", ep+"/"+bucket+"/tampered", sent)
		signRaw(t, req, admin, hexSHA256(signed), "s3", region, time.Now())
		wantReply(t, "tampered body", send(t, req), http.StatusBadRequest, "XAmzContentSHA256Mismatch", "")
		wantAbsent(t, ep, region, bucket, "tampered")
		// A large body, streamed to disk before the hash is known.
		big, other := randomBytes(12<<20), randomBytes(12<<20)
		req = newRawRequest(t, "PUT", ep+"/"+bucket+"/tampered-big", big)
		signRaw(t, req, admin, hexSHA256(other), "s3", region, time.Now())
		wantReply(t, "tampered 12 MiB body", send(t, req), http.StatusBadRequest, "XAmzContentSHA256Mismatch", "")
		wantAbsent(t, ep, region, bucket, "tampered-big")
	})

	t.Run("BadChunkSignature", func(t *testing.T) {
		data := randomBytes(200 << 10) // 4 chunks: 64, 64, 64 and 8 KiB
		// The builder is right: the same body with good signatures
		// is stored.
		r := send(t, streamingPut(t, ep+"/"+bucket+"/chunked-good", region, data, -1, time.Now()))
		if r.status != http.StatusOK {
			t.Fatalf("streaming PUT with good chunk signatures: status %d: %s", r.status, r.body)
		}
		if got, err := srv.GetObject(ctx, bucket, "chunked-good"); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("streaming PUT with good chunk signatures: stored %d bytes (want %d), %v", len(got), len(data), err)
		}
		for _, bad := range []int{0, 2, 4} { // first, middle, final empty chunk
			key := fmt.Sprintf("chunked-bad-%d", bad)
			r := send(t, streamingPut(t, ep+"/"+bucket+"/"+key, region, data, bad, time.Now()))
			wantReply(t, fmt.Sprintf("wrong signature of chunk %d", bad), r, http.StatusForbidden, "SignatureDoesNotMatch", "")
			wantAbsent(t, ep, region, bucket, key)
		}
		// A 6 MiB body whose last data chunk (of 96) is wrong.
		big := randomBytes(6 << 20)
		r = send(t, streamingPut(t, ep+"/"+bucket+"/chunked-bad-big", region, big, 95, time.Now()))
		wantReply(t, "wrong signature of the last data chunk of 6 MiB", r, http.StatusForbidden, "SignatureDoesNotMatch", "")
		wantAbsent(t, ep, region, bucket, "chunked-bad-big")
	})

	t.Run("BadContentMD5", func(t *testing.T) {
		body := []byte("content whose MD5 is not the one sent")
		other := md5.Sum([]byte("something else"))
		req := newRawRequest(t, "PUT", ep+"/"+bucket+"/bad-md5", body)
		req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(other[:]))
		signRaw(t, req, admin, hexSHA256(body), "s3", region, time.Now())
		wantReply(t, "wrong Content-MD5", send(t, req), http.StatusBadRequest, "BadDigest", "")
		wantAbsent(t, ep, region, bucket, "bad-md5")
	})

	t.Run("MalformedCompleteMultipartUpload", func(t *testing.T) {
		cmu, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu"), UploadId: cmu.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part one"))}); err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{
			"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>",
			"this is not XML at all",
			"<CompleteMultipartUpload></CompleteMultipartUpload>",
		} {
			req := newRawRequest(t, "POST", ep+"/"+bucket+"/mpu?uploadId="+aws.ToString(cmu.UploadId), []byte(body))
			signRaw(t, req, admin, hexSHA256([]byte(body)), "s3", region, time.Now())
			wantReply(t, fmt.Sprintf("CompleteMultipartUpload with %q", body), send(t, req), http.StatusBadRequest, "MalformedXML", "")
		}
		wantAbsent(t, ep, region, bucket, "mpu")
	})

	t.Run("MalformedDeleteObjects", func(t *testing.T) {
		if err := srv.PutObject(ctx, bucket, "keep-me", strings.NewReader("kept")); err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{
			"<Delete><Object><Key>keep-me</Key></Object>",
			"not xml",
		} {
			sum := md5.Sum([]byte(body))
			req := newRawRequest(t, "POST", ep+"/"+bucket+"?delete", []byte(body))
			req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			signRaw(t, req, admin, hexSHA256([]byte(body)), "s3", region, time.Now())
			wantReply(t, fmt.Sprintf("DeleteObjects with %q", body), send(t, req), http.StatusBadRequest, "MalformedXML", "")
		}
		if got, err := srv.GetObject(ctx, bucket, "keep-me"); err != nil || string(got) != "kept" {
			t.Errorf("keep-me after malformed DeleteObjects: %q, %v", got, err)
		}
	})

	t.Run("MalformedKMSJSON", func(t *testing.T) {
		for _, target := range []string{"Encrypt", "CreateKey", "DescribeKey", "GenerateDataKey"} {
			body := []byte(`{"KeyId": "alias/x", "Plaintext": `)
			req := newRawRequest(t, "POST", ep+"/", body)
			req.Header.Set("X-Amz-Target", "TrentService."+target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			signRaw(t, req, admin, hexSHA256(body), "kms", region, time.Now())
			r := send(t, req)
			if r.status < 400 || r.status >= 500 || r.code == "" {
				t.Errorf("KMS %s with malformed JSON: status %d code %q, want a 4xx with an error type\nbody: %s", target, r.status, r.code, r.body)
			} else {
				t.Logf("KMS %s with malformed JSON: %d %s %q", target, r.status, r.code, r.message)
			}
		}
	})

	t.Run("InvalidBucketName", func(t *testing.T) {
		for _, name := range []string{"ab", "Upper", "a..b", "192.168.1.1"} {
			req := newRawRequest(t, "PUT", ep+"/"+name, nil)
			signRaw(t, req, admin, empty, "s3", region, time.Now())
			wantReply(t, "CreateBucket "+name, send(t, req), http.StatusBadRequest, "InvalidBucketName", "")
		}
	})
}
