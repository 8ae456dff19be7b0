package transfer_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/transfer"
)

// failFirst answers the first attempt of every PutObject with an error S3
// sends under load, without passing it on.
type failFirst struct {
	next   s3.HTTPClient
	status int
	code   string
	mu     sync.Mutex
	seen   map[string]int
}

func (f *failFirst) Do(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.URL.Query().Get("uploadId") == "" {
		f.mu.Lock()
		f.seen[r.URL.Path]++
		first := f.seen[r.URL.Path] == 1
		f.mu.Unlock()
		if first && f.code == "" {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		if first {
			if r.Body != nil {
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
			}
			body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + f.code + `</Code><Message>try again</Message></Error>`
			return &http.Response{
				StatusCode: f.status, Status: http.StatusText(f.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"application/xml"}}, Body: io.NopCloser(strings.NewReader(body)),
				ContentLength: int64(len(body)), Request: r,
			}, nil
		}
	}
	return f.next.Do(r)
}

// SlowDown (503), InternalError (500) and a failed connection are retried
// by the transfer client's retryer (its backoff shortened for the test):
// every object arrives, each sent twice.
func TestSyncRetriesThrottlingAndServerErrors(t *testing.T) {
	for _, tt := range []struct {
		status int
		code   string
	}{{http.StatusServiceUnavailable, "SlowDown"}, {http.StatusInternalServerError, "InternalError"}, {0, ""}} {
		name := tt.code
		if name == "" {
			name = "connection refused"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			f := &failFirst{status: tt.status, code: tt.code, seen: map[string]int{}}
			c := e.client(t, syncer, func(o *s3.Options) {
				f.next, o.HTTPClient = o.HTTPClient, f
				o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, time.Millisecond)
			})
			src := t.TempDir()
			writeTree(t, src, map[string]string{"a": "a", "b": "b"})
			sum, err := transfer.Sync(context.Background(), c, loc(t, src), loc(t, "s3://dst"), transfer.Options{})
			if err != nil || sum.Copied != 2 || sum.Failed != 0 {
				t.Fatalf("sync: %+v, %v", sum, err)
			}
			for path, n := range f.seen {
				if n != 2 {
					t.Errorf("%s sent %d times, want 2", path, n)
				}
			}
			if got := objects(t, e.client(t, syncer), "dst", ""); got["a"] != "a" || got["b"] != "b" {
				t.Errorf("dst holds %q", got)
			}
		})
	}
}
