package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newStore opens a store in a fresh directory, closed at the end of the
// test.
func newStore(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "data"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reopen closes s and opens its directory again.
func reopen(t testing.TB, s *Store) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(context.Background(), s.Dir(), s.opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	return s2
}

func mustBucket(t testing.TB, s *Store, name string) {
	t.Helper()
	if err := s.CreateBucket(context.Background(), name, BucketMeta{Owner: "111122223333", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
}

func mustPut(t testing.TB, s *Store, bucket, key string, body []byte, c *Cipher) ObjectMeta {
	t.Helper()
	m, err := s.Put(context.Background(), bucket, key, bytes.NewReader(body), ObjectMeta{}, c)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return m
}

func mustGet(t testing.TB, s *Store, bucket, key string, c *Cipher) []byte {
	t.Helper()
	_, r, err := s.Get(context.Background(), bucket, key, c)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return data
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func testCipher(seed byte) *Cipher {
	return &Cipher{Key: bytes.Repeat([]byte{seed}, 32)}
}

// blobFiles returns the data files of bucket in s's directory.
func blobFiles(t testing.TB, s *Store, bucket string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(s.Dir(), bucketsDir, bucket, dataDir)
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// tmpFiles returns what is in the store's temporary directory.
func tmpFiles(t testing.TB, s *Store) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(s.Dir(), tmpDirName))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// errReader returns its data and then err.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

var errBoom = errors.New("boom")

func isErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

func contains(haystack []byte, needle string) bool {
	return strings.Contains(string(haystack), needle)
}

func writeFile(path, data string) error { return os.WriteFile(path, []byte(data), 0o600) }

// etagOK reports whether etag is what S3 gives an object of body written
// with c: its MD5 unencrypted, 32 other hex digits encrypted.
func etagOK(etag string, body []byte, c *Cipher) bool {
	if c == nil {
		return etag == md5hex(body)
	}
	return len(etag) == 32 && etag != md5hex(body)
}
