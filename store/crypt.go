package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Cipher is the data key an object's bytes are encrypted with at rest.
// Where it comes from (SSE-S3's service key, a KMS data key, an SSE-C
// customer key) is the caller's business.
//
// The stored bytes are AES-256 in counter mode (NIST SP 800-38A CTR, as
// crypto/cipher.NewCTR implements it) with a random 128-bit initial counter
// per stored file, kept in the object's record. Counter mode is seekable: a
// ranged read decrypts from any offset without reading what precedes it,
// and ciphertext has the plaintext's size. It gives confidentiality only,
// not integrity; the record also keeps a key check value,
// HMAC-SHA256(Key, "lockstep/store key check v1") truncated to 16 bytes, so
// that reading with another key fails with ErrWrongKey instead of
// returning garbage.
type Cipher struct {
	Key []byte // 32 bytes
}

const ivSize = aes.BlockSize

// cipherState is a Cipher checked and ready to use.
type cipherState struct {
	block cipher.Block
	kcv   []byte
}

// prepare validates c. A nil Cipher gives a nil state: no encryption.
func (c *Cipher) prepare() (*cipherState, error) {
	if c == nil {
		return nil, nil
	}
	if len(c.Key) != 32 {
		return nil, fmt.Errorf("cipher key is %d bytes, want 32", len(c.Key))
	}
	block, err := aes.NewCipher(c.Key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	mac := hmac.New(sha256.New, c.Key)
	mac.Write([]byte("lockstep/store key check v1"))
	return &cipherState{block: block, kcv: mac.Sum(nil)[:16]}, nil
}

// checkKey reports whether cs fits data stored with key check value kcv
// (nil for data stored in the clear).
func (cs *cipherState) checkKey(kcv []byte) error {
	switch {
	case cs == nil && kcv == nil:
		return nil
	case cs == nil:
		return fmt.Errorf("%w: the data is encrypted and no key was given", ErrWrongKey)
	case kcv == nil:
		return fmt.Errorf("%w: a key was given but the data is not encrypted", ErrWrongKey)
	case !hmac.Equal(cs.kcv, kcv):
		return fmt.Errorf("%w: the key is not the one the data was encrypted with", ErrWrongKey)
	}
	return nil
}

// streamAt returns the CTR key stream for byte offset off of a file whose
// initial counter is iv.
func (cs *cipherState) streamAt(iv []byte, off int64) cipher.Stream {
	var ctr [ivSize]byte
	copy(ctr[:], iv)
	// Add off/16 to the counter, a 128-bit big-endian integer.
	lo := binary.BigEndian.Uint64(ctr[8:])
	hi := binary.BigEndian.Uint64(ctr[:8])
	n := uint64(off) / ivSize
	if lo+n < lo {
		hi++
	}
	binary.BigEndian.PutUint64(ctr[8:], lo+n)
	binary.BigEndian.PutUint64(ctr[:8], hi)
	s := cipher.NewCTR(cs.block, ctr[:])
	if skip := off % ivSize; skip > 0 {
		var junk [ivSize]byte
		s.XORKeyStream(junk[:skip], junk[:skip])
	}
	return s
}
