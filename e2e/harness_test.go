package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/world"
)

// Credentials of the demo world's administrator of account 111111111111.
const (
	adminKey    = "AKIAADMIN11111111111"
	adminSecret = "admin-secret-111111111111"
)

// startServer runs the emulator on a random port for the test.
func startServer(t *testing.T, m *world.Model) *emulator.Server {
	t.Helper()
	if m == nil {
		var err error
		if m, err = emulator.DemoWorld(); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := emulator.New(context.Background(), emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// creds are the credentials a client runs with.
type creds struct {
	key, secret, token string
}

var admin = creds{key: adminKey, secret: adminSecret}

// client is one real S3 client binary.
type client struct {
	name string
	path string
}

// awsV2 is the Debian AWS CLI v2; awsV1 the pip AWS CLI v1.
func awsV2(t *testing.T) client {
	return findClient(t, "aws-v2", "/usr/bin/aws", "aws-cli/2.")
}

func awsV1(t *testing.T) client {
	// The pyenv shim resolves to the pip-installed CLI; call the
	// installed script directly when it can be found, to skip the shim.
	candidates, _ := filepath.Glob("/root/.pyenv/versions/*/bin/aws")
	if p, err := exec.LookPath("aws"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if p == "/usr/bin/aws" {
			continue
		}
		if c, ok := probeClient(p, "aws-cli/1."); ok {
			return client{name: "aws-v1", path: c}
		}
	}
	t.Skip("AWS CLI v1 (pip install awscli) is not installed")
	return client{}
}

func rclone(t *testing.T) client { return findClient(t, "rclone", "rclone", "rclone v") }

func findClient(t *testing.T, name, bin, versionPrefix string) client {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		if os.Getenv("LOCKSTEP_REQUIRE_CLIENTS") != "" {
			t.Fatalf("%s (%s) is not installed; run make clients", name, bin)
		}
		t.Skipf("%s (%s) is not installed; run make clients", name, bin)
	}
	if _, ok := probeClient(p, versionPrefix); !ok {
		t.Skipf("%s at %s does not report %q", name, p, versionPrefix)
	}
	return client{name: name, path: p}
}

func probeClient(path, versionPrefix string) (string, bool) {
	out, err := exec.Command(path, "--version").CombinedOutput()
	if err != nil && !strings.HasPrefix(versionPrefix, "rclone") {
		return "", false
	}
	if strings.HasPrefix(versionPrefix, "rclone") {
		out, err = exec.Command(path, "version").CombinedOutput()
		if err != nil {
			return "", false
		}
	}
	return path, strings.HasPrefix(strings.TrimSpace(string(out)), versionPrefix)
}

// env is the environment of a client process: the machine's, without
// AWS_CA_BUNDLE (rclone fails on it) or any AWS profile, with the given
// credentials and a config file of its own.
func env(t *testing.T, c creds, region string) []string {
	t.Helper()
	home := t.TempDir()
	config := filepath.Join(home, "config")
	// s3 signature_version s3v4 makes CLI v1 presign with SigV4.
	text := "[default]\nregion = " + region + "\ns3 =\n    signature_version = s3v4\n"
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "RCLONE_") {
			continue
		}
		out = append(out, kv)
	}
	out = append(out,
		"AWS_ACCESS_KEY_ID="+c.key, "AWS_SECRET_ACCESS_KEY="+c.secret,
		"AWS_DEFAULT_REGION="+region, "AWS_REGION="+region,
		"AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "RCLONE_CONFIG="+filepath.Join(home, "rclone.conf"),
	)
	if c.token != "" {
		out = append(out, "AWS_SESSION_TOKEN="+c.token)
	}
	return out
}

// result is what a client run printed.
type result struct {
	stdout, stderr string
	err            error
}

func (r result) String() string {
	return fmt.Sprintf("err=%v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, r.stderr)
}

// run runs a client with a time limit.
func run(t *testing.T, e []string, dir string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = e
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// rcloneRemote is an rclone connection string for the emulator; the
// endpoint is quoted, or rclone reads the host as "http".
func rcloneRemote(endpoint string, c creds, extra string) string {
	s := ":s3,provider=Other,endpoint='" + endpoint + "',access_key_id=" + c.key + ",secret_access_key=" + c.secret
	if c.token != "" {
		s += ",session_token=" + c.token
	}
	if extra != "" {
		s += "," + extra
	}
	return s + ":"
}

// writeTree creates files of the given sizes (random content) under dir,
// modified a minute ago: S3 lists LastModified in whole seconds, so a file
// written in the second of its upload reads as newer than its object, and
// the AWS CLI's sync would upload it again (as it would on AWS).
func writeTree(t *testing.T, dir string, files map[string]int) {
	t.Helper()
	past := time.Now().Add(-time.Minute)
	for name, size := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, size)
		rand.Read(b)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, past, past); err != nil {
			t.Fatal(err)
		}
	}
}

// sameTree fails the test unless both directories hold the same files
// with the same bytes.
func sameTree(t *testing.T, want, got string) {
	t.Helper()
	read := func(root string) map[string][]byte {
		m := map[string][]byte{}
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			m[filepath.ToSlash(rel)] = b
			return nil
		})
		return m
	}
	w, g := read(want), read(got)
	for name, b := range w {
		gb, ok := g[name]
		switch {
		case !ok:
			t.Errorf("%s: missing from %s", name, got)
		case !bytes.Equal(b, gb):
			t.Errorf("%s: %d bytes differ from the %d bytes written", name, len(gb), len(b))
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("%s: unexpected file in %s", name, got)
		}
	}
}
