package emulator

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/lockstep-dev/lockstep/s3ops"
)

// TestBucketConfigRoutes: every sub-resource operation the emulator serves
// is a catalogue row (so enforce authorizes it) whose route reaches its
// handler, and writing a configuration the emulator only reads stays
// NotImplemented.
func TestBucketConfigRoutes(t *testing.T) {
	for op := range bucketConfigHandlers {
		row, ok := s3ops.Lookup("s3", op)
		if !ok {
			t.Errorf("operation %s is not in the catalogue", op)
			continue
		}
		rt, ok := s3ops.RouteOf(row)
		if !ok || rt.Level != s3ops.BucketLevel {
			t.Errorf("%s: %q is not a bucket route", op, row.HTTP)
			continue
		}
		q := url.Values{}
		for _, p := range rt.Query {
			q.Set(p.Name, p.Value)
		}
		req := &http.Request{Method: rt.Method, URL: &url.URL{Path: "/b", RawQuery: q.Encode()}, Header: http.Header{}}
		if got, err := s3Operation(req, "b", ""); got != op || err != nil || s3HandlerOf(got) == nil {
			t.Errorf("%s /b?%s routes to %q (%v), want %s with a handler", rt.Method, req.URL.RawQuery, got, err, op)
		}
	}
	req := &http.Request{Method: http.MethodPut, URL: &url.URL{Path: "/b", RawQuery: "lifecycle"}, Header: http.Header{}}
	if _, err := s3Operation(req, "b", ""); err == nil || asAPIError(err).Code != "NotImplemented" {
		t.Errorf("PUT /b?lifecycle: %v, want NotImplemented", err)
	}
}
