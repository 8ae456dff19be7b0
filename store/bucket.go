package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// bucket is one open bucket.
type bucket struct {
	s    *Store
	name string
	dir  string

	// live is held shared by every operation that commits into the
	// bucket's directory and exclusively by DeleteBucket, which sets
	// deleted under it.
	live    sync.RWMutex
	deleted atomic.Bool

	updMu sync.Mutex // serializes UpdateBucket

	mu      sync.RWMutex // guards meta, objects and uploads
	meta    BucketMeta
	objects btree[*entry]
	uploads map[string]*upload

	keyLocks [256]sync.Mutex     // by first byte of the key's hash
	subdirs  [2][256]atomic.Bool // which fan-out subdirectories are known to exist
	syncers  [2][256]dirSyncer   // group commit of the fan-out subdirectories
	psyncers [2]dirSyncer        // group commit of objects/ and data/
}

func newBucket(s *Store, name string, meta BucketMeta) *bucket {
	return &bucket{
		s:       s,
		name:    name,
		dir:     filepath.Join(s.bucketsDir, name),
		meta:    meta,
		uploads: map[string]*upload{},
	}
}

// CreateBucket creates an empty bucket with the given metadata; a zero
// meta.Created is set to now. The bucket appears atomically: it is built in
// the temporary directory and renamed into place.
func (s *Store) CreateBucket(ctx context.Context, name string, meta BucketMeta) (err error) {
	defer wrap(&err, "create bucket", name, "")
	if err := s.begin(ctx); err != nil {
		return err
	}
	if err := checkBucketName(name); err != nil {
		return err
	}
	meta = meta.clone()
	if meta.Created.IsZero() {
		meta.Created = s.now()
	}
	meta.Created = meta.Created.UTC()
	data, err := json.Marshal(meta)
	if err != nil {
		return err
	}

	s.ddl.Lock()
	defer s.ddl.Unlock()
	s.mu.RLock()
	_, exists := s.buckets[name]
	s.mu.RUnlock()
	if exists {
		return ErrBucketExists
	}
	tmp := filepath.Join(s.tmpDir, randomID())
	if err := s.buildBucketDir(tmp, data); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(s.bucketsDir, name)); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := s.syncDir(s.bucketsDir); err != nil {
		return err
	}
	s.mu.Lock()
	s.buckets[name] = newBucket(s, name, meta)
	s.mu.Unlock()
	return nil
}

// buildBucketDir lays out an empty bucket in dir, durably.
func (s *Store) buildBucketDir(dir string, meta []byte) error {
	if err := os.Mkdir(dir, dirPerm); err != nil {
		return err
	}
	for _, d := range []string{objectsDir, dataDir, uploadsDir} {
		if err := os.Mkdir(filepath.Join(dir, d), dirPerm); err != nil {
			return err
		}
	}

	if err := s.writeNewFile(filepath.Join(dir, bucketFile), meta); err != nil {
		return err
	}
	return s.syncDir(dir)
}

// GetBucket returns the bucket's metadata.
func (s *Store) GetBucket(ctx context.Context, name string) (_ BucketMeta, err error) {
	defer wrap(&err, "get bucket", name, "")
	if err := s.begin(ctx); err != nil {
		return BucketMeta{}, err
	}
	b, err := s.bucket(name)
	if err != nil {
		return BucketMeta{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.meta.clone(), nil
}

// UpdateBucket changes the bucket's metadata atomically: fn gets a copy of
// the current metadata to change; if it returns an error nothing changes
// and the error is returned (wrapped). Updates of one bucket are
// serialized, so a read-modify-write in fn never loses a concurrent one.
// fn must not call the Store.
func (s *Store) UpdateBucket(ctx context.Context, name string, fn func(*BucketMeta) error) (_ BucketMeta, err error) {
	defer wrap(&err, "update bucket", name, "")
	if err := s.begin(ctx); err != nil {
		return BucketMeta{}, err
	}
	b, err := s.bucket(name)
	if err != nil {
		return BucketMeta{}, err
	}
	b.live.RLock()
	defer b.live.RUnlock()
	if b.deleted.Load() {
		return BucketMeta{}, ErrNoSuchBucket
	}
	b.updMu.Lock()
	defer b.updMu.Unlock()
	b.mu.RLock()
	meta := b.meta.clone()
	b.mu.RUnlock()
	if err := fn(&meta); err != nil {
		return BucketMeta{}, err
	}
	meta = meta.clone() // fn may keep references to what it set
	meta.Created = meta.Created.UTC()
	data, err := json.Marshal(meta)
	if err != nil {
		return BucketMeta{}, err
	}
	if err := s.writeFileAtomic(filepath.Join(b.dir, bucketFile), data); err != nil {
		return BucketMeta{}, err
	}
	b.mu.Lock()
	b.meta = meta
	b.mu.Unlock()
	return meta.clone(), nil
}

// DeleteBucket deletes an empty bucket. It fails with ErrBucketNotEmpty if
// the bucket holds objects or multipart uploads in progress.
func (s *Store) DeleteBucket(ctx context.Context, name string) (err error) {
	defer wrap(&err, "delete bucket", name, "")
	if err := s.begin(ctx); err != nil {
		return err
	}
	s.ddl.Lock()
	defer s.ddl.Unlock()
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	// Wait for the commits in flight; later ones see deleted.
	b.live.Lock()
	defer b.live.Unlock()
	b.mu.RLock()
	n, u := b.objects.Len(), len(b.uploads)
	b.mu.RUnlock()
	if n > 0 || u > 0 {
		return fmt.Errorf("%w: %d objects, %d uploads", ErrBucketNotEmpty, n, u)
	}
	b.deleted.Store(true) // before the directory goes, for fsError
	gone, err := s.removeTree(b.dir)
	if !gone {
		b.deleted.Store(false)
		return err
	}
	s.mu.Lock()
	delete(s.buckets, name)
	s.mu.Unlock()
	return err
}

// ListBuckets returns every bucket, sorted by name.
func (s *Store) ListBuckets(ctx context.Context) (_ []Bucket, err error) {
	defer wrap(&err, "list buckets", "", "")
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	bs := make([]*bucket, 0, len(s.buckets))
	for _, b := range s.buckets {
		bs = append(bs, b)
	}
	s.mu.RUnlock()
	slices.SortFunc(bs, func(x, y *bucket) int { return strings.Compare(x.name, y.name) })
	out := make([]Bucket, len(bs))
	for i, b := range bs {
		b.mu.RLock()
		out[i] = Bucket{Name: b.name, Meta: b.meta.clone()}
		b.mu.RUnlock()
	}
	return out, nil
}
