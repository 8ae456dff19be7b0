package emulator_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/enforce"
)

// tlsWorldYAML: a bucket with the DenyInsecureTransport statement
// (docs/authorization.md §2.3 "Secure transport") and a public-read object prefix, and a
// bucket whose policy denies TLS older than 1.3 to everyone.
const tlsWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: alice
        access_keys: [{id: AKIATLSALICE00000001, secret: alice-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
    buckets:
      - name: tls-only
        objects: {public/hello.txt: "hello"}
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: DenyInsecureTransport, Effect: Deny, Principal: "*", Action: "s3:*",
               Resource: ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
               Condition: {Bool: {aws:SecureTransport: "false"}}}
            - {Sid: PublicRead, Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::tls-only/public/*"}
      - name: tls13-only
        objects: {public/hello.txt: "hello"}
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: EnforceTLSv13, Effect: Deny, Principal: "*", Action: "s3:*",
               Resource: ["arn:aws:s3:::tls13-only", "arn:aws:s3:::tls13-only/*"],
               Condition: {NumericLessThan: {s3:TlsVersion: "1.3"}}}
            - {Sid: PublicRead, Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::tls13-only/public/*"}
`

var tlsAlice = aws.Credentials{AccessKeyID: "AKIATLSALICE00000001", SecretAccessKey: "alice-secret"}

// withTLS is the option of startEmulator that serves HTTPS.
func withTLS(o *emulator.TLSOptions) func(*emulator.Options) {
	return func(opts *emulator.Options) { opts.TLS = o }
}

// trusting returns an HTTP client that trusts only the CA in caFile and
// speaks at most maxVersion (0: any).
func trusting(t *testing.T, caFile string, maxVersion uint16) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", caFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: maxVersion}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// tlsS3 is an SDK S3 client of the emulator that trusts caFile, as the
// SDKs do with AWS_CA_BUNDLE.
func tlsS3(t *testing.T, s *svcServer, creds aws.Credentials, caFile string) *s3.Client {
	t.Helper()
	ca, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)),
		config.WithBaseEndpoint(s.Endpoint()),
		config.WithRetryMaxAttempts(1),
		config.WithCustomCABundle(bytes.NewReader(ca)),
	)
	if err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// TestTLSDenyInsecureTransport: the DenyInsecureTransport statement
// denies every call over HTTP and none over HTTPS, where the rest of the
// policy decides; aws:SecureTransport and s3:TlsVersion come from the
// connection, for signed and anonymous requests.
func TestTLSDenyInsecureTransport(t *testing.T) {
	var mu sync.Mutex
	contexts := map[string][]string{} // endpoint scheme -> "key=value" seen
	record := func(scheme string) func(*emulator.Options) {
		return func(o *emulator.Options) {
			o.OnChecks = func(_ string, checks []enforce.Check) {
				mu.Lock()
				defer mu.Unlock()
				for _, ch := range checks {
					for _, k := range []string{"aws:SecureTransport", "s3:TlsVersion"} {
						v, ok := ch.Request.Context.Get(k)
						if ok {
							contexts[scheme] = append(contexts[scheme], k+"="+strings.Join(v, ","))
						} else {
							contexts[scheme] = append(contexts[scheme], k+" absent")
						}
					}
				}
			}
		}
	}
	plain := startEmulator(t, tlsWorldYAML, record("http"))
	secure := startEmulator(t, tlsWorldYAML, withTLS(&emulator.TLSOptions{}), record("https"))
	if !strings.HasPrefix(secure.Endpoint(), "https://") {
		t.Fatalf("Endpoint() = %s, want https://", secure.Endpoint())
	}
	ctx := context.Background()

	httpClient := s3.NewFromConfig(plain.cfg(t, tlsAlice), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := httpClient.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tls-only"), Key: aws.String("a.txt"), Body: strings.NewReader("x")})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "with an explicit deny in a resource-based policy")
	_, err = httpClient.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("tls-only")})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "explicit deny")

	httpsClient := tlsS3(t, secure, tlsAlice, secure.CAFile())
	if _, err := httpsClient.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tls-only"), Key: aws.String("a.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("PutObject over HTTPS: %v", err)
	}
	if _, err := httpsClient.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("tls-only")}); err != nil {
		t.Fatalf("ListObjectsV2 over HTTPS: %v", err)
	}

	// Anonymous reads: the public prefix over HTTPS only; the TLS 1.3
	// bucket refuses a TLS 1.2 connection and takes a TLS 1.3 one.
	anonymous := []struct {
		name     string
		client   *http.Client
		url      string
		wantCode int
	}{
		{"http DenyInsecureTransport", http.DefaultClient, plain.Endpoint() + "/tls-only/public/hello.txt", http.StatusForbidden},
		{"https DenyInsecureTransport", trusting(t, secure.CAFile(), 0), secure.Endpoint() + "/tls-only/public/hello.txt", http.StatusOK},
		{"https TLS 1.2, TlsVersion < 1.3 denied", trusting(t, secure.CAFile(), tls.VersionTLS12), secure.Endpoint() + "/tls13-only/public/hello.txt", http.StatusForbidden},
		{"https TLS 1.3, TlsVersion < 1.3 denied", trusting(t, secure.CAFile(), tls.VersionTLS13), secure.Endpoint() + "/tls13-only/public/hello.txt", http.StatusOK},
		{"http, TlsVersion < 1.3 denied: absent key", http.DefaultClient, plain.Endpoint() + "/tls13-only/public/hello.txt", http.StatusOK},
	}
	for _, tc := range anonymous {
		resp, err := tc.client.Get(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantCode {
			t.Errorf("%s: GET %s = %d, want %d", tc.name, tc.url, resp.StatusCode, tc.wantCode)
		}
	}

	if err := plain.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := secure.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []struct {
		scheme string
		has    []string
		hasNot []string
	}{
		{"http", []string{"aws:SecureTransport=false", "s3:TlsVersion absent"}, []string{"aws:SecureTransport=true", "s3:TlsVersion=1.2", "s3:TlsVersion=1.3"}},
		{"https", []string{"aws:SecureTransport=true", "s3:TlsVersion=1.2", "s3:TlsVersion=1.3"}, []string{"aws:SecureTransport=false", "s3:TlsVersion absent"}},
	} {
		seen := strings.Join(contexts[want.scheme], "\n")
		for _, h := range want.has {
			if !strings.Contains(seen, h) {
				t.Errorf("%s: no check had %s; seen:\n%s", want.scheme, h, seen)
			}
		}
		for _, h := range want.hasNot {
			if strings.Contains(seen, h) {
				t.Errorf("%s: a check had %s", want.scheme, h)
			}
		}
	}
}

// TestTLSGeneratedCA: the generated certificate verifies for 127.0.0.1,
// localhost and the extra host names, not for others; the CA is written
// where asked and kept in the data directory, so that a restart on the
// same data serves a new certificate from the same CA; plain HTTP to the
// HTTPS port fails.
func TestTLSGeneratedCA(t *testing.T) {
	data := t.TempDir()
	caOut := filepath.Join(t.TempDir(), "lockstep-ca.pem")
	start := func() *svcServer {
		return startEmulator(t, tlsWorldYAML, withTLS(&emulator.TLSOptions{CAFile: caOut, Hosts: []string{"lockstep.internal", "192.0.2.7"}}),
			func(o *emulator.Options) { o.DataDir = data })
	}
	s := start()
	if s.CAFile() != caOut {
		t.Fatalf("CAFile() = %q, want %q", s.CAFile(), caOut)
	}
	first, err := os.ReadFile(caOut)
	if err != nil {
		t.Fatal(err)
	}
	if kept, err := os.ReadFile(filepath.Join(data, "tls", "ca.pem")); err != nil || !bytes.Equal(kept, first) {
		t.Fatalf("the data directory's CA differs from the CA file written (%v)", err)
	}
	if fi, err := os.Stat(filepath.Join(data, "tls", "ca-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("CA key: %v, mode %v; want mode 0600", err, fi.Mode())
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.Endpoint(), "https://"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(first)
	leafOf := func() *x509.Certificate {
		conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{RootCAs: pool})
		if err != nil {
			t.Fatalf("TLS handshake with 127.0.0.1: %v", err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0]
	}
	leaf := leafOf()
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"127.0.0.1", true}, {"::1", true}, {"localhost", true}, {"bucket.localhost", true},
		{"lockstep.internal", true}, {"192.0.2.7", true}, {"tls-only.localhost", true}, {"tls13-only.localhost", true},
		{"example.com", false}, {"10.0.0.1", false},
	} {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: tc.name, Roots: pool})
		if (err == nil) != tc.ok {
			t.Errorf("certificate for %s: verify error %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	resp, err := http.Get("http://127.0.0.1:" + port + emulator.HealthPath)
	if err != nil {
		t.Fatalf("plain HTTP to the HTTPS port: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP to the HTTPS port answered %d, want 400", resp.StatusCode)
	}
	// "Amazon S3 supports TLS 1.2 and TLS 1.3": older versions fail the
	// handshake.
	if conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}); err == nil {
		conn.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	}
	s.Close()

	s = start()
	again, err := os.ReadFile(s.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, first) {
		t.Error("a restart on the same data directory made a new CA; clients would have to trust it again")
	}
	_, port, _ = net.SplitHostPort(strings.TrimPrefix(s.Endpoint(), "https://"))
	if next := leafOf(); next.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
		t.Error("a restart served the same server certificate; it is made at every start")
	}
}

// TestTLSGivenCertificate: a certificate and key given as files are
// served as they are; no CA file is written.
func TestTLSGivenCertificate(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSignedFiles(t, dir, "given.test")
	s := startEmulator(t, tlsWorldYAML, withTLS(&emulator.TLSOptions{CertFile: certFile, KeyFile: keyFile}))
	if s.CAFile() != "" {
		t.Errorf("CAFile() = %q with a given certificate, want \"\"", s.CAFile())
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.Endpoint(), "https://"))
	conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{RootCAs: pool, ServerName: "given.test"})
	if err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	conn.Close()
}

// TestTLSBadOptions: a missing or unreadable certificate is an error of
// New naming what is wrong, not a server without TLS.
func TestTLSBadOptions(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSignedFiles(t, dir, "given.test")
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts emulator.TLSOptions
		want string
	}{
		{"cert without key", emulator.TLSOptions{CertFile: certFile}, "must be given together"},
		{"key without cert", emulator.TLSOptions{KeyFile: keyFile}, "must be given together"},
		{"missing cert", emulator.TLSOptions{CertFile: filepath.Join(dir, "nope.pem"), KeyFile: keyFile}, "nope.pem"},
		{"garbage cert", emulator.TLSOptions{CertFile: garbage, KeyFile: keyFile}, "tls:"},
		{"CA file in a missing directory", emulator.TLSOptions{CAFile: filepath.Join(dir, "no", "such", "ca.pem")}, "CA file"},
		{"host with a space", emulator.TLSOptions{Hosts: []string{"lockstep", "my host"}}, `host "my host" is neither an IP address nor a DNS name`},
		{"host with a URL", emulator.TLSOptions{Hosts: []string{"https://lockstep"}}, `host "https://lockstep"`},
		{"empty label", emulator.TLSOptions{Hosts: []string{"a..b"}}, `host "a..b"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			_, err := emulator.New(context.Background(), emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), TLS: &o})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// selfSignedFiles writes a self-signed certificate for name and its key,
// and returns a pool that trusts it.
func selfSignedFiles(t *testing.T, dir, name string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLSMultipartLocation: CompleteMultipartUpload's Location names the
// scheme the request came on.
func TestTLSMultipartLocation(t *testing.T) {
	for _, secure := range []bool{false, true} {
		opts := []func(*emulator.Options){func(o *emulator.Options) { o.MinPartSize = 1 }}
		if secure {
			opts = append(opts, withTLS(&emulator.TLSOptions{}))
		}
		s := startEmulator(t, tlsWorldYAML, opts...)
		c := s3.NewFromConfig(s.cfg(t, tlsAlice), func(o *s3.Options) { o.UsePathStyle = true })
		if secure {
			c = tlsS3(t, s, tlsAlice, s.CAFile())
		}
		// tls13-only has no DenyInsecureTransport, and its TlsVersion
		// Deny does not apply over HTTP (the key is absent).
		bucket, key := "tls13-only", "mp.bin"
		ctx := context.Background()
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part one")})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
		if err != nil {
			t.Fatal(err)
		}
		if want := s.Endpoint() + "/" + bucket + "/" + key; aws.ToString(out.Location) != want {
			t.Errorf("Location = %q, want %q", aws.ToString(out.Location), want)
		}
	}
}
