package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func crc32B64(p []byte) string {
	return b64(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(p)))
}

func md5B64(p []byte) string {
	s := md5.Sum(p)
	return b64(s[:])
}

// headerCase is a request signed in its Authorization header by the SDK
// signer, then sent through net/http's wire format.
type headerCase struct {
	name            string
	method, url     string
	body            []byte
	hash            string // payload hash; "" means the hex SHA-256 of body
	service, region string // "" means s3, us-east-1
	creds           *aws.Credentials
	at              time.Time         // signing time; zero means testTime
	headers         map[string]string // set before signing
	before          func(*http.Request)
	after           func(*http.Request)
	server          func(*http.Request)

	wantCode   string // error from Verify
	wantStatus int
	readCode   string // error from reading the body
	readStatus int
	wantBody   []byte // decoded body; nil means body
	check      func(t *testing.T, a *Auth, e *Error, sdk *sdkSigning)
}

func (c *headerCase) run(t *testing.T, v *Verifier) {
	service, region := c.service, c.region
	if service == "" {
		service = "s3"
	}
	if region == "" {
		region = "us-east-1"
	}
	creds := testCreds
	if c.creds != nil {
		creds = *c.creds
	}
	at := c.at
	if at.IsZero() {
		at = testTime
	}
	req := newReq(t, c.method, c.url, c.body)
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	if c.before != nil {
		c.before(req)
	}
	hash := c.hash
	if hash == "" {
		hash = sha256Hex(c.body)
	}
	sdk := signReq(t, req, creds, hash, service, region, at)
	if c.after != nil {
		c.after(req)
	}
	sr := serverSide(t, req)
	if c.server != nil {
		c.server(sr)
	}
	a, err := v.Verify(sr)
	if c.wantCode != "" {
		e := wantError(t, err, c.wantCode, c.wantStatus)
		if c.check != nil {
			c.check(t, nil, e, sdk)
		}
		return
	}
	if err != nil {
		t.Fatalf("Verify: %v\nSDK canonical request:\n%s", err, sdk.canonical)
	}
	got, rerr := readBody(sr)
	if c.readCode != "" {
		e := wantError(t, rerr, c.readCode, c.readStatus)
		if c.check != nil {
			c.check(t, a, e, sdk)
		}
		return
	}
	if rerr != nil {
		t.Fatalf("reading body: %v", rerr)
	}
	want := c.wantBody
	if want == nil {
		want = c.body
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("body = %q, want %q", got, want)
	}
	if a.Anonymous || a.AccessKeyID != creds.AccessKeyID || a.Service != service || a.Region != region ||
		!a.Time.Equal(at) || a.Version != "AWS4-HMAC-SHA256" || a.Presigned {
		t.Fatalf("Auth = %+v", a)
	}
	if c.check != nil {
		c.check(t, a, nil, sdk)
	}
}

func TestVerifyHeader(t *testing.T) {
	body := bytes.Repeat([]byte("lockstep "), 455) // 4095 bytes
	form := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	kmsBody := []byte(`{"KeyId":"alias/app","Plaintext":"aGVsbG8="}`)
	mode := func(m PayloadMode) func(*testing.T, *Auth, *Error, *sdkSigning) {
		return func(t *testing.T, a *Auth, _ *Error, _ *sdkSigning) {
			if a.Mode != m {
				t.Fatalf("Mode = %v, want %v", a.Mode, m)
			}
		}
	}
	cases := []headerCase{
		{name: "GET empty body", method: "GET", url: "http://s3.local:9000/bkt/key.txt",
			check: mode(SignedHex)},
		{name: "PUT hex sha256", method: "PUT", url: "http://s3.local/bkt/dir/obj", body: body,
			headers: map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Owner": "alice"},
			check: func(t *testing.T, a *Auth, _ *Error, _ *sdkSigning) {
				if a.Mode != SignedHex || a.DecodedLength != int64(len(body)) {
					t.Fatalf("Auth = %+v", a)
				}
			}},
		{name: "PUT unsigned payload", method: "PUT", url: "https://127.0.0.1:8443/bkt/k", body: body,
			hash: "UNSIGNED-PAYLOAD", check: mode(Unsigned)},
		{name: "upper-case hex hash", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			hash: strings.ToUpper(sha256Hex(body))},
		{name: "keys needing escapes", method: "GET",
			url: "http://s3.local/bkt/a%20b%2Bc%25d/%E2%82%AC%3D~x.y_z-%2F"},
		{name: "list query", method: "GET",
			url: "http://s3.local/bkt?list-type=2&prefix=photos%2F2026+x&delimiter=%2F&max-keys=10&encoding-type=url"},
		{name: "subresource without value", method: "POST", url: "http://s3.local/bkt/big?uploads"},
		{name: "repeated parameters", method: "GET", url: "http://s3.local/bkt?b=2&a=3&a=1&a=2"},
		{name: "raw reserved character in path", method: "GET", url: "http://s3.local/bkt/it's!(1)"},
		{name: "session token", method: "GET", url: "http://s3.local/bkt/k", creds: &tempCreds,
			check: func(t *testing.T, a *Auth, _ *Error, _ *sdkSigning) {
				if a.SessionToken != tempToken {
					t.Fatalf("SessionToken = %q", a.SessionToken)
				}
			}},
		{name: "header values trimmed", method: "PUT", url: "http://s3.local/bkt/k", body: []byte("x"),
			headers: map[string]string{"X-Amz-Meta-Spaces": "  a   b  c ", "Content-Type": "text/plain;   charset=utf-8"}},
		{name: "HTTP chunked transfer", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			before: func(r *http.Request) { r.ContentLength = -1; r.Body = io.NopCloser(bytes.NewReader(body)) },
			check: func(t *testing.T, a *Auth, _ *Error, _ *sdkSigning) {
				if a.DecodedLength != -1 {
					t.Fatalf("DecodedLength = %d, want -1", a.DecodedLength)
				}
			}},

		// Payload digests.
		{name: "Content-MD5", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers: map[string]string{"Content-Md5": md5B64(body)}},
		{name: "Content-MD5 mismatch", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers:  map[string]string{"Content-Md5": md5B64([]byte("other"))},
			readCode: "BadDigest", readStatus: 400,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				sum := md5.Sum([]byte("other"))
				wantField(t, e, "ExpectedDigest", bytesHex(sum[:]))
				wantField(t, e, "CalculatedDigest", md5B64(body))
			}},
		{name: "Content-MD5 malformed", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers:  map[string]string{"Content-Md5": "not base64!"},
			wantCode: "InvalidDigest", wantStatus: 400},
		{name: "Content-MD5 of empty body", method: "PUT", url: "http://s3.local/bkt/k",
			headers: map[string]string{"Content-Md5": md5B64(nil)}},
		{name: "Content-MD5 wrong for empty body", method: "PUT", url: "http://s3.local/bkt/k",
			headers:  map[string]string{"Content-Md5": md5B64([]byte("x"))},
			wantCode: "BadDigest", wantStatus: 400},
		{name: "crc32 header", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers: map[string]string{"X-Amz-Checksum-Crc32": crc32B64(body)}},
		{name: "crc32c header", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers: map[string]string{"X-Amz-Checksum-Crc32c": b64(binary.BigEndian.AppendUint32(nil, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli))))}},
		{name: "crc64nvme header", method: "PUT", url: "http://s3.local/bkt/k", body: []byte("123456789"),
			headers: map[string]string{"X-Amz-Checksum-Crc64nvme": b64(binary.BigEndian.AppendUint64(nil, 0xae8b14860a799888))}},
		{name: "sha1 header", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers: map[string]string{"X-Amz-Checksum-Sha1": func() string { s := sha1.Sum(body); return b64(s[:]) }()}},
		{name: "sha256 header", method: "PUT", url: "http://s3.local/bkt/k", body: body, hash: "UNSIGNED-PAYLOAD",
			headers: map[string]string{"X-Amz-Checksum-Sha256": func() string { s := sha256.Sum256(body); return b64(s[:]) }()}},
		{name: "crc32 header mismatch", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers:  map[string]string{"X-Amz-Checksum-Crc32": crc32B64([]byte("other"))},
			readCode: "BadDigest", readStatus: 400,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				if e.Message != "The CRC32 you specified did not match the calculated checksum." {
					t.Fatalf("message %q", e.Message)
				}
			}},
		{name: "crc32 header malformed", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers:  map[string]string{"X-Amz-Checksum-Crc32": "AAAA"},
			wantCode: "InvalidRequest", wantStatus: 400},
		{name: "two checksum headers", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers: map[string]string{"X-Amz-Checksum-Crc32": crc32B64(body),
				"X-Amz-Checksum-Sha1": func() string { s := sha1.Sum(body); return b64(s[:]) }()},
			wantCode: "InvalidRequest", wantStatus: 400},
		{name: "tampered body", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			after: func(r *http.Request) {
				bad := bytes.Clone(body)
				bad[100] ^= 1
				r.Body = io.NopCloser(bytes.NewReader(bad))
			},
			readCode: "XAmzContentSHA256Mismatch", readStatus: 400,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				wantField(t, e, "ClientComputedContentSHA256", sha256Hex(body))
				bad := bytes.Clone(body)
				bad[100] ^= 1
				wantField(t, e, "S3ComputedContentSHA256", sha256Hex(bad))
			}},
		{name: "empty body, hash of something", method: "PUT", url: "http://s3.local/bkt/k", hash: sha256Hex([]byte("x")),
			wantCode: "XAmzContentSHA256Mismatch", wantStatus: 400},
		{name: "truncated body", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			server: func(r *http.Request) {
				// Content-Length stays len(body); the connection ends
				// after 1000 bytes.
				r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:1000]), errReader{io.ErrUnexpectedEOF}))
			},
			readCode: "IncompleteBody", readStatus: 400},

		// Authentication failures.
		{name: "wrong secret", method: "PUT", url: "http://s3.local/bkt/k?tagging", body: body,
			creds:    &aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "wrong"},
			wantCode: "SignatureDoesNotMatch", wantStatus: 403,
			check: func(t *testing.T, _ *Auth, e *Error, sdk *sdkSigning) {
				wantField(t, e, "AWSAccessKeyId", testAKID)
				wantField(t, e, "CanonicalRequest", sdk.canonical)
				wantField(t, e, "StringToSign", sdk.stringToSign)
				wantField(t, e, "StringToSignBytes", spacedHex(sdk.stringToSign))
				wantField(t, e, "CanonicalRequestBytes", spacedHex(sdk.canonical))
				names := []string{"AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes"}
				for i, f := range e.Fields {
					if f.Name != names[i] {
						t.Fatalf("field %d = %s, want %s", i, f.Name, names[i])
					}
				}
				if e.Message != "The request signature we calculated does not match the signature you provided. Check your key and signing method." {
					t.Fatalf("message %q", e.Message)
				}
			}},
		{name: "unknown key", method: "GET", url: "http://s3.local/bkt/k",
			creds:    &aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: testSecret},
			wantCode: "InvalidAccessKeyId", wantStatus: 403,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				wantField(t, e, "AWSAccessKeyId", "AKIAUNKNOWN")
				if e.Message != "The AWS Access Key Id you provided does not exist in our records." {
					t.Fatalf("message %q", e.Message)
				}
			}},
		{name: "clock 16 minutes behind", method: "GET", url: "http://s3.local/bkt/k", at: testTime.Add(-16 * time.Minute),
			wantCode: "RequestTimeTooSkewed", wantStatus: 403,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				wantField(t, e, "RequestTime", testTime.Add(-16*time.Minute).Format("20060102T150405Z"))
				wantField(t, e, "ServerTime", "2026-11-22T12:30:45Z")
				wantField(t, e, "MaxAllowedSkewMilliseconds", "900000")
				if e.Message != "The difference between the request time and the current time is too large." {
					t.Fatalf("message %q", e.Message)
				}
			}},
		{name: "clock 16 minutes ahead", method: "GET", url: "http://s3.local/bkt/k", at: testTime.Add(16 * time.Minute),
			wantCode: "RequestTimeTooSkewed", wantStatus: 403},
		{name: "clock 14 minutes ahead", method: "GET", url: "http://s3.local/bkt/k", at: testTime.Add(14 * time.Minute)},
		{name: "temporary key without token", method: "GET", url: "http://s3.local/bkt/k",
			creds:    &aws.Credentials{AccessKeyID: tempAKID, SecretAccessKey: tempSecret},
			wantCode: "InvalidAccessKeyId", wantStatus: 403},
		{name: "wrong token", method: "GET", url: "http://s3.local/bkt/k",
			creds:    &aws.Credentials{AccessKeyID: tempAKID, SecretAccessKey: tempSecret, SessionToken: "other"},
			wantCode: "InvalidToken", wantStatus: 400},
		{name: "token with long-term key", method: "GET", url: "http://s3.local/bkt/k",
			creds:    &aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret, SessionToken: "x"},
			wantCode: "InvalidToken", wantStatus: 400},
		{name: "expired token", method: "GET", url: "http://s3.local/bkt/k", creds: &oldCreds,
			wantCode: "ExpiredToken", wantStatus: 400,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) { wantField(t, e, "Token-0", oldToken) }},
		{name: "wrong region", method: "GET", url: "http://s3.local/bkt/k", region: "eu-west-1",
			wantCode: "AuthorizationHeaderMalformed", wantStatus: 400,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				wantField(t, e, "Region", "us-east-1")
				if e.Message != "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'" {
					t.Fatalf("message %q", e.Message)
				}
			}},
		{name: "unknown service", method: "GET", url: "http://s3.local/bkt/k", service: "ec2",
			wantCode: "AuthorizationHeaderMalformed", wantStatus: 400},
		{name: "scope date is not x-amz-date", method: "GET", url: "http://s3.local/bkt/k",
			after:    func(r *http.Request) { r.Header.Set("X-Amz-Date", "20261122T000001Z") },
			server:   nil,
			wantCode: "AuthorizationHeaderMalformed", wantStatus: 400,
			at: time.Date(2026, 11, 21, 23, 59, 0, 0, time.UTC)},
		{name: "x-amz-date changed after signing", method: "GET", url: "http://s3.local/bkt/k",
			after: func(r *http.Request) {
				r.Header.Set("X-Amz-Date", testTime.Add(time.Second).Format("20060102T150405Z"))
			},
			wantCode: "SignatureDoesNotMatch", wantStatus: 403},
		{name: "header added after signing", method: "GET", url: "http://s3.local/bkt/k",
			after:    func(r *http.Request) { r.Header.Set("X-Amz-Meta-Late", "1"); r.Header.Set("X-Amz-Acl", "public-read") },
			wantCode: "AccessDenied", wantStatus: 403,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				wantField(t, e, "HeadersNotSigned", "x-amz-acl, x-amz-meta-late")
			}},
		{name: "signed header changed", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			headers:  map[string]string{"X-Amz-Acl": "private"},
			after:    func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") },
			wantCode: "SignatureDoesNotMatch", wantStatus: 403},
		{name: "query changed", method: "GET", url: "http://s3.local/bkt?prefix=a",
			after:    func(r *http.Request) { r.URL.RawQuery = "prefix=b" },
			wantCode: "SignatureDoesNotMatch", wantStatus: 403},
		{name: "path changed", method: "GET", url: "http://s3.local/bkt/a",
			after:    func(r *http.Request) { r.URL.Path = "/bkt/b" },
			wantCode: "SignatureDoesNotMatch", wantStatus: 403},
		{name: "missing x-amz-content-sha256", method: "GET", url: "http://s3.local/bkt/k",
			after:    func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") },
			wantCode: "InvalidRequest", wantStatus: 400},
		{name: "bad x-amz-content-sha256", method: "PUT", url: "http://s3.local/bkt/k", body: body, hash: "abc",
			wantCode: "InvalidArgument", wantStatus: 400,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				wantField(t, e, "ArgumentName", "x-amz-content-sha256")
				wantField(t, e, "ArgumentValue", "abc")
			}},
		{name: "sigv4a streaming", method: "PUT", url: "http://s3.local/bkt/k", body: body,
			hash: "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", wantCode: "NotImplemented", wantStatus: 501},
		{name: "presign query and header", method: "GET", url: "http://s3.local/bkt/k?X-Amz-Signature=abc",
			wantCode: "InvalidArgument", wantStatus: 400},

		// Other services: the hash of an unsent body, and their codes.
		{name: "sts form POST", method: "POST", url: "https://sts.local/", body: form, service: "sts",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			check:   mode(SignedHex)},
		{name: "iam in us-east-1", method: "POST", url: "https://iam.local/", body: form, service: "iam"},
		{name: "kms JSON POST", method: "POST", url: "https://kms.local/", body: kmsBody, service: "kms",
			headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt"}},
		{name: "sts tampered body", method: "POST", url: "https://sts.local/", body: form, service: "sts",
			after: func(r *http.Request) {
				r.Body = io.NopCloser(strings.NewReader(strings.Replace(string(form), "Get", "Set", 1)))
			},
			wantCode: "SignatureDoesNotMatch", wantStatus: 403,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				if len(e.Fields) != 0 {
					t.Fatalf("STS error with S3 fields: %+v", e.Fields)
				}
			}},
		{name: "sts unknown key", method: "POST", url: "https://sts.local/", body: form, service: "sts",
			creds:    &aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"},
			wantCode: "InvalidClientTokenId", wantStatus: 403},
		{name: "kms unknown key", method: "POST", url: "https://kms.local/", body: kmsBody, service: "kms",
			creds:    &aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"},
			wantCode: "UnrecognizedClientException", wantStatus: 400},
		{name: "kms wrong secret", method: "POST", url: "https://kms.local/", body: kmsBody, service: "kms",
			creds:    &aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "x"},
			wantCode: "InvalidSignatureException", wantStatus: 400},
		{name: "kms skewed", method: "POST", url: "https://kms.local/", body: kmsBody, service: "kms",
			at: testTime.Add(-20 * time.Minute), wantCode: "InvalidSignatureException", wantStatus: 400,
			check: func(t *testing.T, _ *Auth, e *Error, _ *sdkSigning) {
				want := "Signature expired: 20261122T121045Z is now earlier than 20261122T121545Z (20261122T123045Z - 15 min.)"
				if e.Message != want {
					t.Fatalf("message %q, want %q", e.Message, want)
				}
			}},
		{name: "sts wrong region", method: "POST", url: "https://sts.local/", body: form, service: "sts", region: "eu-west-1",
			wantCode: "SignatureDoesNotMatch", wantStatus: 403},
		{name: "sts expired token", method: "POST", url: "https://sts.local/", body: form, service: "sts", creds: &oldCreds,
			wantCode: "ExpiredToken", wantStatus: 403},
	}
	v := testVerifier()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, v) })
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func bytesHex(b []byte) string { return string(appendHex(nil, b)) }

// TestCanonicalRequestMatchesSDK signs requests of many shapes with a
// wrong secret and checks that the canonical request and string to sign
// Verify reports are exactly the SDK signer's, then signs them with the
// right secret and checks that they verify.
func TestCanonicalRequestMatchesSDK(t *testing.T) {
	type shape struct {
		method, url string
		header      http.Header
		service     string
		raw         bool // non-canonical escapes: verified as sent
	}
	shapes := []shape{
		{method: "GET", url: "http://s3.local/"},
		{method: "GET", url: "http://s3.local:9000/bkt"},
		{method: "GET", url: "http://s3.local/bkt/%D0%BA%D0%BB%D1%8E%D1%87%20%C3%A9"},
		{method: "GET", url: "http://s3.local/bkt/a%2Fb%2fc/%41%7E", raw: true},
		{method: "GET", url: "http://s3.local/bkt?prefix=a%2Bb+c&marker=%e2%82%ac&x=%41"},
		{method: "GET", url: "http://s3.local/bkt?versions&key-marker=&prefix="},
		{method: "GET", url: "http://s3.local/bkt/k?response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22"},
		{method: "PUT", url: "http://s3.local/bkt/k", header: http.Header{
			"X-Amz-Meta-Multi":  {"one", "two ", "  three   four"},
			"Content-Type":      {"application/octet-stream"},
			"X-Amz-Tagging":     {"a=1&b=2"},
			"X-Amz-Copy-Source": {"/src/a%20b"},
			"Cache-Control":     {"no-cache,  no-store"},
		}},
		{method: "POST", url: "https://sts.local/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts"},
		{method: "POST", url: "https://kms.local/a%20b/c", service: "kms"},
	}
	v := testVerifier()
	for _, s := range shapes {
		service := s.service
		if service == "" {
			service = "s3"
		}
		t.Run(s.method+" "+s.url, func(t *testing.T) {
			build := func(secret string) (*http.Request, *sdkSigning) {
				req := newReq(t, s.method, s.url, nil)
				for k, vs := range s.header {
					req.Header[k] = append([]string(nil), vs...)
				}
				creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: secret}
				return req, signReq(t, req, creds, sha256Hex(nil), service, "us-east-1", testTime)
			}
			req, sdk := build("wrong secret")
			_, err := v.Verify(serverSide(t, req))
			if service == "s3" && !s.raw {
				e := wantError(t, err, "SignatureDoesNotMatch", 403)
				wantField(t, e, "CanonicalRequest", sdk.canonical)
				wantField(t, e, "StringToSign", sdk.stringToSign)
			} else if err == nil {
				t.Fatal("wrong secret verified")
			}
			req, _ = build(testSecret)
			if _, err := v.Verify(serverSide(t, req)); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestVerifyMalformedAuthorization(t *testing.T) {
	const scope = "AKIDEXAMPLE/20261122/us-east-1/s3/aws4_request"
	sig := strings.Repeat("0", 64)
	cases := []struct {
		authz, code string
		status      int
	}{
		{"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + sig, "AuthorizationHeaderMalformed", 400},
		{"AWS4-HMAC-SHA256 Credential=" + scope + ", Signature=" + sig, "AuthorizationHeaderMalformed", 400},
		{"AWS4-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=host", "AuthorizationHeaderMalformed", 400},
		{"AWS4-HMAC-SHA256 Credential=" + scope + " SignedHeaders=host Signature=" + sig, "AuthorizationHeaderMalformed", 400},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/s3, SignedHeaders=host, Signature=" + sig, "AuthorizationHeaderMalformed", 400},
		{"AWS4-HMAC-SHA256 Credential=/20261122/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig, "AuthorizationHeaderMalformed", 400},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2026-11-22/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig, "AuthorizationHeaderMalformed", 400},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/s3/aws4_reques, SignedHeaders=host, Signature=" + sig, "AuthorizationHeaderMalformed", 400},
		{"AWS4-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=x-amz-date, Signature=" + sig, "AccessDenied", 403},
		{"AWS4-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=host;x-amz-date, Signature=zz", "SignatureDoesNotMatch", 403},
		{"AWS AKIDEXAMPLE:c2lnbmF0dXJl", "InvalidRequest", 400},
		{"Bearer abc", "InvalidArgument", 400},
		{"AWS4-ECDSA-P256-SHA256 Credential=x", "NotImplemented", 501},
	}
	v := testVerifier()
	for _, c := range cases {
		t.Run(c.authz, func(t *testing.T) {
			req := newReq(t, "GET", "http://s3.local/bkt/k", nil)
			req.Header.Set("Authorization", c.authz)
			req.Header.Set("X-Amz-Date", testTime.Format("20060102T150405Z"))
			req.Header.Set("X-Amz-Content-Sha256", sha256Hex(nil))
			_, err := v.Verify(serverSide(t, req))
			wantError(t, err, c.code, c.status)
		})
	}
	t.Run("no date", func(t *testing.T) {
		req := newReq(t, "GET", "http://s3.local/bkt/k", nil)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+scope+", SignedHeaders=host, Signature="+sig)
		_, err := v.Verify(serverSide(t, req))
		e := wantError(t, err, "AccessDenied", 403)
		if e.Message != "AWS authentication requires a valid Date or x-amz-date header" {
			t.Fatalf("message %q", e.Message)
		}
	})
	t.Run("no lookup", func(t *testing.T) {
		if _, err := (&Verifier{}).Verify(newReq(t, "GET", "http://s3.local/", nil)); err == nil {
			t.Fatal("Verify without Lookup succeeded")
		}
	})
}

func TestVerifyAnonymous(t *testing.T) {
	v := testVerifier()
	body := []byte("public upload")
	cases := []struct {
		name     string
		header   http.Header
		mode     PayloadMode
		wantCode string
		readCode string
	}{
		{name: "plain", mode: None},
		{name: "hex hash", header: http.Header{"X-Amz-Content-Sha256": {sha256Hex(body)}}, mode: SignedHex},
		{name: "wrong hex hash", header: http.Header{"X-Amz-Content-Sha256": {sha256Hex(nil)}}, mode: SignedHex, readCode: "XAmzContentSHA256Mismatch"},
		{name: "Content-MD5", header: http.Header{"Content-Md5": {md5B64(body)}}, mode: None},
		{name: "wrong Content-MD5", header: http.Header{"Content-Md5": {md5B64(nil)}}, mode: None, readCode: "BadDigest"},
		{name: "signed streaming", header: http.Header{"X-Amz-Content-Sha256": {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}}, wantCode: "InvalidRequest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := newReq(t, "PUT", "http://s3.local/bkt/k", body)
			for k, vs := range c.header {
				req.Header[k] = vs
			}
			sr := serverSide(t, req)
			a, err := v.Verify(sr)
			if c.wantCode != "" {
				wantError(t, err, c.wantCode, 400)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !a.Anonymous || a.Mode != c.mode || a.AccessKeyID != "" {
				t.Fatalf("Auth = %+v", a)
			}
			got, err := readBody(sr)
			if c.readCode != "" {
				wantError(t, err, c.readCode, 400)
				return
			}
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("body %q, %v", got, err)
			}
		})
	}
}

func TestVerifyPresignV4(t *testing.T) {
	v := testVerifier()
	type pcase struct {
		name      string
		method    string
		url       string
		body      []byte
		creds     *aws.Credentials
		at        time.Time
		expires   time.Duration
		edit      func(u string) string // the URL after presigning
		after     func(*http.Request)
		wantCode  string
		status    int
		check     func(t *testing.T, e *Error)
		wantToken string
	}
	cases := []pcase{
		{name: "GET", method: "GET", url: "http://s3.local/bkt/dir/a%20b.txt"},
		{name: "GET with response override", method: "GET", url: "http://s3.local/bkt/k?response-content-type=text%2Fplain&versionId=3"},
		{name: "PUT", method: "PUT", url: "http://s3.local/bkt/k", body: []byte("presigned body")},
		{name: "signed an hour ago", method: "GET", url: "http://s3.local/bkt/k", at: testTime.Add(-time.Hour), expires: 2 * time.Hour},
		{name: "session token", method: "GET", url: "http://s3.local/bkt/k", creds: &tempCreds, wantToken: tempToken},
		{name: "max expiry", method: "GET", url: "http://s3.local/bkt/k", at: testTime.Add(-6 * 24 * time.Hour), expires: 7 * 24 * time.Hour},
		{name: "expired", method: "GET", url: "http://s3.local/bkt/k", at: testTime.Add(-2 * time.Hour), expires: time.Hour,
			wantCode: "AccessDenied", status: 403,
			check: func(t *testing.T, e *Error) {
				if e.Message != "Request has expired" {
					t.Fatalf("message %q", e.Message)
				}
				wantField(t, e, "X-Amz-Expires", "3600")
				wantField(t, e, "Expires", "2026-11-22T11:30:45Z")
				wantField(t, e, "ServerTime", "2026-11-22T12:30:45Z")
			}},
		{name: "not yet valid", method: "GET", url: "http://s3.local/bkt/k", at: testTime.Add(time.Hour),
			wantCode: "AccessDenied", status: 403,
			check: func(t *testing.T, e *Error) {
				if e.Message != "Request is not yet valid" {
					t.Fatalf("message %q", e.Message)
				}
			}},
		{name: "expires over a week", method: "GET", url: "http://s3.local/bkt/k", expires: 604801 * time.Second,
			wantCode: "AuthorizationQueryParametersError", status: 400},
		{name: "wrong secret", method: "GET", url: "http://s3.local/bkt/k",
			creds: &aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "wrong"}, wantCode: "SignatureDoesNotMatch", status: 403},
		{name: "unknown key", method: "GET", url: "http://s3.local/bkt/k",
			creds: &aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}, wantCode: "InvalidAccessKeyId", status: 403},
		{name: "tampered expiry", method: "GET", url: "http://s3.local/bkt/k",
			edit:     func(u string) string { return strings.Replace(u, "X-Amz-Expires=900", "X-Amz-Expires=901", 1) },
			wantCode: "SignatureDoesNotMatch", status: 403},
		{name: "missing parameter", method: "GET", url: "http://s3.local/bkt/k",
			edit:     func(u string) string { return strings.Replace(u, "X-Amz-Expires=900&", "", 1) },
			wantCode: "AuthorizationQueryParametersError", status: 400},
		{name: "wrong algorithm", method: "GET", url: "http://s3.local/bkt/k",
			edit: func(u string) string {
				return strings.Replace(u, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1", 1)
			},
			wantCode: "AuthorizationQueryParametersError", status: 400},
		{name: "unsigned header", method: "PUT", url: "http://s3.local/bkt/k", body: []byte("x"),
			after:    func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") },
			wantCode: "AccessDenied", status: 403,
			check: func(t *testing.T, e *Error) { wantField(t, e, "HeadersNotSigned", "x-amz-acl") }},
		{name: "tampered path", method: "GET", url: "http://s3.local/bkt/k",
			edit:     func(u string) string { return strings.Replace(u, "/bkt/k", "/bkt/other", 1) },
			wantCode: "SignatureDoesNotMatch", status: 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			creds := testCreds
			if c.creds != nil {
				creds = *c.creds
			}
			at := c.at
			if at.IsZero() {
				at = testTime
			}
			exp := c.expires
			if exp == 0 {
				exp = 15 * time.Minute
			}
			u := presign(t, newReq(t, c.method, c.url, nil), creds, "s3", "us-east-1", at, exp)
			if c.edit != nil {
				u = c.edit(u)
			}
			req := newReq(t, c.method, u, c.body)
			if c.after != nil {
				c.after(req)
			}
			sr := serverSide(t, req)
			a, err := v.Verify(sr)
			if c.wantCode != "" {
				e := wantError(t, err, c.wantCode, c.status)
				if c.check != nil {
					c.check(t, e)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify(%s): %v", u, err)
			}
			if !a.Presigned || a.Mode != Unsigned || a.AccessKeyID != creds.AccessKeyID || a.Version != "AWS4-HMAC-SHA256" ||
				a.SessionToken != c.wantToken || !a.Time.Equal(at) {
				t.Fatalf("Auth = %+v", a)
			}
			got, err := readBody(sr)
			if err != nil || !bytes.Equal(got, c.body) && len(c.body) > 0 {
				t.Fatalf("body %q, %v", got, err)
			}
		})
	}
}

// TestVerifyDateHeader checks the Date fallback when a request has no
// x-amz-date: the string to sign carries the ISO 8601 form of Date. The
// signature is made with crypto/hmac from the reported string to sign.
func TestVerifyDateHeader(t *testing.T) {
	v := testVerifier()
	build := func(sig string) *http.Request {
		req := newReq(t, "GET", "http://s3.local/bkt/k", nil)
		req.Header.Set("Date", testTime.Format(http.TimeFormat))
		req.Header.Set("X-Amz-Content-Sha256", sha256Hex(nil))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAKID+"/20261122/us-east-1/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256, Signature="+sig)
		return serverSide(t, req)
	}
	_, err := v.Verify(build(strings.Repeat("0", 64)))
	e := wantError(t, err, "SignatureDoesNotMatch", 403)
	sts, _ := e.Field("StringToSign")
	if !strings.HasPrefix(sts, "AWS4-HMAC-SHA256\n20261122T123045Z\n20261122/us-east-1/s3/aws4_request\n") {
		t.Fatalf("StringToSign = %q", sts)
	}
	creq, _ := e.Field("CanonicalRequest")
	if !strings.Contains(creq, "\ndate:"+testTime.Format(http.TimeFormat)+"\n") {
		t.Fatalf("CanonicalRequest = %q", creq)
	}
	key := stdHMAC([]byte("AWS4"+testSecret), "20261122")
	for _, m := range []string{"us-east-1", "s3", "aws4_request", sts} {
		key = stdHMAC(key, m)
	}
	if _, err := v.Verify(build(bytesHex(key))); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func stdHMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
