package store

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// MaxPartNumber is the greatest part number S3 accepts.
const MaxPartNumber = 10000

// upload is one multipart upload in progress.
type upload struct {
	id        string
	key       string
	initiator string
	initiated time.Time
	meta      ObjectMeta
	kcv       []byte

	mu    sync.Mutex
	done  bool // completed or aborted
	parts map[int]partRecord
}

// uploadRecord is the file uploads/<id>/upload.json.
type uploadRecord struct {
	V         int        `json:"v"`
	Key       string     `json:"key"`
	Initiator string     `json:"initiator,omitempty"`
	Initiated time.Time  `json:"initiated"`
	Meta      ObjectMeta `json:"meta"`
	KCV       []byte     `json:"kcv,omitempty"`
}

// partRecord is the file uploads/<id>/part-NNNNN.json. Its blob lives in
// the bucket's data directory, where Complete leaves it for the object.
type partRecord struct {
	V            int               `json:"v"`
	Number       int               `json:"n"`
	ETag         string            `json:"etag"`
	Size         int64             `json:"size"`
	LastModified time.Time         `json:"mtime"`
	Blob         string            `json:"blob,omitempty"`
	IV           []byte            `json:"iv,omitempty"`
	Checksums    map[string]string `json:"sums,omitempty"`
}

func partFile(n int) string { return fmt.Sprintf("part-%05d.json", n) }

func (p partRecord) part() Part {
	return Part{Number: p.Number, ETag: p.ETag, Size: p.Size, LastModified: p.LastModified, Checksums: maps.Clone(p.Checksums)}
}

func (u *upload) info() Upload {
	return Upload{Key: u.key, UploadID: u.id, Initiator: u.initiator, Initiated: u.initiated, Encrypted: u.kcv != nil, Meta: u.meta.clone()}
}

// newUploadID returns 16 hex digits of a time stamp that increases with
// every call (and across restarts: Open raises lastID to the greatest
// loaded), followed by 32 random hex digits. Upload IDs thus sort in
// initiation order, which is what S3 lists them in under one key and what
// its upload-id-marker compares.
func (s *Store) newUploadID() string {
	s.idMu.Lock()
	t := max(s.now().UnixNano(), s.lastID+1)
	s.lastID = t
	s.idMu.Unlock()
	return fmt.Sprintf("%016x%s", uint64(t), randomID())
}

// CreateUpload starts a multipart upload of key and returns its ID. meta
// is the metadata the object will have (Complete fills Key, Size, ETag,
// LastModified, PartsCount and PartSizes); c, if not nil, is the key every
// part must be uploaded with.
func (s *Store) CreateUpload(ctx context.Context, bucket, key string, meta ObjectMeta, initiator string, c *Cipher) (_ string, err error) {
	defer wrap(&err, "create upload", bucket, key)
	b, err := s.object(ctx, bucket, key)
	if err != nil {
		return "", err
	}
	cs, err := c.prepare()
	if err != nil {
		return "", err
	}
	meta = meta.clone()
	meta.Key = key
	meta.Size, meta.ETag, meta.LastModified, meta.PartsCount, meta.PartSizes = 0, "", time.Time{}, 0, nil
	u := &upload{
		id:        s.newUploadID(),
		key:       key,
		initiator: initiator,
		initiated: s.now(),
		meta:      meta,
		kcv:       cs.checkValue(),
		parts:     map[int]partRecord{},
	}
	data, err := json.Marshal(uploadRecord{V: recordVersion, Key: key, Initiator: initiator, Initiated: u.initiated, Meta: meta, KCV: u.kcv})
	if err != nil {
		return "", err
	}
	// Build the upload's directory aside and rename it into place, so that
	// it appears whole.
	tmp := filepath.Join(s.tmpDir, randomID())
	if err := s.buildUploadDir(tmp, data); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	b.live.RLock()
	defer b.live.RUnlock()
	if b.deleted.Load() {
		os.RemoveAll(tmp)
		return "", ErrNoSuchBucket
	}
	if err := os.Rename(tmp, b.uploadDir(u.id)); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := s.syncDir(filepath.Join(b.dir, uploadsDir)); err != nil {
		return "", err
	}
	b.mu.Lock()
	b.uploads[u.id] = u
	b.mu.Unlock()
	return u.id, nil
}

func (s *Store) buildUploadDir(dir string, record []byte) error {
	if err := os.Mkdir(dir, dirPerm); err != nil {
		return err
	}
	if err := s.writeNewFile(filepath.Join(dir, uploadFile), record); err != nil {
		return err
	}
	return s.syncDir(dir)
}

// upload returns the upload id of key in bucket.
func (s *Store) upload(ctx context.Context, bucket, key, id string) (*bucket, *upload, error) {
	b, err := s.object(ctx, bucket, key)
	if err != nil {
		return nil, nil, err
	}
	var u *upload
	if isUploadID(id) {
		b.mu.RLock()
		u = b.uploads[id]
		b.mu.RUnlock()
	}
	if u == nil || u.key != key {
		return nil, nil, noSuchUpload(id)
	}
	return b, u, nil
}

func noSuchUpload(id string) error { return fmt.Errorf("upload %q: %w", id, ErrNoSuchUpload) }

// GetUpload returns the upload's description, including the metadata
// given to CreateUpload.
func (s *Store) GetUpload(ctx context.Context, bucket, key, uploadID string) (_ Upload, err error) {
	defer wrap(&err, "get upload", bucket, key)
	_, u, err := s.upload(ctx, bucket, key, uploadID)
	if err != nil {
		return Upload{}, err
	}
	return u.info(), nil
}

// PutPart stores part number n (1 to 10000) of an upload from r, as Put
// stores an object: streamed, encrypted with c (which must be the key the
// upload was created with), MD5 computed, committed atomically, nothing
// committed if r fails. Uploading a part number again replaces the part.
// UploadPartCopy is PutPart with a reader of the source range.
func (s *Store) PutPart(ctx context.Context, bucket, key, uploadID string, n int, r io.Reader, c *Cipher) (_ Part, err error) {
	defer wrap(&err, "put part", bucket, key)
	if n < 1 || n > MaxPartNumber {
		return Part{}, fmt.Errorf("%w: %d", ErrInvalidPartNumber, n)
	}
	b, u, err := s.upload(ctx, bucket, key, uploadID)
	if err != nil {
		return Part{}, err
	}
	cs, err := c.prepare()
	if err != nil {
		return Part{}, err
	}
	if err := cs.checkKey(u.kcv); err != nil {
		return Part{}, err
	}
	w, err := b.writeBlob(ctx, r, cs, false)
	if err != nil {
		return Part{}, err
	}
	rec := partRecord{V: recordVersion, Number: n, ETag: hex.EncodeToString(w.md5[:]), Size: w.seg.Size,
		LastModified: s.now(), Blob: w.seg.Blob, IV: w.seg.IV, Checksums: bodyChecksums(r)}
	if err := s.commitPart(ctx, b, u, rec); err != nil {
		if rec.Blob != "" {
			os.Remove(b.blobPath(rec.Blob))
		}
		return Part{}, err
	}
	return rec.part(), nil
}

// commitPart records part rec of upload u, replacing any part of its
// number, and deletes the replaced part's file.
func (s *Store) commitPart(ctx context.Context, b *bucket, u *upload, rec partRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	tmp, err := s.writeTemp(data)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		os.Remove(tmp)
		return err
	}
	u.mu.Lock()
	if u.done {
		u.mu.Unlock()
		os.Remove(tmp)
		return noSuchUpload(u.id)
	}
	dir := b.uploadDir(u.id)
	if err := os.Rename(tmp, filepath.Join(dir, partFile(rec.Number))); err != nil {
		u.mu.Unlock()
		os.Remove(tmp)
		return err
	}
	old, replaced := u.parts[rec.Number]
	u.parts[rec.Number] = rec
	err = s.syncDir(dir)
	u.mu.Unlock()
	if replaced && old.Blob != "" {
		removeIfExists(b.blobPath(old.Blob))
	}
	return err
}

// ListPartsResult is one page of ListParts.
type ListPartsResult struct {
	Parts       []Part
	IsTruncated bool
	// NextPartNumberMarker is the number of the last part of the page,
	// to pass as the marker for the next page.
	NextPartNumberMarker int
}

// ListParts lists the parts of an upload with numbers greater than
// marker, in order, at most maxParts of them (negative means 1000; 0
// returns nothing and is not truncated).
func (s *Store) ListParts(ctx context.Context, bucket, key, uploadID string, marker, maxParts int) (_ ListPartsResult, err error) {
	defer wrap(&err, "list parts", bucket, key)
	_, u, err := s.upload(ctx, bucket, key, uploadID)
	if err != nil {
		return ListPartsResult{}, err
	}
	if maxParts < 0 {
		maxParts = DefaultMaxKeys
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return ListPartsResult{}, noSuchUpload(u.id)
	}
	nums := make([]int, 0, len(u.parts))
	for n := range u.parts {
		if n > marker {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	var res ListPartsResult
	if maxParts == 0 {
		return res, nil
	}
	if len(nums) > maxParts {
		nums, res.IsTruncated = nums[:maxParts], true
	}
	for _, n := range nums {
		res.Parts = append(res.Parts, u.parts[n].part())
	}
	if len(nums) > 0 {
		res.NextPartNumberMarker = nums[len(nums)-1]
	}
	return res, nil
}

// Abort abandons an upload and deletes its parts.
func (s *Store) Abort(ctx context.Context, bucket, key, uploadID string) (err error) {
	defer wrap(&err, "abort upload", bucket, key)
	b, u, err := s.upload(ctx, bucket, key, uploadID)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return noSuchUpload(u.id)
	}
	gone, err := s.removeTree(b.uploadDir(u.id))
	if !gone {
		return err
	}
	u.done = true
	b.mu.Lock()
	delete(b.uploads, u.id)
	b.mu.Unlock()
	for _, p := range u.parts {
		if p.Blob != "" {
			removeIfExists(b.blobPath(p.Blob))
		}
	}
	return err
}

// Complete assembles the listed parts into the object and ends the upload.
// The parts must be listed in strictly ascending order
// (ErrInvalidPartOrder), each must have been uploaded with the given ETag
// (ErrInvalidPart), and each but the last must be at least
// Options.MinPartSize bytes (ErrEntityTooSmall). On any error the upload
// is left as it was.
//
// The object's ETag is hex(MD5(the parts' binary MD5s)) + "-N", its
// LastModified the upload's initiation time (as S3 documents), and it
// records PartsCount and PartSizes for partNumber reads.
//
// No data is copied: the object is stored as the list of its part files,
// which stay where PutPart wrote them, and reads cross part boundaries
// transparently. Committing the object's record is the single commit
// point: a crash before it leaves the upload intact, after it the object
// (and Open removes what is left of the upload).
func (s *Store) Complete(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart) (ObjectMeta, error) {
	return s.CompleteIf(ctx, bucket, key, uploadID, parts, Precondition{})
}

// CompleteIf is Complete with a precondition on the object the upload
// replaces, checked atomically at the commit (see Precondition). If it
// fails, the upload is left as it was.
func (s *Store) CompleteIf(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, pre Precondition) (ObjectMeta, error) {
	return s.CompleteWith(ctx, bucket, key, uploadID, parts, pre, nil)
}

// ObjectChecksums computes the checksums of an object from its parts, in
// order (see CompleteWith).
type ObjectChecksums func(parts []Part) (map[string]string, error)

// CompleteWith is CompleteIf that gives the object the checksums sums
// computes from the listed parts (when objSums is not nil), under the
// upload's lock. If objSums fails, its error is returned and the upload is
// left as it was.
func (s *Store) CompleteWith(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, pre Precondition, objSums ObjectChecksums) (_ ObjectMeta, err error) {
	defer wrap(&err, "complete upload", bucket, key)
	b, u, err := s.upload(ctx, bucket, key, uploadID)
	if err != nil {
		return ObjectMeta{}, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return ObjectMeta{}, noSuchUpload(u.id)
	}
	recs, err := s.checkParts(u, parts)
	if err != nil {
		return ObjectMeta{}, err
	}

	sums := make([]byte, 0, md5.Size*len(recs))
	segs := make([]segment, len(recs))
	meta := u.meta.clone()
	meta.PartSizes = make([]int64, len(recs))
	for i, p := range recs {
		sum, _ := hex.DecodeString(p.ETag)
		sums = append(sums, sum...)
		segs[i] = segment{Blob: p.Blob, Size: p.Size, IV: p.IV}
		meta.Size += p.Size
		meta.PartSizes[i] = p.Size
	}
	if objSums != nil {
		listed := make([]Part, len(recs))
		for i, p := range recs {
			listed[i] = p.part()
		}
		if meta.Checksums, err = objSums(listed); err != nil {
			return ObjectMeta{}, err
		}
	}
	total := md5.Sum(sums)
	meta.Key = key
	meta.ETag = fmt.Sprintf("%x-%d", total, len(recs))
	meta.LastModified = u.initiated
	meta.PartsCount = len(recs)

	if err := ctx.Err(); err != nil {
		return ObjectMeta{}, err
	}
	s.at("complete-before-commit")
	data := b.newData(segs, u.kcv)
	data.upload = u.id
	e := &entry{meta: meta, data: data}
	_, committed, err := b.mutate(key, func(cur *entry) (keyChange, error) {
		if err := pre.check(visible(cur)); err != nil {
			return keyChange{}, err
		}
		if err := b.stamp(e, ""); err != nil {
			return keyChange{}, err
		}
		return keyChange{put: e}, nil
	})
	if !committed {
		return ObjectMeta{}, err // the part files still belong to the upload
	}
	meta = e.meta
	s.at("complete-committed")
	u.done = true
	b.mu.Lock()
	delete(b.uploads, u.id)
	b.mu.Unlock()
	// The object is committed. What is left of the upload is garbage that
	// Open recognizes (its parts are the object's), so a failure here only
	// delays the cleanup.
	if gone, _ := s.removeTree(b.uploadDir(u.id)); !gone {
		os.RemoveAll(b.uploadDir(u.id))
	}
	used := make(map[int]bool, len(recs))
	for _, p := range recs {
		used[p.Number] = true
	}
	for n, p := range u.parts {
		if !used[n] && p.Blob != "" {
			removeIfExists(b.blobPath(p.Blob))
		}
	}
	return meta.clone(), err
}

// checkParts validates a Complete request against the upload's parts and
// returns the listed parts' records.
func (s *Store) checkParts(u *upload, parts []CompletedPart) ([]partRecord, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no parts given", ErrInvalidPart)
	}
	for i := 1; i < len(parts); i++ {
		if parts[i].Number <= parts[i-1].Number {
			return nil, fmt.Errorf("%w: part %d follows part %d", ErrInvalidPartOrder, parts[i].Number, parts[i-1].Number)
		}
	}
	recs := make([]partRecord, len(parts))
	for i, p := range parts {
		rec, ok := u.parts[p.Number]
		if !ok {
			return nil, fmt.Errorf("%w: part %d was not uploaded", ErrInvalidPart, p.Number)
		}
		if !strings.EqualFold(strings.Trim(p.ETag, `"`), rec.ETag) {
			return nil, fmt.Errorf("%w: part %d has ETag %q, not %q", ErrInvalidPart, p.Number, rec.ETag, p.ETag)
		}
		recs[i] = rec
	}
	for _, rec := range recs[:len(recs)-1] {
		if rec.Size < s.opts.MinPartSize {
			return nil, fmt.Errorf("%w: part %d is %d bytes, less than %d", ErrEntityTooSmall, rec.Number, rec.Size, s.opts.MinPartSize)
		}
	}
	return recs, nil
}
