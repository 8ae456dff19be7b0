package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func fullMeta() ObjectMeta {
	return ObjectMeta{
		ContentType:        "text/plain; charset=utf-8",
		ContentEncoding:    "gzip",
		ContentDisposition: `attachment; filename="a.txt"`,
		ContentLanguage:    "en",
		CacheControl:       "max-age=60",
		Expires:            "Thu, 01 Dec 1994 16:00:00 GMT",
		StorageClass:       "STANDARD_IA",
		UserMeta:           map[string]string{"color": "blue", "x": ""},
		Tags:               []Tag{{"z", "1"}, {"a", "2"}},
		Owner:              "111122223333",
		ACL:                []byte(`<AccessControlPolicy/>`),
		SSE:                SSE{Algorithm: "aws:kms", KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/k", BucketKey: true, WrappedKey: []byte{1, 2, 3}, Context: "e30="},
		Checksums:          map[string]string{"CRC32": "AAAAAA=="},
		Extra:              map[string]string{"website-redirect": "/x"},
		// The store sets these:
		Key: "ignored", Size: 99, ETag: "ignored", PartsCount: 7, PartSizes: []int64{1},
	}
}

func TestPutGetHeadRoundTrip(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	s := newStore(t, Options{Now: func() time.Time { return clock }})
	mustBucket(t, s, "b")
	body := []byte("hello, world")

	got, err := s.Put(ctx, "b", "dir/file.txt", bytes.NewReader(body), fullMeta(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := fullMeta()
	want.Key, want.Size, want.ETag, want.LastModified = "dir/file.txt", int64(len(body)), md5hex(body), clock
	want.PartsCount, want.PartSizes = 0, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Put = %+v\nwant %+v", got, want)
	}
	check := func(s *Store) {
		t.Helper()
		h, err := s.Head(ctx, "b", "dir/file.txt")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(h, want) {
			t.Fatalf("Head = %+v\nwant %+v", h, want)
		}
		m, r, err := s.Get(ctx, "b", "dir/file.txt", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if !reflect.DeepEqual(m, want) {
			t.Fatalf("Get meta = %+v", m)
		}
		if data, _ := io.ReadAll(r); !bytes.Equal(data, body) {
			t.Fatalf("Get = %q", data)
		}
		if r.Size() != int64(len(body)) {
			t.Fatalf("Size = %d", r.Size())
		}
	}
	check(s)
	check(reopen(t, s))
}

func TestPutSizes(t *testing.T) {
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 15, 16, 17, copyBufSize - 1, copyBufSize, copyBufSize + 1, 3*copyBufSize + 123} {
		for _, c := range []*Cipher{nil, testCipher(7)} {
			body := randBytes(rng, n)
			m := mustPut(t, s, "b", "k", body, c)
			if m.Size != int64(n) || !etagOK(m.ETag, body, c) {
				t.Fatalf("n=%d: Put = size %d etag %s", n, m.Size, m.ETag)
			}
			if got := mustGet(t, s, "b", "k", c); !bytes.Equal(got, body) {
				t.Fatalf("n=%d cipher=%v: round trip differs", n, c != nil)
			}
		}
	}
	// Only the last version's file remains.
	if files := blobFiles(t, s, "b"); len(files) != 1 {
		t.Fatalf("%d data files, want 1: %v", len(files), files)
	}
	// An empty object has no data file.
	mustPut(t, s, "b", "k", nil, nil)
	if files := blobFiles(t, s, "b"); len(files) != 0 {
		t.Fatalf("%d data files for an empty object", len(files))
	}
}

func TestPutReaderErrorCommitsNothing(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	mustPut(t, s, "b", "k", []byte("old"), nil)
	blobs := len(blobFiles(t, s, "b")) // none: "old" is inline
	for _, n := range []int{0, 10, 3 * copyBufSize} {
		r := &errReader{r: bytes.NewReader(make([]byte, n)), err: errBoom}
		_, err := s.Put(ctx, "b", "k", r, ObjectMeta{}, nil)
		isErr(t, err, errBoom)
		_, err = s.Put(ctx, "b", "new", &errReader{r: bytes.NewReader(make([]byte, n)), err: io.ErrUnexpectedEOF}, ObjectMeta{}, nil)
		isErr(t, err, io.ErrUnexpectedEOF)
	}
	if got := mustGet(t, s, "b", "k", nil); string(got) != "old" {
		t.Fatalf("object = %q after failed puts", got)
	}
	_, err := s.Head(ctx, "b", "new")
	isErr(t, err, ErrNoSuchKey)
	if files := blobFiles(t, s, "b"); len(files) != blobs {
		t.Fatalf("%d data files after failed puts, want %d", len(files), blobs)
	}
	if tmp := tmpFiles(t, s); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}

// cancelAfter cancels its context once n bytes have been read.
type cancelAfter struct {
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
	}
	c.n -= len(p)
	clear(p)
	return len(p), nil
}

func TestPutContextCanceled(t *testing.T) {
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := s.Put(ctx, "b", "k", &cancelAfter{n: 2 * copyBufSize, cancel: cancel}, ObjectMeta{}, nil)
	isErr(t, err, context.Canceled)
	_, err = s.Head(context.Background(), "b", "k")
	isErr(t, err, ErrNoSuchKey)
	if files := blobFiles(t, s, "b"); len(files) != 0 {
		t.Fatalf("data files left: %v", files)
	}
}

func TestRangesAndSeek(t *testing.T) {
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	rng := rand.New(rand.NewPCG(3, 4))
	body := randBytes(rng, 1<<20+333)
	for _, c := range []*Cipher{nil, testCipher(1)} {
		mustPut(t, s, "b", "k", body, c)
		_, r, err := s.Get(context.Background(), "b", "k", c)
		if err != nil {
			t.Fatal(err)
		}
		checkRanges(t, r, body, rng)
		r.Close()
	}
}

// checkRanges reads random ranges of r with Seek+Read and ReadAt and
// compares them with body.
func checkRanges(t *testing.T, r *ObjectReader, body []byte, rng *rand.Rand) {
	t.Helper()
	size := int64(len(body))
	for range 200 {
		off := rng.Int64N(size + 1)
		n := rng.Int64N(min(size-off, 100_000) + 1)
		buf := make([]byte, n)
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatalf("read [%d,+%d): %v", off, n, err)
		}
		if !bytes.Equal(buf, body[off:off+n]) {
			t.Fatalf("Seek+Read [%d,+%d) differs", off, n)
		}
		clear(buf)
		if m, err := r.ReadAt(buf, off); m != len(buf) || err != nil && err != io.EOF {
			t.Fatalf("ReadAt [%d,+%d) = %d, %v", off, n, m, err)
		}
		if !bytes.Equal(buf, body[off:off+n]) {
			t.Fatalf("ReadAt [%d,+%d) differs", off, n)
		}
	}
	// Past the end.
	if n, err := r.ReadAt(make([]byte, 10), size-3); n != 3 || err != io.EOF {
		t.Fatalf("ReadAt over the end = %d, %v", n, err)
	}
	if pos, _ := r.Seek(-5, io.SeekEnd); pos != size-5 {
		t.Fatalf("Seek end-5 = %d", pos)
	}
	if rest, _ := io.ReadAll(r); !bytes.Equal(rest, body[size-5:]) {
		t.Fatalf("tail = %x", rest)
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("Seek to -1 succeeded")
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	mustPut(t, s, "b", "k", []byte("v"), nil)
	existed, err := s.Delete(ctx, "b", "k")
	if err != nil || !existed {
		t.Fatalf("Delete = %v, %v", existed, err)
	}
	existed, err = s.Delete(ctx, "b", "k")
	if err != nil || existed {
		t.Fatalf("second Delete = %v, %v", existed, err)
	}
	_, _, err = s.Get(ctx, "b", "k", nil)
	isErr(t, err, ErrNoSuchKey)
	_, err = s.Delete(ctx, "nope", "k")
	isErr(t, err, ErrNoSuchBucket)
	if files := blobFiles(t, s, "b"); len(files) != 0 {
		t.Fatalf("data files left: %v", files)
	}
	s = reopen(t, s)
	_, err = s.Head(ctx, "b", "k")
	isErr(t, err, ErrNoSuchKey)
}

func TestUpdateObject(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	orig := mustPut(t, s, "b", "k", []byte("data"), nil)
	files := blobFiles(t, s, "b")

	m, err := s.UpdateObject(ctx, "b", "k", func(m *ObjectMeta) error {
		m.Tags = []Tag{{"project", "x"}}
		m.ACL = []byte("acl")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ETag != orig.ETag || len(m.Tags) != 1 || string(m.ACL) != "acl" {
		t.Fatalf("UpdateObject = %+v", m)
	}
	if got := blobFiles(t, s, "b"); !reflect.DeepEqual(got, files) {
		t.Fatalf("UpdateObject rewrote the data: %v -> %v", files, got)
	}

	for name, fn := range map[string]func(*ObjectMeta) error{
		"fn error": func(m *ObjectMeta) error { m.Tags = nil; return errBoom },
		"size":     func(m *ObjectMeta) error { m.Size = 1; return nil },
		"etag":     func(m *ObjectMeta) error { m.ETag = "x"; return nil },
		"key":      func(m *ObjectMeta) error { m.Key = "other"; return nil },
		"parts":    func(m *ObjectMeta) error { m.PartsCount = 2; return nil },
	} {
		if _, err := s.UpdateObject(ctx, "b", "k", fn); err == nil {
			t.Errorf("%s: UpdateObject succeeded", name)
		}
	}
	_, err = s.UpdateObject(ctx, "b", "k", func(*ObjectMeta) error { return errBoom })
	isErr(t, err, errBoom)
	_, err = s.UpdateObject(ctx, "b", "missing", func(*ObjectMeta) error { return nil })
	isErr(t, err, ErrNoSuchKey)

	s = reopen(t, s)
	h, _ := s.Head(ctx, "b", "k")
	if !reflect.DeepEqual(h.Tags, []Tag{{"project", "x"}}) || string(h.ACL) != "acl" {
		t.Fatalf("after reopen: %+v", h)
	}
	if got := mustGet(t, s, "b", "k", nil); string(got) != "data" {
		t.Fatalf("data = %q", got)
	}
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{MinPartSize: 1})
	mustBucket(t, s, "src")
	mustBucket(t, s, "dst")
	rng := rand.New(rand.NewPCG(5, 6))
	body := randBytes(rng, 300_000)
	k1, k2 := testCipher(1), testCipher(2)

	type tc struct {
		name           string
		srcKey         string
		srcC, dstC     *Cipher
		dstBucket, dst string
	}
	mustPut(t, s, "src", "plain", body, nil)
	mustPut(t, s, "src", "enc", body, k1)
	for _, c := range []tc{
		{"plain to plain", "plain", nil, nil, "dst", "a"},
		{"plain to encrypted", "plain", nil, k2, "dst", "b"},
		{"encrypted to plain", "enc", k1, nil, "dst", "c"},
		{"encrypted same key", "enc", k1, k1, "dst", "d"},
		{"encrypted re-keyed", "enc", k1, k2, "dst", "e"},
		{"same bucket", "plain", nil, nil, "src", "f"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := s.Copy(ctx, "src", c.srcKey, c.dstBucket, c.dst, ObjectMeta{ContentType: "x/y"}, c.srcC, c.dstC)
			if err != nil {
				t.Fatal(err)
			}
			if m.Key != c.dst || m.Size != int64(len(body)) || !etagOK(m.ETag, body, c.dstC) || m.ContentType != "x/y" {
				t.Fatalf("Copy = %+v", m)
			}
			if got := mustGet(t, s, c.dstBucket, c.dst, c.dstC); !bytes.Equal(got, body) {
				t.Fatal("copy differs")
			}
		})
	}
	// The source survives the deletion of its copies and vice versa.
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		s.Delete(ctx, "dst", k)
	}
	if got := mustGet(t, s, "src", "plain", nil); !bytes.Equal(got, body) {
		t.Fatal("source damaged by deleting copies")
	}
	mustPut(t, s, "src", "plain", []byte("replaced"), nil)
	if got := mustGet(t, s, "src", "f", nil); !bytes.Equal(got, body) {
		t.Fatal("copy damaged by replacing the source")
	}

	// Onto itself: new metadata, same data; re-encryption in place.
	m, err := s.Copy(ctx, "src", "enc", "src", "enc", ObjectMeta{ContentType: "new/type"}, k1, k1)
	if err != nil || m.ContentType != "new/type" {
		t.Fatalf("self copy = %+v, %v", m, err)
	}
	if _, err := s.Copy(ctx, "src", "enc", "src", "enc", ObjectMeta{}, k1, k2); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "src", "enc", k2); !bytes.Equal(got, body) {
		t.Fatal("self copy with a new key differs")
	}

	// A multipart source becomes a one-piece copy with an MD5 ETag.
	id, _ := s.CreateUpload(ctx, "src", "mp", ObjectMeta{}, "", nil)
	p1, _ := s.PutPart(ctx, "src", "mp", id, 1, bytes.NewReader(body[:1000]), nil)
	p2, _ := s.PutPart(ctx, "src", "mp", id, 2, bytes.NewReader(body[1000:]), nil)
	if _, err := s.Complete(ctx, "src", "mp", id, []CompletedPart{{1, p1.ETag}, {2, p2.ETag}}); err != nil {
		t.Fatal(err)
	}
	m, err = s.Copy(ctx, "src", "mp", "dst", "mp-copy", ObjectMeta{}, nil, nil)
	if err != nil || m.ETag != md5hex(body) || m.PartsCount != 0 {
		t.Fatalf("copy of multipart = %+v, %v", m, err)
	}

	// Errors.
	_, err = s.Copy(ctx, "src", "missing", "dst", "x", ObjectMeta{}, nil, nil)
	isErr(t, err, ErrNoSuchKey)
	_, err = s.Copy(ctx, "src", "enc", "dst", "x", ObjectMeta{}, k1, nil)
	isErr(t, err, ErrWrongKey)
	_, err = s.Copy(ctx, "src", "plain", "nope", "x", ObjectMeta{}, nil, nil)
	isErr(t, err, ErrNoSuchBucket)

	s = reopen(t, s)
	if got := mustGet(t, s, "src", "f", nil); !bytes.Equal(got, body) {
		t.Fatal("copy lost on reopen")
	}
	// Only referenced files remain: src has enc, f, mp (2 parts); plain,
	// replaced by a small object, is inline in its record.
	if n := len(blobFiles(t, s, "src")); n != 4 {
		t.Fatalf("src holds %d data files, want 4", n)
	}
}

func TestErrorsAreWrapped(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	for _, tc := range []struct {
		err      error
		sentinel error
		msg      string
	}{
		{second(s.Head(ctx, "b", "dir/missing")), ErrNoSuchKey, `store: head "b/dir/missing": no such key`},
		{second(s.Head(ctx, "nobucket", "k")), ErrNoSuchBucket, `store: head "nobucket/k": no such bucket`},
		{second(s.ListObjects(ctx, "nobucket", ListOptions{})), ErrNoSuchBucket, `store: list "nobucket": no such bucket`},
		{second(s.Put(ctx, "b", "k", &errReader{r: strings.NewReader("x"), err: errBoom}, ObjectMeta{}, nil)), errBoom,
			`store: put "b/k": reading object data: boom`},
		{second(s.Put(ctx, "b", "a\xff", strings.NewReader("x"), ObjectMeta{}, nil)), ErrInvalidKey,
			`store: put "b/a\xff": invalid object key: key is not valid UTF-8`},
		{s.CreateBucket(ctx, "b", BucketMeta{}), ErrBucketExists, `store: create bucket "b": bucket already exists`},
		{second(s.Copy(ctx, "b", "nope", "b", "dst", ObjectMeta{}, nil, nil)), ErrNoSuchKey, `store: copy "b/dst": source "b/nope": no such key`},
		{second(s.PutPart(ctx, "b", "k", "bad", 1, strings.NewReader(""), nil)), ErrNoSuchUpload, `store: put part "b/k": upload "bad": no such upload`},
	} {
		isErr(t, tc.err, tc.sentinel)
		var e *Error
		if !errors.As(tc.err, &e) {
			t.Errorf("%v is not an *Error", tc.err)
		}
		if tc.err.Error() != tc.msg {
			t.Errorf("message %q, want %q", tc.err, tc.msg)
		}
	}
}

func second[T any](_ T, err error) error { return err }
