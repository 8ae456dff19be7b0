package emulator

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/store"
)

// listObjects serves ListObjectsV2 and ListObjects (v1).
func (s *Server) listObjects(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	if err := s.authorize(c, noObjectData, enforce.Call{}); err != nil {
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
	e := keyEncoder(enc)
	type content struct {
		Key          xmlText
		LastModified string
		ETag         string
		// The object's checksum algorithm and type (S3 API reference,
		// Object: ChecksumAlgorithm, ChecksumType).
		ChecksumAlgorithm string `xml:",omitempty"`
		ChecksumType      string `xml:",omitempty"`
		Size              int64
		Owner             *ownerXML `xml:",omitempty"`
		StorageClass      string
	}
	type prefix struct {
		Prefix xmlText
	}
	type result struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		NS                    string   `xml:"xmlns,attr"`
		Name                  string
		Prefix                xmlText
		Marker                *xmlText `xml:",omitempty"`
		NextMarker            *xmlText `xml:",omitempty"`
		KeyCount              *int     `xml:",omitempty"`
		MaxKeys               int
		Delimiter             *xmlText `xml:",omitempty"`
		EncodingType          string   `xml:",omitempty"`
		IsTruncated           bool
		ContinuationToken     string    `xml:",omitempty"`
		NextContinuationToken string    `xml:",omitempty"`
		StartAfter            *xmlText  `xml:",omitempty"`
		Contents              []content `xml:"Contents"`
		CommonPrefixes        []prefix  `xml:"CommonPrefixes"`
	}
	out := result{NS: s3NS, Name: c.bucket, Prefix: newXMLText(e(opts.Prefix)), MaxKeys: maxKeys, Delimiter: optionalXMLText(e(opts.Delimiter)),
		EncodingType: enc, IsTruncated: res.IsTruncated}
	fetchOwner := !v2 || q.Get("fetch-owner") == "true"
	bucketOwner := s.state.world().Bucket(c.bucket).Account.ID
	for _, o := range res.Objects {
		ct := content{Key: newXMLText(e(o.Key)), LastModified: s3Time(o.LastModified), ETag: quoteETag(o.ETag), Size: o.Size, StorageClass: reportedStorageClass(o.StorageClass)}
		if alg, _, ok := storedChecksum(o.Checksums); ok {
			ct.ChecksumAlgorithm, ct.ChecksumType = alg.String(), o.Extra[extraChecksumType]
		}
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
		out.CommonPrefixes = append(out.CommonPrefixes, prefix{newXMLText(e(p))})
	}
	if v2 {
		n := len(out.Contents) + len(out.CommonPrefixes)
		out.KeyCount = &n
		out.ContinuationToken = token
		out.StartAfter = optionalXMLText(e(q.Get("start-after")))
		if res.IsTruncated {
			out.NextContinuationToken = base64.StdEncoding.EncodeToString([]byte(res.NextMarker))
		}
	} else {
		m := newXMLText(e(opts.After))
		out.Marker = &m
		if res.IsTruncated && opts.Delimiter != "" {
			out.NextMarker = optionalXMLText(e(res.NextMarker))
		}
	}
	return writeXML(w, http.StatusOK, out)
}

// s3URLEncode encodes a key as S3 does for encoding-type=url: like a URL
// query value, with spaces as "+".
func s3URLEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

// reportedStorageClass is an object's storage class as S3 reports it:
// STANDARD when none was given.
func reportedStorageClass(sc string) string {
	if sc == "" {
		return "STANDARD"
	}
	return sc
}

// keyEncoder encodes the keys and prefixes of a listing as its
// encoding-type asks: URL-encoded for "url", as they are otherwise.
func keyEncoder(enc string) func(string) string {
	return func(s string) string {
		if enc == "url" {
			return s3URLEncode(s)
		}
		return s
	}
}
