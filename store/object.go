package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// keyChange is one change of a key's versions: put writes the record of
// a version, replacing the record of the version of the same ID if there
// is one; del removes the record of a version of the key. The zero
// keyChange changes nothing.
type keyChange struct {
	put, del *entry
}

// mutate is the one way the versions of a key change. Under the key's
// lock it calls fn with the key's latest version (nil if none; it holds
// the others, see versions.go); fn returns the change. mutate then
// commits it: it writes the record to a temporary file, flushes it,
// renames it over the old record of that version (the commit point), or
// removes the record, updates the index and makes the change durable.
// Because the rename and the index update happen under the same lock,
// concurrent writers of one key leave the disk and the index agreeing on
// the last one.
//
// mutate returns the version the change replaced or removed, and whether
// it committed; an error with committed true means the change is visible
// but its durability could not be ensured. On commit the index takes over
// the caller's reference to put.data and mutate releases the index's
// reference to the data of the version dropped (unless put shares it);
// otherwise the caller still owns its reference.
func (b *bucket) mutate(key string, fn func(cur *entry) (keyChange, error)) (dropped *entry, committed bool, err error) {
	b.live.RLock()
	defer b.live.RUnlock()
	if b.deleted.Load() {
		return nil, false, ErrNoSuchBucket
	}
	name := keyName(key)
	ch, dropped, err := b.commitLocked(key, name, fn)
	if err != nil || ch == (keyChange{}) {
		return nil, false, err
	}
	// The rename (or removal) is done and visible; make it durable. This
	// is outside the key's lock, so that the writers of a subdirectory
	// share one fsync of it.
	err = b.syncSubdir(kindObjects, name)
	if dropped != nil && (ch.put == nil || ch.put.data != dropped.data) {
		// The old version's blobs go only once the change that dropped
		// them is durable: otherwise a crash could bring back a record
		// naming deleted blobs. If that is unknown, they stay, for the
		// next Open to sweep.
		if err == nil {
			dropped.data.release()
		}
	}
	return dropped, true, err
}

// commitLocked is mutate's part under the key's lock: it calls fn,
// renames the new record into place (or removes the record) and updates
// the index. It returns the zero keyChange and no error if there was
// nothing to do.
func (b *bucket) commitLocked(key, name string, fn func(cur *entry) (keyChange, error)) (ch keyChange, dropped *entry, err error) {
	kl := &b.keyLocks[fanout(name)]
	kl.Lock()
	defer kl.Unlock()

	b.mu.RLock()
	cur, _ := b.objects.Get(key)
	b.mu.RUnlock()
	if ch, err = fn(cur); err != nil || ch == (keyChange{}) {
		return keyChange{}, nil, err
	}
	if ch.del != nil {
		if err := removeIfExists(b.recordPath(versionFile(name, ch.del))); err != nil {
			return keyChange{}, nil, err
		}
		b.setHead(key, headOf(slices.DeleteFunc(versionsOf(cur), func(v *entry) bool { return v == ch.del })))
		return ch, ch.del, nil
	}
	next := ch.put
	head := next
	if cur != nil && (len(cur.older) > 0 || cur.meta.VersionID != next.meta.VersionID) {
		var vs []*entry
		vs, dropped = insertVersion(versionsOf(cur), next)
		head = headOf(vs)
	} else {
		dropped = cur // the key's one version, replaced (an unversioned bucket's case)
	}
	var payload []byte
	if d := next.data; d.inline != "" {
		payload = d.pending
		if payload == nil && d.size() > 0 {
			// An update of the metadata of inline data: the bytes are in
			// the record of the version it updates.
			if dropped == nil || dropped.data != d {
				return keyChange{}, nil, errors.New("inline data without its bytes") // cannot happen
			}
			if payload, err = b.readInline(versionFile(name, dropped), d); err != nil {
				return keyChange{}, nil, err
			}
		}
	}
	data, err := encodeRecord(next, payload)
	if err != nil {
		return keyChange{}, nil, err
	}
	if err := b.ensureSubdir(kindObjects, name); err != nil {
		return keyChange{}, nil, err
	}
	tmp, err := b.s.writeTemp(data)
	if err != nil {
		return keyChange{}, nil, err
	}
	b.s.at("record-written")
	if err := os.Rename(tmp, b.recordPath(versionFile(name, next))); err != nil {
		os.Remove(tmp)
		return keyChange{}, nil, b.fsError(err)
	}
	next.data.pending = nil // on disk now, and read from there
	b.setHead(key, head)
	b.s.at("record-renamed")
	return ch, dropped, nil
}

// setHead makes head (holding the older versions) the latest version of
// key in the index; nil removes the key.
func (b *bucket) setHead(key string, head *entry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if head != nil {
		b.objects.Set(key, head)
	} else {
		b.objects.Delete(key)
	}
}

// commitNew commits a new version of key made of data, if pre holds for
// the current object, and returns its metadata. The version's ID follows
// the bucket's versioning state, or is vid when not "" (see stamp). It
// takes over the caller's reference to data.
func (b *bucket) commitNew(ctx context.Context, key string, meta ObjectMeta, data *objData, pre Precondition, vid string) (ObjectMeta, error) {
	if err := ctx.Err(); err != nil {
		data.release()
		return ObjectMeta{}, err
	}
	if meta.LastModified.IsZero() {
		meta.LastModified = b.s.now()
	}
	meta.LastModified = meta.LastModified.UTC()
	meta.DeleteMarker = false
	e := &entry{meta: meta, data: data}
	_, committed, err := b.mutate(key, func(cur *entry) (keyChange, error) {
		if err := pre.check(visible(cur)); err != nil {
			return keyChange{}, err
		}
		if err := b.stamp(e, vid); err != nil {
			return keyChange{}, err
		}
		return keyChange{put: e}, nil
	})
	if !committed {
		data.release()
		return ObjectMeta{}, err
	}
	return e.meta.clone(), err
}

// Put stores the object key in bucket with the data read from r, replacing
// any object of that key, and returns its metadata. The body is streamed
// to disk, encrypted with c when c is not nil; Put computes Size and ETag
// (the MD5 of the plaintext) and sets LastModified to now when meta has
// none. Of meta, Key, Size, ETag, PartsCount and PartSizes are ignored.
//
// The object appears atomically when Put succeeds. If r returns an error
// (or ctx ends) before io.EOF, nothing is committed and the error is
// returned wrapped; so a caller verifying a checksum can fail the upload
// by returning an error from r at the end. When r is a ChecksummedBody,
// its checksums replace meta.Checksums.
func (s *Store) Put(ctx context.Context, bucket, key string, r io.Reader, meta ObjectMeta, c *Cipher) (ObjectMeta, error) {
	return s.put(ctx, bucket, key, r, meta, c, Precondition{}, "")
}

// PutVersion is Put that stores the object as version versionID of key
// rather than under a new ID, as S3 Replication stores a replica with
// its source's version ID: it takes its place among the key's versions
// by that ID (the latest only if it is the newest), and replaces the
// version of that ID if there is one. The bucket's versioning must be
// enabled, and versionID one the store gave (IsVersionID, not
// NullVersion); otherwise it fails with ErrInvalidVersionID.
func (s *Store) PutVersion(ctx context.Context, bucket, key, versionID string, r io.Reader, meta ObjectMeta, c *Cipher) (ObjectMeta, error) {
	if versionID == "" {
		return ObjectMeta{}, &Error{Op: "put", Bucket: bucket, Key: key, Err: fmt.Errorf("%w: no version ID", ErrInvalidVersionID)}
	}
	return s.put(ctx, bucket, key, r, meta, c, Precondition{}, versionID)
}

func (s *Store) put(ctx context.Context, bucket, key string, r io.Reader, meta ObjectMeta, c *Cipher, pre Precondition, vid string) (_ ObjectMeta, err error) {
	defer wrap(&err, "put", bucket, key)
	if err := s.begin(ctx); err != nil {
		return ObjectMeta{}, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return ObjectMeta{}, err
	}
	if err := checkKey(key); err != nil {
		return ObjectMeta{}, err
	}
	cs, err := c.prepare()
	if err != nil {
		return ObjectMeta{}, err
	}
	w, err := b.writeBlob(ctx, r, cs, true)
	if err != nil {
		return ObjectMeta{}, err
	}
	meta = meta.clone()
	meta.Key = key
	meta.Size = w.seg.Size
	if meta.ETag, err = w.etag(cs); err != nil {
		return ObjectMeta{}, err
	}
	meta.PartsCount, meta.PartSizes = 0, nil
	if sums := bodyChecksums(r); sums != nil {
		meta.Checksums = sums
	}
	return b.commitNew(ctx, key, meta, b.writtenData(w, cs), pre, vid)
}

// lookup returns version vid of key ("" for the current one) holding a
// reference to its data, which the caller releases.
func (b *bucket) lookup(key, vid string) (*entry, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	head, _ := b.objects.Get(key)
	e, err := resolveVersion(head, vid)
	if err != nil {
		return nil, err
	}
	e.data.acquire()
	return e, nil
}

// current returns version vid of key ("" for the current one), for its
// metadata only.
func (b *bucket) current(key, vid string) (*entry, error) {
	b.mu.RLock()
	head, _ := b.objects.Get(key)
	b.mu.RUnlock()
	return resolveVersion(head, vid)
}

// object returns the bucket, after the checks common to the object
// methods.
func (s *Store) object(ctx context.Context, bucket, key string) (*bucket, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	return b, checkKey(key)
}

// Get opens the object for reading. The reader returns the plaintext,
// decrypted with c, and supports Seek and ReadAt, so ranges cost only what
// they read. It reads the version current when Get returned, even if the
// object is overwritten or deleted meanwhile; Close it to let that
// version's files go. If the object is encrypted and c is nil or another
// key, or c is given for an object stored in the clear, Get fails with
// ErrWrongKey.
func (s *Store) Get(ctx context.Context, bucket, key string, c *Cipher) (ObjectMeta, *ObjectReader, error) {
	return s.GetVersion(ctx, bucket, key, "", c)
}

// GetVersion is Get of version versionID of the object ("" for the
// current one, NullVersion for the null one). It fails with ErrNoSuchKey
// when there is no current version, ErrNoSuchVersion when no version has
// the ID, and a *DeleteMarkerError when the version is a delete marker.
func (s *Store) GetVersion(ctx context.Context, bucket, key, versionID string, c *Cipher) (_ ObjectMeta, _ *ObjectReader, err error) {
	defer wrap(&err, "get", bucket, key)
	b, err := s.object(ctx, bucket, key)
	if err != nil {
		return ObjectMeta{}, nil, err
	}
	cs, err := c.prepare()
	if err != nil {
		return ObjectMeta{}, nil, err
	}
	e, inline, err := b.lookupData(key, versionID)
	if err != nil {
		return ObjectMeta{}, nil, err
	}
	if err := cs.checkKey(e.data.kcv); err != nil {
		e.data.release()
		return ObjectMeta{}, nil, err
	}
	return e.meta.clone(), newObjectReader(e.data, inline, cs), nil
}

// Head returns the object's metadata.
func (s *Store) Head(ctx context.Context, bucket, key string) (ObjectMeta, error) {
	return s.HeadVersion(ctx, bucket, key, "")
}

// HeadVersion returns the metadata of version versionID of the object,
// with GetVersion's errors.
func (s *Store) HeadVersion(ctx context.Context, bucket, key, versionID string) (_ ObjectMeta, err error) {
	defer wrap(&err, "head", bucket, key)
	b, err := s.object(ctx, bucket, key)
	if err != nil {
		return ObjectMeta{}, err
	}
	e, err := b.current(key, versionID)
	if err != nil {
		return ObjectMeta{}, err
	}
	return e.meta.clone(), nil
}

// Encrypted reports whether the object's data is stored encrypted (by a
// Cipher), which tells the caller whether Get needs one.
func (s *Store) Encrypted(ctx context.Context, bucket, key string) (_ bool, err error) {
	defer wrap(&err, "head", bucket, key)
	b, err := s.object(ctx, bucket, key)
	if err != nil {
		return false, err
	}
	e, err := b.current(key, "")
	if err != nil {
		return false, err
	}
	return e.data.kcv != nil, nil
}

// UpdateObject changes an object's metadata (tags, ACL, user metadata,
// ...) without rewriting its data: fn gets a copy of the current metadata
// to change, and the new metadata is committed atomically. fn runs under
// the key's lock, so updates and writes of one key never interleave; it
// must not call the Store. fn may not change Key, Size, ETag, PartsCount
// or PartSizes, which describe the data. If fn returns an error nothing
// changes and the error is returned wrapped.
func (s *Store) UpdateObject(ctx context.Context, bucket, key string, fn func(*ObjectMeta) error) (ObjectMeta, error) {
	return s.UpdateVersion(ctx, bucket, key, "", fn)
}

// UpdateVersion is UpdateObject of version versionID ("" for the current
// one, NullVersion for the null one), with GetVersion's errors. It makes
// no new version: the version keeps its ID and its place among the key's
// versions, so a caller can keep per-version state (a replication status)
// in its metadata. fn may not change VersionID or DeleteMarker either.
func (s *Store) UpdateVersion(ctx context.Context, bucket, key, versionID string, fn func(*ObjectMeta) error) (_ ObjectMeta, err error) {
	defer wrap(&err, "update", bucket, key)
	b, err := s.object(ctx, bucket, key)
	if err != nil {
		return ObjectMeta{}, err
	}
	var next *entry
	_, committed, err := b.mutate(key, func(head *entry) (keyChange, error) {
		cur, err := resolveVersion(head, versionID)
		if err != nil {
			return keyChange{}, err
		}
		m := cur.meta.clone()
		if err := fn(&m); err != nil {
			return keyChange{}, err
		}
		if m.Key != cur.meta.Key || m.Size != cur.meta.Size || m.ETag != cur.meta.ETag ||
			m.PartsCount != cur.meta.PartsCount || !slices.Equal(m.PartSizes, cur.meta.PartSizes) ||
			m.VersionID != cur.meta.VersionID || m.DeleteMarker != cur.meta.DeleteMarker {
			return keyChange{}, errors.New("an update cannot change Key, Size, ETag, PartsCount, PartSizes, VersionID or DeleteMarker")
		}
		m = m.clone() // fn may keep references to what it set
		m.LastModified = m.LastModified.UTC()
		next = &entry{meta: m, data: cur.data, order: cur.order}
		return keyChange{put: next}, nil
	})
	if !committed {
		return ObjectMeta{}, err
	}
	return next.meta.clone(), err
}

// Delete deletes the object as DeleteObject without a version ID does,
// and reports whether a version was removed. Deleting a missing key is
// not an error, as in S3. Readers that have the object open keep reading
// it.
func (s *Store) Delete(ctx context.Context, bucket, key string) (bool, error) {
	res, err := s.DeleteObject(ctx, bucket, key, DeleteOptions{})
	return res.Removed, err
}

// Copy copies srcKey of srcBucket to dstKey of dstBucket, with meta as the
// new object's metadata (Copy fills Key, Size, ETag, LastModified when
// zero, and clears PartsCount and PartSizes: the copy is one piece, and
// its ETag is the MD5 of its plaintext). srcCipher decrypts the source and
// dstCipher encrypts the copy. Copying a key onto itself is allowed (to
// change its metadata or encryption). Errors about the source say so; the
// *Error names the destination.
//
// When the source is not a multipart object nor stored inline (see
// defaultInlineMax) and both sides use the same key (or none), the copy
// shares the source's stored bytes through a hard link and reads nothing;
// otherwise it streams, checking ctx between chunks. Either way it commits atomically, like Put.
func (s *Store) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta ObjectMeta, srcCipher, dstCipher *Cipher) (ObjectMeta, error) {
	return s.CopyIf(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, srcCipher, dstCipher, Precondition{})
}

// CopyIf is Copy with a precondition on the destination object it
// replaces, checked before the copy and again, atomically, at the commit
// (see Precondition).
func (s *Store) CopyIf(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta ObjectMeta, srcCipher, dstCipher *Cipher, pre Precondition) (ObjectMeta, error) {
	return s.CopyVersion(ctx, CopySource{Bucket: srcBucket, Key: srcKey, Cipher: srcCipher}, dstBucket, dstKey, meta, dstCipher, pre)
}

// CopySource is the source of CopyVersion: a version of an object
// (VersionID "" for the current one) and the Cipher that decrypts it.
type CopySource struct {
	Bucket, Key, VersionID string
	Cipher                 *Cipher
}

// CopyVersion is CopyIf from version src.VersionID of the source, with
// GetVersion's errors about it.
func (s *Store) CopyVersion(ctx context.Context, src CopySource, dstBucket, dstKey string, meta ObjectMeta, dstCipher *Cipher, pre Precondition) (_ ObjectMeta, err error) {
	defer wrap(&err, "copy", dstBucket, dstKey)
	srcBucket, srcKey := src.Bucket, src.Key
	db, err := s.object(ctx, dstBucket, dstKey)
	if err != nil {
		return ObjectMeta{}, err
	}
	if pre != (Precondition{}) {
		cur, _ := db.current(dstKey, "")
		if err := pre.check(cur); err != nil {
			return ObjectMeta{}, err
		}
	}
	sb, err := s.object(ctx, srcBucket, srcKey)
	if err != nil {
		return ObjectMeta{}, fmt.Errorf("source %q: %w", srcBucket+"/"+srcKey, err)
	}
	scs, err := src.Cipher.prepare()
	if err != nil {
		return ObjectMeta{}, fmt.Errorf("source: %w", err)
	}
	dcs, err := dstCipher.prepare()
	if err != nil {
		return ObjectMeta{}, err
	}
	from, inline, err := sb.lookupData(srcKey, src.VersionID)
	if err != nil {
		return ObjectMeta{}, fmt.Errorf("source %q: %w", srcBucket+"/"+srcKey, err)
	}
	defer from.data.release()
	if err := scs.checkKey(from.data.kcv); err != nil {
		return ObjectMeta{}, fmt.Errorf("source %q: %w", srcBucket+"/"+srcKey, err)
	}

	meta = meta.clone()
	meta.Key = dstKey
	meta.PartsCount, meta.PartSizes = 0, nil
	var data *objData
	if from.meta.PartsCount == 0 && from.data.inline == "" && bytes.Equal(scs.checkValue(), dcs.checkValue()) {
		data = db.linkData(from.data)
		meta.Size, meta.ETag = from.meta.Size, from.meta.ETag
	}
	if data == nil {
		from.data.acquire() // the reader's own reference
		r := newObjectReader(from.data, inline, scs)
		w, err := db.writeBlob(ctx, r, dcs, true)
		r.Close()
		if err != nil {
			return ObjectMeta{}, err
		}
		meta.Size = w.seg.Size
		if meta.ETag, err = w.etag(dcs); err != nil {
			return ObjectMeta{}, err
		}
		data = db.writtenData(w, dcs)
	}
	return db.commitNew(ctx, dstKey, meta, data, pre, "")
}

// linkData makes new names for the files of src in bucket b (hard links:
// the bytes are shared, the names independent) and returns data owning
// them, or nil if the file system cannot link.
func (b *bucket) linkData(src *objData) *objData {
	segs := slices.Clone(src.segs)
	undo := func(n int) *objData {
		for _, s := range segs[:n] {
			if s.Blob != "" {
				os.Remove(b.blobPath(s.Blob))
			}
		}
		return nil
	}
	dirs := map[string]bool{}
	for i := range segs {
		if segs[i].Blob == "" {
			continue
		}
		id := randomID()
		if err := b.ensureSubdir(kindData, id); err != nil {
			return undo(i)
		}
		if err := os.Link(src.b.blobPath(segs[i].Blob), b.blobPath(id)); err != nil {
			return undo(i)
		}
		segs[i].Blob = id
		dirs[filepath.Dir(b.blobPath(id))] = true
	}
	for d := range dirs {
		if err := b.s.syncDir(d); err != nil {
			return undo(len(segs))
		}
	}
	return b.newData(segs, src.kcv)
}

// writtenData returns the data writeBlob wrote, holding one reference.
func (b *bucket) writtenData(w blobWrite, cs *cipherState) *objData {
	d := b.newData(w.segments(), cs.checkValue())
	if w.inline != nil {
		d.inline = randomID()
		d.pending = w.inline
	}
	return d
}

// segments returns the segment list of a single-file object.
func (w blobWrite) segments() []segment {
	if w.seg.Blob == "" && w.inline == nil {
		return nil
	}
	return []segment{w.seg}
}

// checkValue returns the key check value to record, nil for no cipher.
func (cs *cipherState) checkValue() []byte {
	if cs == nil {
		return nil
	}
	return cs.kcv
}
