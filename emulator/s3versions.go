package emulator

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/store"
)

// Object versioning (docs/emulator.md "Versioning"): the store keeps the
// versions; this file reads version IDs from requests, writes them to
// answers, and maps the errors of reading a version.

// requestVersionID reads the versionId query parameter: "" when absent.
// An empty or malformed one is InvalidArgument, as from S3 ("Invalid
// version id specified"); a well-formed one that names no version is
// NoSuchVersion later.
func requestVersionID(q url.Values) (string, error) {
	vs, ok := q["versionId"]
	if !ok {
		return "", nil
	}
	v := ""
	if len(vs) > 0 {
		v = vs[0]
	}
	switch {
	case v == "":
		return "", errInvalidArgument("versionId", v, "Version id cannot be the empty string")
	case !store.IsVersionID(v):
		return "", errInvalidArgument("versionId", v, "Invalid version id specified")
	}
	return v, nil
}

// versionName is the version ID S3 shows for meta: "null" for the null
// version.
func versionName(meta store.ObjectMeta) string {
	if meta.VersionID == "" {
		return store.NullVersion
	}
	return meta.VersionID
}

// bucketVersioning returns the bucket's versioning state ("" if never
// set).
func (s *Server) bucketVersioning(c *call, bucket string) (string, error) {
	state, err := s.store.Versioning(c.r.Context(), bucket)
	return state, storeError(err, c)
}

// setVersionHeader sets x-amz-version-id for an object version read or
// written in a bucket whose versioning state is state: S3 sends it for
// buckets that have had versioning enabled, with "null" for the null
// version, and never for a bucket that never had it (docs/emulator.md
// "Versioning").
func setVersionHeader(h http.Header, state string, meta store.ObjectMeta) {
	if state != "" || meta.VersionID != "" {
		h.Set("X-Amz-Version-Id", versionName(meta))
	}
}

// errNoSuchVersion: a well-formed version ID that names no version.
func errNoSuchVersion(key, vid string) *apiError {
	return errorf(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.").with("Key", key).with("VersionId", vid)
}

// deleteMarkerError answers a read of a delete marker, once the call is
// authorized: the current version being a marker is 404 NoSuchKey with
// x-amz-delete-marker: true; a marker named by its version ID is 405
// MethodNotAllowed with x-amz-delete-marker and Last-Modified (S3 API
// reference GetObject, x-amz-delete-marker). It returns nil when err is
// not about a marker.
func deleteMarkerError(w http.ResponseWriter, c *call, err error) error {
	var dm *store.DeleteMarkerError
	if !errors.As(err, &dm) {
		return nil
	}
	h := w.Header()
	h.Set("X-Amz-Delete-Marker", "true")
	h.Set("X-Amz-Version-Id", versionName(dm.Meta))
	if dm.Current {
		return errNoSuchKey(c.key)
	}
	h.Set("Last-Modified", httpTime(dm.Meta.LastModified))
	return errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
		with("Method", c.r.Method).with("ResourceType", "DeleteMarker")
}

// versionLookupError answers, once the call is authorized, the error of
// looking up a version that is not an object: a delete marker, or a
// version ID that names none.
func versionLookupError(w http.ResponseWriter, c *call, err error, vid string) error {
	if e := deleteMarkerError(w, c, err); e != nil {
		return e
	}
	if errors.Is(err, store.ErrNoSuchVersion) {
		return errNoSuchVersion(c.key, vid)
	}
	return storeError(err, c)
}

// listObjectVersions serves ListObjectVersions: every version and delete
// marker, keys in order and the versions of each newest first (S3 API
// reference ListObjectVersions).
func (s *Server) listObjectVersions(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	if err := s.authorize(c, noObjectData, enforce.Call{}); err != nil {
		return err
	}
	q := c.r.URL.Query()
	maxKeys := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument("max-keys", v, "Provided max-keys not an integer or within integer range")
		}
		maxKeys = min(n, maxKeys)
	}
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return errInvalidArgument("encoding-type", enc, "Invalid Encoding Method specified in Request")
	}
	opts := store.VersionListOptions{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		KeyMarker: q.Get("key-marker"), VersionIDMarker: q.Get("version-id-marker"), MaxKeys: maxKeys}
	if opts.VersionIDMarker != "" {
		if opts.KeyMarker == "" {
			return errInvalidArgument("version-id-marker", opts.VersionIDMarker, "A version-id marker cannot be specified without a key marker.")
		}
		if !store.IsVersionID(opts.VersionIDMarker) {
			return errInvalidArgument("version-id-marker", opts.VersionIDMarker, "Invalid version id specified")
		}
	}
	res, err := s.store.ListVersions(c.r.Context(), c.bucket, opts)
	if err != nil {
		return storeError(err, c)
	}
	e := keyEncoder(enc)
	// A Version or a DeleteMarker element, in listing order.
	type entry struct {
		XMLName      xml.Name
		Key          xmlText
		VersionID    string `xml:"VersionId"`
		IsLatest     bool
		LastModified string
		ETag         string `xml:",omitempty"`
		Size         *int64 `xml:",omitempty"`
		Owner        ownerXML
		StorageClass string `xml:",omitempty"`
	}
	type prefix struct {
		Prefix xmlText
	}
	type result struct {
		XMLName             xml.Name `xml:"ListVersionsResult"`
		NS                  string   `xml:"xmlns,attr"`
		Name                string
		Prefix              xmlText
		KeyMarker           xmlText
		VersionIDMarker     string   `xml:"VersionIdMarker"`
		NextKeyMarker       *xmlText `xml:",omitempty"`
		NextVersionIDMarker string   `xml:"NextVersionIdMarker,omitempty"`
		MaxKeys             int
		Delimiter           *xmlText `xml:",omitempty"`
		EncodingType        string   `xml:",omitempty"`
		IsTruncated         bool
		Entries             []entry
		CommonPrefixes      []prefix `xml:"CommonPrefixes"`
	}
	out := result{NS: s3NS, Name: c.bucket, Prefix: newXMLText(e(opts.Prefix)), KeyMarker: newXMLText(e(opts.KeyMarker)),
		VersionIDMarker: opts.VersionIDMarker, MaxKeys: maxKeys, Delimiter: optionalXMLText(e(opts.Delimiter)),
		EncodingType: enc, IsTruncated: res.IsTruncated}
	if res.IsTruncated {
		out.NextKeyMarker = optionalXMLText(e(res.NextKeyMarker))
		out.NextVersionIDMarker = res.NextVersionIDMarker
	}
	bucketOwner := s.state.world().Bucket(c.bucket).Account.ID
	for _, v := range res.Versions {
		acct := v.Owner
		if acct == "" {
			acct = bucketOwner
		}
		en := entry{XMLName: xml.Name{Local: "Version"}, Key: newXMLText(e(v.Key)), VersionID: versionName(v.ObjectMeta),
			IsLatest: v.IsLatest, LastModified: s3Time(v.LastModified), Owner: owner(acct)}
		if v.DeleteMarker {
			en.XMLName.Local = "DeleteMarker"
		} else {
			size := v.Size
			en.ETag, en.Size, en.StorageClass = quoteETag(v.ETag), &size, reportedStorageClass(v.StorageClass)
		}
		out.Entries = append(out.Entries, en)
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, prefix{newXMLText(e(p))})
	}
	return writeXML(w, http.StatusOK, out)
}
