package sigv4

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// fakeEndpoint is a minimal S3/STS/IAM/KMS endpoint: it authenticates
// every request with Verify, reads the verified body, stores PUT objects,
// and answers with just enough for the clients.
type fakeEndpoint struct {
	v *Verifier

	mu      sync.Mutex
	objects map[string][]byte
	log     []exchange
}

type exchange struct {
	method, path string
	auth         Auth
	header       http.Header
	te           []string // Transfer-Encoding
	body         []byte
}

func newFakeEndpoint() *fakeEndpoint {
	v := testVerifier()
	v.Now = nil // real clients sign with the real clock
	return &fakeEndpoint{v: v, objects: map[string][]byte{}}
}

func (f *fakeEndpoint) last() exchange {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.log) == 0 {
		return exchange{}
	}
	return f.log[len(f.log)-1]
}

func (f *fakeEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := f.v.Verify(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f.mu.Lock()
	f.log = append(f.log, exchange{r.Method, r.URL.Path, *a, r.Header.Clone(), r.TransferEncoding, body})
	f.mu.Unlock()

	switch a.Service {
	case "sts":
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::111111111111:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
		return
	case "iam":
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users/>`+
			`<IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListUsersResponse>`)
		return
	case "kms":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, `{"Keys":[],"Truncated":false}`)
		return
	}
	switch r.Method {
	case http.MethodPut:
		f.mu.Lock()
		f.objects[r.URL.Path] = body
		f.mu.Unlock()
		sum := md5.Sum(body)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	case http.MethodGet, http.MethodHead:
		f.mu.Lock()
		obj, ok := f.objects[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			writeError(w, r, &Error{Code: "NoSuchKey", Message: "The specified key does not exist.", Status: 404})
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(obj)))
		if r.Method == http.MethodGet {
			w.Write(obj)
		}
	}
}

// writeError renders err as the clients expect: JSON for KMS, the query
// protocol's ErrorResponse for form POSTs, S3 XML otherwise.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: "InternalError", Message: err.Error(), Status: 500}
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/x-amz-json"):
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(e.Status)
		json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.Status)
		fmt.Fprintf(w, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error></ErrorResponse>",
			xmlEscape(e.Code), xmlEscape(e.Message))
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(e.Status)
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>" + xmlEscape(e.Code) + "</Code><Message>" + xmlEscape(e.Message) + "</Message>")
		for _, f := range e.Fields {
			b.WriteString("<" + f.Name + ">" + xmlEscape(f.Value) + "</" + f.Name + ">")
		}
		b.WriteString("<RequestId>0</RequestId></Error>")
		io.WriteString(w, b.String())
	}
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// sdkConfig returns an SDK configuration for the TLS test server, isolated
// from the machine's AWS configuration. AWS_CA_BUNDLE, which this machine
// sets, would replace the test server's root CA.
func sdkConfig(t *testing.T, srv *httptest.Server, creds aws.Credentials) aws.Config {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CA_BUNDLE": "", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
	tlsConfig := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.TLSClientConfig = tlsConfig })
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithHTTPClient(hc),
		config.WithCredentialsProvider(credentials.StaticCredentialsProvider{Value: creds}),
		config.WithRetryMaxAttempts(1),
		config.WithLogger(logging.Nop{}),
	)
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	return cfg
}

func s3Client(cfg aws.Config, srv *httptest.Server) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
}

// onlyReader hides io.Seeker, so the SDK cannot hash the body up front.
type onlyReader struct{ io.Reader }

func TestSDKClientEndToEnd(t *testing.T) {
	fake := newFakeEndpoint()
	srv := httptest.NewTLSServer(fake)
	defer srv.Close()
	cfg := sdkConfig(t, srv, testCreds)
	client := s3Client(cfg, srv)
	ctx := context.Background()

	data := randomBytes(5<<20 + 123)
	puts := []struct {
		name string
		in   *s3.PutObjectInput
		body []byte
		mode PayloadMode
	}{
		{"crc32, seekable", &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/crc32 seekable.bin"),
			Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}, data, StreamingUnsignedTrailer},
		{"crc32, unseekable", &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/unseekable.bin"),
			Body: onlyReader{bytes.NewReader(data)}, ContentLength: aws.Int64(int64(len(data))),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}, data, StreamingUnsignedTrailer},
		{"sha256, small", &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("small+key=!"),
			Body: strings.NewReader("hello"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
			Metadata: map[string]string{"owner": "alice"}}, []byte("hello"), StreamingUnsignedTrailer},
		{"default checksum", &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("default"),
			Body: bytes.NewReader(data[:70_000])}, data[:70_000], StreamingUnsignedTrailer},
		{"empty", &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("empty"),
			Body: bytes.NewReader(nil)}, []byte{}, -1},
	}
	for _, p := range puts {
		t.Run("PutObject "+p.name, func(t *testing.T) {
			if _, err := client.PutObject(ctx, p.in); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			x := fake.last()
			if !bytes.Equal(x.body, p.body) {
				t.Fatalf("stored %d bytes, want %d", len(x.body), len(p.body))
			}
			if p.mode >= 0 && x.auth.Mode != p.mode {
				t.Fatalf("Mode = %v, want %v", x.auth.Mode, p.mode)
			}
			if x.auth.AccessKeyID != testAKID || x.auth.Service != "s3" || x.auth.Region != "us-east-1" {
				t.Fatalf("Auth = %+v", x.auth)
			}
			if x.auth.Mode == StreamingUnsignedTrailer && (x.auth.DecodedLength != int64(len(p.body)) || x.header.Get("Content-Encoding") != "") {
				t.Fatalf("DecodedLength %d, Content-Encoding %q", x.auth.DecodedLength, x.header.Get("Content-Encoding"))
			}
			t.Logf("%s: %v, %d bytes", p.name, x.auth.Mode, len(x.body))
		})
	}

	t.Run("GetObject", func(t *testing.T) {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("small+key=!")})
		if err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != "hello" {
			t.Fatalf("GetObject = %q", got)
		}
	})

	t.Run("presigned PUT and GET", func(t *testing.T) {
		pc := s3.NewPresignClient(client)
		put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("pre signed/obj")},
			s3.WithPresignExpires(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(put.Method, put.URL, bytes.NewReader(data[:1000]))
		for k, vs := range put.SignedHeader {
			if !strings.EqualFold(k, "host") {
				req.Header[k] = vs
			}
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("presigned PUT: %s\n%s", resp.Status, msg)
		}
		if x := fake.last(); !x.auth.Presigned || x.auth.Mode != Unsigned || !bytes.Equal(x.body, data[:1000]) {
			t.Fatalf("presigned PUT recorded %+v", x.auth)
		}

		get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("pre signed/obj")})
		if err != nil {
			t.Fatal(err)
		}
		resp, err = srv.Client().Get(get.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, data[:1000]) {
			t.Fatalf("presigned GET: %s, %d bytes", resp.Status, len(got))
		}
		// The same URL with another key is refused.
		resp, err = srv.Client().Get(strings.Replace(get.URL, "obj?", "other?", 1))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Fatalf("tampered presigned GET: %s", resp.Status)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		bad := s3Client(sdkConfig(t, srv, aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "wrong"}), srv)
		_, err := bad.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("x"), Body: strings.NewReader("x")})
		wantAPIError(t, err, "SignatureDoesNotMatch")
	})
	t.Run("unknown key", func(t *testing.T) {
		bad := s3Client(sdkConfig(t, srv, aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}), srv)
		_, err := bad.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("empty")})
		wantAPIError(t, err, "InvalidAccessKeyId")
	})
	t.Run("session token", func(t *testing.T) {
		tc := s3Client(sdkConfig(t, srv, tempCreds), srv)
		if _, err := tc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("t"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		if x := fake.last(); x.auth.SessionToken != tempToken {
			t.Fatalf("Auth = %+v", x.auth)
		}
	})

	t.Run("STS, IAM, KMS", func(t *testing.T) {
		endpoint := aws.String(srv.URL)
		if _, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = endpoint }).
			GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("sts: %v", err)
		}
		if x := fake.last(); x.auth.Service != "sts" || x.auth.Mode != SignedHex || !strings.Contains(string(x.body), "Action=GetCallerIdentity") {
			t.Fatalf("sts recorded %+v %q", x.auth, x.body)
		}
		if _, err := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = endpoint }).
			ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("iam: %v", err)
		}
		if x := fake.last(); x.auth.Service != "iam" {
			t.Fatalf("iam recorded %+v", x.auth)
		}
		if _, err := kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = endpoint }).
			ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
			t.Fatalf("kms: %v", err)
		}
		if x := fake.last(); x.auth.Service != "kms" || !strings.Contains(string(x.body), "{") {
			t.Fatalf("kms recorded %+v %q", x.auth, x.body)
		}
		badCfg := sdkConfig(t, srv, aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"})
		_, err := kms.NewFromConfig(badCfg, func(o *kms.Options) { o.BaseEndpoint = endpoint }).ListKeys(ctx, &kms.ListKeysInput{})
		wantAPIError(t, err, "UnrecognizedClientException")
		_, err = sts.NewFromConfig(badCfg, func(o *sts.Options) { o.BaseEndpoint = endpoint }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "InvalidClientTokenId")
	})
}

func wantAPIError(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
}

// TestAWSCLI drives the AWS CLI v1 (`aws` on PATH, when it is v1) and v2
// (/usr/bin/aws) against the TLS test server. It is skipped when neither
// is installed.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI")
	}
	clis := map[string]string{}
	if p, err := exec.LookPath("aws"); err == nil {
		clis["path"] = p
	}
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		clis["/usr/bin"] = "/usr/bin/aws"
	}
	if len(clis) == 0 {
		t.Skip("no AWS CLI installed")
	}
	fake := newFakeEndpoint()
	srv := httptest.NewTLSServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(3<<20 + 17)
	file := filepath.Join(dir, "upload.bin")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}

	env := func(secret string) []string {
		var e []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				e = append(e, kv)
			}
		}
		return append(e, "AWS_ACCESS_KEY_ID="+testAKID, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CA_BUNDLE="+caFile, "AWS_CONFIG_FILE="+filepath.Join(dir, "none"),
			"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"), "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
	}
	run := func(t *testing.T, bin, secret string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(args, "--endpoint-url", srv.URL)...)
		cmd.Env = env(secret)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	for where, bin := range clis {
		ver, err := exec.Command(bin, "--version").CombinedOutput()
		if err != nil {
			t.Logf("%s --version: %v", bin, err)
			continue
		}
		name := strings.Fields(string(ver))[0]
		t.Run(name+" ("+where+")", func(t *testing.T) {
			key := "cli/" + strings.ReplaceAll(name, "/", "-") + " file.bin"
			if out, err := run(t, bin, testSecret, "s3", "cp", file, "s3://bkt/"+key); err != nil {
				t.Fatalf("s3 cp: %v\n%s", err, out)
			}
			x := fake.last()
			if !bytes.Equal(x.body, data) {
				t.Fatalf("stored %d bytes, want %d", len(x.body), len(data))
			}
			t.Logf("s3 cp: %v, decoded length %d, Transfer-Encoding %q", x.auth.Mode, x.auth.DecodedLength, x.te)

			out, err := run(t, bin, testSecret, "s3", "presign", "s3://bkt/"+key)
			if err != nil {
				t.Fatalf("s3 presign: %v\n%s", err, out)
			}
			resp, err := srv.Client().Get(strings.TrimSpace(out))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Equal(got, data) {
				t.Fatalf("GET %s: %s\n%.300s", strings.TrimSpace(out), resp.Status, got)
			}
			t.Logf("s3 presign: %s", fake.last().auth.Version)

			if out, err := run(t, bin, testSecret, "sts", "get-caller-identity"); err != nil {
				t.Fatalf("sts get-caller-identity: %v\n%s", err, out)
			}
			if out, err := run(t, bin, "wrong", "s3", "cp", file, "s3://bkt/denied"); err == nil || !strings.Contains(out, "SignatureDoesNotMatch") {
				t.Fatalf("s3 cp with a wrong secret: %v\n%s", err, out)
			}
		})
	}
}
