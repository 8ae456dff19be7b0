package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// loadBuckets loads every bucket of the data directory.
func (s *Store) loadBuckets(ctx context.Context) error {
	ents, err := os.ReadDir(s.bucketsDir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() || checkBucketName(e.Name()) != nil {
			continue // not ours: leave it alone
		}
		b, err := s.loadBucket(ctx, e.Name())
		if err != nil {
			return err
		}
		s.buckets[b.name] = b
	}
	return nil
}

// loadBucket loads one bucket and recovers it from any crash:
//
//   - an upload that an object was made from (its record says so, and its
//     parts are the object's) was completed before the crash could remove
//     it, and is removed now;
//   - a data file no object or upload part refers to is what an
//     interrupted Put, PutPart, Copy, Delete or Abort left, and is
//     deleted.
//
// Records are written atomically, so one that does not parse, or a data
// file that a record names but that is missing, is corruption, not a
// crash: loadBucket fails rather than drop data silently.
func (s *Store) loadBucket(ctx context.Context, name string) (*bucket, error) {
	dir := filepath.Join(s.bucketsDir, name)
	data, err := os.ReadFile(filepath.Join(dir, bucketFile))
	if err != nil {
		return nil, fmt.Errorf("bucket %q: %w", name, err)
	}
	var meta BucketMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("bucket %q: corrupt %s: %w", name, bucketFile, err)
	}
	b := newBucket(s, name, meta)

	entries, err := b.loadObjects(ctx)
	if err != nil {
		return nil, err
	}
	refs := map[string]bool{}      // blobs named by records
	completed := map[string]bool{} // uploads objects were made from
	for _, e := range entries {
		if head, ok := b.objects.Get(e.meta.Key); ok {
			vs, _ := insertVersion(versionsOf(head), e)
			b.objects.Set(e.meta.Key, headOf(vs))
		} else {
			b.objects.Set(e.meta.Key, e)
		}
		s.noteVersionOrder(e.order)
		if e.data.upload != "" {
			completed[e.data.upload] = true
		}
		for _, seg := range e.data.segs {
			if seg.Blob != "" {
				refs[seg.Blob] = true
			}
		}
	}

	uploads, err := b.loadUploads()
	if err != nil {
		return nil, err
	}
	for _, u := range uploads {
		done := completed[u.id]
		for _, p := range u.parts {
			done = done || refs[p.Blob]
		}
		if done {
			if _, err := s.removeTree(b.uploadDir(u.id)); err != nil {
				return nil, fmt.Errorf("bucket %q: %w", name, err)
			}
			continue
		}
		for _, p := range u.parts {
			if p.Blob != "" {
				refs[p.Blob] = true
			}
		}
		b.uploads[u.id] = u
		if t, err := strconv.ParseUint(u.id[:16], 16, 64); err == nil && int64(t) > s.lastID {
			s.lastID = int64(t)
		}
	}

	if err := b.sweepData(refs); err != nil {
		return nil, err
	}
	return b, nil
}

// loadObjects reads every object record, in parallel over the fan-out
// subdirectories.
func (b *bucket) loadObjects(ctx context.Context) ([]*entry, error) {
	root := filepath.Join(b.dir, objectsDir)
	subs, err := b.subdirsOf(kindObjects)
	if err != nil {
		return nil, err
	}
	results := make([][]*entry, len(subs))
	err = parallel(ctx, len(subs), func(i int) error {
		dir := filepath.Join(root, subs[i])
		ents, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("bucket %q: %w", b.name, err)
		}
		for _, de := range ents {
			if !isRecordName(de.Name(), subs[i]) {
				continue
			}
			e, err := b.loadRecord(filepath.Join(dir, de.Name()), de.Name())
			if err != nil {
				return err
			}
			results[i] = append(results[i], e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []*entry
	for _, r := range results {
		all = append(all, r...)
	}
	return all, nil
}

func (b *bucket) loadRecord(path, name string) (*entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bucket %q: %w", b.name, err)
	}
	var rec objectRecord
	if _, err := parseRecord(data, &rec); err != nil {
		return nil, fmt.Errorf("bucket %q: corrupt object record %s: %w", b.name, path, err)
	}
	e := &entry{meta: rec.Meta, order: rec.Order}
	if rec.Meta.VersionID != "" {
		e.order = rec.Meta.VersionID
	}
	if versionFile(keyName(rec.Meta.Key), e) != name || rec.Meta.VersionID != "" && !IsVersionID(rec.Meta.VersionID) {
		return nil, fmt.Errorf("bucket %q: object record %s holds key %q version %q, which is not its name", b.name, path, rec.Meta.Key, rec.Meta.VersionID)
	}
	d := b.newData(rec.Segments, rec.KCV)
	d.upload = rec.Upload
	d.inline = rec.Inline // the bytes stay on disk: Get reads them
	for _, seg := range d.segs {
		if seg.Blob != "" && !isBlobID(seg.Blob) {
			return nil, fmt.Errorf("bucket %q: object record %s names data file %q", b.name, path, seg.Blob)
		}
	}
	if d.size() != rec.Meta.Size {
		return nil, fmt.Errorf("bucket %q: object record %s: parts add up to %d bytes, not %d", b.name, path, d.size(), rec.Meta.Size)
	}
	e.data = d
	return e, nil
}

// loadUploads reads every upload and its parts.
func (b *bucket) loadUploads() ([]*upload, error) {
	root := filepath.Join(b.dir, uploadsDir)
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("bucket %q: %w", b.name, err)
	}
	var out []*upload
	for _, de := range ents {
		if !isUploadID(de.Name()) {
			continue
		}
		dir := filepath.Join(root, de.Name())
		data, err := os.ReadFile(filepath.Join(dir, uploadFile))
		if err != nil {
			return nil, fmt.Errorf("bucket %q: upload %s: %w", b.name, de.Name(), err)
		}
		var rec uploadRecord
		if err := json.Unmarshal(data, &rec); err != nil || rec.V != recordVersion {
			return nil, fmt.Errorf("bucket %q: corrupt upload record %s (version %d): %v", b.name, dir, rec.V, err)
		}
		u := &upload{id: de.Name(), key: rec.Key, initiator: rec.Initiator, initiated: rec.Initiated,
			meta: rec.Meta, kcv: rec.KCV, parts: map[int]partRecord{}}
		files, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("bucket %q: %w", b.name, err)
		}
		for _, f := range files {
			n, ok := strings.CutPrefix(f.Name(), "part-")
			if !ok || f.Name() != partFile(atoi(strings.TrimSuffix(n, ".json"))) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, f.Name()))
			if err != nil {
				return nil, fmt.Errorf("bucket %q: %w", b.name, err)
			}
			var p partRecord
			if err := json.Unmarshal(data, &p); err != nil || p.V != recordVersion || partFile(p.Number) != f.Name() ||
				p.Blob != "" && !isBlobID(p.Blob) {
				return nil, fmt.Errorf("bucket %q: corrupt part record %s: %v", b.name, filepath.Join(dir, f.Name()), err)
			}
			u.parts[p.Number] = p
		}
		out = append(out, u)
	}
	return out, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// sweepData deletes the data files not in refs and checks that every file
// in refs exists.
func (b *bucket) sweepData(refs map[string]bool) error {
	root := filepath.Join(b.dir, dataDir)
	subs, err := b.subdirsOf(kindData)
	if err != nil {
		return err
	}
	found := 0
	for _, sub := range subs {
		ents, err := os.ReadDir(filepath.Join(root, sub))
		if err != nil {
			return fmt.Errorf("bucket %q: %w", b.name, err)
		}
		for _, de := range ents {
			id := de.Name()
			if !isBlobID(id) || id[:2] != sub {
				continue
			}
			if refs[id] {
				found++
				continue
			}
			if err := removeIfExists(filepath.Join(root, sub, id)); err != nil {
				return fmt.Errorf("bucket %q: remove garbage: %w", b.name, err)
			}
		}
	}
	if found != len(refs) {
		for id := range refs {
			if _, err := os.Stat(b.blobPath(id)); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("bucket %q: data file %s is missing", b.name, b.blobPath(id))
			}
		}
	}
	return nil
}

// subdirsOf lists the fan-out subdirectories of kind that exist, and
// records that they do.
func (b *bucket) subdirsOf(kind int) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(b.dir, kindDir(kind)))
	if err != nil {
		return nil, fmt.Errorf("bucket %q: %w", b.name, err)
	}
	var subs []string
	for _, de := range ents {
		n := de.Name()
		if de.IsDir() && len(n) == 2 && isHexLower(n) {
			subs = append(subs, n)
			b.subdirs[kind][fanout(n)].Store(true)
		}
	}
	return subs, nil
}

func isHexLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isRecordName reports whether name is an object record's file name in
// subdirectory sub: the key's name, for the null version, or the key's
// name, a dot and the version ID (see versionFile).
func isRecordName(name, sub string) bool {
	if len(name) == 64+1+32 && name[64] == '.' {
		if !isHexLower(name[65:]) {
			return false
		}
		name = name[:64]
	}
	return len(name) == 64 && isHexLower(name) && name[:2] == sub
}

// parallel runs fn(0..n-1) on up to GOMAXPROCS goroutines and returns the
// first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if first != nil || next >= n {
			return 0, false
		}
		if err := ctx.Err(); err != nil {
			first = err
			return 0, false
		}
		next++
		return next - 1, true
	}
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i, ok := take(); ok; i, ok = take() {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return first
}
