package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// sdkClient is an AWS SDK for Go v2 S3 client of the emulator at endpoint,
// path-style, with the SDK's default checksum behaviour. httpClient nil:
// the SDK's default HTTP client.
func sdkClient(t *testing.T, endpoint, region string, c creds, httpClient aws.HTTPClient) *s3.Client {
	t.Helper()
	// The machine's CA bundle and any shared config must not leak in.
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/lockstep-e2e-config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/lockstep-e2e-credentials")
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.key, c.secret, c.token)),
		config.WithRetryMaxAttempts(1),
		// The SDK logs at DEBUG that GetObject responses carry no
		// checksum header; keep the test output readable.
		config.WithLogger(logging.Nop{}),
	}
	if httpClient != nil {
		opts = append(opts, config.WithHTTPClient(httpClient))
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// getBytes reads an object with GetObject; rng is a Range header or "".
func getBytes(t *testing.T, cl *s3.Client, bucket, key, rng string) []byte {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := cl.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("GetObject %s/%s %s: %v", bucket, key, rng, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GetObject %s/%s: reading body: %v", bucket, key, err)
	}
	return b
}

// apiCode is the AWS error code of an SDK error, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// modeRecorder wraps a handler and remembers the x-amz-content-sha256
// modes the client sent.
type modeRecorder struct {
	h     http.Handler
	mu    sync.Mutex
	modes map[string]int
}

func (m *modeRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode := r.Header.Get("X-Amz-Content-Sha256")
	if len(mode) == 64 && !strings.HasPrefix(mode, "STREAMING") {
		mode = "hex"
	}
	m.mu.Lock()
	if m.modes == nil {
		m.modes = map[string]int{}
	}
	m.modes[mode]++
	m.mu.Unlock()
	m.h.ServeHTTP(w, r)
}

func (m *modeRecorder) seen(mode string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.modes[mode]
}

// TestGoSDK: the AWS SDK for Go v2 against the enforcing emulator, over
// plain HTTP and over TLS (where the SDK's default checksums make it send
// STREAMING-UNSIGNED-PAYLOAD-TRAILER bodies): bucket creation, small and
// multipart uploads, byte-exact and ranged reads, CopyObject, a multipart
// copy with UploadPartCopy ranges, ListObjectsV2 pagination and presigned
// GET and PUT used through net/http (issue 3 acceptance).
func TestGoSDK(t *testing.T) {
	srv := startServer(t, nil)

	t.Run("http", func(t *testing.T) {
		cl := sdkClient(t, srv.Endpoint(), srv.Region(), admin, nil)
		exerciseSDK(t, cl, http.DefaultClient, "sdk-e2e-http")
	})

	t.Run("tls", func(t *testing.T) {
		rec := &modeRecorder{h: srv}
		ts := httptest.NewTLSServer(rec)
		defer ts.Close()
		pool := x509.NewCertPool()
		pool.AddCert(ts.Certificate())
		hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		})
		cl := sdkClient(t, ts.URL, srv.Region(), admin, hc)
		exerciseSDK(t, cl, ts.Client(), "sdk-e2e-tls")
		if n := rec.seen("STREAMING-UNSIGNED-PAYLOAD-TRAILER"); n == 0 {
			t.Errorf("the SDK sent no STREAMING-UNSIGNED-PAYLOAD-TRAILER body over TLS; modes seen: %v", rec.modes)
		} else {
			t.Logf("x-amz-content-sha256 modes over TLS: %v", rec.modes)
		}
	})
}

func exerciseSDK(t *testing.T, cl *s3.Client, hc *http.Client, bucket string) {
	ctx := context.Background()
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}

	// A small PutObject.
	small := randomBytes(1234)
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("small.bin"), Body: bytes.NewReader(small)}); err != nil {
		t.Fatalf("PutObject small: %v", err)
	}
	if got := getBytes(t, cl, bucket, "small.bin", ""); !bytes.Equal(got, small) {
		t.Errorf("GetObject small: %d bytes differ from the %d written", len(got), len(small))
	}

	// A 20 MiB multipart upload: parts of 6, 6, 6 and 2 MiB.
	big := randomBytes(20 << 20)
	bigKey := "multi/20mib.bin"
	partSizes := []int{6 << 20, 6 << 20, 6 << 20, 2 << 20}
	cmu, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(bigKey)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var parts []types.CompletedPart
	off := 0
	for i, n := range partSizes {
		num := int32(i + 1)
		up, err := cl.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(bucket), Key: aws.String(bigKey), UploadId: cmu.UploadId,
			PartNumber: aws.Int32(num), Body: bytes.NewReader(big[off : off+n]),
		})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", num, err)
		}
		parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(num),
			ChecksumCRC32: up.ChecksumCRC32, ChecksumCRC32C: up.ChecksumCRC32C, ChecksumCRC64NVME: up.ChecksumCRC64NVME,
			ChecksumSHA1: up.ChecksumSHA1, ChecksumSHA256: up.ChecksumSHA256})
		off += n
	}
	if _, err := cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(bigKey), UploadId: cmu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	head, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(bigKey)})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(big)) || !strings.HasSuffix(strings.Trim(aws.ToString(head.ETag), `"`), fmt.Sprintf("-%d", len(partSizes))) {
		t.Errorf("HeadObject multipart: length %d ETag %s, want %d and a -%d multipart ETag", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), len(big), len(partSizes))
	}
	if got := getBytes(t, cl, bucket, bigKey, ""); !bytes.Equal(got, big) {
		t.Errorf("GetObject multipart: %d bytes differ from the %d written", len(got), len(big))
	}

	// Range GETs: across a part boundary, and a suffix range.
	if got := getBytes(t, cl, bucket, bigKey, "bytes=6291000-6292000"); !bytes.Equal(got, big[6291000:6292001]) {
		t.Errorf("Range GET bytes=6291000-6292000: got %d bytes, not the expected 1001", len(got))
	}
	if got := getBytes(t, cl, bucket, bigKey, "bytes=-100"); !bytes.Equal(got, big[len(big)-100:]) {
		t.Errorf("Range GET bytes=-100: got %d bytes, not the last 100", len(got))
	}
	out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("small.bin"), Range: aws.String("bytes=10-19")})
	if err != nil {
		t.Fatalf("Range GET small: %v", err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if want := fmt.Sprintf("bytes 10-19/%d", len(small)); aws.ToString(out.ContentRange) != want || !bytes.Equal(b, small[10:20]) {
		t.Errorf("Range GET small: Content-Range %q (want %q), body %x (want %x)", aws.ToString(out.ContentRange), want, b, small[10:20])
	}

	// CopyObject.
	if _, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy/small.bin"), CopySource: aws.String(bucket + "/small.bin")}); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if got := getBytes(t, cl, bucket, "copy/small.bin", ""); !bytes.Equal(got, small) {
		t.Errorf("GetObject of the copy: %d bytes differ from the %d written", len(got), len(small))
	}

	// A multipart S3→S3 copy with UploadPartCopy ranges of 8, 8 and 4 MiB.
	copyKey := "copy/20mib.bin"
	cmu2, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(copyKey)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload (copy): %v", err)
	}
	parts = nil
	off = 0
	for i, n := range []int{8 << 20, 8 << 20, 4 << 20} {
		num := int32(i + 1)
		up, err := cl.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket: aws.String(bucket), Key: aws.String(copyKey), UploadId: cmu2.UploadId, PartNumber: aws.Int32(num),
			CopySource:      aws.String(bucket + "/" + bigKey),
			CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1)),
		})
		if err != nil {
			t.Fatalf("UploadPartCopy %d: %v", num, err)
		}
		if up.CopyPartResult == nil || up.CopyPartResult.ETag == nil {
			t.Fatalf("UploadPartCopy %d: no ETag in the result", num)
		}
		parts = append(parts, types.CompletedPart{ETag: up.CopyPartResult.ETag, PartNumber: aws.Int32(num)})
		off += n
	}
	if _, err := cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(copyKey), UploadId: cmu2.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}); err != nil {
		t.Fatalf("CompleteMultipartUpload (copy): %v", err)
	}
	if got := getBytes(t, cl, bucket, copyKey, ""); !bytes.Equal(got, big) {
		t.Errorf("GetObject of the multipart copy: %d bytes differ from the %d written", len(got), len(big))
	}

	// ListObjectsV2 pagination, MaxKeys 2 over 7 keys.
	listKeys := []string{"list/a", "list/b", "list/c/1", "list/c/2", "list/d/1", "list/e", "list/f"}
	for _, k := range listKeys {
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatalf("PutObject %s: %v", k, err)
		}
	}
	var keys []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("list/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectsV2 page %d: %v", pages+1, err)
		}
		pages++
		if len(page.Contents) > 2 {
			t.Errorf("ListObjectsV2 page %d: %d keys with MaxKeys 2", pages, len(page.Contents))
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if pages > 10 {
			t.Fatal("ListObjectsV2: more than 10 pages for 7 keys")
		}
	}
	if strings.Join(keys, ",") != strings.Join(listKeys, ",") || pages != 4 {
		t.Errorf("ListObjectsV2 without delimiter: %d pages %v, want 4 pages %v", pages, keys, listKeys)
	}

	// With a delimiter: 4 keys and 2 common prefixes, 2 entries a page.
	var entries []string
	pages = 0
	p = s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("list/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectsV2 delimiter page %d: %v", pages+1, err)
		}
		pages++
		if n := len(page.Contents) + len(page.CommonPrefixes); n > 2 {
			t.Errorf("ListObjectsV2 delimiter page %d: %d entries with MaxKeys 2", pages, n)
		}
		for _, o := range page.Contents {
			entries = append(entries, aws.ToString(o.Key))
		}
		for _, cp := range page.CommonPrefixes {
			entries = append(entries, aws.ToString(cp.Prefix))
		}
		if pages > 10 {
			t.Fatal("ListObjectsV2 delimiter: more than 10 pages")
		}
	}
	sort.Strings(entries)
	want := []string{"list/a", "list/b", "list/c/", "list/d/", "list/e", "list/f"}
	if strings.Join(entries, ",") != strings.Join(want, ",") || pages != 3 {
		t.Errorf("ListObjectsV2 with delimiter: %d pages %v, want 3 pages %v", pages, entries, want)
	}

	// Presigned PUT and GET, used through net/http.
	pc := s3.NewPresignClient(cl)
	body := randomBytes(70000)
	put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("presigned/obj")}, s3.WithPresignExpires(5*time.Minute))
	if err != nil {
		t.Fatalf("PresignPutObject: %v", err)
	}
	req, err := http.NewRequest(put.Method, put.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range put.SignedHeader {
		if strings.EqualFold(k, "Host") {
			continue
		}
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("presigned PUT: %v", err)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: status %d: %s\nURL %s\nsigned headers %v", resp.StatusCode, rb, put.URL, put.SignedHeader)
	}
	get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("presigned/obj")}, s3.WithPresignExpires(5*time.Minute))
	if err != nil {
		t.Fatalf("PresignGetObject: %v", err)
	}
	resp, err = hc.Get(get.URL)
	if err != nil {
		t.Fatalf("presigned GET: %v", err)
	}
	rb, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(rb, body) {
		t.Errorf("presigned GET: status %d, %d bytes (want %d)", resp.StatusCode, len(rb), len(body))
	}
	// The SDK reads back what the presigned PUT wrote.
	if got := getBytes(t, cl, bucket, "presigned/obj", ""); !bytes.Equal(got, body) {
		t.Errorf("GetObject of the presigned PUT: %d bytes differ from the %d written", len(got), len(body))
	}

	// A missing key is NoSuchKey for the admin (who may list the bucket).
	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("no/such/key")})
	if apiCode(err) != "NoSuchKey" {
		t.Errorf("GetObject of a missing key: %v, want NoSuchKey", err)
	}
}
