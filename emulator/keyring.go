package emulator

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// keyring holds the key material of the world's KMS keys. Each key's
// 256-bit material is derived from one random master secret kept in the
// data directory (keyring/master, mode 0600), so data keys wrapped before
// a restart unwrap after it. Material never leaves the emulator: callers
// see only wrapped data keys and ciphertext blobs.
type keyring struct {
	master []byte
}

func openKeyring(dataDir string) (*keyring, error) {
	dir := filepath.Join(dataDir, "keyring")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	path := filepath.Join(dir, "master")
	master, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		master = make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, master, 0o600); err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if len(master) != 32 {
		return nil, fmt.Errorf("keyring: %s is not a 32-byte master secret; remove it only if no object in the data directory is encrypted", path)
	}
	return &keyring{master: master}, nil
}

// material returns the key material of a KMS key ARN.
func (k *keyring) material(keyARN string) []byte {
	m := hmac.New(sha256.New, k.master)
	m.Write([]byte("lockstep kms key material\x00"))
	m.Write([]byte(keyARN))
	return m.Sum(nil)
}

// blobMagic starts every ciphertext blob.
var blobMagic = []byte("LKS1")

// seal encrypts plaintext under a KMS key with AES-256-GCM; the
// encryption context is the additional authenticated data, so a blob
// decrypts only with the context it was made with, as in KMS. The blob
// names its key: keyARN length (1 byte), keyARN, nonce, sealed text.
func (k *keyring) seal(keyARN string, plaintext []byte, context string) ([]byte, error) {
	if len(keyARN) > 255 {
		return nil, fmt.Errorf("key ARN %q is too long", keyARN)
	}
	aead, err := newGCM(k.material(keyARN))
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(blobMagic)
	b.WriteByte(byte(len(keyARN)))
	b.WriteString(keyARN)
	b.Write(nonce)
	return aead.Seal(b.Bytes(), nonce, plaintext, []byte(context)), nil
}

// errInvalidCiphertext is returned for a blob that is not ours, was
// changed, or is opened with another encryption context.
var errInvalidCiphertext = errors.New("invalid ciphertext")

// blobKey returns the key ARN a ciphertext blob names.
func blobKey(blob []byte) (string, error) {
	if !bytes.HasPrefix(blob, blobMagic) || len(blob) < len(blobMagic)+1 {
		return "", errInvalidCiphertext
	}
	n := int(blob[len(blobMagic)])
	if len(blob) < len(blobMagic)+1+n {
		return "", errInvalidCiphertext
	}
	return string(blob[len(blobMagic)+1 : len(blobMagic)+1+n]), nil
}

// open decrypts a blob made by seal.
func (k *keyring) open(blob []byte, context string) (keyARN string, plaintext []byte, err error) {
	keyARN, err = blobKey(blob)
	if err != nil {
		return "", nil, err
	}
	aead, err := newGCM(k.material(keyARN))
	if err != nil {
		return "", nil, err
	}
	rest := blob[len(blobMagic)+1+len(keyARN):]
	if len(rest) < aead.NonceSize()+aead.Overhead() {
		return "", nil, errInvalidCiphertext
	}
	nonce, sealed := rest[:aead.NonceSize()], rest[aead.NonceSize():]
	plaintext, err = aead.Open(nil, nonce, sealed, []byte(context))
	if err != nil {
		return "", nil, errInvalidCiphertext
	}
	return keyARN, plaintext, nil
}

// newDataKey returns a fresh 256-bit data key and the key wrapped under
// the KMS key, as kms:GenerateDataKey does for S3.
func (k *keyring) newDataKey(keyARN, context string) (plain, wrapped []byte, err error) {
	plain = make([]byte, 32)
	if _, err := rand.Read(plain); err != nil {
		return nil, nil, err
	}
	wrapped, err = k.seal(keyARN, plain, context)
	return plain, wrapped, err
}

// unwrap returns the data key of an object, checking it was wrapped by
// keyARN.
func (k *keyring) unwrap(keyARN string, wrapped []byte, context string) ([]byte, error) {
	got, plain, err := k.open(wrapped, context)
	if err != nil {
		return nil, err
	}
	if got != keyARN {
		return nil, fmt.Errorf("the data key is wrapped by %s, not %s", got, keyARN)
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
