package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

// verifiedReader is a body that vouches for an MD5, as the sigv4 package's
// verifying body does for a Content-MD5.
type verifiedReader struct {
	r     io.Reader
	sum   [md5.Size]byte
	ok    bool
	after bool // ok only until the body has been read to its end
	eof   bool
}

func (v *verifiedReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	if err == io.EOF {
		v.eof = true
	}
	return n, err
}

func (v *verifiedReader) VerifiedMD5() ([md5.Size]byte, bool) {
	if v.after && v.eof {
		return [md5.Size]byte{}, false
	}
	return v.sum, v.ok
}

// TestPutVerifiedBody: a body that vouches for its MD5 gives the ETag
// without the store hashing it again (the store believes it: the ETag is
// the declared sum, even a wrong one, because the body's own check fails
// the read when it is wrong); a body that stops vouching by its end
// commits nothing; one without a declared MD5 is hashed.
func TestPutVerifiedBody(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	for _, n := range []int{10, copyBufSize + 5, 3 * copyBufSize} {
		body := bytes.Repeat([]byte("v"), n)
		real := md5.Sum(body)
		declared := md5.Sum([]byte("declared"))

		m, err := s.Put(ctx, "b", "k", &verifiedReader{r: bytes.NewReader(body), sum: declared, ok: true}, ObjectMeta{}, nil)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if m.ETag != hex.EncodeToString(declared[:]) {
			t.Errorf("n=%d: ETag %s, want the declared MD5 %x", n, m.ETag, declared)
		}
		p, err := s.PutPart(ctx, "b", "k", mustUpload(t, s, "b", "k"), 1, &verifiedReader{r: bytes.NewReader(body), sum: declared, ok: true}, nil)
		if err != nil || p.ETag != hex.EncodeToString(declared[:]) {
			t.Errorf("n=%d: PutPart = %q, %v; want the declared MD5", n, p.ETag, err)
		}

		m, err = s.Put(ctx, "b", "k", &verifiedReader{r: bytes.NewReader(body)}, ObjectMeta{}, nil)
		if err != nil || m.ETag != hex.EncodeToString(real[:]) {
			t.Errorf("n=%d: without a declared MD5: %q, %v; want %x", n, m.ETag, err, real)
		}

		_, err = s.Put(ctx, "b", "cut", &verifiedReader{r: bytes.NewReader(body), sum: declared, ok: true, after: true}, ObjectMeta{}, nil)
		if err == nil {
			t.Errorf("n=%d: a body that stopped vouching for its MD5 was committed", n)
		}
		if _, err := s.Head(ctx, "b", "cut"); !errors.Is(err, ErrNoSuchKey) {
			t.Errorf("n=%d: Head of the failed put: %v, want ErrNoSuchKey", n, err)
		}
	}
}

func mustUpload(t *testing.T, s *Store, bucket, key string) string {
	t.Helper()
	id, err := s.CreateUpload(context.Background(), bucket, key, ObjectMeta{}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPutFailsAfterChunksInFlight: a body that fails after several chunks
// went to the writer goroutine commits nothing and leaves no file.
func TestPutFailsAfterChunksInFlight(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	for _, c := range []*Cipher{nil, testCipher(3)} {
		r := &errReader{r: bytes.NewReader(make([]byte, 5*copyBufSize+100)), err: errBoom}
		_, err := s.Put(ctx, "b", "k", r, ObjectMeta{}, c)
		isErr(t, err, errBoom)
		if files := blobFiles(t, s, "b"); len(files) != 0 {
			t.Fatalf("data files left after a failed put: %v", files)
		}
	}
}

// TestDirectReadRanges: ranges of a data file written and read with
// direct I/O, at offsets and lengths on and off the 4096-byte alignment
// and across chunks, in the clear and encrypted.
func TestDirectReadRanges(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	size := 2*copyBufSize + 4097
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(i * 7 / 3)
	}
	for _, c := range []*Cipher{nil, testCipher(5)} {
		mustPut(t, s, "b", "k", body, c)
		_, r, err := s.Get(ctx, "b", "k", c)
		if err != nil {
			t.Fatal(err)
		}
		for _, rg := range [][2]int{{0, 1}, {4095, 2}, {4096, 4096}, {copyBufSize - 3, 10}, {0, size}, {size - 5, 5}, {12345, copyBufSize + copyBufSize/2}, {size - directAlign - 1, directAlign + 1}} {
			got := make([]byte, rg[1])
			if n, err := r.ReadAt(got, int64(rg[0])); n != rg[1] || err != nil && !(err == io.EOF && rg[0]+rg[1] == size) {
				t.Fatalf("cipher %v: ReadAt(%d, %d) = %d, %v", c != nil, rg[0], rg[1], n, err)
			}
			if !bytes.Equal(got, body[rg[0]:rg[0]+rg[1]]) {
				t.Fatalf("cipher %v: ReadAt(%d, %d) differs", c != nil, rg[0], rg[1])
			}
		}
		if n, err := r.ReadAt(make([]byte, 10), int64(size-4)); n != 4 || err != io.EOF {
			t.Errorf("cipher %v: ReadAt past the end = %d, %v; want 4, EOF", c != nil, n, err)
		}
		r.Close()
	}
}
