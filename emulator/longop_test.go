package emulator

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
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

// afterReturnRecorder is a ResponseRecorder that reports a write made
// after the handler returned (returned is set by the test then).
type afterReturnRecorder struct {
	*httptest.ResponseRecorder
	mu       sync.Mutex
	returned bool
	late     []string
}

func (r *afterReturnRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.returned {
		r.late = append(r.late, string(p))
		return len(p), nil
	}
	return r.ResponseRecorder.Write(p)
}

// WriteString hides the recorder's own, which io.WriteString would call.
func (r *afterReturnRecorder) WriteString(s string) (int, error) { return r.Write([]byte(s)) }

func (r *afterReturnRecorder) Flush() {}

// TestLongOperationKeepAliveEndsBeforeReturn: the goroutine that keeps a
// long operation's connection alive has ended when the handler returns:
// every space it was asked for is in the body before the result, and
// nothing is written afterwards. The ticks are the test's, sent while the
// operation runs (each send returns once the goroutine has the tick).
func TestLongOperationKeepAliveEndsBeforeReturn(t *testing.T) {
	const result = "<CopyObjectResult><ETag>&#34;abc&#34;</ETag></CopyObjectResult>"
	for _, spaces := range []int{0, 1, 3} {
		for range 20 {
			ticks := make(chan time.Time)
			rec := &afterReturnRecorder{ResponseRecorder: httptest.NewRecorder()}
			c := &call{id: "REQ", r: httptest.NewRequest("PUT", "/b/k", nil)}
			op := func() (any, error) {
				for range spaces {
					ticks <- time.Time{}
				}
				return struct {
					XMLName struct{} `xml:"CopyObjectResult"`
					ETag    string
				}{ETag: `"abc"`}, nil
			}
			if err := runLongOperation(rec, c, op, ticks); err != nil {
				t.Fatal(err)
			}
			rec.mu.Lock()
			rec.returned = true
			body := rec.Body.String()
			rec.mu.Unlock()
			if want := xml.Header + strings.Repeat(" ", spaces) + result; body != want {
				t.Fatalf("%d keep-alive spaces: body %q, want %q", spaces, body, want)
			}
			// The goroutine has ended: a tick now finds no receiver.
			select {
			case ticks <- time.Time{}:
				t.Fatalf("%d keep-alive spaces: the keep-alive goroutine still runs after the handler returned", spaces)
			default:
			}
			rec.mu.Lock()
			late := rec.late
			rec.mu.Unlock()
			if len(late) > 0 {
				t.Fatalf("%d keep-alive spaces: written after the handler returned: %q", spaces, late)
			}
		}
	}
}

// blockingSpaceRecorder holds the keep-alive's space write until release
// is closed.
type blockingSpaceRecorder struct {
	*httptest.ResponseRecorder
	started chan struct{} // closed when the space write begins
	release chan struct{}
}

func (r *blockingSpaceRecorder) Write(p []byte) (int, error) {
	if string(p) == " " {
		close(r.started)
		<-r.release
	}
	return r.ResponseRecorder.Write(p)
}

func (r *blockingSpaceRecorder) WriteString(s string) (int, error) { return r.Write([]byte(s)) }

// TestLongOperationWaitsForKeepAliveWrite: while the keep-alive goroutine
// is in the middle of writing a space, the handler does not return, even
// though the operation has finished; once the write completes, the
// result follows the space.
func TestLongOperationWaitsForKeepAliveWrite(t *testing.T) {
	ticks := make(chan time.Time)
	rec := &blockingSpaceRecorder{ResponseRecorder: httptest.NewRecorder(), started: make(chan struct{}), release: make(chan struct{})}
	c := &call{id: "REQ", r: httptest.NewRequest("PUT", "/b/k", nil)}
	returned := make(chan error)
	go func() {
		returned <- runLongOperation(rec, c, func() (any, error) {
			ticks <- time.Time{}
			return struct {
				XMLName struct{} `xml:"CopyObjectResult"`
			}{}, nil
		}, ticks)
	}()
	<-rec.started
	select {
	case <-returned:
		t.Fatal("the handler returned while the keep-alive goroutine was writing")
	default:
	}
	close(rec.release)
	if err := <-returned; err != nil {
		t.Fatal(err)
	}
	if body, want := rec.Body.String(), xml.Header+" <CopyObjectResult></CopyObjectResult>"; body != want {
		t.Errorf("body %q, want %q", body, want)
	}
}
