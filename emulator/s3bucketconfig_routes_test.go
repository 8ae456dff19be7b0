package emulator

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/lockstep-dev/lockstep/s3ops"
)

// TestBucketConfigRoutes: every sub-resource operation the router names is
// a catalogue row (so enforce authorizes it) and has a handler, and each
// request shape reaches its operation.
func TestBucketConfigRoutes(t *testing.T) {
	for _, r := range bucketConfigRoutes {
		for method, op := range map[string]string{http.MethodGet: r.get, http.MethodPut: r.put, http.MethodDelete: r.delete} {
			if op == "" {
				continue
			}
			if _, ok := s3ops.Lookup("s3", op); !ok {
				t.Errorf("%s ?%s: operation %s is not in the catalogue", method, r.query, op)
			}
			if bucketConfigHandlers[op] == nil {
				t.Errorf("%s ?%s: operation %s has no handler", method, r.query, op)
			}
			req := &http.Request{Method: method, URL: &url.URL{Path: "/b", RawQuery: r.query}, Header: http.Header{}}
			if got, err := s3Operation(req, "b", ""); got != op || err != nil {
				t.Errorf("%s /b?%s routes to %q (%v), want %s", method, r.query, got, err, op)
			}
		}
	}
	req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/b", RawQuery: "versioning"}, Header: http.Header{}}
	if got, _ := s3Operation(req, "b", ""); got != "GetBucketVersioning" || bucketConfigHandlers[got] == nil {
		t.Errorf("GET /b?versioning routes to %q", got)
	}
	// Writing a configuration the emulator only reads stays NotImplemented.
	req = &http.Request{Method: http.MethodPut, URL: &url.URL{Path: "/b", RawQuery: "lifecycle"}, Header: http.Header{}}
	if _, err := s3Operation(req, "b", ""); err == nil || asAPIError(err).Code != "NotImplemented" {
		t.Errorf("PUT /b?lifecycle: %v, want NotImplemented", err)
	}
}
