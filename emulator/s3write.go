package emulator

import (
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/lockstep-dev/lockstep/internal/checksum"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

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
	var err error
	if we.sse, we.cipher, err = s.newKMSDataKey(we.sse, we.key, b, key); err != nil {
		return we, errInternal(err)
	}
	return we, nil
}

// newKMSDataKey completes sse (its Algorithm and BucketKey set) for a new
// object key of bucket b under the KMS key k: a new data key wrapped by
// k in the encryption context S3 uses, aws:s3:arn the object's ARN, or
// the bucket's with an S3 Bucket Key (docs/authorization.md §3.2), and
// the cipher that encrypts the object with it.
func (s *Server) newKMSDataKey(sse store.SSE, k *world.Key, b *world.Bucket, key string) (store.SSE, *store.Cipher, error) {
	sse.KMSKeyID = k.ARN
	arn := objectARN(b.Name, key)
	if sse.BucketKey {
		arn = b.ARN
	}
	sse.Context = `{"aws:s3:arn":"` + arn + `"}`
	dk, wrapped, err := s.keys.newDataKey(k.ARN, sse.Context)
	if err != nil {
		return sse, nil, err
	}
	sse.WrappedKey = wrapped
	return sse, &store.Cipher{Key: dk}, nil
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
	sc, err := storageClass(h)
	if err != nil {
		return m, err
	}
	m.StorageClass = sc
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
	return m, nil
}

// storageClass reads x-amz-storage-class: empty, or one of S3's classes,
// else 400 InvalidStorageClass (docs/emulator.md "Write guarantees and
// request semantics").
func storageClass(h http.Header) (string, error) {
	sc := h.Get("X-Amz-Storage-Class")
	if sc != "" && !s3ops.IsStorageClass(sc) {
		return "", errInvalidStorageClass()
	}
	return sc, nil
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
	return validateTagKeys(tags)
}

// validateTagKeys checks each tag's key and value and that no key repeats,
// for object and bucket tags alike. Lengths count Unicode characters: "The
// tag key is a case-sensitive string that must contain between 1 and 128
// Unicode characters", the value "between 0 and 256" (S3 User Guide,
// tagging; docs/emulator.md "Bucket sub-resources").
func validateTagKeys(tags []store.Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > 128 || strings.HasPrefix(t.Key, "aws:") {
			return errorf(http.StatusBadRequest, "InvalidTag", "The TagKey you have provided is invalid").with("TagKey", t.Key)
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return errorf(http.StatusBadRequest, "InvalidTag", "The TagValue you have provided is invalid").with("TagKey", t.Key)
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
	if err := s.authorize(c, writtenEncryption(we), enforce.Call{Features: features(c.r)}); err != nil {
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
		return errEntityTooLarge(maxObjectSize).with("ProposedSize", strconv.FormatInt(c.r.ContentLength, 10))
	}
	meta, we, err := s.prepareWrite(c)
	if err != nil {
		return err
	}
	pre, err := writePrecondition(c.r.Header)
	if err != nil {
		return err
	}
	meta.LastModified = c.start
	// The object's checksum is the one the request declared, else S3's
	// default CRC64NVME; a single-request upload's is FULL_OBJECT
	// (docs/emulator.md "Checksums").
	declared, compute := requestChecksum(c.r.Header), checksum.CRC64NVME
	if declared != checksum.None {
		compute = checksum.None
	}
	sum := newBodyChecksum(c.r.Body, declared, compute)
	meta.Checksums = nil
	meta.Extra = withChecksumType(meta.Extra, checksum.FullObject)
	out, err := s.store.PutIf(c.r.Context(), c.bucket, c.key, newObjectBody(c.r.Body, maxObjectSize, sum), meta, we.cipher, pre)
	if err != nil {
		return conditionalWriteError(err, c, pre)
	}
	s.replicateNew(c.r.Context(), c.bucket, out)
	h := w.Header()
	h.Set("ETag", quoteETag(out.ETag))
	setVersionHeader(h, "", out)
	setSSEHeaders(h, out.SSE)
	setChecksumHeaders(h, out)
	w.WriteHeader(http.StatusOK)
	return nil
}

// writePrecondition reads the conditional-write headers of PutObject and
// CompleteMultipartUpload: If-None-Match: * (create only) and If-Match:
// ETAG (replace only that object). The store checks them atomically with
// the commit (docs/emulator.md "Conditional writes").
func writePrecondition(h http.Header) (store.Precondition, error) {
	var pre store.Precondition
	if inm := h.Get("If-None-Match"); inm != "" {
		if inm != "*" {
			return pre, errNotImplemented("If-None-Match other than *")
		}
		pre.IfNoneMatch = true
	}
	pre.IfMatch = h.Get("If-Match")
	return pre, nil
}

// conditionalWriteError maps the store's error of a conditional write,
// naming the failed condition: the store checks If-None-Match first.
func conditionalWriteError(err error, c *call, pre store.Precondition) error {
	switch {
	case !errors.Is(err, store.ErrPreconditionFailed):
		return storeError(err, c)
	case pre.IfNoneMatch:
		return errPreconditionFailed("If-None-Match")
	}
	return errPreconditionFailed("If-Match")
}

// deleteObject serves DeleteObject: without versionId, by the bucket's
// versioning state (removes the object, or adds a delete marker); with
// one, it removes that version for good (docs/emulator.md "Versioning").
func (s *Server) deleteObject(w http.ResponseWriter, c *call) error {
	b, err := s.bucket(c)
	if err != nil {
		return err
	}
	vid, err := requestVersionID(c.r.URL.Query())
	if err != nil {
		return err
	}
	if err := s.authorize(c, noObjectData, enforce.Call{Features: features(c.r)}); err != nil {
		return err
	}
	res, err := s.store.DeleteObject(c.r.Context(), c.bucket, c.key, s.deleteOptions(c, b, vid))
	if err != nil {
		return storeError(err, c)
	}
	s.replicateDeleteMarker(c.r.Context(), c.bucket, c.key, res)
	setDeleteHeaders(w.Header(), res, vid)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteOptions are the store's options of a delete of version vid: a
// delete marker it adds is owned as an object the caller writes would be
// ("Owner: The account that created the delete marker.", S3 API
// reference DeleteMarkerEntry).
func (s *Server) deleteOptions(c *call, b *world.Bucket, vid string) store.DeleteOptions {
	return store.DeleteOptions{VersionID: vid, Owner: objectOwner(b, c.principal, http.Header{})}
}

// setDeleteHeaders sets the headers of DeleteObject's answer: the version
// removed or the marker added, and x-amz-delete-marker when it is a
// marker (S3 API reference DeleteObject). Deleting an object of a bucket
// never versioned sends neither.
func setDeleteHeaders(h http.Header, res store.DeleteResult, vid string) {
	if res.DeleteMarker {
		h.Set("X-Amz-Delete-Marker", "true")
	}
	if res.DeleteMarker || vid != "" {
		h.Set("X-Amz-Version-Id", res.VersionID)
	}
}

func (s *Server) deleteObjects(w http.ResponseWriter, c *call) error {
	b, err := s.bucket(c)
	if err != nil {
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
	// An empty <Delete> does not validate against S3's schema (Object is
	// required), nor does an object without a key (docs/decisions.md
	// "DeleteObjects").
	if len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return errMalformedXML()
	}
	for _, o := range req.Objects {
		if o.Key == "" {
			return errMalformedXML()
		}
	}
	if c.r.Header.Get("Content-Md5") == "" && !hasChecksumHeader(c.r.Header) {
		return errorf(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: Content-MD5")
	}
	type deleted struct {
		Key                   string
		VersionID             string `xml:"VersionId,omitempty"`
		DeleteMarker          bool   `xml:",omitempty"`
		DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
	}
	type delError struct {
		Key       string
		VersionID string `xml:"VersionId,omitempty"`
		Code      string
		Message   string
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
		ec := enforce.Call{Operation: "DeleteObject", Key: o.Key, Features: s3ops.Features{VersionID: o.VersionID != ""}}
		if o.VersionID != "" {
			// The entry's version ID, as DeleteObject's versionId
			// (s3:versionid, docs/context-keys.md).
			ec.Keys = map[string][]string{"s3:versionid": {o.VersionID}}
		}
		err := s.authorize(&oc, noObjectData, ec)
		c.checks = append(c.checks, oc.checks...)
		c.authorized = c.authorized || oc.authorized
		var res store.DeleteResult
		switch {
		case err != nil:
		case o.VersionID != "" && !store.IsVersionID(o.VersionID):
			// S3 answers a malformed version ID in DeleteObjects as one
			// that names no version (docs/emulator.md "Versioning").
			err = errNoSuchVersion(o.Key, o.VersionID)
		default:
			res, err = s.store.DeleteObject(c.r.Context(), c.bucket, o.Key, s.deleteOptions(c, b, o.VersionID))
			err = storeError(err, &oc)
			if err == nil {
				s.replicateDeleteMarker(c.r.Context(), c.bucket, o.Key, res)
			}
		}
		if err != nil {
			ae := asAPIError(err)
			out.Errors = append(out.Errors, delError{Key: o.Key, VersionID: o.VersionID, Code: ae.Code, Message: ae.Message})
			continue
		}
		if req.Quiet {
			continue
		}
		d := deleted{Key: o.Key, VersionID: o.VersionID, DeleteMarker: res.DeleteMarker}
		if res.DeleteMarker {
			d.DeleteMarkerVersionID = res.VersionID
		}
		out.Deleted = append(out.Deleted, d)
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
