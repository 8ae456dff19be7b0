package sigv4

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/checksum"
)

// checksumAlg is one of S3's additional checksum algorithms
// (x-amz-checksum-*).
type checksumAlg uint8

const (
	ckNone checksumAlg = iota
	ckCRC32
	ckCRC32C
	ckCRC64NVME
	ckSHA1
	ckSHA256
)

// checksumInfo describes an algorithm: its header (canonical MIME form
// and lower case), its name in error messages, and its digest size.
var checksumInfo = [...]struct {
	header, lower, label string
	size                 int
}{
	ckCRC32:     {"X-Amz-Checksum-Crc32", "x-amz-checksum-crc32", "CRC32", 4},
	ckCRC32C:    {"X-Amz-Checksum-Crc32c", "x-amz-checksum-crc32c", "CRC32C", 4},
	ckCRC64NVME: {"X-Amz-Checksum-Crc64nvme", "x-amz-checksum-crc64nvme", "CRC64NVME", 8},
	ckSHA1:      {"X-Amz-Checksum-Sha1", "x-amz-checksum-sha1", "SHA1", sha1.Size},
	ckSHA256:    {"X-Amz-Checksum-Sha256", "x-amz-checksum-sha256", "SHA256", sha256.Size},
}

// checksumByName returns the algorithm whose header is name (any case).
func checksumByName(name string) checksumAlg {
	for a := ckCRC32; a <= ckSHA256; a++ {
		if strings.EqualFold(name, checksumInfo[a].lower) {
			return a
		}
	}
	return ckNone
}

// decodeChecksum decodes a base64 checksum value; ok is false when it is
// not valid base64 of the algorithm's size.
func decodeChecksum(a checksumAlg, v string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(b) != checksumInfo[a].size {
		return nil, false
	}
	return b, true
}

// headerChecksum finds the x-amz-checksum-* header of h. It fails with
// InvalidRequest when several are present or the value is malformed, as
// S3 does.
func headerChecksum(h http.Header) (checksumAlg, []byte, *Error) {
	var (
		alg checksumAlg
		val string
	)
	for a := ckCRC32; a <= ckSHA256; a++ {
		vs := h[checksumInfo[a].header]
		if len(vs) == 0 {
			continue
		}
		if alg != ckNone || len(vs) > 1 {
			return ckNone, nil, errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		alg, val = a, vs[0]
	}
	if alg == ckNone {
		return ckNone, nil, nil
	}
	want, ok := decodeChecksum(alg, val)
	if !ok {
		return ckNone, nil, errInvalidRequest("Value for " + checksumInfo[alg].lower + " header is invalid.")
	}
	return alg, want, nil
}

// checksummer computes one additional checksum over the payload, with
// the hashers of internal/checksum (the one home of S3's algorithms).
type checksummer struct {
	alg checksumAlg
	h   *checksum.Hasher
}

// hasherAlg maps sigv4's algorithms to internal/checksum's.
var hasherAlg = [...]checksum.Algorithm{
	ckCRC32: checksum.CRC32, ckCRC32C: checksum.CRC32C, ckCRC64NVME: checksum.CRC64NVME,
	ckSHA1: checksum.SHA1, ckSHA256: checksum.SHA256,
}

func (c *checksummer) init(a checksumAlg) {
	c.alg = a
	if a != ckNone {
		c.h = checksum.New(hasherAlg[a])
	}
}

func (c *checksummer) update(p []byte) {
	if c.h != nil {
		c.h.Write(p)
	}
}

// sum appends the big-endian digest, the form S3 base64-encodes.
func (c *checksummer) sum(dst []byte) []byte {
	if c.h == nil {
		return dst
	}
	return c.h.Sum(dst)
}
