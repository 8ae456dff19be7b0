package emulator

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// defaultBodyIdleTimeout is how long S3 waits for the next bytes of a
// request body before it answers RequestTimeout (docs/decisions.md "A
// stalled request body").
const defaultBodyIdleTimeout = 20 * time.Second

// idleBody is a request body that fails with S3's RequestTimeout when the
// client sends nothing for the idle timeout: before each Read it moves the
// connection's read deadline, so a stalled body ends the read with an
// error rather than holding the request open (docs/emulator.md "Write
// guarantees and request semantics").
type idleBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
}

func newIdleBody(body io.ReadCloser, w http.ResponseWriter, timeout time.Duration) io.ReadCloser {
	if body == nil || body == http.NoBody {
		return body
	}
	return &idleBody{body: body, rc: http.NewResponseController(w), timeout: timeout}
}

func (b *idleBody) Read(p []byte) (int, error) {
	// Without a connection (the Server used as a plain http.Handler)
	// there is no deadline to set, and the body reads as it is.
	_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	n, err := b.body.Read(p)
	switch {
	case err == io.EOF:
		// The whole body is in. The server now watches the connection
		// for the client going away; a handler that works on (a long
		// commit) must not be cut off by this deadline.
		_ = b.rc.SetReadDeadline(time.Time{})
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		return n, errRequestTimeout()
	}
	return n, err
}

func (b *idleBody) Close() error { return b.body.Close() }
