package emulator_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/world"
)

// lockedBuffer is an audit log the test reads while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestHealthEndpoint: /_lockstep/health answers GET and HEAD without a
// signature, is never an S3 request and never audited; the same path on a
// virtual-hosted bucket is an S3 object request.
func TestHealthEndpoint(t *testing.T) {
	if first := strings.Split(emulator.HealthPath, "/")[1]; world.ValidBucketName(first) {
		t.Fatalf("%s: %q could be a bucket name", emulator.HealthPath, first)
	}
	audit := &lockedBuffer{}
	s := startEmulator(t, tlsWorldYAML, withAudit(audit))
	for _, tc := range []struct {
		name, method, host, path string
		wantStatus               int    // 0: any client error
		wantBody                 string // substring
		wantAllow                string
		audited                  bool
	}{
		{name: "GET", method: http.MethodGet, path: emulator.HealthPath, wantStatus: 200, wantBody: `{"status":"ok","tls":false}`},
		{name: "GET with a query", method: http.MethodGet, path: emulator.HealthPath + "?x=1", wantStatus: 200, wantBody: `"status":"ok"`},
		{name: "HEAD", method: http.MethodHead, path: emulator.HealthPath, wantStatus: 200},
		{name: "POST", method: http.MethodPost, path: emulator.HealthPath, wantStatus: 405, wantBody: "GET and HEAD", wantAllow: "GET, HEAD"},
		{name: "DELETE", method: http.MethodDelete, path: emulator.HealthPath, wantStatus: 405, wantAllow: "GET, HEAD"},
		{name: "virtual-hosted: an object of the bucket", method: http.MethodGet, host: "tls-only.localhost", path: emulator.HealthPath, wantStatus: 403, wantBody: "<Code>AccessDenied</Code>", audited: true},
		// An S3 error for the bucket "_lockstep" (which cannot exist).
		{name: "deeper path: S3", method: http.MethodGet, path: emulator.HealthPath + "/x", wantBody: "<BucketName>_lockstep</BucketName>", audited: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := strings.Count(audit.String(), "\n")
			req, err := http.NewRequest(tc.method, s.Endpoint()+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.host != "" {
				req.Host = tc.host + ":" + req.URL.Port()
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			statusOK := resp.StatusCode == tc.wantStatus || (tc.wantStatus == 0 && resp.StatusCode >= 400 && resp.StatusCode < 500)
			if !statusOK || !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("%s %s (Host %s) = %d %q, want %d containing %q", tc.method, tc.path, req.Host, resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			if got := resp.Header.Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tc.wantAllow)
			}
			if tc.method == http.MethodHead && len(body) != 0 {
				t.Errorf("HEAD answered a body: %q", body)
			}
			if err := s.Idle(context.Background()); err != nil {
				t.Fatal(err)
			}
			if audited := strings.Count(audit.String(), "\n") > before; audited != tc.audited {
				t.Errorf("audited = %v, want %v", audited, tc.audited)
			}
		})
	}
}
