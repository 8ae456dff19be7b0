package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/world"
)

const interruptWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: backup
        access_keys: [{id: AKIABACKUP0000000001, secret: backup-secret}]
        policies:
          write:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: [s3:ListBucket, s3:ListBucketMultipartUploads], Resource: "arn:aws:s3:::interrupted"}
              - {Effect: Allow, Action: [s3:PutObject, s3:GetObject, s3:AbortMultipartUpload], Resource: "arn:aws:s3:::interrupted/*"}
    buckets:
      - name: interrupted
`

// signalOnEvent is an audit log that sends SIGINT to a process once the
// emulator has recorded an event of a given name, not the preflight's.
type signalOnEvent struct {
	event string
	mu    sync.Mutex
	proc  *os.Process
	sent  bool
	log   bytes.Buffer
}

func (s *signalOnEvent) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log.Write(p)
	if !s.sent && s.proc != nil && bytes.Contains(p, []byte(`"eventName":"`+s.event+`"`)) && !bytes.Contains(p, []byte(".lockstep-preflight-")) {
		s.sent = true
		s.proc.Signal(os.Interrupt)
	}
	return len(p), nil
}

// TestSyncInterruptAbortsUpload: Ctrl-C (SIGINT to the lockstep binary)
// while a file is being uploaded in parts cancels the job, aborts the
// multipart upload, and exits 1: no incomplete upload is left, no object
// is visible (issue 12 acceptance; docs/sync.md "Safety"). The signal is
// sent when the emulator records the first UploadPart of the upload's
// two, sent one at a time (--workers 1: with one worker an object's parts
// grow to 64 MiB, so the 128 MiB file is two parts; the second is still
// to send when the signal arrives).
func TestSyncInterruptAbortsUpload(t *testing.T) {
	bin := buildLockstep(t)
	m, err := world.Decode([]byte(interruptWorld), "interrupt world")
	if err != nil {
		t.Fatal(err)
	}
	audit := &signalOnEvent{event: "UploadPart"}
	srv, err := emulator.New(context.Background(), emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, NoSync: true, Audit: audit})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	dir := t.TempDir()
	data := make([]byte, 128<<20)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "sync", dir, "s3://interrupted/backup", "--workers", "1", "--endpoint-url", srv.Endpoint(), "--no-progress")
	cmd.Env = env(t, creds{key: "AKIABACKUP0000000001", secret: "backup-secret"}, "us-east-1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	audit.mu.Lock()
	err = cmd.Start()
	audit.proc = cmd.Process
	audit.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	t.Logf("lockstep sync, interrupted:\n%s", out.String())
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit: %v, want status 1", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Errorf("lockstep was killed by the signal instead of handling it")
	}
	if !audit.sent {
		t.Fatalf("no UploadPart was recorded: nothing to interrupt")
	}
	log := audit.log.String()
	if strings.Contains(out.String(), "during the preflight") || !strings.Contains(log, `"key":"backup/big.bin"`) {
		t.Fatalf("the interruption did not reach the upload of backup/big.bin:\n%s", log)
	}
	if strings.Contains(log, `"eventName":"CompleteMultipartUpload"`) {
		t.Fatalf("the upload completed before the interruption took effect; the test proves nothing:\n%s", log)
	}
	if !strings.Contains(log, `"eventName":"AbortMultipartUpload"`) {
		t.Errorf("no AbortMultipartUpload after the interruption")
	}
	c := sdkClient(t, srv.Endpoint(), "us-east-1", creds{key: "AKIABACKUP0000000001", secret: "backup-secret"}, nil)
	ups, err := c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("interrupted")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Errorf("%d incomplete multipart uploads left", len(ups.Uploads))
	}
	objs, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("interrupted")})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Contents) != 0 {
		t.Errorf("objects visible after the interruption: %d", len(objs.Contents))
	}
}
