package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	tempAKID   = "ASIATEMPEXAMPLE"
	tempSecret = "tempSecret+/with=odd/chars"
	tempToken  = "FwoGZXIvYXdzEBYaDH//session+token=="
	oldAKID    = "ASIAEXPIREDEXAMPLE" // temporary, expired at testTime
	oldToken   = "expired-token"
)

// testTime is the server's clock in the tests.
var testTime = time.Date(2026, 11, 22, 12, 30, 45, 0, time.UTC)

var (
	testCreds = aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	tempCreds = aws.Credentials{AccessKeyID: tempAKID, SecretAccessKey: tempSecret, SessionToken: tempToken}
	oldCreds  = aws.Credentials{AccessKeyID: oldAKID, SecretAccessKey: testSecret, SessionToken: oldToken}
)

func testLookup(id string) (secret, token string, ok bool) {
	switch id {
	case testAKID:
		return testSecret, "", true
	case tempAKID:
		return tempSecret, tempToken, true
	case oldAKID:
		return testSecret, oldToken, true
	}
	return "", "", false
}

func testVerifier() *Verifier {
	return &Verifier{
		Lookup: testLookup,
		Now:    func() time.Time { return testTime },
		Region: "us-east-1",
		TokenExpiry: func(id string) time.Time {
			if id == oldAKID {
				return testTime.Add(-time.Minute)
			}
			return time.Time{}
		},
	}
}

// serverSide returns req as net/http's server hands it to a handler: it
// writes req on the wire and reads it back (RequestURI, Host, the
// Content-Length header, chunked transfer decoding).
func serverSide(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatalf("writing request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("reading request back: %v", err)
	}
	return sr
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sdkSigning captures the canonical request and string to sign the SDK
// signer logs.
type sdkSigning struct{ canonical, stringToSign string }

func (s *sdkSigning) options(service string) func(*v4.SignerOptions) {
	return func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = service == "s3"
		o.LogSigning = true
		o.Logger = logging.LoggerFunc(func(_ logging.Classification, _ string, v ...any) {
			if len(v) >= 2 {
				s.canonical, _ = v[0].(string)
				s.stringToSign, _ = v[1].(string)
			}
		})
	}
}

// signReq signs req in its Authorization header with the SDK signer,
// after setting X-Amz-Content-Sha256 for S3 as the SDK's S3 client does.
func signReq(t testing.TB, req *http.Request, creds aws.Credentials, payloadHash, service, region string, at time.Time) *sdkSigning {
	t.Helper()
	if service == "s3" && req.Header.Get("X-Amz-Content-Sha256") == "" {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	var s sdkSigning
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, region, at, s.options(service)); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
	return &s
}

// presign returns the SigV4 presigned URL of req.
func presign(t testing.TB, req *http.Request, creds aws.Credentials, service, region string, at time.Time, expires time.Duration) string {
	t.Helper()
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
	req.URL.RawQuery = q.Encode()
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", service, region, at,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	return u
}

func newReq(t testing.TB, method, url string, body []byte) *http.Request {
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

// wantError checks that err is an *Error with the code and status.
func wantError(t testing.TB, err error, code string, status int) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *Error %s", err, err, code)
	}
	if e.Code != code || e.Status != status {
		t.Fatalf("error = %s %d %q, want %s %d", e.Code, e.Status, e.Message, code, status)
	}
	return e
}

func wantField(t testing.TB, e *Error, name, value string) {
	t.Helper()
	got, ok := e.Field(name)
	if !ok {
		t.Fatalf("%s: no field %s in %+v", e.Code, name, e.Fields)
	}
	if got != value {
		t.Fatalf("%s: field %s = %q, want %q", e.Code, name, got, value)
	}
}

// readBody reads r.Body to the end as a handler would.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	return io.ReadAll(r.Body)
}
