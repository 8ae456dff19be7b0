package e2e

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// files is the test tree: small files, an empty one, a key with spaces
// and a 20 MiB file that every client uploads with a multipart upload.
var files = map[string]int{
	"a.txt":              11,
	"empty":              0,
	"dir/b.bin":          4096,
	"dir/sub/with space": 300,
	"big/20mib.bin":      20 << 20,
}

// TestAWSCLI: AWS CLI v2 and v1 upload, download, S3→S3 sync and presign
// byte-exactly against the enforcing emulator (issue 3 acceptance).
func TestAWSCLI(t *testing.T) {
	for _, pick := range []func(*testing.T) client{awsV2, awsV1} {
		t.Run("", func(t *testing.T) {
			cl := pick(t)
			t.Run(cl.name, func(t *testing.T) {
				srv := startServer(t, nil)
				ep := srv.Endpoint()
				e := env(t, admin, srv.Region())
				aws := func(args ...string) result {
					return run(t, e, t.TempDir(), cl.path, append([]string{"--endpoint-url", ep}, args...)...)
				}
				src := t.TempDir()
				writeTree(t, src, files)
				if r := aws("s3", "mb", "s3://e2e-up"); r.err != nil {
					t.Fatalf("mb: %v", r)
				}
				if r := aws("s3", "sync", src, "s3://e2e-up/p/"); r.err != nil {
					t.Fatalf("sync up: %v", r)
				}
				down := t.TempDir()
				if r := aws("s3", "sync", "s3://e2e-up/p/", down); r.err != nil {
					t.Fatalf("sync down: %v", r)
				}
				sameTree(t, src, down)

				// S3 → S3: the 20 MiB object is copied with
				// UploadPartCopy.
				if r := aws("s3", "mb", "s3://e2e-copy"); r.err != nil {
					t.Fatalf("mb: %v", r)
				}
				if r := aws("s3", "sync", "s3://e2e-up/p/", "s3://e2e-copy/q/"); r.err != nil {
					t.Fatalf("sync s3→s3: %v", r)
				}
				down2 := t.TempDir()
				if r := aws("s3", "sync", "s3://e2e-copy/q/", down2); r.err != nil {
					t.Fatalf("sync down copy: %v", r)
				}
				sameTree(t, src, down2)

				// A second sync transfers nothing.
				if r := aws("s3", "sync", src, "s3://e2e-up/p/"); r.err != nil || strings.Contains(r.stdout, "upload:") {
					t.Errorf("re-sync: %v", r)
				}

				// Presigned GET.
				r := aws("s3", "presign", "s3://e2e-up/p/dir/b.bin", "--expires-in", "300")
				if r.err != nil {
					t.Fatalf("presign: %v", r)
				}
				resp, err := http.Get(strings.TrimSpace(r.stdout))
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want, _ := os.ReadFile(filepath.Join(src, "dir/b.bin"))
				if resp.StatusCode != 200 || !bytes.Equal(got, want) {
					t.Errorf("presigned GET: status %d, %d bytes (want %d): %s", resp.StatusCode, len(got), len(want), got)
				}
				// A tampered presigned URL is refused.
				resp, err = http.Get(strings.Replace(strings.TrimSpace(r.stdout), "b.bin", "a.txt", 1))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("tampered presigned GET: status %d, want 403", resp.StatusCode)
				}
			})
		})
	}
}

// TestRclone: rclone copies local→S3 (multipart for the 20 MiB file),
// S3→local and S3→S3 byte-exactly, and syncs with deletes.
func TestRclone(t *testing.T) {
	cl := rclone(t)
	srv := startServer(t, nil)
	e := env(t, admin, srv.Region())
	remote := rcloneRemote(srv.Endpoint(), admin, "upload_cutoff=5Mi,chunk_size=5Mi")
	rc := func(args ...string) result {
		return run(t, e, t.TempDir(), cl.path, args...)
	}
	src := t.TempDir()
	writeTree(t, src, files)
	if r := rc("copy", src, remote+"rclone-e2e/p"); r.err != nil {
		t.Fatalf("copy up: %v", r)
	}
	down := t.TempDir()
	if r := rc("copy", remote+"rclone-e2e/p", down); r.err != nil {
		t.Fatalf("copy down: %v", r)
	}
	sameTree(t, src, down)
	if r := rc("copy", remote+"rclone-e2e/p", remote+"rclone-e2e/q"); r.err != nil {
		t.Fatalf("copy s3→s3: %v", r)
	}
	down2 := t.TempDir()
	if r := rc("copy", remote+"rclone-e2e/q", down2); r.err != nil {
		t.Fatalf("copy down q: %v", r)
	}
	sameTree(t, src, down2)
	// sync deletes what the source no longer has.
	if err := os.Remove(filepath.Join(src, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if r := rc("sync", src, remote+"rclone-e2e/p"); r.err != nil {
		t.Fatalf("sync: %v", r)
	}
	down3 := t.TempDir()
	if r := rc("copy", remote+"rclone-e2e/p", down3); r.err != nil {
		t.Fatalf("copy down after sync: %v", r)
	}
	sameTree(t, src, down3)
}

// TestBoto3: boto3's managed transfers (multipart above 8 MiB), copy and
// presigned GET and PUT.
func TestBoto3(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Skipf("boto3 is not installed: %s", out)
	}
	srv := startServer(t, nil)
	src := t.TempDir()
	writeTree(t, src, map[string]int{"small": 1000, "big": 20 << 20})
	script := `
import sys, boto3, urllib.request
from botocore.config import Config
ep, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
s3 = boto3.client("s3", endpoint_url=ep, config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
s3.create_bucket(Bucket="boto-e2e")
for name in ("small", "big"):
    s3.upload_file(src + "/" + name, "boto-e2e", "k/" + name)
    s3.copy({"Bucket": "boto-e2e", "Key": "k/" + name}, "boto-e2e", "c/" + name)
    s3.download_file("boto-e2e", "c/" + name, out + "/" + name)
url = s3.generate_presigned_url("put_object", Params={"Bucket": "boto-e2e", "Key": "presigned"}, ExpiresIn=300)
req = urllib.request.Request(url, data=b"presigned body", method="PUT")
urllib.request.urlopen(req).read()
url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto-e2e", "Key": "presigned"}, ExpiresIn=300)
assert urllib.request.urlopen(url).read() == b"presigned body"
`
	out := t.TempDir()
	r := run(t, env(t, admin, srv.Region()), t.TempDir(), py, "-c", script, srv.Endpoint(), src, out)
	if r.err != nil {
		t.Fatalf("boto3: %v", r)
	}
	sameTree(t, src, out)
}
