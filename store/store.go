package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Options tunes a Store. The zero value is the durable default.
type Options struct {
	// NoSync skips every fsync. Writes are still atomic with respect to
	// other processes and to a crash of this one, but an operating-system
	// crash or power loss may lose or tear recent writes. For benchmarks
	// and throwaway stores only.
	NoSync bool
	// MinPartSize is the smallest size Complete accepts for a part other
	// than the last; 0 means S3's 5 MiB.
	MinPartSize int64
	// Now is the clock for LastModified, Initiated and Created; nil means
	// time.Now.
	Now func() time.Time
}

// DefaultMinPartSize is S3's minimum size of a part other than the last.
const DefaultMinPartSize = 5 << 20

const (
	formatFile    = "FORMAT"
	formatVersion = "lockstep-store 1\n"
	lockFileName  = "LOCK"
	bucketsDir    = "buckets"
	tmpDirName    = "tmp"
)

// Store is an open data directory. It is safe for concurrent use.
type Store struct {
	dir        string
	bucketsDir string
	tmpDir     string
	opts       Options
	lock       *os.File
	closed     atomic.Bool
	chunks     chunkPool // buffers of copyBufSize, aligned for direct I/O
	inlineMax  int       // see defaultInlineMax; tests change it

	ddl     sync.Mutex // serializes CreateBucket and DeleteBucket
	mu      sync.RWMutex
	buckets map[string]*bucket

	idMu   sync.Mutex
	lastID int64 // the time prefix of the last upload ID handed out
	// lastVersion is the time stamp of the last version ID handed out.
	lastVersion int64

	// hook, when set by a test, is called at named points of the write
	// paths so that a test can kill the process at a chosen moment.
	hook func(point string)
}

// Open opens the store in directory dir, creating it if needed, and
// recovers from any crash: it deletes the temporary files and unreferenced
// data that interrupted writes leave behind and rebuilds the in-memory
// index from the committed records. Only one Store (in one process) may
// have a directory open at a time; Open fails if another holds it.
func Open(ctx context.Context, dir string, opts Options) (_ *Store, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: open %s: %w", dir, err)
		}
	}()
	if opts.MinPartSize <= 0 {
		opts.MinPartSize = DefaultMinPartSize
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, dirPerm); err != nil {
		return nil, err
	}
	s := &Store{
		dir:        abs,
		bucketsDir: filepath.Join(abs, bucketsDir),
		tmpDir:     filepath.Join(abs, tmpDirName),
		opts:       opts,
		buckets:    map[string]*bucket{},
		inlineMax:  defaultInlineMax,
	}
	lock, err := os.OpenFile(filepath.Join(abs, lockFileName), os.O_RDWR|os.O_CREATE, filePerm)
	if err != nil {
		return nil, err
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, err
	}
	s.lock = lock
	if err := s.init(ctx); err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

// init checks or writes the format marker, empties the temporary
// directory and loads every bucket.
func (s *Store) init(ctx context.Context) error {
	switch data, err := os.ReadFile(filepath.Join(s.dir, formatFile)); {
	case err == nil:
		if string(data) != formatVersion {
			return fmt.Errorf("unknown format %q", data)
		}
	case errors.Is(err, fs.ErrNotExist):
		ents, err := os.ReadDir(s.dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if e.Name() != lockFileName && e.Name() != tmpDirName {
				return fmt.Errorf("directory is not empty and not a store (it has no %s)", formatFile)
			}
		}
		if err := os.MkdirAll(s.tmpDir, dirPerm); err != nil {
			return err
		}
		// The marker comes first: a directory without it holds no data.
		if err := s.writeFileAtomic(filepath.Join(s.dir, formatFile), []byte(formatVersion)); err != nil {
			return err
		}
	default:
		return err
	}
	if err := os.RemoveAll(s.tmpDir); err != nil {
		return fmt.Errorf("clean temporary files: %w", err)
	}
	if err := os.Mkdir(s.tmpDir, dirPerm); err != nil {
		return err
	}
	if err := os.MkdirAll(s.bucketsDir, dirPerm); err != nil {
		return err
	}
	return s.loadBuckets(ctx)
}

// Close releases the data directory, for another Store to open. Call it
// once the operations in flight have returned. Readers opened by Get stay
// readable; every other method returns ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	return s.lock.Close()
}

// Dir returns the absolute path of the data directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) now() time.Time { return s.opts.Now().UTC() }

func (s *Store) at(point string) {
	if s.hook != nil {
		s.hook(point)
	}
}

// bucket returns the open bucket called name. Its errors, like those of
// every internal helper, are unwrapped: the exported methods wrap them in
// an *Error.
func (s *Store) bucket(name string) (*bucket, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	s.mu.RLock()
	b := s.buckets[name]
	s.mu.RUnlock()
	if b == nil {
		if err := checkBucketName(name); err != nil {
			return nil, err
		}
		return nil, ErrNoSuchBucket
	}
	return b, nil
}

// begin checks the context and that the store is open.
func (s *Store) begin(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}
