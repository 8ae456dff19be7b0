package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"sync"
)

// hmacBuf bounds the messages hmacSHA256 signs without allocating: the
// largest is a chunk string-to-sign (about 280 bytes).
const hmacBuf = 512

// hmacSHA256 returns HMAC-SHA256(key, msg) (RFC 2104). It is written out
// over sha256.Sum256 so that signing a short message does not allocate;
// crypto/hmac allocates two digests per call.
func hmacSHA256(key, msg []byte) [sha256.Size]byte {
	const block = sha256.BlockSize
	var k [block]byte
	if len(key) > block {
		s := sha256.Sum256(key)
		copy(k[:], s[:])
	} else {
		copy(k[:], key)
	}
	var stack [block + hmacBuf]byte
	var in []byte
	if len(msg) <= hmacBuf {
		in = stack[:block+len(msg)]
	} else {
		in = make([]byte, block+len(msg))
	}
	for i := range k {
		in[i] = k[i] ^ 0x36
	}
	copy(in[block:], msg)
	inner := sha256.Sum256(in)

	var out [block + sha256.Size]byte
	for i := range k {
		out[i] = k[i] ^ 0x5c
	}
	copy(out[block:], inner[:])
	return sha256.Sum256(out[:])
}

// signingKey derives the SigV4 signing key:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func signingKey(secret, date, region, service string) [sha256.Size]byte {
	var stack [128]byte
	k := append(append(stack[:0], "AWS4"...), secret...)
	var msg [64]byte
	kd := hmacSHA256(k, append(msg[:0], date...))
	kr := hmacSHA256(kd[:], append(msg[:0], region...))
	ks := hmacSHA256(kr[:], append(msg[:0], service...))
	return hmacSHA256(ks[:], append(msg[:0], "aws4_request"...))
}

// sigEqual reports, in constant time, whether the hex signature provided
// by the client is the computed one. Upper-case hex is accepted.
func sigEqual(provided string, computed *[sha256.Size]byte) bool {
	p, ok := decodeHex32(provided)
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare(p[:], computed[:]) == 1
}

// decodeHex32 decodes 64 hex digits (either case).
func decodeHex32[T string | []byte](s T) (b [sha256.Size]byte, ok bool) {
	if len(s) != 2*sha256.Size {
		return b, false
	}
	for i := range b {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return b, false
		}
		b[i] = hi<<4 | lo
	}
	return b, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendHex appends the lower-case hex encoding of b.
func appendHex(dst, b []byte) []byte {
	const digits = "0123456789abcdef"
	for _, c := range b {
		dst = append(dst, digits[c>>4], digits[c&0xf])
	}
	return dst
}

// maxCachedKeys bounds the signing-key cache; it is emptied when full.
const maxCachedKeys = 1024

// keyCache remembers derived signing keys: a key is valid for one access
// key, day, region and service, and deriving it costs four HMACs.
type keyCache struct {
	mu sync.Mutex
	m  map[keyID]keyEntry
}

type keyID struct{ akid, date, region, service string }

type keyEntry struct {
	secret string // the key is reused only while the secret is the same
	key    [sha256.Size]byte
}

func (c *keyCache) get(cr credential, secret string) [sha256.Size]byte {
	id := keyID{cr.akid, cr.date, cr.region, cr.service}
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && e.secret == secret {
		return e.key
	}
	k := signingKey(secret, cr.date, cr.region, cr.service)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedKeys {
		c.m = make(map[keyID]keyEntry)
	}
	c.m[id] = keyEntry{secret, k}
	c.mu.Unlock()
	return k
}
