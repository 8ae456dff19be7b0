package emulator

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/sigv4"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

// s3Handler serves one S3 operation.
type s3Handler func(s *Server, w http.ResponseWriter, c *call) error

// s3Handlers maps catalogue operation names to their handlers.
var s3Handlers = map[string]s3Handler{
	"ListBuckets":                (*Server).listBuckets,
	"CreateBucket":               (*Server).createBucket,
	"DeleteBucket":               (*Server).deleteBucket,
	"HeadBucket":                 (*Server).headBucket,
	"GetBucketLocation":          (*Server).getBucketLocation,
	"ListObjectsV2":              (*Server).listObjects,
	"ListObjects":                (*Server).listObjects,
	"ListObjectVersions":         (*Server).listObjectVersions,
	"GetBucketPolicy":            (*Server).getBucketPolicy,
	"PutBucketPolicy":            (*Server).putBucketPolicy,
	"DeleteBucketPolicy":         (*Server).deleteBucketPolicy,
	"GetBucketEncryption":        (*Server).getBucketEncryption,
	"PutBucketEncryption":        (*Server).putBucketEncryption,
	"GetBucketOwnershipControls": (*Server).getOwnershipControls,
	"PutBucketOwnershipControls": (*Server).putOwnershipControls,
	"ListMultipartUploads":       (*Server).listMultipartUploads,
	"HeadObject":                 (*Server).getObject,
	"GetObject":                  (*Server).getObject,
	"PutObject":                  (*Server).putObject,
	"CopyObject":                 (*Server).copyObject,
	"DeleteObject":               (*Server).deleteObject,
	"DeleteObjects":              (*Server).deleteObjects,
	"CreateMultipartUpload":      (*Server).createMultipartUpload,
	"UploadPart":                 (*Server).uploadPart,
	"UploadPartCopy":             (*Server).uploadPart,
	"CompleteMultipartUpload":    (*Server).completeMultipartUpload,
	"AbortMultipartUpload":       (*Server).abortMultipartUpload,
	"ListParts":                  (*Server).listParts,
	"GetObjectTagging":           (*Server).getObjectTagging,
	"PutObjectTagging":           (*Server).putObjectTagging,
	"DeleteObjectTagging":        (*Server).deleteObjectTagging,
	"GetObjectAcl":               (*Server).getObjectACL,
	"PutObjectAcl":               (*Server).putObjectACL,
}

// serveS3 parses the bucket and key, names the operation and runs it.
func (s *Server) serveS3(w http.ResponseWriter, c *call) {
	if isS3Control(c.r) {
		s.serveS3Control(w, c)
		return
	}
	c.bucket, c.key = s.bucketAndKey(c.r)
	op, err := s3Operation(c.r, c.bucket, c.key)
	c.operation = op
	if err != nil {
		s.fail(w, c, err)
		return
	}
	c.params["bucketName"] = c.bucket
	if c.key != "" {
		c.params["key"] = c.key
	}
	c.params["Host"] = c.r.Host
	// CloudTrail records the query parameters of S3 requests (prefix,
	// delimiter, list-type, uploadId, partNumber...), not the signature.
	for k, v := range c.r.URL.Query() {
		switch {
		case strings.HasPrefix(strings.ToLower(k), "x-amz-"), k == "AWSAccessKeyId", k == "Signature", k == "Expires":
			continue
		}
		if len(v) > 0 {
			c.params[k] = v[0]
		}
	}
	if err := s.checkS3Request(c); err != nil {
		s.fail(w, c, err)
		return
	}
	h := s3HandlerOf(op)
	if h == nil {
		s.fail(w, c, errNotImplemented(op))
		return
	}
	if err := h(s, w, c); err != nil {
		s.fail(w, c, err)
	}
}

// s3HandlerOf returns the handler of a catalogue operation, nil when the
// emulator does not serve it.
func s3HandlerOf(operation string) s3Handler {
	if h := s3Handlers[operation]; h != nil {
		return h
	}
	return bucketConfigHandlers[operation]
}

// bucketAndKey reads the bucket and key from a path-style URL
// (/bucket/key) or a virtual-hosted one (bucket.localhost:9000/key,
// bucket.s3.amazonaws.com/key). The key is the decoded path: it may hold
// "//", "../" and a trailing "/".
func (s *Server) bucketAndKey(r *http.Request) (bucket, key string) {
	path := r.URL.Path
	host := r.Host
	if h, _, err := splitHostPort(host); err == nil {
		host = h
	}
	if b := virtualHostBucket(host, s.region); b != "" {
		return b, strings.TrimPrefix(path, "/")
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

// virtualHostBucket returns the bucket of a virtual-hosted-style host name:
// the labels before localhost, s3.amazonaws.com or s3.REGION.amazonaws.com.
func virtualHostBucket(host, region string) string {
	host = strings.ToLower(host)
	for _, base := range []string{".localhost", ".s3.amazonaws.com", ".s3." + region + ".amazonaws.com", ".s3-" + region + ".amazonaws.com"} {
		if b, ok := strings.CutSuffix(host, base); ok && b != "" {
			return b
		}
	}
	return ""
}

func splitHostPort(hostport string) (string, string, error) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || strings.HasSuffix(hostport, "]") {
		return hostport, "", errors.New("no port")
	}
	return hostport[:i], hostport[i+1:], nil
}

// s3Operation names the catalogue operation of a request from its method,
// path and query, and the x-amz-copy-source header: the catalogue's routes
// are the route table (s3ops.RouteS3, docs/emulator.md "Routing"). A
// request that names a sub-resource its row's route does not is an
// operation the catalogue does not hold, NotImplemented naming the
// sub-resource; a row without a handler is NotImplemented too (serveS3).
func s3Operation(r *http.Request, bucket, key string) (string, error) {
	level := s3ops.ObjectLevel
	switch {
	case bucket == "":
		level = s3ops.ServiceLevel
	case key == "":
		level = s3ops.BucketLevel
	}
	q := r.URL.Query()
	op, rt, ok := s3ops.RouteS3(r.Method, level, q, r.Header)
	for _, sub := range s3ops.Subresources {
		if _, named := q[sub]; named && (!ok || !rt.Names(sub)) {
			// The audit record names it as S3 would: GetBucketcors.
			return unservedName(r.Method, level, sub), errNotImplemented(r.Method + " ?" + sub)
		}
	}
	switch {
	case ok:
		return op.Name, nil
	case r.Method == http.MethodPost && level == s3ops.BucketLevel:
		return "PostObject", errNotImplemented("browser-based POST uploads")
	}
	return "", errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
		with("Method", r.Method).with("ResourceType", resourceType(bucket, key))
}

// unservedName names an operation on a sub-resource the catalogue does
// not hold, for the audit log: the method's verb, Bucket or Object, and
// the sub-resource.
func unservedName(method string, level s3ops.Level, sub string) string {
	verb := strings.ToUpper(method[:1]) + strings.ToLower(method[1:])
	if level == s3ops.ObjectLevel {
		return verb + "Object" + sub
	}
	return verb + "Bucket" + sub
}

func resourceType(bucket, key string) string {
	switch {
	case bucket == "":
		return "SERVICE"
	case key == "":
		return "BUCKET"
	}
	return "OBJECT"
}

// bucket returns the bucket of the call from the world, or NoSuchBucket.
// NoSuchBucket comes before authorization, even for anonymous callers
// (docs/authorization.md §2.4 "Buckets that do not exist").
func (s *Server) bucket(c *call) (*world.Bucket, error) {
	b := s.state.world().Bucket(c.bucket)
	if b == nil {
		return nil, errNoSuchBucket(c.bucket)
	}
	c.resourceAccount = b.Account.ID
	return b, nil
}

// conditionKeys returns the condition keys the request sets for the
// operation: the ones the catalogue lists with a header or query source
// (docs/authorization.md §2.3 "Each condition key maps to the same name request header"),
// tag keys from x-amz-tagging, and the keys common to every S3 request.
func (s *Server) conditionKeys(c *call, operation string) map[string][]string {
	keys := s.commonKeys(c)
	op, ok := s3ops.Lookup("s3", operation)
	if !ok {
		return keys
	}
	q := c.r.URL.Query()
	for _, k := range op.Keys {
		src, _, _ := strings.Cut(k.From, " ")
		switch {
		case strings.HasPrefix(src, "header:"):
			name := strings.TrimPrefix(src, "header:")
			if v, ok := c.r.Header[http.CanonicalHeaderKey(name)]; ok && len(v) > 0 {
				val := v[0]
				if name == "x-amz-copy-source" {
					val = copySourceKeyValue(val)
				}
				if !strings.Contains(k.Key, "<key>") && name != "x-amz-tagging" {
					keys[k.Key] = []string{val}
				}
			}
		case strings.HasPrefix(src, "query:"):
			name := strings.TrimPrefix(src, "query:")
			if v, ok := q[name]; ok && len(v) > 0 {
				keys[k.Key] = []string{v[0]}
			}
		}
	}
	if t := c.r.Header.Get("X-Amz-Tagging"); t != "" {
		if tags, err := url.ParseQuery(t); err == nil {
			var names []string
			for name, vals := range tags {
				names = append(names, name)
				keys["s3:RequestObjectTag/"+name] = vals
			}
			keys["s3:RequestObjectTagKeys"] = names
		}
	}
	return keys
}

// commonKeys are the keys every S3 request sets (docs/authorization.md §2.3 "Every S3
// action also supports").
func (s *Server) commonKeys(c *call) map[string][]string {
	keys := map[string][]string{}
	if c.auth == nil || c.auth.Anonymous {
		return keys
	}
	if c.auth.Presigned {
		keys["s3:authType"] = []string{"REST-QUERY-STRING"}
	} else {
		keys["s3:authType"] = []string{"REST-HEADER"}
	}
	keys["s3:signatureversion"] = []string{c.auth.Version}
	keys["s3:signatureAge"] = []string{strconv.FormatInt(c.start.Sub(c.auth.Time).Milliseconds(), 10)}
	if v := c.r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		keys["s3:x-amz-content-sha256"] = []string{v}
	}
	return keys
}

// copySourceKeyValue is the s3:x-amz-copy-source value: bucket/key with no
// leading slash, decoded (docs/authorization.md §2.3).
func copySourceKeyValue(h string) string {
	b, k, _, err := parseCopySource(h)
	if err != nil {
		return h
	}
	return b + "/" + k
}

// parseCopySource reads x-amz-copy-source: "bucket/key" or "/bucket/key",
// URL-encoded, with an optional "?versionId=".
func parseCopySource(h string) (bucket, key, versionID string, err error) {
	raw, query, _ := strings.Cut(h, "?")
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return "", "", "", errInvalidArgument("x-amz-copy-source", h, "Invalid copy source encoding")
	}
	dec = strings.TrimPrefix(dec, "/")
	bucket, key, ok := strings.Cut(dec, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", "", errInvalidArgument("x-amz-copy-source", h, "Invalid copy source object key")
	}
	if query != "" {
		v, err := url.ParseQuery(query)
		if err != nil || v.Get("versionId") == "" {
			return "", "", "", errInvalidArgument("x-amz-copy-source", h, "Invalid copy source: only versionId may follow '?'")
		}
		versionID = v.Get("versionId")
	}
	return bucket, key, versionID, nil
}

// features reads the optional request parts that add permissions
// (docs/authorization.md §2.2 "Conditional extra actions").
func features(r *http.Request) s3ops.Features {
	h := r.Header
	f := s3ops.Features{
		VersionID:  r.URL.Query().Get("versionId") != "",
		Tagging:    h.Get("X-Amz-Tagging") != "",
		ObjectLock: h.Get("X-Amz-Object-Lock-Mode") != "" || h.Get("X-Amz-Object-Lock-Retain-Until-Date") != "",
		LegalHold:  h.Get("X-Amz-Object-Lock-Legal-Hold") != "",
		Checksum:   h.Get("X-Amz-Checksum-Algorithm") != "",
		// HeadObject in checksum mode on an SSE-KMS object needs KMS
		// permissions (docs/authorization.md §3.1).
		ChecksumMode: checksumModeEnabled(h),
		// A write conditional on the ETag of the object it replaces
		// needs s3:GetObject too (docs/authorization.md §2.2 PutObject).
		IfMatch: h.Get("If-Match") != "",
	}
	// x-amz-acl: private alone asks for the ACL every object gets anyway:
	// it adds no s3:PutObjectAcl check (docs/decisions.md, "private
	// canned ACL").
	f.ACL = hasGrantHeaders(h) || (h.Get("X-Amz-Acl") != "" && h.Get("X-Amz-Acl") != "private")
	f.NonPrivateACL = f.ACL
	f.ObjectOwnership = h.Get("X-Amz-Object-Ownership") != ""
	f.BucketLock = strings.EqualFold(h.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true")
	if cs := h.Get("X-Amz-Copy-Source"); cs != "" {
		_, _, v, _ := parseCopySource(cs)
		f.SourceVersionID = v != ""
	}
	return f
}

var grantHeaders = []string{"X-Amz-Grant-Full-Control", "X-Amz-Grant-Read", "X-Amz-Grant-Read-Acp", "X-Amz-Grant-Write", "X-Amz-Grant-Write-Acp"}

func hasGrantHeaders(h http.Header) bool {
	for _, g := range grantHeaders {
		if h.Get(g) != "" {
			return true
		}
	}
	return false
}

func hasACLHeaders(h http.Header) bool { return h.Get("X-Amz-Acl") != "" || hasGrantHeaders(h) }

// storeError maps store errors to S3 errors.
func storeError(err error, c *call) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNoSuchBucket):
		return errNoSuchBucket(c.bucket)
	case errors.Is(err, store.ErrNoSuchKey):
		return errNoSuchKey(c.key)
	case errors.Is(err, store.ErrNoSuchVersion):
		return errNoSuchVersion(c.key, c.r.URL.Query().Get("versionId"))
	case errors.Is(err, store.ErrNoSuchUpload):
		return errNoSuchUpload(c.r.URL.Query().Get("uploadId"))
	case errors.Is(err, store.ErrBucketNotEmpty):
		return errorf(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", c.bucket)
	case errors.Is(err, store.ErrInvalidPart):
		return errorf(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	case errors.Is(err, store.ErrInvalidPartOrder):
		return errorf(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
	case errors.Is(err, store.ErrEntityTooSmall):
		return errorf(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
	case errors.Is(err, store.ErrInvalidKey):
		return errorf(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errRequestTimeout()
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return asAPIError(se)
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var me *http.MaxBytesError
	if errors.As(err, &me) {
		return errEntityTooLarge(me.Limit)
	}
	return errInternal(err)
}

// s3Time formats a time as S3 XML does: 2006-01-02T15:04:05.000Z.
// Like S3's, its milliseconds are always zero: the listings and the
// Last-Modified header of one object agree to the second.
func s3Time(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05.000Z")
}

// httpTime formats a time for Last-Modified.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }
