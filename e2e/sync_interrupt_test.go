package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/transfer"
)

// TestSyncCtrlC: Ctrl-C (SIGINT) to the lockstep binary while its
// multipart upload has a part in flight: lockstep aborts the upload and
// exits 1, saying it was interrupted, and leaves no incomplete upload and
// no object (issue 12 acceptance, docs/sync.md "How objects are
// transferred"). A proxy in front of the emulator holds the second part
// until lockstep hangs up, so that the signal always comes mid-upload.
func TestSyncCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the lockstep binary")
	}
	bin := buildLockstep(t)
	srv := startServer(t, nil)
	target, err := url.Parse(srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	held := make(chan struct{})
	var once sync.Once
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.URL.Query().Get("partNumber") != "2" {
			forward.ServeHTTP(w, r)
			return
		}
		// Read the part, so that the server notices when lockstep hangs
		// up, then hold the answer until it does.
		_, _ = io.Copy(io.Discard, r.Body)
		once.Do(func() { close(held) })
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		http.Error(w, "held", http.StatusServiceUnavailable)
	}))
	defer proxy.Close()

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), bytes.Repeat([]byte("lockstep"), 3<<20), 0o644); err != nil { // 24 MiB: three parts
		t.Fatal(err)
	}
	const bucket = "kazue-sync-dest"
	cmd := exec.Command(bin, "sync", dir, "s3://"+bucket+"/ctrlc", "--endpoint-url", proxy.URL)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+adminKey, "AWS_SECRET_ACCESS_KEY="+adminSecret, "AWS_REGION="+srv.Region(),
		"AWS_SESSION_TOKEN=", "AWS_PROFILE=", "AWS_CA_BUNDLE=", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-held:
	case err := <-exited:
		t.Fatalf("lockstep exited (%v) before its second part:\n%s%s", err, stdout.String(), stderr.String())
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("lockstep did not send its second part within 2 minutes")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var exitErr *exec.ExitError
	select {
	case err := <-exited:
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
			t.Errorf("lockstep exited with %v after Ctrl-C, want status 1:\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("lockstep did not exit within a minute of Ctrl-C:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted: context canceled (multipart uploads in flight were aborted; nothing deleted)") {
		t.Errorf("standard error does not say it was interrupted:\n%s", stderr.String())
	}

	cfg := aws.Config{Region: srv.Region(), Credentials: credentials.NewStaticCredentialsProvider(adminKey, adminSecret, "")}
	client := transfer.NewClient(cfg, srv.Endpoint(), 1)
	ctx := context.Background()
	uploads, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(uploads.Uploads) != 0 {
		t.Errorf("%d multipart uploads left after Ctrl-C", len(uploads.Uploads))
	}
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("ctrlc/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Errorf("Ctrl-C left %d objects below ctrlc/", len(list.Contents))
	}
}
