package transfer_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/emulator/emulatortest"
	"github.com/lockstep-dev/lockstep/transfer"
	"github.com/lockstep-dev/lockstep/world"
)

const (
	syncer  = "arn:aws:iam::111111111111:user/syncer"
	reader  = "arn:aws:iam::111111111111:user/reader"
	dstOnly = "arn:aws:iam::111111111111:user/dstonly"
	keyARN  = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// testWorld: syncer may do anything in S3 and KMS; reader may only list
// and read; dstonly may only use the dst bucket. kmsdst encrypts with the
// account's CMK by default.
const testWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: syncer
        access_keys: [{id: AKIASYNCER0000000001, secret: syncer-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:*", "kms:*"], Resource: "*"}]}
      - name: reader
        access_keys: [{id: AKIAREADER0000000001, secret: reader-secret}]
        policies:
          read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [s3:ListBucket, s3:GetObject], Resource: "*"}]}
      - name: dstonly
        access_keys: [{id: AKIADSTONLY000000001, secret: dstonly-secret}]
        policies:
          dst: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: ["arn:aws:s3:::dst", "arn:aws:s3:::dst/*"]}]}
    buckets:
      - name: src
      - name: dst
      - name: kmsdst
        encryption: {kms_key: "` + keyARN + `"}
    keys:
      - id: 1234abcd-12ab-34cd-56ef-1234567890ab
`

// env is an emulator serving testWorld with its audit log kept.
type env struct {
	srv   *emulatortest.Server
	audit *lockedBuffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	m, err := world.Decode([]byte(testWorld), "transfer test world")
	if err != nil {
		t.Fatal(err)
	}
	audit := &lockedBuffer{}
	srv, err := emulatortest.Start(context.Background(), m, "transfer test world", audit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{srv: srv, audit: audit}
}

// client is a transfer client signing as principal.
func (e *env) client(t *testing.T, principal string, optFns ...func(*s3.Options)) *s3.Client {
	t.Helper()
	cfg, err := e.srv.Config(context.Background(), principal)
	if err != nil {
		t.Fatal(err)
	}
	return transfer.NewClient(cfg, e.srv.URL, 8, optFns...)
}

// calls returns the S3 operations the emulator served since the last
// call (from its audit log, once it is idle), and forgets them.
func (e *env) calls(t *testing.T) []string {
	t.Helper()
	if err := e.srv.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(e.audit.take()))
	for sc.Scan() {
		var r struct {
			EventName   string `json:"eventName"`
			EventSource string `json:"eventSource"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit record %s: %v", sc.Text(), err)
		}
		if r.EventSource == "s3.amazonaws.com" {
			names = append(names, r.EventName)
		}
	}
	return names
}

// distinct is the sorted set of names.
func distinct(names []string) []string {
	s := slices.Clone(names)
	slices.Sort(s)
	return slices.Compact(s)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) take() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := bytes.Clone(b.buf.Bytes())
	b.buf.Reset()
	return out
}

// writeTree writes files (relative path → content) below dir, modified an
// hour ago (so that an upload's LastModified is newer, whatever the clock's
// second).
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// objects returns the keys and contents below prefix in bucket.
func objects(t *testing.T, c *s3.Client, bucket, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			out[aws.ToString(o.Key)[len(prefix):]] = string(data)
		}
	}
	return out
}

// recorder collects the events of a transfer.
type recorder struct {
	mu     sync.Mutex
	events []transfer.Event
}

func (r *recorder) report(e transfer.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}
