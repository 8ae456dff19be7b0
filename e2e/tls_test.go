package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tlsWorldYAML: the demo administrator's key with every S3 permission,
// and a bucket whose policy carries the DenyInsecureTransport statement
// (docs/authorization.md §2.3 "Secure transport").
const tlsWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAADMIN11111111111, secret: admin-secret-111111111111}]
        policies:
          s3: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
    buckets:
      - name: tls-e2e
        objects: {seed.txt: "seeded for the TLS test"}
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: DenyInsecureTransport
              Effect: Deny
              Principal: "*"
              Action: "s3:*"
              Resource: ["arn:aws:s3:::tls-e2e", "arn:aws:s3:::tls-e2e/*"]
              Condition: {Bool: {aws:SecureTransport: "false"}}
`

// servedBanner is a `lockstep serve` process started from the command
// line and what its banner told.
type servedBanner struct {
	endpoint string // from "lockstep serve: URL serving ..."
	caBundle string // from "export AWS_CA_BUNDLE=..."; "" over HTTP
	banner   string
	// out is all the process printed, the banner and what follows.
	out *bannerWriter
}

// startServeBanner starts `lockstep serve` with extra environment
// variables and arguments, and waits for the banner's last line, printed
// once the server listens.
func startServeBanner(t *testing.T, bin string, environ []string, args ...string) servedBanner {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), environ...)
	out := &bannerWriter{ready: make(chan struct{}), wrote: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case <-out.ready:
	case <-exited:
		t.Fatalf("lockstep serve %v exited at start-up: %v\n%s", args, cmd.ProcessState, out)
	case <-timeout.C:
		t.Fatalf("lockstep serve %v printed no banner within 60s:\n%s", args, out)
	}
	b := servedBanner{banner: out.String(), out: out}
	for _, line := range strings.Split(b.banner, "\n") {
		if rest, ok := strings.CutPrefix(line, "lockstep serve: "); ok && b.endpoint == "" {
			b.endpoint, _, _ = strings.Cut(rest, " ")
		}
		if rest, ok := strings.CutPrefix(line, "export AWS_CA_BUNDLE="); ok {
			b.caBundle, _, _ = strings.Cut(rest, " ")
		}
	}
	return b
}

// bannerWriter collects a serve process's output and closes ready at the
// banner's last line, "lockstep serve: ready ...", printed once the
// server listens.
type bannerWriter struct {
	lockedBuffer
	ready chan struct{}
	done  bool
	// wrote is closed, and replaced, at each write.
	wrote chan struct{}
}

// waitFor waits until the output contains s, or d has passed; it reports
// whether it does.
func (w *bannerWriter) waitFor(s string, d time.Duration) bool {
	timeout := time.NewTimer(d)
	defer timeout.Stop()
	for {
		w.mu.Lock()
		found, wrote := strings.Contains(w.b.String(), s), w.wrote
		w.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-wrote:
		case <-timeout.C:
			return false
		}
	}
}

func (w *bannerWriter) Write(p []byte) (int, error) {
	n, err := w.lockedBuffer.Write(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.wrote)
	w.wrote = make(chan struct{})
	if !w.done {
		for _, line := range strings.Split(w.b.String(), "\n") {
			if strings.HasPrefix(line, "lockstep serve: ready") {
				w.done = true
				close(w.ready)
				break
			}
		}
	}
	return n, err
}

// TestTLSClients: the AWS CLI v2 and v1, rclone, s5cmd and boto3 against `lockstep
// serve --tls` with certificate verification on, on a world whose bucket
// carries DenyInsecureTransport: every call is denied over HTTP and
// allowed over HTTPS, and without the CA bundle the clients refuse the
// connection. The HTTPS server is configured through LOCKSTEP_*
// environment variables, and the clients use the CA file the banner
// names, as a user pasting its lines would.
func TestTLSClients(t *testing.T) {
	type tlsClient struct {
		name string
		// run runs the client's calls: list the bucket, read the seed
		// object, write NAME.txt; one result each. ca "" runs without
		// the CA bundle.
		run func(t *testing.T, endpoint, ca string) []result
	}
	awsCLI := func(pick func(*testing.T) client) func(t *testing.T) tlsClient {
		return func(t *testing.T) tlsClient {
			cl := pick(t)
			return tlsClient{cl.name, func(t *testing.T, endpoint, ca string) []result {
				e := env(t, admin, "us-east-1")
				if ca != "" {
					e = append(e, "AWS_CA_BUNDLE="+ca)
				}
				src := filepath.Join(t.TempDir(), "up.txt")
				if err := os.WriteFile(src, []byte("written by "+cl.name), 0o644); err != nil {
					t.Fatal(err)
				}
				var out []result
				for _, args := range [][]string{
					{"s3", "ls", "s3://tls-e2e/"},
					{"s3", "cp", "s3://tls-e2e/seed.txt", "-"},
					{"s3", "cp", src, "s3://tls-e2e/" + cl.name + ".txt"},
				} {
					out = append(out, run(t, e, t.TempDir(), cl.path, append([]string{"--endpoint-url", endpoint}, args...)...))
				}
				return out
			}}
		}
	}
	clients := []func(t *testing.T) tlsClient{
		awsCLI(awsV2),
		awsCLI(awsV1),
		func(t *testing.T) tlsClient {
			cl := rclone(t)
			return tlsClient{cl.name, func(t *testing.T, endpoint, ca string) []result {
				// rclone refuses AWS_CA_BUNDLE (env strips it): it takes
				// --ca-cert, as the banner says.
				e := env(t, admin, "us-east-1")
				flags := []string{"--retries", "1", "--low-level-retries", "1"}
				if ca != "" {
					flags = append(flags, "--ca-cert", ca)
				}
				src := filepath.Join(t.TempDir(), "up.txt")
				if err := os.WriteFile(src, []byte("written by "+cl.name), 0o644); err != nil {
					t.Fatal(err)
				}
				remote := rcloneRemote(endpoint, admin, "") + "tls-e2e/"
				var out []result
				for _, args := range [][]string{
					{"lsf", remote},
					{"cat", remote + "seed.txt"},
					{"copyto", src, remote + cl.name + ".txt"},
				} {
					out = append(out, run(t, e, t.TempDir(), cl.path, append(flags, args...)...))
				}
				return out
			}}
		},
		func(t *testing.T) tlsClient {
			bin := s5cmd(t)
			return tlsClient{"s5cmd", func(t *testing.T, endpoint, ca string) []result {
				e := env(t, admin, "us-east-1")
				if ca != "" {
					e = append(e, "AWS_CA_BUNDLE="+ca)
				}
				src := filepath.Join(t.TempDir(), "up.txt")
				if err := os.WriteFile(src, []byte("written by s5cmd"), 0o644); err != nil {
					t.Fatal(err)
				}
				var out []result
				for _, args := range [][]string{
					{"ls", "s3://tls-e2e/"},
					{"cat", "s3://tls-e2e/seed.txt"},
					{"cp", src, "s3://tls-e2e/s5cmd.txt"},
				} {
					out = append(out, run(t, e, t.TempDir(), bin, append([]string{"--retry-count", "0", "--endpoint-url", endpoint}, args...)...))
				}
				return out
			}}
		},
		func(t *testing.T) tlsClient {
			py, err := exec.LookPath("python3")
			if err != nil {
				skipClient(t, "python3 is not installed")
			}
			if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
				skipClient(t, "boto3 is not installed: "+string(out))
			}
			script := `
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
call = sys.argv[2]
if call == "list":
    print([o["Key"] for o in s3.list_objects_v2(Bucket="tls-e2e")["Contents"]])
elif call == "get":
    assert s3.get_object(Bucket="tls-e2e", Key="seed.txt")["Body"].read() == b"seeded for the TLS test"
else:
    s3.put_object(Bucket="tls-e2e", Key="boto3.txt", Body=b"written by boto3")
`
			return tlsClient{"boto3", func(t *testing.T, endpoint, ca string) []result {
				e := env(t, admin, "us-east-1")
				if ca != "" {
					e = append(e, "AWS_CA_BUNDLE="+ca)
				}
				var out []result
				for _, call := range []string{"list", "get", "put"} {
					out = append(out, run(t, e, t.TempDir(), py, "-c", script, endpoint, call))
				}
				return out
			}}
		},
	}

	bin := buildLockstep(t)
	worldFile := filepath.Join(t.TempDir(), "tls-world.yaml")
	if err := os.WriteFile(worldFile, []byte(tlsWorldYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	plain := startServeBanner(t, bin, nil, "--addr", freePort(t), "--world", worldFile, "--data", t.TempDir(), "--audit", "none")
	secure := startServeBanner(t, bin, []string{
		"LOCKSTEP_TLS=true", "LOCKSTEP_ADDR=" + freePort(t), "LOCKSTEP_WORLD=" + worldFile,
		"LOCKSTEP_DATA=" + t.TempDir(), "LOCKSTEP_AUDIT=none",
	})
	if !strings.HasPrefix(secure.endpoint, "https://") || secure.caBundle == "" {
		t.Fatalf("the LOCKSTEP_TLS=true banner names no HTTPS endpoint and CA file:\n%s", secure.banner)
	}
	if !strings.Contains(secure.banner, "--ca-cert "+secure.caBundle) {
		t.Errorf("the banner gives rclone no --ca-cert %s:\n%s", secure.caBundle, secure.banner)
	}
	checkHealth(t, secure)

	for _, pick := range clients {
		t.Run("", func(t *testing.T) {
			c := pick(t)
			t.Run(c.name, func(t *testing.T) {
				// A HEAD's 403 has no body: the CLI says only "403".
				for i, r := range c.run(t, plain.endpoint, "") {
					if msg := r.stderr + r.stdout; r.err == nil || !strings.Contains(msg, "AccessDenied") && !strings.Contains(msg, "403") {
						t.Errorf("call %d over HTTP: want AccessDenied from DenyInsecureTransport, got %v", i, r)
					}
				}
				for i, r := range c.run(t, secure.endpoint, secure.caBundle) {
					if r.err != nil {
						t.Errorf("call %d over HTTPS with the CA bundle: %v", i, r)
					}
				}
				for i, r := range c.run(t, secure.endpoint, "") {
					if msg := strings.ToLower(r.stderr + r.stdout); r.err == nil || !strings.Contains(msg, "certificate") {
						t.Errorf("call %d over HTTPS without the CA bundle: want a certificate verification failure, got %v", i, r)
					}
				}
			})
		})
	}
}

// skipClient skips a test whose client is missing, or fails it when
// LOCKSTEP_REQUIRE_CLIENTS is set.
func skipClient(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("LOCKSTEP_REQUIRE_CLIENTS") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// checkHealth: the health endpoint answers over HTTPS with the banner's
// CA, and says so.
func checkHealth(t *testing.T, s servedBanner) {
	t.Helper()
	pem, err := os.ReadFile(s.caBundle)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", s.caBundle)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(s.endpoint + "/_lockstep/health")
	if err != nil {
		t.Fatalf("health over HTTPS: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != `{"status":"ok","tls":true}` {
		t.Errorf("health = %d %q", resp.StatusCode, body)
	}
}
