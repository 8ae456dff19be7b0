package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// recordOf returns the path and content of the record of key in bucket.
func recordOf(t *testing.T, s *Store, bucket, key string) (string, []byte) {
	t.Helper()
	name := keyName(key)
	path := filepath.Join(s.Dir(), bucketsDir, bucket, objectsDir, name[:2], name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestInlineRoundTrip(t *testing.T) {
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	rng := rand.New(rand.NewPCG(31, 32))
	type obj struct {
		body []byte
		c    *Cipher
	}
	objs := map[string]obj{}
	for _, n := range []int{1, 15, 16, 17, 4096, s.inlineMax - 1, s.inlineMax, s.inlineMax + 1} {
		for _, c := range []*Cipher{nil, testCipher(5)} {
			key := fmt.Sprintf("k%d-%v", n, c != nil)
			body := append([]byte("SECRET-MARKER "), randBytes(rng, n)...)[:n]
			m := mustPut(t, s, "b", key, body, c)
			if m.Size != int64(n) || !etagOK(m.ETag, body, c) {
				t.Fatalf("%s: Put = size %d etag %s", key, m.Size, m.ETag)
			}
			if got := mustGet(t, s, "b", key, c); !bytes.Equal(got, body) {
				t.Fatalf("%s: round trip differs", key)
			}
			_, rec := recordOf(t, s, "b", key)
			inline := n <= s.inlineMax
			if got := bytes.IndexByte(rec, '\n') >= 0; got != inline {
				t.Fatalf("%s: inline = %v, want %v", key, got, inline)
			}
			if inline && n >= 14 && contains(rec, "SECRET-MARKER") == (c != nil) {
				t.Fatalf("%s: encrypted=%v, but the record holds the plaintext=%v", key, c != nil, c == nil)
			}
			objs[key] = obj{body, c}
		}
	}
	// Only the two objects over the limit have data files.
	if n := len(blobFiles(t, s, "b")); n != 2 {
		t.Fatalf("%d data files, want 2", n)
	}
	s = reopen(t, s)
	checkNoGarbage(t, s)
	for key, o := range objs {
		if got := mustGet(t, s, "b", key, o.c); !bytes.Equal(got, o.body) {
			t.Fatalf("%s: differs after reopen", key)
		}
		if o.c != nil {
			_, _, err := s.Get(context.Background(), "b", key, testCipher(6))
			isErr(t, err, ErrWrongKey)
			_, _, err = s.Get(context.Background(), "b", key, nil)
			isErr(t, err, ErrWrongKey)
		}
	}
	// Overwriting and deleting inline objects leaves nothing behind.
	for key := range objs {
		mustPut(t, s, "b", key, []byte("small"), nil)
	}
	if n := len(blobFiles(t, s, "b")); n != 0 {
		t.Fatalf("%d data files after overwriting with small objects", n)
	}
	for key := range objs {
		if _, err := s.Delete(context.Background(), "b", key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Head(context.Background(), "b", key); err == nil {
			t.Fatalf("%s survived Delete", key)
		}
	}
	s = reopen(t, s)
	if res, _ := s.ListObjects(context.Background(), "b", ListOptions{MaxKeys: -1}); len(res.Objects) != 0 {
		t.Fatalf("objects left: %+v", res.Objects)
	}
}

func TestInlineRanges(t *testing.T) {
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	rng := rand.New(rand.NewPCG(33, 34))
	body := randBytes(rng, 50_000)
	for _, c := range []*Cipher{nil, testCipher(1)} {
		mustPut(t, s, "b", "k", body, c)
		_, r, err := s.Get(context.Background(), "b", "k", c)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.inline) != len(body) {
			t.Fatalf("the object is not inline (%d bytes in memory)", len(r.inline))
		}
		checkRanges(t, r, body, rng)
		r.Close()
	}
}

func TestInlineUpdateObject(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	body := []byte("small and inline")
	for _, c := range []*Cipher{nil, testCipher(2)} {
		orig := mustPut(t, s, "b", "k", body, c)
		_, before := recordOf(t, s, "b", "k")
		m, err := s.UpdateObject(ctx, "b", "k", func(m *ObjectMeta) error {
			m.Tags = []Tag{{"project", "x"}}
			return nil
		})
		if err != nil || m.ETag != orig.ETag || len(m.Tags) != 1 {
			t.Fatalf("UpdateObject = %+v, %v", m, err)
		}
		_, after := recordOf(t, s, "b", "k")
		if !bytes.Equal(before[bytes.IndexByte(before, '\n'):], after[bytes.IndexByte(after, '\n'):]) {
			t.Fatal("UpdateObject changed the inline data")
		}
		if got := mustGet(t, s, "b", "k", c); !bytes.Equal(got, body) {
			t.Fatal("data differs after UpdateObject")
		}
		s = reopen(t, s)
		if got := mustGet(t, s, "b", "k", c); !bytes.Equal(got, body) {
			t.Fatal("data differs after UpdateObject and reopen")
		}
		if m, _ := s.Head(ctx, "b", "k"); len(m.Tags) != 1 {
			t.Fatalf("tags lost: %+v", m)
		}
	}
}

func TestInlineCopy(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "src")
	mustBucket(t, s, "dst")
	body := []byte("a small object to copy")
	k1, k2 := testCipher(1), testCipher(2)
	mustPut(t, s, "src", "plain", body, nil)
	mustPut(t, s, "src", "enc", body, k1)
	for _, c := range []struct {
		src        string
		srcC, dstC *Cipher
		bucket     string
		dst        string
	}{
		{"plain", nil, nil, "dst", "a"},
		{"plain", nil, k2, "dst", "b"},
		{"enc", k1, nil, "dst", "c"},
		{"enc", k1, k1, "dst", "d"},
		{"enc", k1, k2, "src", "e"},
		{"plain", nil, nil, "src", "plain"}, // onto itself
	} {
		m, err := s.Copy(ctx, "src", c.src, c.bucket, c.dst, ObjectMeta{ContentType: "x/y"}, c.srcC, c.dstC)
		if err != nil || m.Size != int64(len(body)) || !etagOK(m.ETag, body, c.dstC) {
			t.Fatalf("Copy %s -> %s = %+v, %v", c.src, c.dst, m, err)
		}
		if got := mustGet(t, s, c.bucket, c.dst, c.dstC); !bytes.Equal(got, body) {
			t.Fatalf("copy %s differs", c.dst)
		}
	}
	// The copies are independent of the sources.
	s.Delete(ctx, "src", "enc")
	mustPut(t, s, "src", "plain", []byte("replaced"), nil)
	if got := mustGet(t, s, "dst", "d", k1); !bytes.Equal(got, body) {
		t.Fatal("copy damaged by deleting the source")
	}
	if n := len(blobFiles(t, s, "src")) + len(blobFiles(t, s, "dst")); n != 0 {
		t.Fatalf("%d data files for inline objects", n)
	}
	s = reopen(t, s)
	for _, k := range []string{"a", "c", "d"} {
		c := map[string]*Cipher{"d": k1}[k]
		if got := mustGet(t, s, "dst", k, c); !bytes.Equal(got, body) {
			t.Fatalf("copy %s lost on reopen", k)
		}
	}
	// A large object copied still gets a data file.
	big := bytes.Repeat([]byte("big"), s.inlineMax)
	mustPut(t, s, "src", "big", big, nil)
	if _, err := s.Copy(ctx, "src", "big", "dst", "big", ObjectMeta{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "dst", "big", nil); !bytes.Equal(got, big) {
		t.Fatal("big copy differs")
	}
}

func TestInlineReaderKeepsItsVersion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	old := bytes.Repeat([]byte("old "), 1000)
	for _, how := range []string{"overwrite", "update", "delete"} {
		mustPut(t, s, "b", "k", old, nil)
		_, r, err := s.Get(ctx, "b", "k", nil)
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 100)
		if _, err := io.ReadFull(r, head); err != nil {
			t.Fatal(err)
		}
		switch how {
		case "overwrite":
			mustPut(t, s, "b", "k", []byte("new"), nil)
		case "update":
			if _, err := s.UpdateObject(ctx, "b", "k", func(m *ObjectMeta) error { m.ContentType = "a/b"; return nil }); err != nil {
				t.Fatal(err)
			}
		case "delete":
			s.Delete(ctx, "b", "k")
		}
		rest, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(append(head, rest...), old) {
			t.Fatalf("%s: reader saw another version (%v)", how, err)
		}
	}
}

// TestInlineConcurrentWritersAndReaders races Puts, metadata updates and
// Gets of one small key: every Get returns whole data matching its
// metadata.
func TestInlineConcurrentWritersAndReaders(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	small := func(i int) []byte { return bytes.Repeat([]byte{byte('A' + i)}, 100+i*10) }
	mustPut(t, s, "b", "k", small(0), nil)
	var wg sync.WaitGroup
	var stop atomic.Bool
	for w := range 4 {
		wg.Go(func() {
			for i := range 30 {
				var err error
				if i%3 == 2 {
					_, err = s.UpdateObject(ctx, "b", "k", func(m *ObjectMeta) error { m.ContentType = fmt.Sprint(w, i); return nil })
				} else {
					_, err = s.Put(ctx, "b", "k", bytes.NewReader(small(w)), ObjectMeta{}, nil)
				}
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for !stop.Load() {
				meta, r, err := s.Get(ctx, "b", "k", nil)
				if err != nil {
					t.Error(err)
					return
				}
				data, err := io.ReadAll(r)
				r.Close()
				if err != nil || len(data) == 0 || !bytes.Equal(data, small(int(data[0]-'A'))) || md5hex(data) != meta.ETag {
					t.Errorf("torn read: %d bytes, %v", len(data), err)
					return
				}
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	readers.Wait()
	meta, _ := s.Head(ctx, "b", "k")
	s = reopen(t, s)
	if got := mustGet(t, s, "b", "k", nil); md5hex(got) != meta.ETag {
		t.Fatal("the disk disagrees with memory")
	}
}

// TestOldFormatRecordLoads builds a bucket as version 1 of the store laid
// it out (records of plain JSON naming blobs, fan-out subdirectories made
// on first use) and checks that it loads, reads and can be changed.
func TestOldFormatRecordLoads(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	bdir := filepath.Join(dir, bucketsDir, "b")
	name := keyName("old/key")
	blob := strings.Repeat("5a", 16)
	files := map[string]string{
		formatFile: formatVersion,
		filepath.Join(bucketsDir, "b", bucketFile): `{"owner":"111122223333","region":"us-east-1","created":"2024-01-02T03:04:05Z"}`,
		filepath.Join(bucketsDir, "b", objectsDir, name[:2], name): `{"v":1,"meta":{"key":"old/key","size":11,"etag":"` +
			md5hex([]byte("old content")) + `","lastModified":"2024-01-02T03:04:05Z"},"segs":[{"blob":"` + blob + `","size":11}]}`,
		filepath.Join(bucketsDir, "b", dataDir, blob[:2], blob): "old content",
	}
	for p, content := range files {
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := writeFile(p, content); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(bdir, uploadsDir), 0o700)
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	m, err := s.Head(ctx, "b", "old/key")
	if err != nil || m.Size != 11 || m.ETag != md5hex([]byte("old content")) {
		t.Fatalf("Head = %+v, %v", m, err)
	}
	if got := mustGet(t, s, "b", "old/key", nil); string(got) != "old content" {
		t.Fatalf("Get = %q", got)
	}
	if _, err := s.UpdateObject(ctx, "b", "old/key", func(m *ObjectMeta) error { m.ContentType = "t/t"; return nil }); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "b", "new/key", []byte("new content"), nil)
	s.Close()
	if s, err = Open(ctx, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "b", "old/key", nil); string(got) != "old content" {
		t.Fatalf("Get = %q", got)
	}
	if got := mustGet(t, s, "b", "new/key", nil); string(got) != "new content" {
		t.Fatalf("Get = %q", got)
	}
	// A record that holds no inline data keeps version 1, which version 1
	// of the store reads.
	_, rec := recordOf(t, s, "b", "old/key")
	var r objectRecord
	if err := json.Unmarshal(rec, &r); err != nil || r.V != 1 || r.Meta.ContentType != "t/t" {
		t.Fatalf("old record rewritten as %s (%v)", rec, err)
	}
}

// TestOpenReportsInlineCorruption checks that a damaged inline record
// fails Open.
func TestOpenReportsInlineCorruption(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(rec []byte) []byte
	}{
		{"truncated data", func(rec []byte) []byte { return rec[:len(rec)-1] }},
		{"data appended", func(rec []byte) []byte { return append(rec, 'x') }},
		{"newline lost", func(rec []byte) []byte { return bytes.Replace(rec, []byte("\n"), nil, 1) }},
		{"data in a version-1 record", func(rec []byte) []byte { return bytes.Replace(rec, []byte(`"v":2`), []byte(`"v":1`), 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, Options{NoSync: true})
			mustBucket(t, s, "b")
			mustPut(t, s, "b", "k", []byte("data"), nil)
			s.Close()
			path, rec := recordOf(t, s, "b", "k")
			writeFile(path, string(tc.damage(rec)))
			_, err := Open(context.Background(), s.Dir(), Options{})
			if err == nil || !strings.Contains(err.Error(), "corrupt object record") {
				t.Fatalf("Open = %v, want an error about a corrupt record", err)
			}
		})
	}
}

func TestDirSyncerGroups(t *testing.T) {
	s := newStore(t, Options{})
	var d dirSyncer
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if err := d.sync(s, s.Dir()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if d.started == 0 || d.started > 50 || d.done != d.started || d.running {
		t.Fatalf("started %d, done %d, running %v", d.started, d.done, d.running)
	}
	// A failing sync fails its waiters, and a later one succeeds.
	if err := d.sync(s, filepath.Join(s.Dir(), "missing")); err == nil {
		t.Fatal("sync of a missing directory succeeded")
	}
	if err := d.sync(s, s.Dir()); err != nil {
		t.Fatal(err)
	}
}
