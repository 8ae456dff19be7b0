package emulator

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/sigv4"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

// Options configure a Server.
type Options struct {
	// Addr is the address to listen on; "127.0.0.1:0" picks a free port.
	// Empty: 127.0.0.1:9000.
	Addr string
	// DataDir holds buckets, objects and key material. Empty: a fresh
	// temporary directory, removed by Close.
	DataDir string
	// World is the account model; nil: the built-in demo world
	// (DemoWorld). WorldFile names it in messages.
	World     *world.Model
	WorldFile string
	// Audit receives one CloudTrail-format JSON record per line for each
	// request and each KMS call S3 made for it; nil: no audit log.
	Audit io.Writer
	// Now is the clock; nil: time.Now. Tests move it to check expiry and
	// skew.
	Now func() time.Time
	// NoSync turns off fsync of committed objects (benchmarks only).
	NoSync bool
	// MinPartSize is the smallest size of a multipart part other than the
	// last; 0: 5 MiB as on AWS.
	MinPartSize int64
	// BodyIdleTimeout is how long a request body may send nothing before
	// the request fails with 400 RequestTimeout, as S3 answers a stalled
	// upload; 0: S3's 20 seconds.
	BodyIdleTimeout time.Duration
	// ErrorLog receives internal errors; nil: standard error.
	ErrorLog io.Writer
	// OnChecks, when set, is called after each request with its
	// operation and every authorization check made for it, each with the
	// request (and its context) that was decided, and after each step S3
	// Replication makes, with the step's action without its prefix
	// (docs/emulator.md "Replication"). It must not keep or
	// change the checks' requests.
	OnChecks func(operation string, checks []enforce.Check)
	// TLS, when set, makes Start serve HTTPS only (docs/emulator.md
	// "HTTPS"); nil: plain HTTP.
	TLS *TLSOptions
}

// Server is a running emulator: an S3 endpoint that also serves the STS,
// IAM and KMS calls of the scenarios, dispatched by the SigV4 credential
// scope's service name.
type Server struct {
	opts     Options
	state    *state
	store    *store.Store
	keys     *keyring
	verifier *sigv4.Verifier
	audit    *auditLog
	now      func() time.Time
	region   string
	tempDir  string // removed by Close
	tls      *serverTLS
	// bodyBuffers holds 1 MiB buffers for large object bodies.
	bodyBuffers sync.Pool

	listener net.Listener
	http     *http.Server
	done     chan struct{}
	closeMu  sync.Mutex
	closed   bool

	// busy counts the requests being served, up to their audit record;
	// idle is signalled when it drops to zero (Idle).
	busyMu sync.Mutex
	busy   int
	idle   *sync.Cond

	// jobs are the S3 Batch Operations jobs, run until Close.
	jobs *batchJobs
	// repl is the S3 Replication worker and its queue, run until Close.
	repl *replicator
}

// New opens the data directory, loads the world and seeds its buckets.
// It does not listen: call Start, or use the Server as an http.Handler.
func New(ctx context.Context, opts Options) (*Server, error) {
	s := &Server{opts: opts, now: opts.Now, jobs: newBatchJobs(), repl: newReplicator()}
	s.bodyBuffers.New = func() any { b := make([]byte, 1<<20); return &b }
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	dir := opts.DataDir
	m, file := opts.World, opts.WorldFile
	if m == nil && dir != "" {
		// A data directory remembers the world it was served with,
		// including the users, roles, keys and policies made through the
		// IAM and KMS APIs.
		if m, err = loadSavedWorld(dir); err != nil {
			return nil, err
		}
		file = savedWorldName(dir)
	}
	if m == nil {
		if m, err = DemoWorld(); err != nil {
			return nil, err
		}
		file = "built-in demo world"
	}
	st, err := newState(m, file)
	if err != nil {
		return nil, err
	}
	s.state = st
	s.region = st.world().Region

	if dir == "" {
		if dir, err = os.MkdirTemp("", "lockstep-data-"); err != nil {
			return nil, fmt.Errorf("emulator: data directory: %w", err)
		}
		s.tempDir = dir
	}
	minPart := opts.MinPartSize
	if minPart == 0 {
		minPart = 5 << 20
	}
	if s.store, err = store.Open(ctx, dir, store.Options{NoSync: opts.NoSync, MinPartSize: minPart}); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if s.keys, err = openKeyring(dir); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if err := s.syncBuckets(ctx); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if err := saveWorld(dir, st.snapshot()); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	st.onChange = func(m *world.Model) {
		if err := saveWorld(dir, m); err != nil {
			fmt.Fprintf(s.errorLog(), "lockstep serve: %v\n", err)
		}
	}
	if opts.TLS != nil {
		if s.tls, err = newServerTLS(dir, opts.TLS, bucketHosts(st.world()), s.now()); err != nil {
			s.cleanup()
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	s.verifier = &sigv4.Verifier{Lookup: st.credentials, Now: s.now, TokenExpiry: st.tokenExpiry}
	s.audit = newAuditLog(opts.Audit)
	s.startReplication()
	return s, nil
}

// Start listens on Options.Addr and serves in the background until Close.
func (s *Server) Start() error {
	addr := s.opts.Addr
	if addr == "" {
		addr = "127.0.0.1:9000"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator: listen: %w", err)
	}
	if s.tls != nil {
		ln = tls.NewListener(ln, s.tls.config)
	}
	s.listener = ln
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// TLS handshake failures (a client that does not trust the
		// CA) and connection errors go to the error log.
		ErrorLog: log.New(s.errorLog(), "lockstep serve: ", 0),
	}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(s.errorLog(), "lockstep serve: %v\n", err)
		}
	}()
	return nil
}

// Endpoint is the URL to give clients, e.g. http://127.0.0.1:9000, or
// https://127.0.0.1:9000 with Options.TLS.
func (s *Server) Endpoint() string {
	if s.listener == nil {
		return ""
	}
	if s.tls != nil {
		return "https://" + s.listener.Addr().String()
	}
	return "http://" + s.listener.Addr().String()
}

// enter and leave count a request being served.
func (s *Server) enter() {
	s.busyMu.Lock()
	s.busy++
	s.busyMu.Unlock()
}

func (s *Server) leave() {
	s.busyMu.Lock()
	s.busy--
	if s.busy == 0 && s.idle != nil {
		s.idle.Broadcast()
	}
	s.busyMu.Unlock()
}

// Idle waits until no request is being served, its audit record and
// OnChecks call included, and then until the versions those requests
// queued for replication are replicated (WaitReplication). A client that
// has exited has had every answer, but the server may still be writing
// the audit record of its last call or replicating what it wrote: Idle
// is how a test or a proof knows the audit log and the replicas are
// complete, without waiting a guessed time. It returns early with ctx's
// error.
func (s *Server) Idle(ctx context.Context) error {
	if err := s.idleRequests(ctx); err != nil {
		return err
	}
	return s.WaitReplication(ctx)
}

// idleRequests waits until no request is being served.
func (s *Server) idleRequests(ctx context.Context) error {
	s.busyMu.Lock()
	if s.idle == nil {
		s.idle = sync.NewCond(&s.busyMu)
	}
	stop := context.AfterFunc(ctx, func() {
		s.busyMu.Lock()
		s.idle.Broadcast()
		s.busyMu.Unlock()
	})
	defer stop()
	for s.busy > 0 && ctx.Err() == nil {
		s.idle.Wait()
	}
	s.busyMu.Unlock()
	return ctx.Err()
}

// Region is the region of the world.
func (s *Server) Region() string { return s.region }

// World returns the current compiled world.
func (s *Server) World() *world.World { return s.state.world() }

// Close stops serving, waits up to 10 s for the requests being served
// (none: it closes the connections at once), and closes the store. A
// temporary data directory is removed.
func (s *Server) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	// Running jobs stop first: they serve their calls through the
	// handler and the store.
	s.jobs.close()
	s.repl.close()
	var err error
	if s.http != nil {
		s.busyMu.Lock()
		idle := s.busy == 0
		s.busyMu.Unlock()
		if idle {
			// No request is being served: nothing to wait for. Shutdown
			// would poll connections a client left open for up to half
			// a second each.
			err = s.http.Close()
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = s.http.Shutdown(ctx)
			cancel()
		}
		<-s.done
	}
	s.cleanup()
	return err
}

func (s *Server) cleanup() {
	if s.store != nil {
		s.store.Close()
	}
	if s.tempDir != "" {
		os.RemoveAll(s.tempDir)
	}
}

func (s *Server) errorLog() io.Writer {
	if s.opts.ErrorLog != nil {
		return s.opts.ErrorLog
	}
	return os.Stderr
}

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

// ReplaceWorld serves a new world from now on: its accounts, users,
// roles, keys and bucket configuration replace the current ones. Buckets
// it names are created and seeded when missing; objects already stored
// are kept. Sessions already issued stay valid while their role exists.
func (s *Server) ReplaceWorld(ctx context.Context, m *world.Model, file string) error {
	if err := s.state.replace(m, file); err != nil {
		return err
	}
	return s.syncBuckets(ctx)
}

// SessionCredentials issues temporary credentials for a session of a
// role of the world without an sts:AssumeRole call: what an EC2 instance
// profile or another AWS service hands a program. The seeds ran on EC2
// instances with roles; tests use this to run clients as those roles.
func (s *Server) SessionCredentials(roleARN, sessionName string, ttl time.Duration) (accessKeyID, secret, token string, err error) {
	if s.state.world().Role(roleARN) == nil {
		return "", "", "", fmt.Errorf("no role %s in the world", roleARN)
	}
	ss := s.state.addSession(roleARN, sessionName, nil, ttl, s.now())
	return ss.AccessKeyID, ss.Secret, ss.Token, nil
}
