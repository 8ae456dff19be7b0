package sigv4

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	emptyMD5    = "\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09\x98\xec\xf8\x42\x7e"

	// minChunkSize is the smallest size S3 accepts for an aws-chunked
	// chunk other than the last one.
	minChunkSize = 8192
	// maxLine bounds a chunk header or trailer line.
	maxLine = 4096
)

// bodySpec is what the authentication step learned about the payload.
type bodySpec struct {
	mode PayloadMode
	// hexHash is x-amz-content-sha256 as sent, for SignedHex.
	hexHash string
	// hexVerified: the hash was already checked (a body Verify read).
	hexVerified bool
	// signer verifies chunk signatures (StreamingSigned*); nil otherwise.
	signer *chunkSigner
}

// prepareBody checks the payload headers of r (additional checksum,
// Content-MD5, x-amz-trailer, x-amz-decoded-content-length) and replaces
// r.Body with a reader that decodes aws-chunked framing and verifies the
// payload as it is read. An empty body is verified at once.
func prepareBody(r *http.Request, a *Auth, spec bodySpec) *Error {
	ckAlg, ckWant, err := headerChecksum(r.Header)
	if err != nil {
		return err
	}
	if isCompleteMultipartUpload(r) {
		// CompleteMultipartUpload's x-amz-checksum-* is the object's
		// checksum, which the server checks against the one it computes
		// from the parts (docs/emulator.md "Checksums"), not the XML body's.
		ckAlg, ckWant = ckNone, nil
	}
	var md5Want []byte
	var md5Buf [md5.Size]byte
	if vs := r.Header["Content-Md5"]; len(vs) > 0 {
		if !decodeMD5(&md5Buf, strings.TrimSpace(vs[0])) {
			return newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		md5Want = md5Buf[:]
	}
	chunked := spec.mode == StreamingSigned || spec.mode == StreamingSignedTrailer || spec.mode == StreamingUnsignedTrailer
	a.DecodedLength = r.ContentLength
	if !chunked {
		if r.Body == nil || r.Body == http.NoBody {
			a.DecodedLength = 0
			return checkEmpty(spec, ckAlg, ckWant, md5Want)
		}
		b := &body{src: r.Body, want: r.ContentLength, ckWant: ckWant}
		b.setMD5(md5Want)
		if spec.mode == SignedHex && !spec.hexVerified {
			b.sha = sha256.New()
			b.shaText = spec.hexHash
			b.shaWant, _ = decodeHex32(spec.hexHash)
		}
		b.initChecksum(ckAlg)
		r.Body = b
		return nil
	}

	var trailer checksumAlg
	if spec.mode != StreamingSigned {
		if vs := r.Header["X-Amz-Trailer"]; len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			if len(vs) > 1 || strings.Contains(vs[0], ",") {
				return errInvalidRequest("Expecting a single x-amz-checksum- header")
			}
			trailer = checksumByName(strings.TrimSpace(vs[0]))
			if trailer == ckNone {
				return errInvalidRequest("The value specified in the x-amz-trailer header is not supported")
			}
			if ckAlg != ckNone {
				return errInvalidRequest("Expecting a single x-amz-checksum- header")
			}
			ckAlg = trailer
		}
	}
	declared := int64(-1)
	if vs := r.Header["X-Amz-Decoded-Content-Length"]; len(vs) > 0 {
		n, perr := strconv.ParseInt(strings.TrimSpace(vs[0]), 10, 64)
		if perr != nil || n < 0 {
			return errInvalidArgument("x-amz-decoded-content-length must be a non-negative integer", "x-amz-decoded-content-length", vs[0])
		}
		declared = n
	}
	src := r.Body
	if src == nil {
		src = http.NoBody
	}
	b := &body{
		src:     src,
		br:      bufio.NewReaderSize(src, maxLine),
		want:    declared,
		chunked: true,
		trailer: trailer,
		signer:  spec.signer,
		ckWant:  ckWant,
	}
	b.setMD5(md5Want)
	b.signedTrailer = spec.mode == StreamingSignedTrailer
	if b.signer != nil {
		b.signer.h = sha256.New()
	}
	b.initChecksum(ckAlg)
	r.Body = b

	// The request now reads as a plain one: the decoded length, and the
	// Content-Encoding without aws-chunked.
	a.DecodedLength = declared
	r.ContentLength = declared
	if declared >= 0 {
		r.Header.Set("Content-Length", strconv.FormatInt(declared, 10))
	} else {
		r.Header.Del("Content-Length")
	}
	stripAWSChunked(r.Header)
	return nil
}

// stripAWSChunked removes the aws-chunked coding from Content-Encoding:
// it describes the framing Verify removes, not the object.
func stripAWSChunked(h http.Header) {
	vs := h["Content-Encoding"]
	if len(vs) == 0 {
		return
	}
	var keep []string
	for _, v := range vs {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "aws-chunked") {
				keep = append(keep, c)
			}
		}
	}
	if len(keep) == 0 {
		h.Del("Content-Encoding")
		return
	}
	h["Content-Encoding"] = []string{strings.Join(keep, ",")}
}

// checkEmpty verifies the digests the client declared for an empty body.
func checkEmpty(spec bodySpec, alg checksumAlg, ckWant, md5Want []byte) *Error {
	if spec.mode == SignedHex && !spec.hexVerified && !strings.EqualFold(spec.hexHash, emptySHA256) {
		return errSHAMismatch(spec.hexHash, emptySHA256)
	}
	if alg != ckNone {
		var c checksummer
		c.init(alg)
		var sum [sha256.Size]byte
		if !bytes.Equal(c.sum(sum[:0]), ckWant) {
			return errBadDigest(checksumInfo[alg].label)
		}
	}
	if md5Want != nil && string(md5Want) != emptyMD5 {
		return errMD5Mismatch(md5Want, []byte(emptyMD5))
	}
	return nil
}

func errSHAMismatch(client, computed string) *Error {
	return newError(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
		"The provided 'x-amz-content-sha256' header does not match what was computed.",
		Field{"ClientComputedContentSHA256", client},
		Field{"S3ComputedContentSHA256", computed})
}

// errMD5Mismatch: AWS reflects the expected digest in hex and the
// calculated one in base64.
func errMD5Mismatch(want, got []byte) *Error {
	return newError(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.",
		Field{"ExpectedDigest", hex.EncodeToString(want)},
		Field{"CalculatedDigest", base64.StdEncoding.EncodeToString(got)})
}

// body is the verifying reader Verify installs as Request.Body. It yields
// the decoded payload and reports the first failure as an *Error, from the
// Read that reaches it: a chunk signature when the chunk ends, the
// digests and the length at the end of the payload. A caller that stores
// the payload only after reading io.EOF never stores bad data.
type body struct {
	src     io.ReadCloser
	br      *bufio.Reader // aws-chunked framing; nil for a plain body
	err     error         // sticky: the first failure, or io.EOF
	scratch [sha256.Size]byte

	n    int64 // decoded bytes read
	want int64 // expected decoded length; -1 unknown

	sha     hash.Hash // x-amz-content-sha256 (SignedHex)
	shaWant [sha256.Size]byte
	shaText string

	md5     hash.Hash // nil without Content-MD5
	md5Want [md5.Size]byte

	ck     checksummer // x-amz-checksum-* (header or trailer)
	ckWant []byte

	// aws-chunked state.
	chunked       bool
	trailer       checksumAlg // the checksum x-amz-trailer announces
	signedTrailer bool
	signer        *chunkSigner
	remaining     int64 // data bytes left in the current chunk
	chunks        int   // chunk headers read
	lastSize      int64 // size of the previous chunk
}

func (b *body) initChecksum(alg checksumAlg) {
	if alg != ckNone {
		b.ck.init(alg)
	}
}

func (b *body) setMD5(want []byte) {
	if want != nil {
		b.md5 = md5.New()
		copy(b.md5Want[:], want)
	}
}

// decodeMD5 decodes a base64 Content-MD5 without allocating.
func decodeMD5(dst *[md5.Size]byte, s string) bool {
	var src [24]byte
	var out [18]byte
	if len(s) != len(src) {
		return false
	}
	copy(src[:], s)
	n, err := base64.StdEncoding.Decode(out[:], src[:])
	if err != nil || n != md5.Size {
		return false
	}
	copy(dst[:], out[:n])
	return true
}

func (b *body) Close() error { return b.src.Close() }

// VerifiedMD5 returns the Content-MD5 the request declared, if any: Read
// returns io.EOF only once the payload matched it, so a store may take it
// for the payload's MD5 instead of hashing the payload again
// (store.VerifiedBody).
func (b *body) VerifiedMD5() (sum [md5.Size]byte, ok bool) {
	return b.md5Want, b.md5 != nil
}

// VerifiedChecksum returns the additional checksum the request declared
// (x-amz-checksum-* header or trailer): its algorithm's name ("CRC32",
// "CRC64NVME", ...) and raw value. It is meaningful once Read returned
// io.EOF, which it does only when the payload matched the checksum; ok is
// false when the request declared none.
func (b *body) VerifiedChecksum() (alg string, sum []byte, ok bool) {
	if b.ck.alg == ckNone || b.ckWant == nil {
		return "", nil, false
	}
	return checksumInfo[b.ck.alg].label, b.ckWant, true
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !b.chunked {
		n, err := b.src.Read(p)
		b.consume(p[:n])
		switch {
		case err == io.EOF:
			err = b.finish()
		case err != nil:
			err = b.srcErr(err)
		}
		if err != nil {
			b.err = err
		}
		return n, err
	}
	for b.remaining == 0 {
		if err := b.nextChunk(); err != nil {
			b.err = err
			return 0, err
		}
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.br.Read(p)
	b.consume(p[:n])
	if b.signer != nil {
		b.signer.h.Write(p[:n])
	}
	b.remaining -= int64(n)
	if err == nil && b.remaining == 0 {
		err = b.endChunk()
	}
	if err != nil {
		if _, ok := err.(*Error); !ok {
			err = b.srcErr(err)
		}
		b.err = err
	}
	return n, err
}

func (b *body) consume(p []byte) {
	if len(p) == 0 {
		return
	}
	b.n += int64(len(p))
	if b.sha != nil {
		b.sha.Write(p)
	}
	if b.md5 != nil {
		b.md5.Write(p)
	}
	if b.ck.alg != ckNone {
		b.ck.update(p)
	}
}

// srcErr maps an error of the underlying body: a body that ends early is
// IncompleteBody; other errors (a reset connection, http.MaxBytesError)
// pass through.
func (b *body) srcErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if b.chunked {
			return errIncomplete(msgIncompleteBody)
		}
		return errIncomplete(msgIncompleteCL)
	}
	return err
}

// finish checks the whole payload. It returns io.EOF when it is good.
func (b *body) finish() error {
	if b.want >= 0 && b.n != b.want {
		if b.chunked {
			return errIncomplete(msgIncompleteBody)
		}
		return errIncomplete(msgIncompleteCL)
	}
	buf := &b.scratch // a field: passed to hash.Hash.Sum, a stack array would escape
	if b.sha != nil {
		sum := b.sha.Sum(buf[:0])
		if subtle.ConstantTimeCompare(sum, b.shaWant[:]) != 1 {
			return errSHAMismatch(b.shaText, hex.EncodeToString(sum))
		}
	}
	if b.ck.alg != ckNone && b.ckWant != nil {
		if !bytes.Equal(b.ck.sum(buf[:0]), b.ckWant) {
			return errBadDigest(checksumInfo[b.ck.alg].label)
		}
	}
	if b.md5 != nil {
		if sum := b.md5.Sum(buf[:0]); !bytes.Equal(sum, b.md5Want[:]) {
			return errMD5Mismatch(b.md5Want[:], sum)
		}
	}
	return io.EOF
}

// readLine reads one framing line and strips its CRLF (a bare LF is
// tolerated). A line longer than maxLine is malformed.
func (b *body) readLine() ([]byte, error) {
	line, err := b.br.ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull {
			return nil, errIncomplete(msgIncompleteBody)
		}
		return line, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// nextChunk reads a chunk header: "hex-size[;chunk-signature=sig]". On the
// last (zero-size) chunk it reads the trailers and finishes the payload.
func (b *body) nextChunk() error {
	line, err := b.readLine()
	if err != nil {
		return b.srcErr(err)
	}
	sizeField, ext := line, []byte(nil)
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		sizeField, ext = line[:i], line[i+1:]
	}
	size, ok := parseChunkSize(sizeField)
	if !ok {
		return errIncomplete(msgIncompleteBody)
	}
	b.chunks++
	if size > 0 && b.chunks > 1 && b.lastSize < minChunkSize {
		return newError(http.StatusBadRequest, "InvalidChunkSizeError",
			"Only the last chunk is allowed to have a size less than 8192 bytes",
			Field{"Chunk", strconv.Itoa(b.chunks)},
			Field{"BadChunkSize", strconv.FormatInt(b.lastSize, 10)})
	}
	if b.signer != nil {
		sig, ok := bytes.CutPrefix(ext, []byte("chunk-signature="))
		if !ok || len(sig) != len(b.signer.provided) {
			return errIncomplete(msgIncompleteBody)
		}
		copy(b.signer.provided[:], sig)
	}
	if b.want >= 0 && size > b.want-b.n {
		// The chunks carry more than x-amz-decoded-content-length.
		return errIncomplete(msgIncompleteBody)
	}
	b.lastSize = size
	if size > 0 {
		b.remaining = size
		if b.signer != nil {
			b.signer.h.Reset()
		}
		return nil
	}
	if b.signer != nil {
		if err := b.signer.verifyChunk(emptySHA256Sum()); err != nil {
			return err
		}
	}
	if err := b.readTrailers(); err != nil {
		return err
	}
	return b.finish()
}

func emptySHA256Sum() [sha256.Size]byte { return sha256.Sum256(nil) }

// endChunk reads the CRLF that ends chunk data and checks the chunk
// signature.
func (b *body) endChunk() error {
	for _, want := range [2]byte{'\r', '\n'} {
		c, err := b.br.ReadByte()
		if err != nil {
			return b.srcErr(err)
		}
		if c != want {
			// The chunk is longer than its header says.
			return errIncomplete(msgIncompleteBody)
		}
	}
	if b.signer == nil {
		return nil
	}
	b.signer.h.Sum(b.scratch[:0])
	return b.signer.verifyChunk(b.scratch)
}

// readTrailers reads the trailer section after the last chunk, up to the
// empty line: the checksum x-amz-trailer announced and, for
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, x-amz-trailer-signature. The
// body must end there.
func (b *body) readTrailers() error {
	var stack [256]byte
	canon := stack[:0] // the trailers as signed: "name:value\n"
	seen, signed := false, false
	for {
		line, err := b.readLine()
		if err != nil {
			if err == io.EOF && len(line) == 0 {
				break // the final CRLF is missing; nothing else is
			}
			return b.srcErr(err)
		}
		if len(line) == 0 {
			break
		}
		if signed {
			return newError(http.StatusBadRequest, "MalformedTrailerError", msgMalformedTrail)
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return newError(http.StatusBadRequest, "MalformedTrailerError", msgMalformedTrail)
		}
		name, value = bytes.TrimSpace(name), bytes.TrimSpace(value)
		if b.signedTrailer && bytes.EqualFold(name, []byte("x-amz-trailer-signature")) {
			if len(value) != len(b.signer.provided) {
				return errSignature(b.signer.service, b.signer.akid, "", string(value), "")
			}
			copy(b.signer.provided[:], value)
			if err := b.signer.verifyTrailer(canon); err != nil {
				return err
			}
			signed = true
			continue
		}
		alg := checksumByName(string(name))
		if alg == ckNone || alg != b.trailer || seen {
			return newError(http.StatusBadRequest, "MalformedTrailerError", msgMalformedTrail)
		}
		want, ok := decodeChecksum(alg, string(value))
		if !ok {
			return errInvalidRequest("Value for " + checksumInfo[alg].lower + " trailing header is invalid.")
		}
		b.ckWant = want
		seen = true
		canon = append(canon, checksumInfo[alg].lower...)
		canon = append(canon, ':')
		canon = append(canon, value...)
		canon = append(canon, '\n')
	}
	if b.trailer != ckNone && !seen || b.signedTrailer && !signed {
		return newError(http.StatusBadRequest, "MalformedTrailerError", msgMalformedTrail)
	}
	// Nothing may follow.
	switch _, err := b.br.ReadByte(); err {
	case io.EOF:
		return nil
	case nil:
		return errIncomplete(msgIncompleteBody)
	default:
		return b.srcErr(err)
	}
}

// parseChunkSize parses a chunk size: 1 to 16 hex digits.
func parseChunkSize(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 16 {
		return 0, false
	}
	var n uint64
	for _, c := range s {
		d, ok := unhex(c)
		if !ok {
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	if n > 1<<62 {
		return 0, false
	}
	return int64(n), true
}

// chunkSigner checks the signature chain of
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: each chunk signs its data
// and the previous signature, starting from the request's signature.
type chunkSigner struct {
	key      [sha256.Size]byte
	prev     [sha256.Size]byte
	amzDate  string
	scope    string
	akid     string
	service  string
	h        hash.Hash // SHA-256 of the current chunk's data
	provided [2 * sha256.Size]byte
}

// verifyChunk checks the signature of a chunk whose data hashes to sum:
//
//	AWS4-HMAC-SHA256-PAYLOAD \n date \n scope \n prev \n sha256("") \n sha256(data)
func (s *chunkSigner) verifyChunk(sum [sha256.Size]byte) error {
	var stack [hmacBuf]byte
	sts := append(stack[:0], "AWS4-HMAC-SHA256-PAYLOAD\n"...)
	sts = s.appendCommon(sts)
	sts = append(sts, emptySHA256...)
	sts = append(sts, '\n')
	sts = appendHex(sts, sum[:])
	return s.check(sts)
}

// verifyTrailer checks the trailer signature:
//
//	AWS4-HMAC-SHA256-TRAILER \n date \n scope \n prev \n sha256(trailers)
func (s *chunkSigner) verifyTrailer(canon []byte) error {
	sum := sha256.Sum256(canon)
	var stack [hmacBuf]byte
	sts := append(stack[:0], "AWS4-HMAC-SHA256-TRAILER\n"...)
	sts = s.appendCommon(sts)
	sts = appendHex(sts, sum[:])
	return s.check(sts)
}

func (s *chunkSigner) appendCommon(dst []byte) []byte {
	dst = append(dst, s.amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, s.scope...)
	dst = append(dst, '\n')
	dst = appendHex(dst, s.prev[:])
	return append(dst, '\n')
}

func (s *chunkSigner) check(sts []byte) error {
	sig := hmacSHA256(s.key[:], sts)
	p, ok := decodeHex32(s.provided[:])
	if !ok || subtle.ConstantTimeCompare(p[:], sig[:]) != 1 {
		return errSignature(s.service, s.akid, string(sts), string(s.provided[:]), "")
	}
	s.prev = sig
	return nil
}

// isCompleteMultipartUpload reports whether r is S3's
// CompleteMultipartUpload: POST on an object with ?uploadId.
func isCompleteMultipartUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Query().Has("uploadId")
}
