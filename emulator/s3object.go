package emulator

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
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

// missingObject answers for an authorized request on an object that does
// not exist: 404 NoSuchKey when the caller may also s3:ListBucket the
// bucket, else 403 AccessDenied (docs/authorization.md §2.4).
func (s *Server) missingObject(c *call, b *world.Bucket) error {
	var req *authz.Request
	for _, ch := range c.checks {
		if ch.Request != nil && ch.KMS == nil {
			req = ch.Request
			break
		}
	}
	if req == nil {
		return errNoSuchKey(c.key)
	}
	bucketRes, err := s.state.world().Resource(b.ARN, authz.MissingObjectAction, c.principal)
	if err != nil {
		return errInternal(err)
	}
	notFound, list := authz.MissingObject(req, bucketRes)
	if notFound {
		return errNoSuchKey(c.key)
	}
	return errorf(http.StatusForbidden, "AccessDenied", "%s", list.S3Message())
}

func (s *Server) getObject(w http.ResponseWriter, c *call) error {
	b, err := s.bucket(c)
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	q := c.r.URL.Query()
	if v := q.Get("versionId"); v != "" && v != "null" {
		if err := s.authorize(c, enforce.Call{Features: features(c.r)}); err != nil {
			return err
		}
		return errorf(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.").with("Key", c.key).with("VersionId", v)
	}
	meta, err := s.store.Head(ctx, c.bucket, c.key)
	if errors.Is(err, store.ErrNoSuchKey) {
		if err := s.authorize(c, enforce.Call{Features: features(c.r)}); err != nil {
			return err
		}
		return s.missingObject(c, b)
	}
	if err != nil {
		return storeError(err, c)
	}
	ec := enforce.Call{Features: features(c.r), Keys: existingTagKeys(c.operation, meta.Tags)}
	kmsObject := len(meta.SSE.WrappedKey) > 0
	// An object owned by another account than the bucket owner is read
	// through its ACL (docs/authorization.md §2.5 object context).
	obj := ownedObject{target: s3ops.Object, bucket: b, meta: meta}
	// GET decrypts the object: S3 calls kms:Decrypt for the caller. A
	// HEAD needs no KMS permission (docs/decisions.md #4, docs/decisions.md).
	if kmsObject && c.operation == "GetObject" {
		ec.KMSKey = meta.SSE.KMSKeyID
		if err := s.authorize(c, ec, obj); err != nil {
			return err
		}
	} else if err := s.authorizeNoKMS(c, ec, obj); err != nil {
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
		w.WriteHeader(status)
		return nil
	}
	h := w.Header()
	setObjectHeaders(h, meta)
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
	if c.operation == "HeadObject" {
		w.WriteHeader(status)
		return nil
	}
	cipher, err := s.objectCipher(c, meta)
	if err != nil {
		return err
	}
	_, rc, err := s.store.Get(ctx, c.bucket, c.key, cipher)
	if err != nil {
		h.Del("Content-Length")
		return storeError(err, c)
	}
	defer rc.Close()
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

// authorizeNoKMS authorizes a call on an SSE-KMS bucket for which S3 makes
// no KMS call (a HEAD, or an object not under SSE-KMS). objs are as for
// authorize.
func (s *Server) authorizeNoKMS(c *call, ec enforce.Call, objs ...ownedObject) error {
	wd := s.state.world()
	op, _ := s3ops.Lookup("s3", c.operation)
	if op == nil {
		return errNotImplemented(c.operation)
	}
	keys := s.conditionKeys(c, c.operation)
	for k, v := range ec.Keys {
		keys[k] = v
	}
	for _, perm := range op.Required(ec.Features) {
		arn := "arn:aws:s3:::" + c.bucket
		if perm.On == s3ops.Object {
			arn = objectARN(c.bucket, c.key)
		}
		req, err := wd.Request(c.principal, perm.Action, arn, c.env, keys)
		if err != nil {
			return errInternal(err)
		}
		chs := []enforce.Check{{Action: perm.Action, Resource: arn, Target: perm.On, Decision: authz.Decide(req), Request: req}}
		applyObjectContext(chs, objs)
		ch := chs[0]
		c.checks = append(c.checks, ch)
		if !ch.Decision.Allowed() {
			return errorf(http.StatusForbidden, "AccessDenied", "%s", ch.S3Message())
		}
	}
	return nil
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
	setSSEHeaders(h, m.SSE)
	for alg, v := range m.Checksums {
		h.Set("X-Amz-Checksum-"+alg, v)
	}
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
	failed := errorf(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	copy := prefix != "If-"
	if copy {
		failed = failed.with("Condition", "x-amz-copy-source-If-Match")
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
// S3 ignores (several ranges, another unit).
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
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil {
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
		s, err := strconv.ParseInt(a, 10, 64)
		if err != nil || s < 0 {
			return 0, 0, false, nil
		}
		if s >= size {
			return 0, 0, false, invalid
		}
		e := size - 1
		if b != "" {
			if e, err = strconv.ParseInt(b, 10, 64); err != nil || e < s {
				return 0, 0, false, nil
			}
			if e >= size {
				e = size - 1
			}
		}
		return s, e - s + 1, true, nil
	}
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

// writeEncryption is how a new object is to be encrypted.
type writeEncryption struct {
	sse    store.SSE
	key    *world.Key
	cipher *store.Cipher
}

// chooseEncryption reads the SSE headers of a write, falling back to the
// bucket's default encryption (docs/authorization.md §3.1 "Additional rules").
func (s *Server) chooseEncryption(c *call, b *world.Bucket, key string) (writeEncryption, error) {
	h := c.r.Header
	if h.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != "" {
		return writeEncryption{}, errNotImplemented("SSE-C (customer-provided keys)")
	}
	alg := h.Get("X-Amz-Server-Side-Encryption")
	keyID := h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id")
	var we writeEncryption
	switch alg {
	case "":
		if keyID != "" {
			return we, errInvalidArgument("x-amz-server-side-encryption-aws-kms-key-id", keyID, "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
		}
		if b.KMSKey == nil {
			return we, nil
		}
		we.key = b.KMSKey
		we.sse = store.SSE{Algorithm: "aws:kms", BucketKey: b.BucketKey}
	case "AES256":
		if keyID != "" {
			return we, errInvalidArgument("x-amz-server-side-encryption-aws-kms-key-id", keyID, "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
		}
		we.sse = store.SSE{Algorithm: "AES256"}
		return we, nil
	case "aws:kms", "aws:kms:dsse":
		we.sse = store.SSE{Algorithm: alg, BucketKey: b.BucketKey}
		if v := h.Get("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"); v != "" {
			we.sse.BucketKey = strings.EqualFold(v, "true")
		}
		if keyID != "" {
			we.key = s.resolveKMSKey(keyID, c.principal.Account)
			if we.key == nil {
				return we, errorf(http.StatusBadRequest, "KMS.NotFoundException", "Invalid keyId '%s'", keyID)
			}
		} else {
			// The header without a key ID means the AWS managed key
			// aws/s3 (docs/authorization.md §3.1 "Additional rules"), even when the
			// bucket's default is a customer managed key
			// (docs/decisions.md); it is the bucket owner's, so callers
			// from other accounts are denied by its kms:CallerAccount
			// condition (docs/authorization.md §3.3).
			we.key = s.state.world().S3Key(b.Account.ID)
			if we.key == nil {
				return we, errInternal(fmt.Errorf("account %s has no aws/s3 key", b.Account.ID))
			}
		}
	default:
		return we, errInvalidArgument("x-amz-server-side-encryption", alg, "The encryption method specified is not supported")
	}
	if c.r.TLS == nil && c.auth != nil && c.auth.Anonymous {
		return we, errorf(http.StatusBadRequest, "InvalidArgument", "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.")
	}
	we.sse.KMSKeyID = we.key.ARN
	arn := objectARN(b.Name, key)
	if we.sse.BucketKey {
		arn = b.ARN
	}
	// The encryption context S3 uses: aws:s3:arn is the object ARN, or
	// the bucket ARN with a Bucket Key (docs/authorization.md §3.2).
	we.sse.Context = `{"aws:s3:arn":"` + arn + `"}`
	dk, wrapped, err := s.keys.newDataKey(we.key.ARN, we.sse.Context)
	if err != nil {
		return we, errInternal(err)
	}
	we.sse.WrappedKey = wrapped
	we.cipher = &store.Cipher{Key: dk}
	return we, nil
}

// objectMetaFromHeaders reads the metadata a write stores: content headers,
// x-amz-meta-*, tagging and the owner.
func objectMetaFromHeaders(h http.Header) (store.ObjectMeta, error) {
	m := store.ObjectMeta{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    h.Get("Content-Encoding"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	// aws-chunked is transfer framing, not the object's encoding.
	if enc := strings.Split(m.ContentEncoding, ","); len(enc) > 0 {
		var kept []string
		for _, e := range enc {
			if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
				kept = append(kept, e)
			}
		}
		m.ContentEncoding = strings.Join(kept, ",")
	}
	size := 0
	for k, v := range h {
		if name, ok := strings.CutPrefix(k, "X-Amz-Meta-"); ok && len(v) > 0 {
			if m.UserMeta == nil {
				m.UserMeta = map[string]string{}
			}
			m.UserMeta[strings.ToLower(name)] = v[0]
			size += len(name) + len(v[0])
		}
	}
	if size > 2048 {
		return m, errorf(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size").with("Size", strconv.Itoa(size)).with("MaxSizeAllowed", "2048")
	}
	if t := h.Get("X-Amz-Tagging"); t != "" {
		tags, err := parseTagging(t)
		if err != nil {
			return m, err
		}
		m.Tags = tags
	}
	for _, alg := range []string{"CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"} {
		if v := h.Get("X-Amz-Checksum-" + alg); v != "" {
			if m.Checksums == nil {
				m.Checksums = map[string]string{}
			}
			m.Checksums[alg] = v
		}
	}
	return m, nil
}

// parseTagging reads the x-amz-tagging header: URL query encoded pairs.
func parseTagging(t string) ([]store.Tag, error) {
	v, err := url.ParseQuery(t)
	if err != nil {
		return nil, errInvalidArgument("x-amz-tagging", t, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	var tags []store.Tag
	for _, k := range sortedKeys(v) {
		if len(v[k]) != 1 {
			return nil, errInvalidArgument("x-amz-tagging", t, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		tags = append(tags, store.Tag{Key: k, Value: v[k][0]})
	}
	return tags, validateTags(tags)
}

func validateTags(tags []store.Tag) error {
	if len(tags) > 10 {
		return errorf(http.StatusBadRequest, "BadRequest", "Object tags cannot be greater than 10")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 || strings.HasPrefix(t.Key, "aws:") {
			return errorf(http.StatusBadRequest, "InvalidTag", "The TagKey you have provided is invalid").with("TagKey", t.Key)
		}
		if seen[t.Key] {
			return errorf(http.StatusBadRequest, "InvalidTag", "Cannot provide multiple Tags with the same key").with("TagKey", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// checkACLHeaders applies Object Ownership to ACL headers of a write:
// with BucketOwnerEnforced only bucket-owner-full-control (or no ACL) is
// accepted (docs/authorization.md §2.5 Object Ownership).
func checkACLHeaders(h http.Header, b *world.Bucket) error {
	if !hasACLHeaders(h) {
		return nil
	}
	acl := h.Get("X-Amz-Acl")
	switch acl {
	case "", "private", "public-read", "public-read-write", "aws-exec-read", "authenticated-read",
		"bucket-owner-read", "bucket-owner-full-control", "log-delivery-write":
	default:
		return errInvalidArgument("x-amz-acl", acl, "")
	}
	if b.Ownership == world.BucketOwnerEnforced && (hasGrantHeaders(h) || (acl != "bucket-owner-full-control" && acl != "private")) {
		return errorf(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs")
	}
	return nil
}

// objectOwner is the account that owns a new object (docs/authorization.md §2.5 Object
// Ownership).
func objectOwner(b *world.Bucket, writer *authz.Principal, h http.Header) string {
	switch {
	case b.Ownership == world.BucketOwnerEnforced, writer.Kind == authz.Anonymous:
		return b.Account.ID
	case b.Ownership == world.BucketOwnerPreferred && h.Get("X-Amz-Acl") == "bucket-owner-full-control":
		return b.Account.ID
	}
	return writer.Account
}

// prepareWrite reads and checks what a new object is made of, for
// PutObject and CreateMultipartUpload: its metadata, its encryption, and
// the authorization of the write with S3's KMS call (docs/authorization.md §3.1).
func (s *Server) prepareWrite(c *call) (store.ObjectMeta, writeEncryption, error) {
	b, err := s.bucket(c)
	if err != nil {
		return store.ObjectMeta{}, writeEncryption{}, err
	}
	meta, err := objectMetaFromHeaders(c.r.Header)
	if err != nil {
		return meta, writeEncryption{}, err
	}
	we, err := s.chooseEncryption(c, b, c.key)
	if err != nil {
		return meta, we, err
	}
	ec := enforce.Call{Features: features(c.r)}
	if we.key != nil {
		ec.KMSKey = we.key.ARN
	}
	if err := s.authorize(c, ec); err != nil {
		return meta, we, err
	}
	if err := checkACLHeaders(c.r.Header, b); err != nil {
		return meta, we, err
	}
	meta.SSE = we.sse
	meta.Owner = objectOwner(b, c.principal, c.r.Header)
	if meta.ACL, err = writeACL(c.r.Header, b, meta.Owner); err != nil {
		return meta, we, err
	}
	return meta, we, nil
}

func (s *Server) putObject(w http.ResponseWriter, c *call) error {
	if c.r.ContentLength > maxObjectSize {
		return errorf(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").with("ProposedSize", strconv.FormatInt(c.r.ContentLength, 10)).with("MaxSizeAllowed", strconv.Itoa(maxObjectSize))
	}
	meta, we, err := s.prepareWrite(c)
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	if inm := c.r.Header.Get("If-None-Match"); inm != "" {
		if inm != "*" {
			return errNotImplemented("If-None-Match other than *")
		}
		if _, err := s.store.Head(ctx, c.bucket, c.key); err == nil {
			return errorf(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").with("Condition", "If-None-Match")
		}
	}
	meta.LastModified = c.start
	body := io.Reader(c.r.Body)
	if c.r.Body == nil {
		body = strings.NewReader("")
	}
	out, err := s.store.Put(ctx, c.bucket, c.key, io.LimitReader(body, maxObjectSize+1), meta, we.cipher)
	if err != nil {
		return storeError(err, c)
	}
	h := w.Header()
	h.Set("ETag", quoteETag(out.ETag))
	setSSEHeaders(h, out.SSE)
	for alg, v := range meta.Checksums {
		h.Set("X-Amz-Checksum-"+alg, v)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteObject(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	if err := s.authorize(c, enforce.Call{Features: features(c.r)}); err != nil {
		return err
	}
	if v := c.r.URL.Query().Get("versionId"); v != "" && v != "null" {
		w.Header().Set("X-Amz-Version-Id", v)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if _, err := s.store.Delete(c.r.Context(), c.bucket, c.key); err != nil {
		return storeError(err, c)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteObjects(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	type object struct {
		Key       string
		VersionID string `xml:"VersionId"`
	}
	var req struct {
		XMLName xml.Name `xml:"Delete"`
		Quiet   bool
		Objects []object `xml:"Object"`
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, 2<<20))
	if err != nil {
		return storeError(err, c)
	}
	if xml.Unmarshal(body, &req) != nil {
		return errMalformedXML()
	}
	if len(req.Objects) > 1000 {
		return errMalformedXML()
	}
	if c.r.Header.Get("Content-Md5") == "" && !hasChecksumHeader(c.r.Header) {
		return errorf(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: Content-MD5")
	}
	type deleted struct {
		Key string
	}
	type delError struct {
		Key     string
		Code    string
		Message string
	}
	type result struct {
		XMLName xml.Name   `xml:"DeleteResult"`
		NS      string     `xml:"xmlns,attr"`
		Deleted []deleted  `xml:"Deleted"`
		Errors  []delError `xml:"Error"`
	}
	out := result{NS: s3NS}
	for _, o := range req.Objects {
		// Each key is authorized on its own (docs/authorization.md §2.2 DeleteObjects).
		oc := *c
		oc.key = o.Key
		oc.checks = nil
		f := s3ops.Features{VersionID: o.VersionID != ""}
		err := s.authorize(&oc, enforce.Call{Operation: "DeleteObject", Key: o.Key, Features: f})
		c.checks = append(c.checks, oc.checks...)
		if err == nil && o.VersionID == "" {
			_, err = s.store.Delete(c.r.Context(), c.bucket, o.Key)
			err = storeError(err, &oc)
		}
		if err != nil {
			ae := asAPIError(err)
			out.Errors = append(out.Errors, delError{Key: o.Key, Code: ae.Code, Message: ae.Message})
			continue
		}
		if !req.Quiet {
			out.Deleted = append(out.Deleted, deleted{Key: o.Key})
		}
	}
	return writeXML(w, http.StatusOK, out)
}

func hasChecksumHeader(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(k, "X-Amz-Checksum-") || k == "X-Amz-Sdk-Checksum-Algorithm" {
			return true
		}
	}
	return false
}

func (s *Server) copyObject(w http.ResponseWriter, c *call) error {
	b, err := s.bucket(c)
	if err != nil {
		return err
	}
	cs, err := s.readCopySource(c)
	if err != nil {
		return err
	}
	srcBucket, srcKey, src := cs.bucket, cs.key, cs.meta
	ctx := c.r.Context()
	we, err := s.chooseEncryption(c, b, c.key)
	if err != nil {
		return err
	}
	ec := enforce.Call{SourceBucket: srcBucket, SourceKey: srcKey, Features: features(c.r)}
	if we.key != nil {
		ec.KMSKey = we.key.ARN
	}
	if cs.kms() {
		ec.SourceKMSKey = src.SSE.KMSKeyID
	} else if cs.b.KMSKey != nil {
		ec.Features.SourceKMS = false
		// The source is not under SSE-KMS although its bucket's default
		// is: no Decrypt on the source.
		ec.SourceKMSKey = ""
	}
	if err := s.authorizeCopySource(c, ec, cs); err != nil {
		return err
	}
	if err := checkACLHeaders(c.r.Header, b); err != nil {
		return err
	}
	meta := src
	meta.PartsCount, meta.PartSizes = 0, nil
	metaDirective := c.r.Header.Get("X-Amz-Metadata-Directive")
	tagDirective := c.r.Header.Get("X-Amz-Tagging-Directive")
	switch metaDirective {
	case "", "COPY":
	case "REPLACE":
		repl, err := objectMetaFromHeaders(c.r.Header)
		if err != nil {
			return err
		}
		meta.ContentType, meta.ContentEncoding, meta.ContentDisposition = repl.ContentType, repl.ContentEncoding, repl.ContentDisposition
		meta.ContentLanguage, meta.CacheControl, meta.Expires, meta.UserMeta = repl.ContentLanguage, repl.CacheControl, repl.Expires, repl.UserMeta
	default:
		return errInvalidArgument("x-amz-metadata-directive", metaDirective, "Unknown metadata directive.")
	}
	switch tagDirective {
	case "", "COPY":
	case "REPLACE":
		meta.Tags = nil
		if t := c.r.Header.Get("X-Amz-Tagging"); t != "" {
			if meta.Tags, err = parseTagging(t); err != nil {
				return err
			}
		}
	default:
		return errInvalidArgument("x-amz-tagging-directive", tagDirective, "Unknown tagging directive.")
	}
	sameObject := srcBucket == c.bucket && srcKey == c.key
	if sameObject && metaDirective != "REPLACE" && c.r.Header.Get("X-Amz-Server-Side-Encryption") == "" && c.r.Header.Get("X-Amz-Storage-Class") == "" {
		return errorf(http.StatusBadRequest, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	meta.SSE = we.sse
	meta.Owner = objectOwner(b, c.principal, c.r.Header)
	// The copy is a new object: it gets the ACL of the request's headers,
	// not the source's.
	if meta.ACL, err = writeACL(c.r.Header, b, meta.Owner); err != nil {
		return err
	}
	meta.LastModified = c.start
	meta.Checksums = nil
	srcCipher, err := s.objectCipher(c, src)
	if err != nil {
		return err
	}
	type result struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		NS           string   `xml:"xmlns,attr"`
		LastModified string
		ETag         string
	}
	setSSEHeaders(w.Header(), we.sse)
	if src.Size >= longCopy {
		// A long copy answers 200 at once and keeps the connection alive
		// with whitespace; an error that happens during the copy then
		// comes inside the 200 body, as S3 does (S3 API reference,
		// CopyObject: "a 200 OK response can contain either a success or
		// an error").
		return s.longOperation(w, c, func() (any, error) {
			out, err := s.store.Copy(ctx, srcBucket, srcKey, c.bucket, c.key, meta, srcCipher, we.cipher)
			if err != nil {
				return nil, storeError(err, c)
			}
			return result{NS: s3NS, LastModified: s3Time(out.LastModified), ETag: quoteETag(out.ETag)}, nil
		})
	}
	out, err := s.store.Copy(ctx, srcBucket, srcKey, c.bucket, c.key, meta, srcCipher, we.cipher)
	if err != nil {
		return storeError(err, c)
	}
	return writeXML(w, http.StatusOK, result{NS: s3NS, LastModified: s3Time(out.LastModified), ETag: quoteETag(out.ETag)})
}

// longCopy is the source size from which CopyObject answers 200 before
// copying.
const longCopy = 64 << 20

// longOperation sends 200 and the XML declaration at once, a space every
// few seconds while op runs, then op's result, or its error as an <Error>
// document inside the 200 body.
func (s *Server) longOperation(w http.ResponseWriter, c *call, op func() (any, error)) error {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	var mu sync.Mutex
	io.WriteString(w, xml.Header)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				mu.Lock()
				io.WriteString(w, " ")
				if f, ok := w.(http.Flusher); ok {
					f.Flush()
				}
				mu.Unlock()
			}
		}
	}()
	res, err := op()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		ae := asAPIError(err)
		c.err = ae
		var b []byte
		b = append(b, "<Error><Code>"...)
		b = appendEscaped(b, ae.Code)
		b = append(b, "</Code><Message>"...)
		b = appendEscaped(b, ae.Message)
		b = append(b, "</Message><RequestId>"...)
		b = append(b, c.id...)
		b = append(b, "</RequestId><HostId>"...)
		b = append(b, hostID(c.id)...)
		b = append(b, "</HostId></Error>"...)
		w.Write(b)
		return nil
	}
	body, err := xml.Marshal(res)
	if err != nil {
		return nil
	}
	w.Write(body)
	return nil
}

// copySourceObject is the source of CopyObject or UploadPartCopy.
type copySourceObject struct {
	bucket, key, version string
	b                    *world.Bucket
	meta                 store.ObjectMeta
	missing              bool // no such key, an error after authorization
}

// readCopySource reads x-amz-copy-source and looks up the source bucket
// and object. A missing object is not an error yet: authorizeCopySource
// reports it once the call is authorized.
func (s *Server) readCopySource(c *call) (*copySourceObject, error) {
	bucket, key, version, err := parseCopySource(c.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return nil, err
	}
	c.params["x-amz-copy-source"] = bucket + "/" + key
	sb := s.state.world().Bucket(bucket)
	if sb == nil {
		return nil, errNoSuchBucket(bucket)
	}
	meta, err := s.store.Head(c.r.Context(), bucket, key)
	missing := errors.Is(err, store.ErrNoSuchKey)
	if err != nil && !missing {
		return nil, storeError(err, c)
	}
	return &copySourceObject{bucket: bucket, key: key, version: version, b: sb, meta: meta, missing: missing}, nil
}

// kms reports whether the source object is encrypted under SSE-KMS.
func (cs *copySourceObject) kms() bool {
	return !cs.missing && len(cs.meta.SSE.WrappedKey) > 0
}

// authorizeCopySource authorizes a copy from cs (authorizeCopy), then
// checks that the source exists, as its current version, and meets the
// x-amz-copy-source-if-* conditions.
func (s *Server) authorizeCopySource(c *call, ec enforce.Call, cs *copySourceObject) error {
	if err := s.authorizeCopy(c, ec, cs.b, cs.kms(), copySource(cs.b, cs.meta, cs.missing)...); err != nil {
		return err
	}
	if cs.missing || (cs.version != "" && cs.version != "null") {
		return errNoSuchKey(cs.key)
	}
	_, err := checkConditions(c.r.Header, cs.meta, "X-Amz-Copy-Source-If-")
	return err
}

// authorizeCopy authorizes a copy whose source may or may not be under
// SSE-KMS: the source's KMS Decrypt is checked only when it is. src is the
// existing source object, as for authorize.
func (s *Server) authorizeCopy(c *call, ec enforce.Call, sb *world.Bucket, sourceKMS bool, src ...ownedObject) error {
	if sourceKMS || sb.KMSKey == nil {
		return s.authorize(c, ec, src...)
	}
	// enforce assumes the source bucket's default key; the object is not
	// encrypted with it, so decide without the source's KMS call.
	err := s.authorize(c, ec, src...)
	if err == nil {
		return nil
	}
	var kept []enforce.Check
	var denied *enforce.Check
	for i := range c.checks {
		ch := c.checks[i]
		if ch.KMS != nil && ch.KMS.Key == s3ops.SourceKey {
			continue
		}
		kept = append(kept, ch)
		if denied == nil && !ch.Decision.Allowed() {
			denied = &kept[len(kept)-1]
		}
	}
	c.checks = kept
	if denied != nil {
		return errorf(http.StatusForbidden, "AccessDenied", "%s", denied.S3Message())
	}
	return nil
}

// tagSet is the XML of object tags.
type tagSet struct {
	XMLName xml.Name `xml:"Tagging"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Tags    []struct {
		Key   string
		Value string
	} `xml:"TagSet>Tag"`
}

func (s *Server) objectForSubresource(c *call) (*world.Bucket, store.ObjectMeta, error) {
	b, err := s.bucket(c)
	if err != nil {
		return nil, store.ObjectMeta{}, err
	}
	meta, err := s.store.Head(c.r.Context(), c.bucket, c.key)
	if errors.Is(err, store.ErrNoSuchKey) {
		if err := s.authorize(c, enforce.Call{Features: features(c.r)}); err != nil {
			return nil, meta, err
		}
		return nil, meta, errNoSuchKey(c.key)
	}
	if err != nil {
		return nil, meta, storeError(err, c)
	}
	// ACL and tagging operations on an object owned by another account
	// than the bucket owner follow the object context (docs/authorization.md §2.5).
	obj := ownedObject{target: s3ops.Object, bucket: b, meta: meta}
	if err := s.authorize(c, enforce.Call{Features: features(c.r), Keys: existingTagKeys(c.operation, meta.Tags)}, obj); err != nil {
		return nil, meta, err
	}
	return b, meta, nil
}

func (s *Server) getObjectTagging(w http.ResponseWriter, c *call) error {
	_, meta, err := s.objectForSubresource(c)
	if err != nil {
		return err
	}
	out := tagSet{NS: s3NS}
	for _, t := range meta.Tags {
		out.Tags = append(out.Tags, struct {
			Key   string
			Value string
		}{t.Key, t.Value})
	}
	return writeXML(w, http.StatusOK, out)
}

func (s *Server) putObjectTagging(w http.ResponseWriter, c *call) error {
	if _, _, err := s.objectForSubresource(c); err != nil {
		return err
	}
	var in tagSet
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxConfigBody))
	if err != nil {
		return storeError(err, c)
	}
	if xml.Unmarshal(body, &in) != nil {
		return errMalformedXML()
	}
	var tags []store.Tag
	for _, t := range in.Tags {
		tags = append(tags, store.Tag{Key: t.Key, Value: t.Value})
	}
	if err := validateTags(tags); err != nil {
		return err
	}
	_, err = s.store.UpdateObject(c.r.Context(), c.bucket, c.key, func(m *store.ObjectMeta) error {
		m.Tags = tags
		return nil
	})
	if err != nil {
		return storeError(err, c)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteObjectTagging(w http.ResponseWriter, c *call) error {
	if _, _, err := s.objectForSubresource(c); err != nil {
		return err
	}
	_, err := s.store.UpdateObject(c.r.Context(), c.bucket, c.key, func(m *store.ObjectMeta) error {
		m.Tags = nil
		return nil
	})
	if err != nil {
		return storeError(err, c)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// aclXML is an AccessControlPolicy document.
type aclXML struct {
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	NS      string     `xml:"xmlns,attr,omitempty"`
	Owner   ownerXML   `xml:"Owner"`
	Grants  []grantXML `xml:"AccessControlList>Grant"`
}

type grantXML struct {
	Grantee struct {
		XSI         string `xml:"xmlns:xsi,attr,omitempty"`
		Type        string `xml:"xsi:type,attr,omitempty"`
		ID          string `xml:",omitempty"`
		DisplayName string `xml:",omitempty"`
		URI         string `xml:",omitempty"`
	}
	Permission string
}

func fullControl(account string) grantXML {
	var g grantXML
	g.Grantee.XSI = "http://www.w3.org/2001/XMLSchema-instance"
	g.Grantee.Type = "CanonicalUser"
	g.Grantee.ID = canonicalID(account)
	g.Grantee.DisplayName = account
	g.Permission = "FULL_CONTROL"
	return g
}

func (s *Server) getObjectACL(w http.ResponseWriter, c *call) error {
	b, meta, err := s.objectForSubresource(c)
	if err != nil {
		return err
	}
	ownerAcct := meta.Owner
	if ownerAcct == "" || b.Ownership == world.BucketOwnerEnforced {
		ownerAcct = b.Account.ID
	}
	out := aclXML{NS: s3NS, Owner: owner(ownerAcct), Grants: []grantXML{fullControl(ownerAcct)}}
	if len(meta.ACL) > 0 && b.Ownership != world.BucketOwnerEnforced {
		var stored aclXML
		if xml.Unmarshal(meta.ACL, &stored) == nil {
			out.Grants = stored.Grants
		}
	}
	return writeXML(w, http.StatusOK, out)
}

func (s *Server) putObjectACL(w http.ResponseWriter, c *call) error {
	b, meta, err := s.objectForSubresource(c)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxConfigBody))
	if err != nil {
		return storeError(err, c)
	}
	ownerAcct := effectiveOwner(b, meta)
	var acl aclXML
	switch {
	case len(strings.TrimSpace(string(body))) > 0:
		if hasACLHeaders(c.r.Header) {
			return errorf(http.StatusBadRequest, "UnexpectedContent", "This request does not support content")
		}
		if xml.Unmarshal(body, &acl) != nil {
			return errMalformedXML()
		}
		if b.Ownership == world.BucketOwnerEnforced {
			if len(acl.Grants) != 1 || acl.Grants[0].Permission != "FULL_CONTROL" || acl.Grants[0].Grantee.ID != canonicalID(b.Account.ID) {
				return errorf(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs")
			}
		}
	default:
		if err := checkACLHeaders(c.r.Header, b); err != nil {
			return err
		}
		acl = headerACL(c.r.Header, ownerAcct, b.Account.ID)
	}
	acl.NS = ""
	text, err := xml.Marshal(acl)
	if err != nil {
		return errInternal(err)
	}
	_, err = s.store.UpdateObject(c.r.Context(), c.bucket, c.key, func(m *store.ObjectMeta) error {
		m.ACL = text
		return nil
	})
	if err != nil {
		return storeError(err, c)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// cannedACL expands a canned ACL into grants (docs/authorization.md §2.5 canned ACLs).
func cannedACL(name, objectOwner, bucketOwner string) aclXML {
	acl := aclXML{Owner: owner(objectOwner), Grants: []grantXML{fullControl(objectOwner)}}
	group := func(uri, perm string) grantXML {
		var g grantXML
		g.Grantee.XSI = "http://www.w3.org/2001/XMLSchema-instance"
		g.Grantee.Type = "Group"
		g.Grantee.URI = uri
		g.Permission = perm
		return g
	}
	const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"
	switch name {
	case "public-read":
		acl.Grants = append(acl.Grants, group(allUsers, "READ"))
	case "public-read-write":
		acl.Grants = append(acl.Grants, group(allUsers, "READ"), group(allUsers, "WRITE"))
	case "authenticated-read":
		acl.Grants = append(acl.Grants, group("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ"))
	case "bucket-owner-read":
		if bucketOwner != objectOwner {
			g := fullControl(bucketOwner)
			g.Permission = "READ"
			acl.Grants = append(acl.Grants, g)
		}
	case "bucket-owner-full-control":
		if bucketOwner != objectOwner {
			acl.Grants = append(acl.Grants, fullControl(bucketOwner))
		}
	}
	return acl
}

// listObjects serves ListObjectsV2 and ListObjects (v1).
func (s *Server) listObjects(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	if err := s.authorize(c, enforce.Call{}); err != nil {
		return err
	}
	q := c.r.URL.Query()
	v2 := c.operation == "ListObjectsV2"
	maxKeys := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument("max-keys", v, "Provided max-keys not an integer or within integer range")
		}
		if n < maxKeys {
			maxKeys = n
		}
	}
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return errInvalidArgument("encoding-type", enc, "Invalid Encoding Method specified in Request")
	}
	opts := store.ListOptions{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), MaxKeys: maxKeys}
	token := q.Get("continuation-token")
	if v2 {
		opts.After = q.Get("start-after")
		if token != "" {
			after, err := base64.StdEncoding.DecodeString(token)
			if err != nil {
				return errInvalidArgument("continuation-token", token, "The continuation token provided is incorrect")
			}
			opts.After = string(after)
		}
	} else {
		opts.After = q.Get("marker")
	}
	res, err := s.store.ListObjects(c.r.Context(), c.bucket, opts)
	if err != nil {
		return storeError(err, c)
	}
	e := func(s string) string {
		if enc == "url" {
			return s3URLEncode(s)
		}
		return s
	}
	type content struct {
		Key          string
		LastModified string
		ETag         string
		Size         int64
		Owner        *ownerXML `xml:",omitempty"`
		StorageClass string
	}
	type prefix struct {
		Prefix string
	}
	type result struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		NS                    string   `xml:"xmlns,attr"`
		Name                  string
		Prefix                string
		Marker                *string `xml:",omitempty"`
		NextMarker            string  `xml:",omitempty"`
		KeyCount              *int    `xml:",omitempty"`
		MaxKeys               int
		Delimiter             string `xml:",omitempty"`
		EncodingType          string `xml:",omitempty"`
		IsTruncated           bool
		ContinuationToken     string    `xml:",omitempty"`
		NextContinuationToken string    `xml:",omitempty"`
		StartAfter            string    `xml:",omitempty"`
		Contents              []content `xml:"Contents"`
		CommonPrefixes        []prefix  `xml:"CommonPrefixes"`
	}
	out := result{NS: s3NS, Name: c.bucket, Prefix: e(opts.Prefix), MaxKeys: maxKeys, Delimiter: e(opts.Delimiter),
		EncodingType: enc, IsTruncated: res.IsTruncated}
	fetchOwner := !v2 || q.Get("fetch-owner") == "true"
	bucketOwner := s.state.world().Bucket(c.bucket).Account.ID
	for _, o := range res.Objects {
		ct := content{Key: e(o.Key), LastModified: s3Time(o.LastModified), ETag: quoteETag(o.ETag), Size: o.Size, StorageClass: "STANDARD"}
		if fetchOwner {
			acct := o.Owner
			if acct == "" {
				acct = bucketOwner
			}
			ow := owner(acct)
			ct.Owner = &ow
		}
		out.Contents = append(out.Contents, ct)
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, prefix{e(p)})
	}
	if v2 {
		n := len(out.Contents) + len(out.CommonPrefixes)
		out.KeyCount = &n
		out.ContinuationToken = token
		out.StartAfter = e(q.Get("start-after"))
		if res.IsTruncated {
			out.NextContinuationToken = base64.StdEncoding.EncodeToString([]byte(res.NextMarker))
		}
	} else {
		m := e(opts.After)
		out.Marker = &m
		if res.IsTruncated && opts.Delimiter != "" {
			out.NextMarker = e(res.NextMarker)
		}
	}
	return writeXML(w, http.StatusOK, out)
}

// s3URLEncode encodes a key as S3 does for encoding-type=url: like a URL
// query value, with spaces as "+".
func s3URLEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}
