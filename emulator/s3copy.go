package emulator

import (
	"encoding/xml"
	"errors"
	"github.com/lockstep-dev/lockstep/internal/checksum"
	"io"
	"maps"
	"net/http"
	"strings"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

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
	if err := s.authorizeCopySource(c, writtenEncryption(we), ec, cs); err != nil {
		return err
	}
	if err := conditionalCopyUnderEnforcement(c, b); err != nil {
		return err
	}
	if err := checkACLHeaders(c.r.Header, b); err != nil {
		return err
	}
	sc, err := storageClass(c.r.Header)
	if err != nil {
		return err
	}
	meta := src
	meta.StorageClass = sc
	meta.PartsCount, meta.PartSizes = 0, nil
	// A copy is a new object: the source's replication status is not
	// its own (docs/emulator.md "Replication").
	meta.Extra = maps.Clone(meta.Extra)
	delete(meta.Extra, extraReplicationStatus)
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
	// Copying a version onto its own key restores it: not a copy to
	// itself.
	sameObject := srcBucket == c.bucket && srcKey == c.key && cs.version == ""
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
	srcCipher, err := s.objectCipher(c, src)
	if err != nil {
		return err
	}
	if meta.Checksums, err = s.copyChecksums(c, cs, srcCipher); err != nil {
		return err
	}
	meta.Extra = withChecksumType(meta.Extra, checksum.FullObject)
	pre, err := writePrecondition(c.r.Header)
	if err != nil {
		return err
	}
	type result struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		NS           string   `xml:"xmlns,attr"`
		LastModified string
		ETag         string
		checksumXML
	}
	sums := newChecksumXML(meta.Checksums, checksum.FullObject)
	setSSEHeaders(w.Header(), we.sse)
	if err := s.setSourceVersionHeader(w, c, cs); err != nil {
		return err
	}
	from := store.CopySource{Bucket: srcBucket, Key: srcKey, VersionID: cs.version, Cipher: srcCipher}
	if src.Size >= longCopy {
		// A long copy answers 200 at once and keeps the connection alive
		// with whitespace; an error that happens during the copy then
		// comes inside the 200 body, as S3 does (S3 API reference,
		// CopyObject: "a 200 OK response can contain either a success or
		// an error").
		return s.longOperation(w, c, func() (any, error) {
			// The new version's ID is known after the 200: it is not
			// sent (docs/emulator.md "Versioning").
			out, err := s.store.CopyVersion(ctx, from, c.bucket, c.key, meta, we.cipher, pre)
			if err != nil {
				return nil, conditionalWriteError(err, c, pre)
			}
			s.replicateNew(ctx, c.bucket, out)
			return result{NS: s3NS, LastModified: s3Time(out.LastModified), ETag: quoteETag(out.ETag), checksumXML: sums}, nil
		})
	}
	out, err := s.store.CopyVersion(ctx, from, c.bucket, c.key, meta, we.cipher, pre)
	if err != nil {
		return conditionalWriteError(err, c, pre)
	}
	s.replicateNew(ctx, c.bucket, out)
	setVersionHeader(w.Header(), "", out)
	return writeXML(w, http.StatusOK, result{NS: s3NS, LastModified: s3Time(out.LastModified), ETag: quoteETag(out.ETag), checksumXML: sums})
}

// conditionalCopyUnderEnforcement answers 501 NotImplemented to a
// CopyObject that sends If-None-Match or If-Match to an object whose
// bucket policy enforces conditional writes: a statement covering
// s3:PutObject on the object tests s3:if-none-match or s3:if-match
// (docs/authorization.md §2.3 "Conditional writes": "CopyObject requests
// made with those HTTP headers fail with a 501 Not Implemented
// response."; docs/decisions.md #32). It runs once the copy is
// authorized, so that the answer tells a caller the policies refuse
// nothing about the policy; the statement's resource is matched with the
// context of the authorization's s3:PutObject check.
func conditionalCopyUnderEnforcement(c *call, b *world.Bucket) error {
	h := c.r.Header
	if b.Policy == nil || (h.Get("If-None-Match") == "" && h.Get("If-Match") == "") {
		return nil
	}
	var ctx *policy.Context
	for _, ch := range c.checks {
		if ch.Action == "s3:PutObject" && ch.Target == s3ops.Object && ch.Request != nil {
			ctx = ch.Request.Context
		}
	}
	arn := objectARN(c.bucket, c.key)
	for _, st := range b.Policy.Statements {
		if !st.MatchAction("s3:PutObject") || !st.MatchResource(arn, ctx) {
			continue
		}
		for _, k := range st.ConditionKeys() {
			if strings.EqualFold(k, "s3:if-none-match") || strings.EqualFold(k, "s3:if-match") {
				return errorf(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented.")
			}
		}
	}
	return nil
}

// longCopy is the source size from which CopyObject answers 200 before
// copying.
const longCopy = 64 << 20

// copySourceObject is the source of CopyObject or UploadPartCopy.
type copySourceObject struct {
	bucket, key, version string
	b                    *world.Bucket
	meta                 store.ObjectMeta
	// missing: no such key, version, or a delete marker, an error after
	// authorization; lookupErr says which.
	missing   bool
	lookupErr error
}

// readCopySource reads x-amz-copy-source and looks up the source bucket
// and object (the version it names, if any). A missing object is not an
// error yet: authorizeCopySource reports it once the call is authorized.
func (s *Server) readCopySource(c *call) (*copySourceObject, error) {
	h := c.r.Header.Get("X-Amz-Copy-Source")
	bucket, key, version, err := parseCopySource(h)
	if err != nil {
		return nil, err
	}
	if version != "" && !store.IsVersionID(version) {
		return nil, errInvalidArgument("x-amz-copy-source", h, "Invalid version id specified")
	}
	c.params["x-amz-copy-source"] = bucket + "/" + key
	sb := s.state.world().Bucket(bucket)
	if sb == nil {
		return nil, errNoSuchBucket(bucket)
	}
	meta, err := s.store.HeadVersion(c.r.Context(), bucket, key, version)
	missing := errors.Is(err, store.ErrNoSuchKey) || errors.Is(err, store.ErrNoSuchVersion) || errors.Is(err, store.ErrDeleteMarker)
	if err != nil && !missing {
		return nil, storeError(err, c)
	}
	return &copySourceObject{bucket: bucket, key: key, version: version, b: sb, meta: meta, missing: missing, lookupErr: err}, nil
}

// setSourceVersionHeader sets x-amz-copy-source-version-id, the version
// of the source copied, for a source in a bucket that has had versioning
// (S3 API reference CopyObject).
func (s *Server) setSourceVersionHeader(w http.ResponseWriter, c *call, cs *copySourceObject) error {
	state, err := s.bucketVersioning(c, cs.bucket)
	if err != nil {
		return err
	}
	if state != "" || cs.meta.VersionID != "" {
		w.Header().Set("X-Amz-Copy-Source-Version-Id", versionName(cs.meta))
	}
	return nil
}

// encryption is the encryption state of the source object: none when it
// is missing (S3 reads nothing), whatever its bucket's default.
func (cs *copySourceObject) encryption() enforce.Encryption {
	if cs.missing {
		return noObjectData
	}
	return storedEncryption(cs.meta.SSE)
}

// authorizeCopySource authorizes a copy from cs to an object in the
// encryption state enc, then checks that the source exists, as its
// current version, and meets the x-amz-copy-source-if-* conditions. The
// source is read through its ACL when another account than its bucket's
// owner owns it (docs/authorization.md §2.5 object context).
func (s *Server) authorizeCopySource(c *call, enc enforce.Encryption, ec enforce.Call, cs *copySourceObject) error {
	ec.SourceEncryption = cs.encryption()
	// A copy that takes over its source's tags reads and writes them
	// (docs/decisions.md #56); only CopyObject's row has the triggers.
	ec.Features.SourceTags = !cs.missing && len(cs.meta.Tags) > 0 && c.r.Header.Get("X-Amz-Tagging-Directive") != "REPLACE"
	if err := s.authorize(c, enc, ec, copySource(cs.b, cs.meta, cs.missing)...); err != nil {
		return err
	}
	switch {
	case cs.missing && cs.version != "" && errors.Is(cs.lookupErr, store.ErrDeleteMarker):
		return errorf(http.StatusBadRequest, "InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.")
	case cs.missing && cs.version != "":
		return errNoSuchVersion(cs.key, cs.version)
	case cs.missing:
		// The same 403-or-404 rule as GetObject, on the source
		// (docs/authorization.md §2.4); a current delete marker reads
		// as no object.
		return s.missingObjectAt(c, cs.b, cs.key, s3ops.SourceObject)
	}
	_, err := checkConditions(c.r.Header, cs.meta, "X-Amz-Copy-Source-If-")
	return err
}

// parseCopySourceRange reads UploadPartCopy's x-amz-copy-source-range:
// exactly bytes=first-last, with last inside the source. Unlike a GET
// Range, a malformed range or one past the end is an error, never
// ignored nor shortened (docs/emulator.md "Write guarantees and request
// semantics").
func parseCopySourceRange(h string, size int64) (start, length int64, err error) {
	spec, _ := strings.CutPrefix(h, "bytes=")
	a, b, found := strings.Cut(spec, "-")
	first, okA := parseOffset(a)
	last, okB := parseOffset(b)
	if !strings.HasPrefix(h, "bytes=") || !found || !okA || !okB || last < first {
		return 0, 0, errInvalidArgument("x-amz-copy-source-range", h, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
	}
	if last >= size {
		return 0, 0, errInvalidArgument("x-amz-copy-source-range", h, "Range specified is not valid for source object of size: %d", size)
	}
	return first, last - first + 1, nil
}

// copyChecksums returns the checksum of CopyObject's new object, a
// FULL_OBJECT checksum of the algorithm x-amz-checksum-algorithm names,
// else of the source's algorithm, else S3's default CRC64NVME
// (docs/emulator.md "Checksums"). The source's value is kept when it is
// already that (a full-object checksum of the same algorithm); otherwise
// the source is read and hashed.
func (s *Server) copyChecksums(c *call, cs *copySourceObject, srcCipher *store.Cipher) (map[string]string, error) {
	srcAlg, srcSum, hasSum := storedChecksum(cs.meta.Checksums)
	alg := srcAlg
	if name := c.r.Header.Get("X-Amz-Checksum-Algorithm"); name != "" {
		if alg = checksum.Parse(name); alg == checksum.None {
			return nil, errInvalidArgument("x-amz-checksum-algorithm", name, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
	}
	if alg == checksum.None {
		alg = checksum.CRC64NVME
	}
	fullObject := cs.meta.PartsCount == 0 || cs.meta.Extra[extraChecksumType] == checksum.FullObject
	if hasSum && alg == srcAlg && fullObject {
		return map[string]string{alg.String(): srcSum}, nil
	}
	_, rc, err := s.store.GetVersion(c.r.Context(), cs.bucket, cs.key, cs.version, srcCipher)
	if err != nil {
		return nil, storeError(err, c)
	}
	defer rc.Close()
	h := checksum.New(alg)
	if _, err := io.Copy(h, rc); err != nil {
		return nil, storeError(err, c)
	}
	return map[string]string{alg.String(): h.Base64()}, nil
}
