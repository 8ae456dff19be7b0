// Package checksum computes S3's additional checksums (x-amz-checksum-*):
// CRC32, CRC32C, CRC64NVME, SHA1 and SHA256, their base64 form, and the
// checksums S3 derives for multipart objects: the composite checksum (the
// checksum of the parts' checksums, "-N") and the full-object CRC, which
// Combine computes from the parts' CRCs without reading the data again
// (docs/emulator.md "Checksums").
package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"strconv"
	"strings"
)

// Algorithm is one of S3's checksum algorithms; None is the zero value.
type Algorithm uint8

// The algorithms, by their S3 names.
const (
	None Algorithm = iota
	CRC32
	CRC32C
	CRC64NVME
	SHA1
	SHA256
)

// All lists the algorithms in S3's order.
var All = []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}

var names = [...]string{None: "", CRC32: "CRC32", CRC32C: "CRC32C", CRC64NVME: "CRC64NVME", SHA1: "SHA1", SHA256: "SHA256"}

// String returns S3's name of a: "CRC64NVME".
func (a Algorithm) String() string {
	if int(a) < len(names) {
		return names[a]
	}
	return "Algorithm(" + strconv.Itoa(int(a)) + ")"
}

// Parse returns the algorithm S3 names name (any case), or None.
func Parse(name string) Algorithm {
	for _, a := range All {
		if strings.EqualFold(name, names[a]) {
			return a
		}
	}
	return None
}

// Size is the length of a's digest in bytes.
func (a Algorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return 4
	case CRC64NVME:
		return 8
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	}
	return 0
}

// IsCRC reports whether a is a CRC, the algorithms that have a
// full-object checksum for multipart uploads.
func (a Algorithm) IsCRC() bool { return a == CRC32 || a == CRC32C || a == CRC64NVME }

// Header is the request and response header that carries a's value:
// "x-amz-checksum-crc64nvme".
func (a Algorithm) Header() string { return "x-amz-checksum-" + strings.ToLower(names[a]) }

// The checksum types of S3 (x-amz-checksum-type).
const (
	FullObject = "FULL_OBJECT"
	Composite  = "COMPOSITE"
)

// Hasher computes one algorithm's checksum over the data written to it.
type Hasher struct {
	alg Algorithm
	c32 uint32
	c64 uint64
	h   hash.Hash // SHA1, SHA256
}

// New returns a Hasher of a, which must not be None.
func New(a Algorithm) *Hasher {
	h := &Hasher{alg: a}
	switch a {
	case SHA1:
		h.h = sha1.New()
	case SHA256:
		h.h = sha256.New()
	}
	return h
}

// Algorithm returns h's algorithm.
func (h *Hasher) Algorithm() Algorithm { return h.alg }

// Write adds p to the checksum; it never fails.
func (h *Hasher) Write(p []byte) (int, error) {
	switch h.alg {
	case CRC32:
		h.c32 = crc32.Update(h.c32, crc32.IEEETable, p)
	case CRC32C:
		h.c32 = crc32.Update(h.c32, castagnoli, p)
	case CRC64NVME:
		h.c64 = UpdateCRC64NVME(h.c64, p)
	case SHA1, SHA256:
		h.h.Write(p)
	}
	return len(p), nil
}

// Sum appends the big-endian digest, the form S3 base64-encodes.
func (h *Hasher) Sum(dst []byte) []byte {
	switch h.alg {
	case CRC32, CRC32C:
		return binary.BigEndian.AppendUint32(dst, h.c32)
	case CRC64NVME:
		return binary.BigEndian.AppendUint64(dst, h.c64)
	case SHA1, SHA256:
		return h.h.Sum(dst)
	}
	return dst
}

// Base64 returns the digest as S3 sends it in headers and XML.
func (h *Hasher) Base64() string { return Encode(h.Sum(nil)) }

// Encode returns a raw digest in S3's base64 form.
func Encode(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// Decode decodes a base64 value of a; ok is false when it is not valid
// base64 of a's size. A composite value ("...-N") is not decoded.
func Decode(a Algorithm, v string) (sum []byte, ok bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(b) != a.Size() {
		return nil, false
	}
	return b, true
}

// CompositeSum returns S3's composite checksum of a multipart object: the
// checksum, by a, of the concatenated raw checksums of its parts, followed
// by "-" and the number of parts.
func CompositeSum(a Algorithm, parts [][]byte) string {
	h := New(a)
	for _, p := range parts {
		h.Write(p)
	}
	return h.Base64() + "-" + strconv.Itoa(len(parts))
}
