package emulator

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/sigv4"
)

// call is one request being served.
type call struct {
	id    string
	start time.Time
	r     *http.Request
	auth  *sigv4.Auth
	// unknownKey is the access key of a request signed with a key the
	// world does not know, for the audit log.
	unknownKey string
	principal  *authz.Principal
	env        authz.Env
	service    string // s3, sts, iam, kms, organizations
	operation  string
	bucket     string
	key        string
	// params are the CloudTrail requestParameters.
	params map[string]any
	// checks are the authorizations made, for the audit log (KMS calls S3
	// made on the caller's behalf become records of their own).
	checks []enforce.Check
	// authorized is set once the call's catalogue row has been decided
	// (decide): a call answered with success without it is a handler bug
	// (statusWriter).
	authorized bool
	// resourceAccount is the account that owns the resource, for
	// recipientAccountId.
	resourceAccount string
	status          int
	err             *apiError
	// invokedBy is the service principal of a call the emulator made
	// acting as a service through a role session (serviceSession), ""
	// for a request from the network.
	invokedBy string
}

// ServeHTTP authenticates the request, dispatches it to the service its
// credential scope names (S3 for unsigned requests), and writes the audit
// record.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveHealth(w, r) {
		return
	}
	s.enter()
	defer s.leave()
	idle := s.opts.BodyIdleTimeout
	if idle <= 0 {
		idle = defaultBodyIdleTimeout
	}
	r.Body = newIdleBody(r.Body, w, idle)
	c := &call{id: newRequestID(), start: s.now(), r: r, params: map[string]any{}}
	h := w.Header()
	h.Set("x-amz-request-id", c.id)
	h.Set("x-amz-id-2", hostID(c.id))
	h.Set("Server", "lockstep")
	rw := &statusWriter{ResponseWriter: w, unauthorized: c.answeredUnauthorized}
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(s.errorLog(), "lockstep serve: panic serving %s %s: %v\n", r.Method, r.URL, v)
			if !rw.wrote {
				writeS3Error(rw, r, errInternal(fmt.Errorf("%v", v)), c.id)
			}
		}
		if rw.blocked {
			s.failUnauthorized(rw, c)
		}
		c.status = rw.status
		s.audit.record(s, c)
		if s.opts.OnChecks != nil && c.operation != "" {
			s.opts.OnChecks(c.operation, c.checks)
		}
	}()

	c.env = requestEnv(r, c.start)
	c.invokedBy = invokingService(r)
	auth, err := s.verifier.Verify(r)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) && se.Code == "InvalidAccessKeyId" {
			c.unknownKey, _ = se.Field("AWSAccessKeyId")
		}
		c.service = guessService(r)
		c.operation = s.guessOperation(c)
		s.fail(rw, c, err)
		return
	}
	if svc := guessService(r); auth.Anonymous && (svc == "kms" || svc == "organizations") {
		// KMS and Organizations requests are always signed: an unsigned
		// one never reaches a policy (docs/emulator.md).
		c.service = svc
		c.operation = "Unknown"
		prefix := kmsTargetPrefix
		if svc == "organizations" {
			prefix = orgTargetPrefix
		}
		if op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), prefix); ok && op != "" {
			c.operation = op
		}
		s.fail(rw, c, errMissingAuthenticationToken())
		return
	}
	c.auth = auth
	c.env.Region = auth.Region
	c.service = "s3"
	if !auth.Anonymous {
		c.service = auth.Service
		p, err := s.state.principal(auth.AccessKeyID, c.start)
		if err != nil {
			if errors.Is(err, errExpiredSession) {
				s.fail(rw, c, errorf(http.StatusBadRequest, "ExpiredToken", "The provided token has expired."))
			} else {
				s.fail(rw, c, errorf(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.").with("AWSAccessKeyId", auth.AccessKeyID))
			}
			return
		}
		c.principal = p
	} else {
		c.principal = &authz.Principal{Kind: authz.Anonymous, UserID: "anonymous"}
		c.principal.Anonymous = true
	}
	switch c.service {
	case "s3":
		s.serveS3(rw, c)
	case "sts":
		s.serveSTS(rw, c)
	case "iam":
		s.serveIAM(rw, c)
	case "kms":
		s.serveKMS(rw, c)
	case "organizations":
		s.serveOrganizations(rw, c)
	default:
		s.fail(rw, c, errorf(http.StatusBadRequest, "InvalidRequest", "The credential scope names service %q; the lockstep emulator serves s3, sts, iam, kms and organizations", c.service))
	}
}

// fail writes err in the shape of the call's service.
func (s *Server) fail(w http.ResponseWriter, c *call, err error) {
	ae := asAPIError(err)
	c.err = ae
	if ae.Status >= 500 {
		fmt.Fprintf(s.errorLog(), "lockstep serve: %s %s: %v\n", c.r.Method, c.r.URL.Path, err)
	}
	switch c.service {
	case "sts", "iam":
		writeQueryError(w, c.service, ae, c.id)
	case "s3control":
		writeS3ControlError(w, ae, c.id)
	case "kms", "organizations":
		// The AWS SDKs read the request ID of JSON errors from
		// x-amzn-RequestId.
		w.Header().Set("X-Amzn-Requestid", c.id)
		writeJSONError(w, ae)
	default:
		writeS3Error(w, c.r, ae, c.id)
	}
}

// answeredUnauthorized reports whether answering the call with status
// would answer it without its catalogue row decided: a status below 400
// for an operation whose row lists permissions, before authorize or
// authorizeAPI ran. That is a handler bug: statusWriter withholds the
// answer and the client gets InternalError (failUnauthorized).
func (c *call) answeredUnauthorized(status int) bool {
	if c.authorized || status >= 400 {
		return false
	}
	op, ok := s3ops.Lookup(c.service, c.operation)
	return ok && len(op.Permissions) > 0
}

// failUnauthorized replaces the answer a handler gave without
// authorizing the call by InternalError, with the headers it set dropped.
func (s *Server) failUnauthorized(rw *statusWriter, c *call) {
	h := rw.Header()
	kept := http.Header{}
	for _, k := range []string{"X-Amz-Request-Id", "X-Amz-Id-2", "Server", "X-Amzn-Requestid"} {
		if v, ok := h[k]; ok {
			kept[k] = v
		}
	}
	for k := range h {
		delete(h, k)
	}
	for k, v := range kept {
		h[k] = v
	}
	rw.blocked, rw.wrote, rw.unauthorized = false, false, nil
	s.fail(rw, c, errInternal(fmt.Errorf("%s %s: the %s handler answered without authorizing the call", c.r.Method, c.r.URL.Path, c.operation)))
}

// statusWriter remembers the status written, for the audit log, and
// withholds a success answered without authorization (unauthorized).
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	// unauthorized reports whether the first status written answers the
	// call without authorization; the answer is then blocked: nothing of
	// it reaches the client.
	unauthorized func(status int) bool
	blocked      bool
}

// begin records the first status written and reports whether the
// answer may go out.
func (w *statusWriter) begin(code int) bool {
	if !w.wrote {
		w.wrote = true
		if w.unauthorized != nil && w.unauthorized(code) {
			w.blocked = true
		} else {
			w.status = code
		}
	}
	return !w.blocked
}

func (w *statusWriter) WriteHeader(code int) {
	if w.begin(code) {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.begin(http.StatusOK) {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom lets io.Copy use sendfile for object bodies.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.begin(http.StatusOK) {
		return io.Copy(io.Discard, r)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}

func (w *statusWriter) Flush() {
	if w.blocked {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// hostID is the x-amz-id-2 value: opaque on AWS, derived from the request
// ID here.
func hostID(requestID string) string {
	return "lockstep/" + requestID
}

// requestEnv is what the request's connection tells the request context:
// aws:SecureTransport and s3:TlsVersion from the TLS state of the real
// connection (docs/authorization.md §2.3 "Secure transport"), aws:SourceIp, aws:UserAgent.
func requestEnv(r *http.Request, now time.Time) authz.Env {
	env := authz.Env{Time: now, SourceIP: sourceIP(r), UserAgent: r.UserAgent()}
	if r.TLS != nil {
		env.SecureTransport = true
		env.TLSVersion = tlsVersion(r.TLS.Version)
	}
	return env
}

// tlsVersion is the s3:TlsVersion value of a negotiated TLS version:
// "1.2", "1.3".
func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "1.3"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS11:
		return "1.1"
	}
	return "1.0"
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// guessService names the service of a request whose signature failed or
// that is unsigned, so that the error has the right shape: from the
// credential scope if it can be read, else KMS or Organizations for a
// request with their X-Amz-Target header (TrentService.<Operation>,
// AWSOrganizationsV20161128.<Operation>), else S3.
func guessService(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if a := r.Header.Get("Authorization"); a != "" {
		if i := strings.Index(a, "Credential="); i >= 0 {
			cred = a[i+len("Credential="):]
		}
	}
	parts := strings.Split(cred, "/")
	if len(parts) >= 4 {
		switch svc := parts[3]; svc {
		case "sts", "iam", "kms", "organizations":
			return svc
		}
	}
	switch target := r.Header.Get("X-Amz-Target"); {
	case strings.HasPrefix(target, kmsTargetPrefix):
		return "kms"
	case strings.HasPrefix(target, orgTargetPrefix):
		return "organizations"
	}
	return "s3"
}

// errMissingAuthenticationToken is what KMS and Organizations, JSON-protocol services,
// answers a request without a signature: the AWS JSON services' code and
// message, with HTTP 400 as they send it (docs/decisions.md).
func errMissingAuthenticationToken() *apiError {
	return errorf(http.StatusBadRequest, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
}
