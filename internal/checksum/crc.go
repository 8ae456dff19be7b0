package checksum

import (
	"encoding/binary"
	"hash/crc32"
)

// castagnoli is the CRC-32C table; crc32 recognises it and uses the
// hardware instruction where there is one.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// The reflected polynomials of the three CRCs. All three start from all
// ones and end with an XOR of all ones, which Combine relies on.
const (
	polyCRC32     = 0xedb88320
	polyCRC32C    = 0x82f63b78
	polyCRC64NVME = 0x9a6c9329ac4bc9b5
)

// crc64NVME holds the slicing-by-16 tables of CRC-64/NVME, the algorithm
// S3 calls CRC64NVME. hash/crc64 computes it with the same polynomial but
// a byte at a time, since it has fast tables for ISO and ECMA alone.
var crc64NVME = makeCRC64Tables(polyCRC64NVME)

func makeCRC64Tables(poly uint64) (t [16][256]uint64) {
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
		for j := 1; j < 16; j++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[j][i] = crc
		}
	}
	return t
}

// UpdateCRC64NVME returns the CRC64NVME of the data whose CRC is crc
// followed by p (crc 0 for no data), like crc32.Update.
func UpdateCRC64NVME(crc uint64, p []byte) uint64 {
	t := &crc64NVME
	crc = ^crc
	for len(p) >= 16 {
		a := crc ^ binary.LittleEndian.Uint64(p)
		b := binary.LittleEndian.Uint64(p[8:])
		crc = t[15][a&0xff] ^ t[14][a>>8&0xff] ^ t[13][a>>16&0xff] ^ t[12][a>>24&0xff] ^
			t[11][a>>32&0xff] ^ t[10][a>>40&0xff] ^ t[9][a>>48&0xff] ^ t[8][a>>56] ^
			t[7][b&0xff] ^ t[6][b>>8&0xff] ^ t[5][b>>16&0xff] ^ t[4][b>>24&0xff] ^
			t[3][b>>32&0xff] ^ t[2][b>>40&0xff] ^ t[1][b>>48&0xff] ^ t[0][b>>56]
		p = p[16:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return ^crc
}

// Combine returns the raw CRC of the concatenation A‖B of two pieces of
// data, given CRC(A), CRC(B) and the length of B, for a CRC algorithm
// (IsCRC); ok is false for another algorithm or malformed sums. This is
// how a full-object CRC of a multipart object follows from its parts'
// CRCs: for a CRC with equal initial value and final XOR, CRC(A‖B) is
// CRC(A) multiplied by x^(8·len(B)) modulo the polynomial, XOR CRC(B).
func Combine(a Algorithm, sumA, sumB []byte, lenB int64) (sum []byte, ok bool) {
	if !a.IsCRC() || len(sumA) != a.Size() || len(sumB) != a.Size() {
		return nil, false
	}
	if a == CRC64NVME {
		c := gfCombine(binary.BigEndian.Uint64(sumA), binary.BigEndian.Uint64(sumB), lenB, polyCRC64NVME, 64)
		return binary.BigEndian.AppendUint64(nil, c), true
	}
	poly := uint64(polyCRC32)
	if a == CRC32C {
		poly = polyCRC32C
	}
	c := gfCombine(uint64(binary.BigEndian.Uint32(sumA)), uint64(binary.BigEndian.Uint32(sumB)), lenB, poly, 32)
	return binary.BigEndian.AppendUint32(nil, uint32(c)), true
}

// gfCombine computes crcA·x^(8·lenB) + crcB modulo the reflected
// polynomial poly of the given width. In the reflected representation
// the top bit is x^0.
func gfCombine(crcA, crcB uint64, lenB int64, poly uint64, width uint) uint64 {
	top := uint64(1) << (width - 1)
	mul := func(a, b uint64) uint64 { // a·b mod poly
		var p uint64
		for m := top; m != 0 && a != 0; m >>= 1 {
			if a&m != 0 {
				p ^= b
				a &^= m
			}
			if b&1 != 0 {
				b = b>>1 ^ poly
			} else {
				b >>= 1
			}
		}
		return p
	}
	shift := top   // x^0
	sq := top >> 8 // x^8: one byte
	for n := lenB; n > 0; n >>= 1 {
		if n&1 != 0 {
			shift = mul(shift, sq)
		}
		sq = mul(sq, sq)
	}
	return mul(shift, crcA) ^ crcB
}
