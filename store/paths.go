package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// MaxKeyLen is the longest object key S3 accepts, in bytes.
const MaxKeyLen = 1024

// Names of the parts of a bucket directory.
const (
	bucketFile = "bucket.json"
	objectsDir = "objects"
	dataDir    = "data"
	uploadsDir = "uploads"
	uploadFile = "upload.json"
)

// checkKey accepts what S3 accepts: 1 to 1024 bytes of valid UTF-8, any
// characters. Keys never become file names (see recordPath), so "../",
// "//", NUL or a leading "/" are harmless.
func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty key", ErrInvalidKey)
	case len(key) > MaxKeyLen:
		return fmt.Errorf("%w: key is %d bytes, more than %d", ErrInvalidKey, len(key), MaxKeyLen)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: key is not valid UTF-8", ErrInvalidKey)
	}
	return nil
}

// checkBucketName accepts names that are safe as one directory name on
// every file system: 1 to 255 bytes of ASCII letters, digits, '.', '-' and
// '_', other than "." and "..". This is wider than S3's rules (which the
// caller enforces) so that legacy names load.
func checkBucketName(name string) error {
	if name == "" || len(name) > 255 || name == "." || name == ".." {
		return ErrInvalidBucketName
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return ErrInvalidBucketName
		}
	}
	return nil
}

// isUploadID reports whether id has the form newUploadID gives, so that it
// is safe as a directory name.
func isUploadID(id string) bool { return len(id) == 48 && isHexLower(id) }

// isBlobID reports whether id has the form randomID gives.
func isBlobID(id string) bool { return len(id) == 32 && isHexLower(id) }

// keyName is the file name of the record of key: the hex SHA-256 of the
// key. It is fixed-length and safe whatever the key holds.
func keyName(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// Subdirectory kinds. Records and blobs are spread over 256 subdirectories
// each, named by the first two hex digits of their file names, so that no
// directory grows huge.
const (
	kindObjects = iota
	kindData
)

func kindDir(kind int) string {
	if kind == kindObjects {
		return objectsDir
	}
	return dataDir
}

// fanout returns the subdirectory index of a hex file name.
func fanout(name string) int {
	v, _ := hex.DecodeString(name[:2])
	return int(v[0])
}

func (b *bucket) recordPath(name string) string {
	return filepath.Join(b.dir, objectsDir, name[:2], name)
}

func (b *bucket) blobPath(id string) string {
	return filepath.Join(b.dir, dataDir, id[:2], id)
}

func (b *bucket) uploadDir(id string) string {
	return filepath.Join(b.dir, uploadsDir, id)
}

// ensureSubdir creates the subdirectory of kind that file name belongs in,
// if it does not exist yet, and makes its entry durable before anything is
// written in it.
func (b *bucket) ensureSubdir(kind int, name string) error {
	i := fanout(name)
	if b.subdirs[kind][i].Load() {
		return nil
	}
	dir := filepath.Join(b.dir, kindDir(kind), name[:2])
	// Mkdir, not MkdirAll: if the bucket directory went away (the bucket
	// was deleted), fail rather than resurrect it.
	if err := os.Mkdir(dir, dirPerm); err != nil && !errors.Is(err, fs.ErrExist) {
		return b.fsError(err)
	}
	// Shared by the writers that made subdirectories meanwhile.
	if err := b.psyncers[kind].sync(b.s, filepath.Dir(dir)); err != nil {
		return b.fsError(err)
	}
	b.subdirs[kind][i].Store(true)
	return nil
}

// fsError returns err, an error of the file system about the bucket's
// directory, or ErrNoSuchBucket if the bucket was deleted meanwhile.
func (b *bucket) fsError(err error) error {
	if b.deleted.Load() {
		return ErrNoSuchBucket
	}
	return err
}
