package emulator

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

// maxObjectSize is S3's limit for one PUT (5 GiB).
const maxObjectSize = 5 << 30

// objectARN is the ARN of the call's object.
func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// existingTagKeys returns s3:ExistingObjectTag/<key> for each stored tag,
// when the operation supports the key (docs/authorization.md §2.3).
func existingTagKeys(operation string, tags []store.Tag) map[string][]string {
	op, ok := s3ops.Lookup("s3", operation)
	if !ok || len(tags) == 0 {
		return nil
	}
	for _, k := range op.Keys {
		if strings.HasPrefix(k.Key, "s3:ExistingObjectTag/") {
			out := make(map[string][]string, len(tags))
			for _, t := range tags {
				out["s3:ExistingObjectTag/"+t.Key] = []string{t.Value}
			}
			return out
		}
	}
	return nil
}

// errObjectChanged: the object was replaced between the metadata a GET
// was authorized and answered with and the read of its data.
var errObjectChanged = errors.New("the object changed while it was read")

// maxGetAttempts bounds the reads of a GET overtaken by writes.
const maxGetAttempts = 64

// getObject serves GetObject and HeadObject. The headers (ETag above all)
// and the body must be of one version: a compare-and-swap client reads
// the ETag it sends back with If-Match. When a write replaces the object
// between the metadata and the data, getObjectOnce gives up before
// answering and the request starts again; after maxGetAttempts it
// answers 503 SlowDown, S3's answer to a key written too often.
func (s *Server) getObject(w http.ResponseWriter, c *call) error {
	b, err := s.bucket(c)
	if err != nil {
		return err
	}
	saved := w.Header().Clone()
	for attempt := 1; ; attempt++ {
		err := s.getObjectOnce(w, c, b)
		if !errors.Is(err, errObjectChanged) {
			return err
		}
		if attempt == maxGetAttempts || c.r.Context().Err() != nil {
			return errSlowDown()
		}
		h := w.Header()
		clear(h)
		maps.Copy(h, saved)
		c.checks = nil
	}
}

// sameVersion reports whether two reads of an object's metadata are of
// one version.
func sameVersion(a, b store.ObjectMeta) bool {
	return a.VersionID == b.VersionID && a.ETag == b.ETag && a.Size == b.Size && a.LastModified.Equal(b.LastModified) &&
		a.Owner == b.Owner && a.SSE.KMSKeyID == b.SSE.KMSKeyID && slices.Equal(a.Tags, b.Tags)
}

func (s *Server) getObjectOnce(w http.ResponseWriter, c *call, b *world.Bucket) error {
	ctx := c.r.Context()
	q := c.r.URL.Query()
	vid, err := requestVersionID(q)
	if err != nil {
		return err
	}
	meta, err := s.store.HeadVersion(ctx, c.bucket, c.key, vid)
	if errors.Is(err, store.ErrNoSuchKey) || errors.Is(err, store.ErrNoSuchVersion) || errors.Is(err, store.ErrDeleteMarker) {
		if err := s.authorize(c, noObjectData, enforce.Call{Features: features(c.r)}); err != nil {
			return err
		}
		if vid == "" {
			// A missing key, or one whose current version is a delete
			// marker, which reads as deleted: 404 only with
			// s3:ListBucket (docs/authorization.md §2.4); the marker's
			// headers only with the 404.
			if err := s.missingObject(c, b); asAPIError(err).Code != "NoSuchKey" {
				return err
			}
		}
		return versionLookupError(w, c, err, vid)
	}
	if err != nil {
		return storeError(err, c)
	}
	versioning, err := s.bucketVersioning(c, c.bucket)
	if err != nil {
		return err
	}
	ec := enforce.Call{Features: features(c.r), Keys: existingTagKeys(c.operation, meta.Tags)}
	kmsObject := len(meta.SSE.WrappedKey) > 0
	// An object owned by another account than the bucket owner is read
	// through its ACL (docs/authorization.md §2.5 object context).
	obj := ownedObject{target: s3ops.Object, bucket: b, meta: meta}
	// GET decrypts the object: S3 calls kms:Decrypt for the caller. A
	// plain HEAD needs no KMS permission (docs/decisions.md #4); in
	// checksum mode it needs kms:GenerateDataKey and kms:Decrypt (the
	// catalogue's HeadObject row, docs/authorization.md §3.1).
	if err := s.authorize(c, storedEncryption(meta.SSE), ec, obj); err != nil {
		return err
	}
	if kmsObject && c.r.Header.Get("X-Amz-Server-Side-Encryption") != "" {
		return errorf(http.StatusBadRequest, "InvalidArgument", "x-amz-server-side-encryption header is not supported for this operation.")
	}
	if status, err := checkConditions(c.r.Header, meta, "If-"); err != nil || status != 0 {
		if err != nil {
			return err
		}
		setObjectHeaders(w.Header(), meta)
		setVersionHeader(w.Header(), versioning, meta)
		w.WriteHeader(status)
		return nil
	}
	h := w.Header()
	setObjectHeaders(h, meta)
	setVersionHeader(h, versioning, meta)
	for _, o := range [][2]string{
		{"response-content-type", "Content-Type"}, {"response-content-language", "Content-Language"},
		{"response-expires", "Expires"}, {"response-cache-control", "Cache-Control"},
		{"response-content-disposition", "Content-Disposition"}, {"response-content-encoding", "Content-Encoding"},
	} {
		if v := q.Get(o[0]); v != "" {
			h.Set(o[1], v)
		}
	}
	start, length := int64(0), meta.Size
	status := http.StatusOK
	if rg := c.r.Header.Get("Range"); rg != "" {
		st, n, ok, err := parseRange(rg, meta.Size)
		if err != nil {
			return err
		}
		if ok {
			start, length, status = st, n, http.StatusPartialContent
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", st, st+n-1, meta.Size))
		}
	} else if pn := q.Get("partNumber"); pn != "" {
		st, n, err := partRange(pn, meta)
		if err != nil {
			return err
		}
		start, length = st, n
		if meta.PartsCount > 0 {
			status = http.StatusPartialContent
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", st, st+n-1, meta.Size))
			h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(meta.PartsCount))
		}
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	// The checksum is the whole object's: it is returned with checksum
	// mode, and only when the response is the whole object
	// (docs/decisions.md "Checksums of part and range reads").
	if checksumModeEnabled(c.r.Header) && start == 0 && length == meta.Size {
		setChecksumHeaders(h, meta)
	}
	if c.operation == "HeadObject" {
		w.WriteHeader(status)
		return nil
	}
	cipher, err := s.objectCipher(c, meta)
	if err != nil {
		return err
	}
	got, rc, err := s.store.GetVersion(ctx, c.bucket, c.key, vid, cipher)
	if errors.Is(err, store.ErrNoSuchKey) || errors.Is(err, store.ErrNoSuchVersion) || errors.Is(err, store.ErrWrongKey) {
		return errObjectChanged // deleted, or rewritten under another key
	}
	if err != nil {
		h.Del("Content-Length")
		return storeError(err, c)
	}
	defer rc.Close()
	if !sameVersion(got, meta) {
		return errObjectChanged
	}
	if start > 0 {
		if _, err := rc.Seek(start, io.SeekStart); err != nil {
			h.Del("Content-Length")
			return errInternal(err)
		}
	}
	w.WriteHeader(status)
	// The status line is out: on a copy error the client sees a short
	// body, as from S3.
	s.copyBody(w, io.LimitReader(rc, length), length)
	return nil
}

// copyBody writes an object body to the response. Large bodies go 1 MiB
// at a time (s.bodyBuffers) instead of 32 KiB: a 1 GiB GET makes 32 times
// fewer system calls.
func (s *Server) copyBody(w io.Writer, r io.Reader, length int64) (int64, error) {
	if length < 256<<10 {
		return io.Copy(w, r)
	}
	buf := s.bodyBuffers.Get().(*[]byte)
	defer s.bodyBuffers.Put(buf)
	// Hide the response's ReadFrom, which would copy 32 KiB at a time.
	return io.CopyBuffer(struct{ io.Writer }{w}, r, *buf)
}

// objectCipher unwraps the data key of an SSE-KMS object.
func (s *Server) objectCipher(c *call, meta store.ObjectMeta) (*store.Cipher, error) {
	if len(meta.SSE.WrappedKey) == 0 {
		return nil, nil
	}
	dk, err := s.keys.unwrap(meta.SSE.KMSKeyID, meta.SSE.WrappedKey, meta.SSE.Context)
	if err != nil {
		return nil, errInternal(fmt.Errorf("unwrap the data key of %s/%s: %w", c.bucket, c.key, err))
	}
	return &store.Cipher{Key: dk}, nil
}

// setObjectHeaders writes the stored metadata of an object as response
// headers.
func setObjectHeaders(h http.Header, m store.ObjectMeta) {
	h.Set("ETag", quoteETag(m.ETag))
	h.Set("Last-Modified", httpTime(m.LastModified))
	h.Set("Accept-Ranges", "bytes")
	ct := m.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	h.Set("Content-Type", ct)
	for _, kv := range [][2]string{
		{"Content-Encoding", m.ContentEncoding}, {"Content-Disposition", m.ContentDisposition},
		{"Content-Language", m.ContentLanguage}, {"Cache-Control", m.CacheControl}, {"Expires", m.Expires},
	} {
		if kv[1] != "" {
			h.Set(kv[0], kv[1])
		}
	}
	for k, v := range m.UserMeta {
		h["X-Amz-Meta-"+k] = []string{v}
	}
	if len(m.Tags) > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(len(m.Tags)))
	}
	if st := m.Extra[extraReplicationStatus]; st != "" {
		// PENDING, COMPLETED or FAILED on a source version, REPLICA on
		// a replica (docs/emulator.md "Replication").
		h.Set("X-Amz-Replication-Status", st)
	}
	if sc := reportedStorageClass(m.StorageClass); sc != "STANDARD" {
		// S3 sends the header for every class but STANDARD.
		h.Set("X-Amz-Storage-Class", sc)
	}
	setSSEHeaders(h, m.SSE)
}

func setSSEHeaders(h http.Header, sse store.SSE) {
	switch sse.Algorithm {
	case "":
		h.Set("X-Amz-Server-Side-Encryption", "AES256")
	case "aws:kms", "aws:kms:dsse":
		h.Set("X-Amz-Server-Side-Encryption", sse.Algorithm)
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", sse.KMSKeyID)
		if sse.BucketKey {
			h.Set("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "true")
		}
	default:
		h.Set("X-Amz-Server-Side-Encryption", sse.Algorithm)
	}
}

func quoteETag(e string) string {
	if strings.HasPrefix(e, "\"") {
		return e
	}
	return "\"" + e + "\""
}

func etagMatches(list, etag string) bool {
	etag = strings.Trim(etag, "\"")
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || strings.Trim(strings.TrimPrefix(v, "W/"), "\"") == etag {
			return true
		}
	}
	return false
}

// checkConditions evaluates the conditional headers If-Match,
// If-None-Match, If-Modified-Since and If-Unmodified-Since (prefix "If-"),
// or the x-amz-copy-source-if-* ones of a copy. It returns 304 for a GET
// that need not send the body, or PreconditionFailed.
func checkConditions(h http.Header, m store.ObjectMeta, prefix string) (int, error) {
	get := func(name string) string { return h.Get(prefix + name) }
	copy := prefix != "If-"
	failed := errorf(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	if copy {
		failed = errPreconditionFailed("x-amz-copy-source-If-Match")
	}
	lm := m.LastModified.Truncate(time.Second)
	im, inm := get("Match"), get("None-Match")
	if im != "" && !etagMatches(im, m.ETag) {
		return 0, failed
	}
	if inm != "" && etagMatches(inm, m.ETag) {
		if copy {
			return 0, failed
		}
		return http.StatusNotModified, nil
	}
	if v := get("Unmodified-Since"); v != "" && im == "" {
		if t, err := http.ParseTime(v); err == nil && lm.After(t) {
			return 0, failed
		}
	}
	if v := get("Modified-Since"); v != "" && inm == "" {
		if t, err := http.ParseTime(v); err == nil && !lm.After(t) {
			if copy {
				return 0, failed
			}
			return http.StatusNotModified, nil
		}
	}
	return 0, nil
}

// parseRange reads a single-range Range header. ok is false for a header
// S3 ignores (several ranges, another unit, a malformed range such as
// bytes=--1): the whole object is then sent, as RFC 9110 asks of a
// server that does not understand the range.
func parseRange(h string, size int64) (start, length int64, ok bool, err error) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, nil
	}
	invalid := errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable").
		with("RangeRequested", h).with("ActualObjectSize", strconv.FormatInt(size, 10))
	switch {
	case a == "":
		n, ok := parseOffset(b)
		if !ok {
			return 0, 0, false, nil
		}
		if n == 0 || size == 0 {
			return 0, 0, false, invalid
		}
		if n > size {
			n = size
		}
		return size - n, n, true, nil
	default:
		s, ok := parseOffset(a)
		if !ok {
			return 0, 0, false, nil
		}
		e := size - 1
		if b != "" {
			if e, ok = parseOffset(b); !ok || e < s {
				return 0, 0, false, nil
			}
		}
		if s >= size {
			return 0, 0, false, invalid
		}
		if e >= size {
			e = size - 1
		}
		return s, e - s + 1, true, nil
	}
}

// parseOffset reads a byte offset of a range: decimal digits only (no
// sign, no space), as RFC 9110's 1*DIGIT.
func parseOffset(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// partRange returns the byte range of part n of a multipart object.
func partRange(pn string, m store.ObjectMeta) (int64, int64, error) {
	n, err := strconv.Atoi(pn)
	if err != nil || n < 1 || n > 10000 {
		return 0, 0, errInvalidArgument("partNumber", pn, "Part number must be an integer between 1 and 10000, inclusive")
	}
	if len(m.PartSizes) == 0 {
		if n != 1 {
			return 0, 0, errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable").with("PartNumberRequested", pn).with("ActualPartCount", "1")
		}
		return 0, m.Size, nil
	}
	if n > len(m.PartSizes) {
		return 0, 0, errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable").with("PartNumberRequested", pn).with("ActualPartCount", strconv.Itoa(len(m.PartSizes)))
	}
	var off int64
	for i := 0; i < n-1; i++ {
		off += m.PartSizes[i]
	}
	return off, m.PartSizes[n-1], nil
}
