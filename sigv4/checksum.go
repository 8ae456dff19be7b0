package sigv4

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"net/http"
	"strings"
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

// checksummer computes one additional checksum over the payload.
type checksummer struct {
	alg checksumAlg
	c32 uint32
	c64 uint64
	h   hash.Hash // SHA1, SHA256
}

func (c *checksummer) init(a checksumAlg) {
	c.alg = a
	switch a {
	case ckSHA1:
		c.h = sha1.New()
	case ckSHA256:
		c.h = sha256.New()
	}
}

func (c *checksummer) update(p []byte) {
	switch c.alg {
	case ckCRC32:
		c.c32 = crc32.Update(c.c32, crc32.IEEETable, p)
	case ckCRC32C:
		c.c32 = crc32.Update(c.c32, castagnoli, p)
	case ckCRC64NVME:
		c.c64 = updateCRC64(c.c64, &crc64NVME, p)
	case ckSHA1, ckSHA256:
		c.h.Write(p)
	}
}

// sum appends the big-endian digest, the form S3 base64-encodes.
func (c *checksummer) sum(dst []byte) []byte {
	switch c.alg {
	case ckCRC32, ckCRC32C:
		return binary.BigEndian.AppendUint32(dst, c.c32)
	case ckCRC64NVME:
		return binary.BigEndian.AppendUint64(dst, c.c64)
	case ckSHA1, ckSHA256:
		return c.h.Sum(dst)
	}
	return dst
}

// castagnoli is the CRC-32C table; crc32 recognises it and uses the
// hardware instruction where there is one.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc64NVME holds the slicing-by-8 tables of CRC-64/NVME (reflected
// polynomial 0x9a6c9329ac4bc9b5, initial value and final XOR all ones),
// the algorithm S3 calls CRC64NVME. hash/crc64 would compute it only a
// byte at a time, since it has fast tables for ISO and ECMA alone.
var crc64NVME = makeCRC64Tables(0x9a6c9329ac4bc9b5)

func makeCRC64Tables(poly uint64) (t [8][256]uint64) {
	for i := range 256 {
		crc := uint64(i)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ poly
			} else {
				crc >>= 1
			}
		}
		t[0][i] = crc
	}
	for i := range 256 {
		crc := t[0][i]
		for j := 1; j < 8; j++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[j][i] = crc
		}
	}
	return t
}

func updateCRC64(crc uint64, t *[8][256]uint64, p []byte) uint64 {
	crc = ^crc
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return ^crc
}
