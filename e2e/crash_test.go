package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// buildLockstep builds the lockstep binary into a temporary directory.
func buildLockstep(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("go env GOMOD: not in a module")
	}
	bin := filepath.Join(t.TempDir(), "lockstep")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/lockstep")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/lockstep: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects a process's output, and lets a test wait for a
// line of it.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed *sync.Cond // on mu: output written, or the process ended
}

func (b *lockedBuffer) cond() *sync.Cond {
	if b.changed == nil {
		b.changed = sync.NewCond(&b.mu)
	}
	return b.changed
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.cond().Broadcast()
	return b.b.Write(p)
}

// signal wakes the waiters of waitFor, to look at done again.
func (b *lockedBuffer) signal() {
	b.mu.Lock()
	b.cond().Broadcast()
	b.mu.Unlock()
}

// waitFor waits until the output contains s (true), or done is closed or
// the timeout passes first (false).
func (b *lockedBuffer) waitFor(s string, done <-chan struct{}, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, b.signal)
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for !strings.Contains(b.b.String(), s) {
		select {
		case <-done:
			return false
		default:
		}
		if ctx.Err() != nil {
			return false
		}
		b.cond().Wait()
	}
	return true
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// serveProcess is a `lockstep serve` process.
type serveProcess struct {
	cmd      *exec.Cmd
	endpoint string
	stderr   *lockedBuffer
	exited   chan struct{}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServe starts `lockstep serve` on a free port with the data
// directory and waits for the last line of its banner, which it prints
// once it listens.
func startServe(t *testing.T, bin, data string) *serveProcess {
	t.Helper()
	addr := freePort(t)
	p := &serveProcess{endpoint: "http://" + addr, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--addr", addr, "--data", data, "--audit", "none")
	p.cmd.Stdout = p.stderr
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited); p.stderr.signal() }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	if !p.stderr.waitFor("lockstep serve: ready", p.exited, 30*time.Second) {
		select {
		case <-p.exited:
			t.Fatalf("lockstep serve --data %s exited at start-up: %v\n%s", data, p.cmd.ProcessState, p.stderr)
		default:
			t.Fatalf("lockstep serve printed no banner within 30s:\n%s", p.stderr)
		}
	}
	// A clean start: the banner and nothing else the server complains of.
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if strings.HasPrefix(line, "lockstep serve:") && !strings.Contains(line, " serving ") && !strings.HasPrefix(line, "lockstep serve: ready") || strings.Contains(line, "panic") {
			t.Errorf("lockstep serve start-up with --data %s: %s\nfull output:\n%s", data, line, p.stderr)
		}
	}
	return p
}

// kill SIGKILLs the process and waits for it to go.
func (p *serveProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("lockstep serve did not die of SIGKILL")
	}
}

// countFiles counts the regular files under dir (0 if it is missing).
func countFiles(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// slowPut sends a PUT of size random bytes to url through an io.Pipe, a
// MiB at a time, signed with UNSIGNED-PAYLOAD and a Content-Length. It
// returns once at least sent bytes have gone into the connection, and
// sends no more: the request stays in flight until the server dies
// (serverExited is closed), then the body ends with an error, and done
// reports the request's error (a response is a test error: the request
// should not finish).
func slowPut(t *testing.T, url, region string, size, sent int, serverExited <-chan struct{}) (done <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	req, err := http.NewRequest("PUT", url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(size)
	signRaw(t, req, admin, "UNSIGNED-PAYLOAD", "s3", region, time.Now())
	written := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		chunk := randomBytes(1 << 20)
		for total := 0; total < sent; {
			n, err := pw.Write(chunk[:min(len(chunk), size-total)])
			total += n
			if err != nil {
				return
			}
		}
		close(written)
		select { // the rest of the body never comes
		case <-serverExited:
			pw.CloseWithError(errors.New("the server was killed"))
		case <-ended:
		}
	}()
	ch := make(chan error, 1)
	go func() {
		defer close(ended)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Errorf("the PUT in flight finished before the kill: status %d: %s", resp.StatusCode, b)
			err = io.ErrUnexpectedEOF
		}
		pr.CloseWithError(err)
		ch <- err
	}()
	select {
	case <-written:
	case err := <-ch:
		t.Fatalf("slow PUT ended before %d bytes were sent: %v", sent, err)
	case <-time.After(30 * time.Second):
		t.Fatal("slow PUT: no progress in 30s")
	}
	return ch
}

// TestKillDuringMultipartUpload: a `lockstep serve` process SIGKILLed in
// the middle of an UploadPart, and in the middle of a single large
// PutObject, restarts with the same data directory, keeps the committed
// objects byte-exact and shows nothing of the interrupted writes (issue 3
// acceptance; docs/emulator.md "Storage").
func TestKillDuringMultipartUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the lockstep binary")
	}
	bin := buildLockstep(t)
	data := t.TempDir()
	ctx := context.Background()
	const bucket = "crash-e2e"
	bucketDir := filepath.Join(data, "buckets", bucket)

	p := startServe(t, bin, data)
	region := "us-east-1"
	cl := sdkClient(t, p.endpoint, region, admin, nil)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	committed := randomBytes(3<<20 + 17)
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("committed"), Body: bytes.NewReader(committed)}); err != nil {
		t.Fatalf("PutObject committed: %v", err)
	}

	// A multipart upload with two parts done and the third in flight.
	const mpuKey = "inflight-mpu"
	cmu, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(mpuKey)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	part := randomBytes(5 << 20)
	for n := int32(1); n <= 2; n++ {
		if _, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(mpuKey), UploadId: cmu.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(part)}); err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
	}
	blobsBefore := countFiles(filepath.Join(bucketDir, "data"))
	url := fmt.Sprintf("%s/%s/%s?partNumber=3&uploadId=%s", p.endpoint, bucket, mpuKey, aws.ToString(cmu.UploadId))
	written := watchFileWrites(t, filepath.Join(bucketDir, "data"))
	done := slowPut(t, url, region, 16<<20, 4<<20, p.exited)
	written(30 * time.Second) // the server has written part of the part
	t.Logf("UploadPart 3 in flight: %d files in tmp/, %d blobs (%d before)", countFiles(filepath.Join(data, "tmp")), countFiles(filepath.Join(bucketDir, "data")), blobsBefore)
	p.kill(t)
	<-done

	p = startServe(t, bin, data)
	cl = sdkClient(t, p.endpoint, region, admin, nil)
	checkAfterCrash(t, cl, bucket, committed, mpuKey)
	if n := countFiles(filepath.Join(data, "tmp")); n != 0 {
		t.Errorf("after the restart tmp/ holds %d files; Open should empty it", n)
	}
	if n := countFiles(filepath.Join(bucketDir, "data")); n != blobsBefore {
		t.Errorf("after the restart %d blobs are stored, %d before the interrupted UploadPart: its partial blob was not swept", n, blobsBefore)
	}
	// The upload itself survives with its two whole parts, and no part 3.
	lp, err := cl.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(mpuKey), UploadId: cmu.UploadId})
	switch {
	case apiCode(err) == "NoSuchUpload":
		t.Logf("the upload did not survive the restart (NoSuchUpload)")
	case err != nil:
		t.Errorf("ListParts after the restart: %v", err)
	default:
		var got []string
		for _, pt := range lp.Parts {
			got = append(got, fmt.Sprintf("%d:%d", aws.ToInt32(pt.PartNumber), aws.ToInt64(pt.Size)))
		}
		if want := fmt.Sprintf("1:%d,2:%d", len(part), len(part)); strings.Join(got, ",") != want {
			t.Errorf("ListParts after the restart: %v, want %s", got, want)
		}
		if _, err := cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(mpuKey), UploadId: cmu.UploadId}); err != nil {
			t.Errorf("AbortMultipartUpload after the restart: %v", err)
		}
	}

	// A single large PutObject in flight.
	blobsBefore = countFiles(filepath.Join(bucketDir, "data"))
	const putKey = "inflight-put"
	written = watchFileWrites(t, filepath.Join(bucketDir, "data"))
	done = slowPut(t, p.endpoint+"/"+bucket+"/"+putKey, region, 64<<20, 8<<20, p.exited)
	written(30 * time.Second)
	t.Logf("PutObject in flight: %d files in tmp/, %d blobs (%d before)", countFiles(filepath.Join(data, "tmp")), countFiles(filepath.Join(bucketDir, "data")), blobsBefore)
	p.kill(t)
	<-done

	p = startServe(t, bin, data)
	cl = sdkClient(t, p.endpoint, region, admin, nil)
	checkAfterCrash(t, cl, bucket, committed, mpuKey, putKey)
	if n := countFiles(filepath.Join(data, "tmp")); n != 0 {
		t.Errorf("after the restart tmp/ holds %d files; Open should empty it", n)
	}
	if n := countFiles(filepath.Join(bucketDir, "data")); n != blobsBefore {
		t.Errorf("after the restart %d blobs are stored, %d before the interrupted PutObject: its partial blob was not swept", n, blobsBefore)
	}

	// The restarted server takes writes again, and a graceful stop works.
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(putKey), Body: strings.NewReader("now whole")}); err != nil {
		t.Errorf("PutObject after the restart: %v", err)
	} else if got := getBytes(t, cl, bucket, putKey, ""); string(got) != "now whole" {
		t.Errorf("GetObject after the restart: %q", got)
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
		if !p.cmd.ProcessState.Success() {
			t.Errorf("lockstep serve exited with %v after SIGINT:\n%s", p.cmd.ProcessState, p.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Error("lockstep serve did not stop within 20s of SIGINT")
	}
}

// checkAfterCrash checks, after a restart, that the committed object is
// byte-exact, that the listing shows only it, and that the keys being
// written at the kill do not exist.
func checkAfterCrash(t *testing.T, cl *s3.Client, bucket string, committed []byte, missing ...string) {
	t.Helper()
	ctx := context.Background()
	if got := getBytes(t, cl, bucket, "committed", ""); !bytes.Equal(got, committed) {
		t.Errorf("committed object after the restart: %d bytes differ from the %d written", len(got), len(committed))
	}
	out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("ListObjectsV2 after the restart: %v", err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, fmt.Sprintf("%s(%d)", aws.ToString(o.Key), aws.ToInt64(o.Size)))
	}
	if want := fmt.Sprintf("committed(%d)", len(committed)); strings.Join(keys, ",") != want {
		t.Errorf("ListObjectsV2 after the restart: %v, want [%s]", keys, want)
	}
	for _, k := range missing {
		_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if apiCode(err) != "NoSuchKey" {
			t.Errorf("GetObject %s after the restart: %v, want NoSuchKey", k, err)
		}
		_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err == nil {
			t.Errorf("HeadObject %s after the restart succeeded", k)
		}
	}
}
