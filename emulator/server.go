package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/lockstep-dev/lockstep/enforce"
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
