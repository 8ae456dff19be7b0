package emulator

import (
	"encoding/xml"
	"github.com/lockstep-dev/lockstep/internal/checksum"
	"io"
	"net/http"
	"strconv"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/store"
)

// maxPartSize is S3's limit for one part (5 GiB).
const maxPartSize = 5 << 30

func (s *Server) createMultipartUpload(w http.ResponseWriter, c *call) error {
	meta, we, err := s.prepareWrite(c)
	if err != nil {
		return err
	}
	meta.Checksums = nil
	alg, typ, err := uploadChecksum(c.r.Header)
	if err != nil {
		return err
	}
	meta.Extra = withChecksumType(meta.Extra, typ)
	if alg != checksum.None {
		meta.Extra[extraChecksumAlg] = alg.String()
	}
	id, err := s.store.CreateUpload(c.r.Context(), c.bucket, c.key, meta, c.principal.ARN, we.cipher)
	if err != nil {
		return storeError(err, c)
	}
	h := w.Header()
	setSSEHeaders(h, we.sse)
	if alg != checksum.None {
		h.Set("X-Amz-Checksum-Algorithm", alg.String())
		h.Set("X-Amz-Checksum-Type", typ)
	}
	type result struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		NS       string   `xml:"xmlns,attr"`
		Bucket   string
		Key      string
		UploadID string `xml:"UploadId"`
	}
	return writeXML(w, http.StatusOK, result{NS: s3NS, Bucket: c.bucket, Key: c.key, UploadID: id})
}

// upload returns the multipart upload the call names. When there is
// none, the call is authorized first, so that a caller without
// s3:PutObject learns nothing about uploads.
func (s *Server) upload(c *call) (store.Upload, error) {
	id := c.r.URL.Query().Get("uploadId")
	u, err := s.store.GetUpload(c.r.Context(), c.bucket, c.key, id)
	if err != nil {
		if aerr := s.authorize(c, noObjectData, enforce.Call{Features: features(c.r)}); aerr != nil {
			return u, aerr
		}
		return u, storeError(err, c)
	}
	return u, nil
}

// uploadPart serves UploadPart and UploadPartCopy.
func (s *Server) uploadPart(w http.ResponseWriter, c *call) error {
	b, err := s.bucket(c)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	c.params["uploadId"] = q.Get("uploadId")
	c.params["partNumber"] = q.Get("partNumber")
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		return errInvalidArgument("partNumber", q.Get("partNumber"), "Part number must be an integer between 1 and 10000, inclusive")
	}
	u, err := s.upload(c)
	if err != nil {
		return err
	}
	// The upload's SSE-KMS key is the destination key: UploadPart needs
	// kms:Decrypt on it (docs/authorization.md §3.1).
	enc := storedEncryption(u.Meta.SSE)
	ec := enforce.Call{Features: features(c.r)}
	ctx := c.r.Context()
	cipher, err := s.objectCipher(c, u.Meta)
	if err != nil {
		return err
	}
	if c.operation == "UploadPart" {
		if err := s.authorize(c, enc, ec); err != nil {
			return err
		}
		if c.r.ContentLength > maxPartSize {
			return errEntityTooLarge(maxPartSize).with("ProposedSize", strconv.FormatInt(c.r.ContentLength, 10))
		}
		// A part's checksum is of the upload's algorithm: declared by the
		// request, or computed here (docs/emulator.md "Checksums").
		sum, err := partChecksum(u, c.r)
		if err != nil {
			return err
		}
		p, err := s.store.PutPart(ctx, c.bucket, c.key, u.UploadID, n, newObjectBody(c.r.Body, maxPartSize, sum), cipher)
		if err != nil {
			return storeError(err, c)
		}
		w.Header().Set("ETag", quoteETag(p.ETag))
		setSSEHeaders(w.Header(), u.Meta.SSE)
		if alg, v, ok := storedChecksum(p.Checksums); ok {
			w.Header().Set(alg.Header(), v)
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}

	// UploadPartCopy.
	cs, err := s.readCopySource(c)
	if err != nil {
		return err
	}
	srcBucket, srcKey, src := cs.bucket, cs.key, cs.meta
	ec.SourceBucket, ec.SourceKey = srcBucket, srcKey
	if err := s.authorizeCopySource(c, enc, ec, cs); err != nil {
		return err
	}
	_ = b
	start, length := int64(0), src.Size
	if rg := c.r.Header.Get("X-Amz-Copy-Source-Range"); rg != "" {
		if start, length, err = parseCopySourceRange(rg, src.Size); err != nil {
			return err
		}
	}
	if length > maxPartSize {
		return errorf(http.StatusBadRequest, "InvalidRequest", "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
	}
	srcCipher, err := s.objectCipher(c, src)
	if err != nil {
		return err
	}
	_, rc, err := s.store.GetVersion(ctx, srcBucket, srcKey, cs.version, srcCipher)
	if err != nil {
		return storeError(err, c)
	}
	if err := s.setSourceVersionHeader(w, c, cs); err != nil {
		rc.Close()
		return err
	}
	defer rc.Close()
	if start > 0 {
		if _, err := rc.Seek(start, io.SeekStart); err != nil {
			return errInternal(err)
		}
	}
	body := &copiedBody{Reader: io.LimitReader(rc, length), bodyChecksum: newBodyChecksum(nil, checksum.None, partAlgorithm(u))}
	p, err := s.store.PutPart(ctx, c.bucket, c.key, u.UploadID, n, body, cipher)
	if err != nil {
		return storeError(err, c)
	}
	setSSEHeaders(w.Header(), u.Meta.SSE)
	type result struct {
		XMLName      xml.Name `xml:"CopyPartResult"`
		NS           string   `xml:"xmlns,attr"`
		LastModified string
		ETag         string
		checksumXML
	}
	return writeXML(w, http.StatusOK, result{NS: s3NS, LastModified: s3Time(p.LastModified), ETag: quoteETag(p.ETag), checksumXML: newChecksumXML(p.Checksums, "")})
}

func (s *Server) completeMultipartUpload(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	c.params["uploadId"] = c.r.URL.Query().Get("uploadId")
	u, err := s.upload(c)
	if err != nil {
		return err
	}
	ec := enforce.Call{Features: features(c.r)}
	// CompleteMultipartUpload needs kms:Decrypt only with an additional
	// checksum (docs/authorization.md §3.1); the catalogue's Checksum trigger reads it from
	// the upload.
	ec.Features.Checksum = u.Meta.Extra[extraChecksumAlg] != ""
	if err := s.authorize(c, storedEncryption(u.Meta.SSE), ec); err != nil {
		return err
	}
	var req struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Parts   []struct {
			PartNumber int
			ETag       string
			checksumXML
		} `xml:"Part"`
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, 4<<20))
	if err != nil {
		return storeError(err, c)
	}
	if xml.Unmarshal(body, &req) != nil || len(req.Parts) == 0 {
		return errMalformedXML()
	}
	parts := make([]store.CompletedPart, len(req.Parts))
	listed := make(map[int]checksumXML, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = store.CompletedPart{Number: p.PartNumber, ETag: p.ETag}
		listed[p.PartNumber] = p.checksumXML
	}
	pre, err := writePrecondition(c.r.Header)
	if err != nil {
		return err
	}
	alg := partAlgorithm(u)
	out, err := s.store.CompleteWith(c.r.Context(), c.bucket, c.key, u.UploadID, parts, pre, multipartChecksums(alg, u.Meta.Extra[extraChecksumType], listed, c.r.Header.Get(alg.Header())))
	if err != nil {
		return conditionalWriteError(err, c, pre)
	}
	s.replicateNew(c.r.Context(), c.bucket, out)
	setVersionHeader(w.Header(), "", out)
	setSSEHeaders(w.Header(), out.SSE)
	type result struct {
		XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
		NS       string   `xml:"xmlns,attr"`
		Location string
		Bucket   string
		Key      string
		ETag     string
		checksumXML
	}
	loc := requestScheme(c.r) + "://" + c.r.Host + "/" + c.bucket + "/" + c.key
	return writeXML(w, http.StatusOK, result{NS: s3NS, Location: loc, Bucket: c.bucket, Key: c.key, ETag: quoteETag(out.ETag),
		checksumXML: newChecksumXML(out.Checksums, out.Extra[extraChecksumType])})
}

func (s *Server) abortMultipartUpload(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	c.params["uploadId"] = c.r.URL.Query().Get("uploadId")
	if err := s.authorize(c, noObjectData, enforce.Call{Features: features(c.r)}); err != nil {
		return err
	}
	if err := s.store.Abort(c.r.Context(), c.bucket, c.key, c.r.URL.Query().Get("uploadId")); err != nil {
		return storeError(err, c)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listParts(w http.ResponseWriter, c *call) error {
	if _, err := s.bucket(c); err != nil {
		return err
	}
	q := c.r.URL.Query()
	c.params["uploadId"] = q.Get("uploadId")
	u, err := s.upload(c)
	if err != nil {
		return err
	}
	if err := s.authorize(c, storedEncryption(u.Meta.SSE), enforce.Call{Features: features(c.r)}); err != nil {
		return err
	}
	maxParts := 1000
	if v := q.Get("max-parts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument("max-parts", v, "Provided max-parts not an integer or within integer range")
		}
		if n < maxParts {
			maxParts = n
		}
	}
	marker := 0
	if v := q.Get("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return errInvalidArgument("part-number-marker", v, "Provided part-number-marker not an integer or within integer range")
		}
	}
	lp, err := s.store.ListParts(c.r.Context(), c.bucket, c.key, u.UploadID, marker, maxParts)
	if err != nil {
		return storeError(err, c)
	}
	type part struct {
		PartNumber   int
		LastModified string
		ETag         string
		Size         int64
		checksumXML
	}
	type result struct {
		XMLName              xml.Name `xml:"ListPartsResult"`
		NS                   string   `xml:"xmlns,attr"`
		Bucket               string
		Key                  string
		UploadID             string `xml:"UploadId"`
		Initiator            ownerXML
		Owner                ownerXML
		StorageClass         string
		PartNumberMarker     int
		NextPartNumberMarker int
		MaxParts             int
		IsTruncated          bool
		Parts                []part `xml:"Part"`
	}
	out := result{NS: s3NS, Bucket: c.bucket, Key: c.key, UploadID: u.UploadID, Initiator: ownerXML{ID: u.Initiator, DisplayName: u.Initiator},
		Owner: owner(c.resourceAccount), StorageClass: "STANDARD", PartNumberMarker: marker, MaxParts: maxParts, IsTruncated: lp.IsTruncated}
	for _, p := range lp.Parts {
		out.Parts = append(out.Parts, part{PartNumber: p.Number, LastModified: s3Time(p.LastModified), ETag: quoteETag(p.ETag), Size: p.Size, checksumXML: newChecksumXML(p.Checksums, "")})
		out.NextPartNumberMarker = p.Number
	}
	return writeXML(w, http.StatusOK, out)
}

func (s *Server) listMultipartUploads(w http.ResponseWriter, c *call) error {
	if _, err := s.authorizedBucket(c); err != nil {
		return err
	}
	q := c.r.URL.Query()
	maxUploads := 1000
	if v := q.Get("max-uploads"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument("max-uploads", v, "Provided max-uploads not an integer or within integer range")
		}
		if n < maxUploads {
			maxUploads = n
		}
	}
	opts := store.ListUploadsOptions{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), KeyMarker: q.Get("key-marker"),
		UploadIDMarker: q.Get("upload-id-marker"), MaxUploads: maxUploads}
	res, err := s.store.ListUploads(c.r.Context(), c.bucket, opts)
	if err != nil {
		return storeError(err, c)
	}
	type upload struct {
		Key          xmlText
		UploadID     string `xml:"UploadId"`
		Initiator    ownerXML
		Owner        ownerXML
		StorageClass string
		Initiated    string
	}
	type prefix struct{ Prefix xmlText }
	type result struct {
		XMLName            xml.Name `xml:"ListMultipartUploadsResult"`
		NS                 string   `xml:"xmlns,attr"`
		Bucket             string
		KeyMarker          xmlText
		UploadIDMarker     string `xml:"UploadIdMarker"`
		NextKeyMarker      xmlText
		NextUploadIDMarker string `xml:"NextUploadIdMarker"`
		Prefix             xmlText
		Delimiter          *xmlText `xml:",omitempty"`
		MaxUploads         int
		IsTruncated        bool
		Uploads            []upload `xml:"Upload"`
		CommonPrefixes     []prefix `xml:"CommonPrefixes"`
	}
	out := result{NS: s3NS, Bucket: c.bucket, KeyMarker: newXMLText(opts.KeyMarker), UploadIDMarker: opts.UploadIDMarker, Prefix: newXMLText(opts.Prefix),
		Delimiter: optionalXMLText(opts.Delimiter), MaxUploads: maxUploads, IsTruncated: res.IsTruncated, NextKeyMarker: newXMLText(res.NextKeyMarker), NextUploadIDMarker: res.NextUploadIDMarker}
	for _, u := range res.Uploads {
		out.Uploads = append(out.Uploads, upload{Key: newXMLText(u.Key), UploadID: u.UploadID, Initiator: ownerXML{ID: u.Initiator, DisplayName: u.Initiator},
			Owner: owner(c.resourceAccount), StorageClass: "STANDARD", Initiated: s3Time(u.Initiated)})
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, prefix{newXMLText(p)})
	}
	return writeXML(w, http.StatusOK, out)
}
