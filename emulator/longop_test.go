package emulator

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLongOperationErrorInside200: a long copy that fails after the 200
// was sent reports the error inside the 200 body, as S3 does for
// CopyObject (S3 API reference, CopyObject).
func TestLongOperationErrorInside200(t *testing.T) {
	s := &Server{}
	for _, tc := range []struct {
		name string
		op   func() (any, error)
		want string
	}{
		{"error", func() (any, error) {
			return nil, errorf(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		}, "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>REQ</RequestId>"},
		{"store error", func() (any, error) { return nil, errors.New("disk full") }, "<Code>InternalError</Code>"},
		{"success", func() (any, error) {
			return struct {
				XMLName struct{} `xml:"CopyObjectResult"`
				ETag    string
			}{ETag: `"abc"`}, nil
		}, "<CopyObjectResult><ETag>&#34;abc&#34;</ETag></CopyObjectResult>"},
	} {
		rec := httptest.NewRecorder()
		c := &call{id: "REQ", r: httptest.NewRequest("PUT", "/b/k", nil)}
		if err := s.longOperation(rec, c, tc.op); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.HasPrefix(body, "<?xml") || !strings.Contains(body, tc.want) {
			t.Errorf("%s: status %d, body %q; want 200 with %q", tc.name, rec.Code, body, tc.want)
		}
		if tc.name != "success" && c.err == nil {
			t.Errorf("%s: the audit record would not show the error", tc.name)
		}
	}
}
