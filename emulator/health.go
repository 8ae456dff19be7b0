package emulator

import (
	"net/http"
	"strconv"
	"strings"
)

// HealthPath is the path of the health endpoint. Its first segment,
// "_lockstep", is not a bucket name (bucket names are 3 to 63 lower-case
// letters, digits, dots and hyphens), so no S3 request can mean it
// (docs/emulator.md "Health endpoint").
const HealthPath = "/_lockstep/health"

// healthBucket and healthKey are HealthPath read as a path-style S3
// request.
const (
	healthBucket = "_lockstep"
	healthKey    = "health"
)

// serveHealth answers the health endpoint and reports whether r was for
// it. It answers before authentication: it is no AWS API call, needs no
// signature, is not authorized and is not written to the audit log. A
// virtual-hosted request (bucket.localhost/_lockstep/health) names an
// object of the bucket and is served as S3.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, HealthPath) {
		return false
	}
	if bucket, key := s.bucketAndKey(r); bucket != healthBucket || key != healthKey {
		return false
	}
	h := w.Header()
	h.Set("Server", "lockstep")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	default:
		h.Set("Allow", "GET, HEAD")
		body := `{"status":"error","message":"the health endpoint answers GET and HEAD, not ` + r.Method + `"}` + "\n"
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusMethodNotAllowed)
		w.Write([]byte(body))
		return true
	}
	body := `{"status":"ok","tls":` + strconv.FormatBool(r.TLS != nil) + "}\n"
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write([]byte(body))
	}
	return true
}
