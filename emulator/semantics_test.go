package emulator_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/emulator"
)

// rawReply is a response read off a raw connection.
type rawReply struct {
	status int
	body   string
}

// sendRaw signs req for S3 in region (UNSIGNED-PAYLOAD), writes its
// header and then the parts of body one by one on a raw connection,
// calling between(i) after part i, and reads the response.
func sendRaw(t *testing.T, s *svcServer, req *http.Request, region string, parts []string, between func(i int)) rawReply {
	t.Helper()
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(context.Background(), s3Admin, req, "UNSIGNED-PAYLOAD", "s3", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.Endpoint(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second)) // a hung server fails the test instead of blocking it
	var head strings.Builder
	head.WriteString(req.Method + " " + req.URL.RequestURI() + " HTTP/1.1\r\nHost: " + req.URL.Host + "\r\n")
	if req.ContentLength > 0 {
		head.WriteString("Content-Length: " + strconv.FormatInt(req.ContentLength, 10) + "\r\n")
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			head.WriteString(k + ": " + v + "\r\n")
		}
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		if _, err := io.WriteString(conn, p); err != nil {
			t.Fatal(err)
		}
		if between != nil {
			between(i)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawReply{resp.StatusCode, string(b)}
}

func rawPut(t *testing.T, s *svcServer, key string, size int64) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, s.Endpoint()+"/data/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	return req
}

func withBodyIdleTimeout(d time.Duration) func(*emulator.Options) {
	return func(o *emulator.Options) { o.BodyIdleTimeout = d }
}

// TestStalledBodyRequestTimeout: a body that stops arriving ends with 400
// RequestTimeout after the idle timeout, and nothing is stored; a slow
// body that keeps arriving is stored.
func TestStalledBodyRequestTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	s := startEmulator(t, s3WorldYAML, withBodyIdleTimeout(idle))
	start := time.Now()
	r := sendRaw(t, s, rawPut(t, s, "stalled", 1000), "us-east-1", []string{strings.Repeat("x", 10)}, nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Code>RequestTimeout</Code>") ||
		!strings.Contains(r.body, "Your socket connection to the server was not read from or written to within the timeout period.") {
		t.Errorf("stalled body: HTTP %d %s, want 400 RequestTimeout", r.status, r.body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the stalled request took %v with an idle timeout of %v", took, idle)
	}
	cl := s.s3(t, s3Admin)
	if _, err := cl.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("stalled")}); code(err) != "NotFound" {
		t.Errorf("HeadObject after a stalled upload: %v, want NotFound", err)
	}

	// Eight parts a quarter of the idle timeout apart: slower in all than
	// the idle timeout, never idle that long.
	parts := make([]string, 8)
	for i := range parts {
		parts[i] = strings.Repeat(strconv.Itoa(i), 100)
	}
	pause := func(int) { time.Sleep(idle / 4) } // a slow client, not synchronization
	r = sendRaw(t, s, rawPut(t, s, "slow", 800), "us-east-1", parts, pause)
	if r.status != http.StatusOK {
		t.Fatalf("slow body: HTTP %d %s", r.status, r.body)
	}
	if got := getString(t, cl, "data", "slow"); got != strings.Join(parts, "") {
		t.Errorf("slow body stored %d bytes, want 800", len(got))
	}
}

// TestWrongSigningRegion: a request signed for another region than the
// bucket's gets 400 AuthorizationHeaderMalformed naming the bucket's
// region; GetBucketLocation, how clients find the region, is answered
// when signed for us-east-1.
func TestWrongSigningRegion(t *testing.T) {
	s := startEmulator(t, s3WorldYAML+`
      - name: eu-data
        region: eu-west-1
        objects: {a.txt: "a"}
`)
	ctx := context.Background()
	client := func(region string) *s3.Client {
		return s3.NewFromConfig(s.cfg(t, s3Admin), func(o *s3.Options) { o.UsePathStyle = true; o.Region = region })
	}
	eu, us := client("eu-west-1"), client("us-east-1")
	_, err := eu.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("hello.txt")})
	wantSvcErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest,
		"The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'")
	_, err = eu.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("new"), Body: strings.NewReader("x")})
	wantSvcErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest, "expecting 'us-east-1'")
	_, err = eu.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("data")})
	wantSvcErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest, "expecting 'us-east-1'")

	_, err = us.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("eu-data"), Key: aws.String("a.txt")})
	wantSvcErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest, "the region 'us-east-1' is wrong; expecting 'eu-west-1'")
	loc, err := us.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("eu-data")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation of eu-data signed for us-east-1: %v %v, want eu-west-1", loc, err)
	}
	if _, err := eu.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("eu-data"), Key: aws.String("a.txt")}); err != nil {
		t.Errorf("GetObject of eu-data signed for eu-west-1: %v", err)
	}

	req, err := http.NewRequest(http.MethodGet, s.Endpoint()+"/data/hello.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := sendRaw(t, s, req, "eu-west-1", nil, nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Region>us-east-1</Region>") {
		t.Errorf("raw GET signed for eu-west-1: HTTP %d %s, want 400 with <Region>us-east-1</Region>", r.status, r.body)
	}
}

// copyWorldYAML: copiers that may read and write data/*, one without
// s3:ListBucket and one with it.
const copyWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAS3ADMIN000000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: copier
        access_keys: [{id: AKIACOPIER0000000001, secret: copier-secret}]
        policies:
          rw: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::data/*"}]}
      - name: listing-copier
        access_keys: [{id: AKIACOPIER0000000002, secret: copier-secret}]
        policies:
          rw:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::data/*"}
              - {Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::data"}
    buckets:
      - name: data
        objects: {hello.txt: "hello\n"}
`

// TestCopyFromMissingSource: CopyObject and UploadPartCopy from a missing
// source answer as GetObject does: 404 NoSuchKey for a caller that may
// list the source bucket, 403 for one that may not.
func TestCopyFromMissingSource(t *testing.T) {
	s := startEmulator(t, copyWorldYAML)
	ctx := context.Background()
	admin := s.s3(t, s3Admin)
	up, err := admin.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("parts")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  string
		want string
	}{
		{"copier", "AKIACOPIER0000000001", "AccessDenied"},
		{"listing-copier", "AKIACOPIER0000000002", "NoSuchKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := s.s3(t, aws.Credentials{AccessKeyID: tc.key, SecretAccessKey: "copier-secret"})
			_, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("copy"), CopySource: aws.String("data/missing")})
			if got := code(err); got != tc.want {
				t.Errorf("CopyObject from a missing source: %v, want %s", err, tc.want)
			}
			_, err = cl.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("data"), Key: aws.String("parts"), UploadId: up.UploadId,
				PartNumber: aws.Int32(1), CopySource: aws.String("data/missing")})
			if got := code(err); got != tc.want {
				t.Errorf("UploadPartCopy from a missing source: %v, want %s", err, tc.want)
			}
			// An existing source copies.
			if _, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("copy"), CopySource: aws.String("data/hello.txt")}); err != nil {
				t.Errorf("CopyObject from an existing source: %v", err)
			}
		})
	}
}

// TestRanges: a malformed GET Range is ignored (the whole object, 200);
// an unsatisfiable one is 416 InvalidRange; UploadPartCopy refuses a
// malformed copy range or one past the source's end with InvalidArgument.
func TestRanges(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	cl := s.s3(t, s3Admin)
	for _, tc := range []struct {
		rng        string
		want       string // body, or error code
		wantStatus int
	}{
		{"bytes=--1", "hello\n", http.StatusOK},
		{"bytes=-+1", "hello\n", http.StatusOK},
		{"bytes=+1-2", "hello\n", http.StatusOK},
		{"bytes=a-b", "hello\n", http.StatusOK},
		{"bytes=3-1", "hello\n", http.StatusOK},
		{"bytes=1-2", "el", http.StatusPartialContent},
		{"bytes=-2", "o\n", http.StatusPartialContent},
		{"bytes=4-100", "o\n", http.StatusPartialContent},
		{"bytes=6-", "InvalidRange", http.StatusRequestedRangeNotSatisfiable},
	} {
		t.Run(tc.rng, func(t *testing.T) {
			out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("hello.txt"), Range: aws.String(tc.rng)})
			if err != nil {
				wantSvcErr(t, err, tc.want, tc.wantStatus, "")
				return
			}
			defer out.Body.Close()
			b, _ := io.ReadAll(out.Body)
			if string(b) != tc.want {
				t.Errorf("body %q, want %q", b, tc.want)
			}
			if tc.wantStatus == http.StatusOK && out.ContentRange != nil {
				t.Errorf("Content-Range %q on a whole-object answer", *out.ContentRange)
			}
		})
	}

	up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("parts")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ rng, msg string }{
		{"bytes=0-6", "Range specified is not valid for source object of size: 6"},
		{"bytes=10-12", "Range specified is not valid for source object of size: 6"},
		{"bytes=--1", "The x-amz-copy-source-range value must be of the form bytes=first-last"},
		{"bytes=-2", "The x-amz-copy-source-range value must be of the form bytes=first-last"},
		{"0-2", "The x-amz-copy-source-range value must be of the form bytes=first-last"},
		{"bytes=3-1", "The x-amz-copy-source-range value must be of the form bytes=first-last"},
	} {
		_, err := cl.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("data"), Key: aws.String("parts"), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), CopySource: aws.String("data/hello.txt"), CopySourceRange: aws.String(tc.rng)})
		wantSvcErr(t, err, "InvalidArgument", http.StatusBadRequest, tc.msg)
	}
	if _, err := cl.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("data"), Key: aws.String("parts"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("data/hello.txt"), CopySourceRange: aws.String("bytes=1-5")}); err != nil {
		t.Errorf("UploadPartCopy bytes=1-5 of 6 bytes: %v", err)
	}
}

// signedDo sends a request signed by the admin for S3 in us-east-1 and
// returns its status and body.
func signedDo(t *testing.T, s *svcServer, method, path string, body []byte, header http.Header) rawReply {
	t.Helper()
	req, err := http.NewRequest(method, s.Endpoint()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", payload)
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(), s3Admin, req, payload, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawReply{resp.StatusCode, string(b)}
}

func contentMD5(b []byte) http.Header {
	sum := md5.Sum(b)
	return http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}}
}

// TestDeleteObjects: versionId null deletes the object (every object of
// an unversioned bucket is the null version); an empty <Delete> and an
// object without a key are MalformedXML and delete nothing.
func TestDeleteObjects(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	cl := s.s3(t, s3Admin)
	put := func(key string) {
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(key string) bool {
		_, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
		return err == nil
	}
	put("a")
	put("b")
	out, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("data"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a"), VersionId: aws.String("null")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if exists("a") {
		t.Error("DeleteObjects with VersionId null left the object")
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].VersionId) != "null" || len(out.Errors) != 0 {
		t.Errorf("DeleteObjects result: deleted %+v, errors %+v; want a with VersionId null", out.Deleted, out.Errors)
	}

	for _, tc := range []struct{ name, body string }{
		{"empty Delete", `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet></Delete>`},
		{"empty key", `<Delete><Object><Key>b</Key></Object><Object><Key></Key></Object></Delete>`},
		{"no key", `<Delete><Object><VersionId>null</VersionId></Object></Delete>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signedDo(t, s, http.MethodPost, "/data?delete", []byte(tc.body), contentMD5([]byte(tc.body)))
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Code>MalformedXML</Code>") {
				t.Errorf("HTTP %d %s, want 400 MalformedXML", r.status, r.body)
			}
			if !exists("b") {
				t.Error("a refused DeleteObjects deleted b")
			}
		})
	}
}

// TestInvalidStorageClass: a storage class S3 does not know is 400
// InvalidStorageClass on every write that takes one; a valid one is
// accepted.
func TestInvalidStorageClass(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	cl := s.s3(t, s3Admin)
	bad := types.StorageClass("FAST")
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("x"), StorageClass: bad})
	wantSvcErr(t, err, "InvalidStorageClass", http.StatusBadRequest, "The storage class you specified is not valid")
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), CopySource: aws.String("data/hello.txt"), StorageClass: bad})
	wantSvcErr(t, err, "InvalidStorageClass", http.StatusBadRequest, "")
	_, err = cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k"), StorageClass: bad})
	wantSvcErr(t, err, "InvalidStorageClass", http.StatusBadRequest, "")
	if _, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}); err == nil {
		t.Error("a refused write stored the object")
	}
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("x"),
		StorageClass: types.StorageClassStandardIa}); err != nil {
		t.Errorf("PutObject STANDARD_IA: %v", err)
	}
}

// TestInvalidKeys: a key that is not UTF-8 is 400 InvalidURI, one over
// 1024 bytes 400 KeyTooLongError; neither is stored.
func TestInvalidKeys(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	for _, tc := range []struct {
		name, path, code string
	}{
		{"invalid UTF-8", "/data/h%FF", "InvalidURI"},
		{"truncated UTF-8", "/data/caf%C3", "InvalidURI"},
		{"too long", "/data/" + strings.Repeat("k", 1025), "KeyTooLongError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{http.MethodPut, http.MethodGet} {
				r := signedDo(t, s, method, tc.path, []byte("x"), nil)
				if r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Code>"+tc.code+"</Code>") {
					t.Errorf("%s %s: HTTP %d %s, want 400 %s", method, tc.name, r.status, r.body, tc.code)
				}
			}
		})
	}
	keys, err := s.ListKeys(context.Background(), "data")
	if err != nil || len(keys) != 1 {
		t.Errorf("keys after refused writes: %q %v, want only hello.txt", keys, err)
	}
}

// TestListControlCharacters: keys holding control characters round-trip
// through listings: as character references in XML (tab, line feed and
// carriage return parse back with any XML reader), and URL-encoded with
// encoding-type=url.
func TestListControlCharacters(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	cl := s.s3(t, s3Admin)
	keys := []string{"cr\rkey", "ctl\x01\x1fkey", "nl\nkey", "tab\tkey", "x<&>'\"key"}
	for _, k := range keys {
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatalf("PutObject %q: %v", k, err)
		}
	}
	// The XML form: every key S3 can express in XML 1.0 parses back.
	out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("x")})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != keys[4] {
		t.Errorf("ListObjectsV2 prefix x: %v %v", out, err)
	}
	for _, prefix := range []string{"cr", "nl", "tab"} {
		out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String(prefix)})
		if err != nil || len(out.Contents) != 1 {
			t.Fatalf("ListObjectsV2 prefix %s: %v %v", prefix, out, err)
		}
		got := aws.ToString(out.Contents[0].Key)
		if _, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String(got)}); err != nil {
			t.Errorf("the listed key %q does not name the object: %v", got, err)
		}
	}
	// The raw body holds character references, never U+FFFD.
	r := signedDo(t, s, http.MethodGet, "/data?list-type=2&prefix=ctl", nil, nil)
	if !strings.Contains(r.body, "<Key>ctl&#x1;&#x1F;key</Key>") || strings.Contains(r.body, "\uFFFD") {
		t.Errorf("listing of a key with control characters: %s", r.body)
	}
	if _, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(keys[1])}); err != nil {
		t.Fatal(err)
	}
	r = signedDo(t, s, http.MethodGet, "/data?uploads", nil, nil)
	if !strings.Contains(r.body, "<Key>ctl&#x1;&#x1F;key</Key>") || strings.Contains(r.body, "\uFFFD") {
		t.Errorf("ListMultipartUploads of a key with control characters: %s", r.body)
	}
	r = signedDo(t, s, http.MethodGet, "/data?list-type=2&prefix=cr", nil, nil)
	if !strings.Contains(r.body, "<Key>cr&#xD;key</Key>") {
		t.Errorf("listing of a key with a carriage return: %s", r.body)
	}
	// encoding-type=url: every key comes back URL-encoded and decodes to
	// itself.
	out, err = cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range out.Contents {
		k, err := url.QueryUnescape(aws.ToString(o.Key))
		if err != nil {
			t.Fatalf("key %q is not URL-encoded: %v", aws.ToString(o.Key), err)
		}
		got = append(got, k)
	}
	want := []string{keys[0], keys[1], "hello.txt", keys[2], keys[3], keys[4]}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("encoding-type=url keys:\n got %q\nwant %q", got, want)
	}
}

// TestRequestHeaderLimit: a header section over S3's 8 KB is 400
// RequestHeaderSectionTooLarge and stores nothing; one under it is served.
func TestRequestHeaderLimit(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	big := http.Header{"X-Padding": {strings.Repeat("p", 9000)}}
	r := signedDo(t, s, http.MethodPut, "/data/big-header", []byte("x"), big)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Code>RequestHeaderSectionTooLarge</Code>") ||
		!strings.Contains(r.body, "<MaxSizeAllowed>8192</MaxSizeAllowed>") {
		t.Errorf("PUT with a 9000-byte header: HTTP %d %s, want 400 RequestHeaderSectionTooLarge", r.status, r.body)
	}
	r = signedDo(t, s, http.MethodGet, "/data/big-header", nil, nil)
	if r.status != http.StatusNotFound {
		t.Errorf("GET after the refused PUT: HTTP %d, want 404", r.status)
	}
	ok := http.Header{"X-Padding": {strings.Repeat("p", 6000)}}
	if r := signedDo(t, s, http.MethodPut, "/data/big-header", []byte("x"), ok); r.status != http.StatusOK {
		t.Errorf("PUT with a 6000-byte header: HTTP %d %s", r.status, r.body)
	}
}

// TestCreateBucketOwnedByAnotherAccount: CreateBucket of a name another
// account owns is 409 BucketAlreadyExists, the bucket untouched; the
// owner's own CreateBucket in us-east-1 answers 200 (S3's legacy answer).
func TestCreateBucketOwnedByAnotherAccount(t *testing.T) {
	s := startEmulator(t, s3WorldYAML+`
  - id: "222222222222"
    users:
      - name: other
        access_keys: [{id: AKIAOTHER00000000001, secret: other-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
`)
	ctx := context.Background()
	other := s.s3(t, aws.Credentials{AccessKeyID: "AKIAOTHER00000000001", SecretAccessKey: "other-secret"})
	_, err := other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")})
	wantSvcErr(t, err, "BucketAlreadyExists", http.StatusConflict, "The requested bucket name is not available.")
	if got := getString(t, s.s3(t, s3Admin), "data", "hello.txt"); got != "hello\n" {
		t.Errorf("the bucket changed: %q", got)
	}
	if _, err := s.s3(t, s3Admin).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Errorf("the owner's CreateBucket in us-east-1: %v", err)
	}
}
