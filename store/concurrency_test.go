package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
)

// version returns the body writer i puts: its byte i repeated, with a
// length that differs per writer, so that a torn mix is detectable.
func version(i int) []byte {
	return bytes.Repeat([]byte{byte('A' + i)}, 200_000+i*1000)
}

// checkWhole fails unless data is exactly one writer's version and meta
// describes it.
func checkWhole(data []byte, meta ObjectMeta) error {
	if len(data) == 0 {
		return errors.New("empty object")
	}
	i := int(data[0] - 'A')
	if !bytes.Equal(data, version(i)) {
		return fmt.Errorf("torn object: %d bytes starting with %q", len(data), data[0])
	}
	if meta.ETag != md5hex(data) || meta.Size != int64(len(data)) {
		return fmt.Errorf("metadata of another version: size %d etag %s for version %d", meta.Size, meta.ETag, i)
	}
	return nil
}

func TestConcurrentWritersOneKey(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	mustPut(t, s, "b", "k", version(0), nil)
	const writers, rounds = 8, 5
	var wg sync.WaitGroup
	var stop atomic.Bool
	for w := range writers {
		wg.Go(func() {
			for range rounds {
				if _, err := s.Put(ctx, "b", "k", bytes.NewReader(version(w)), ObjectMeta{}, nil); err != nil {
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
				if err != nil {
					t.Error(err)
					return
				}
				if err := checkWhole(data, meta); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	readers.Wait()

	meta, _ := s.Head(ctx, "b", "k")
	if err := checkWhole(mustGet(t, s, "b", "k", nil), meta); err != nil {
		t.Fatal(err)
	}
	if n := len(blobFiles(t, s, "b")); n != 1 {
		t.Fatalf("%d data files after the race, want 1", n)
	}
	// The disk agrees with memory: the last rename won in both.
	s2 := reopen(t, s)
	meta2, _ := s2.Head(ctx, "b", "k")
	if meta2.ETag != meta.ETag {
		t.Fatalf("after reopen ETag %s, before %s", meta2.ETag, meta.ETag)
	}
}

func TestReaderKeepsItsVersion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true, MinPartSize: 1})
	mustBucket(t, s, "b")
	old := version(1)

	// A single-file object and a multipart one (whose later parts the
	// reader has not opened yet when the object goes away).
	mustPut(t, s, "b", "single", old, nil)
	id, _ := s.CreateUpload(ctx, "b", "multi", ObjectMeta{}, "", nil)
	var parts []CompletedPart
	for n := 1; n <= 4; n++ {
		p, err := s.PutPart(ctx, "b", "multi", id, n, bytes.NewReader(old[(n-1)*50_000:n*50_000]), nil)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, CompletedPart{n, p.ETag})
	}
	if _, err := s.Complete(ctx, "b", "multi", id, parts); err != nil {
		t.Fatal(err)
	}

	for _, key := range []string{"single", "multi"} {
		for _, how := range []string{"overwrite", "delete"} {
			t.Run(key+"/"+how, func(t *testing.T) {
				_, r, err := s.Get(ctx, "b", key, nil)
				if err != nil {
					t.Fatal(err)
				}
				head := make([]byte, 1000)
				if _, err := io.ReadFull(r, head); err != nil {
					t.Fatal(err)
				}
				if how == "overwrite" {
					mustPut(t, s, "b", key, version(2), nil)
				} else if _, err := s.Delete(ctx, "b", key); err != nil {
					t.Fatal(err)
				}
				rest, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if got := append(head, rest...); !bytes.Equal(got, old[:len(got)]) || len(got) != 200_000 && key == "multi" {
					t.Fatalf("reader saw %d bytes, not the old version", len(got))
				}
				before := len(blobFiles(t, s, "b"))
				r.Close()
				if after := len(blobFiles(t, s, "b")); after >= before {
					t.Fatalf("closing the last reader left the old files (%d -> %d)", before, after)
				}
				// Put the old version back for the next case.
				if key == "single" {
					mustPut(t, s, "b", key, old, nil)
				} else {
					mustPut(t, s, "b", key, old[:200_000], nil)
				}
			})
		}
	}
}

func TestConcurrentMixedOperations(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true, MinPartSize: 1})
	mustBucket(t, s, "b")
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := range 40 {
				key := fmt.Sprintf("w%d/k%02d", w, i%10)
				switch i % 5 {
				case 0, 1:
					mustPut(t, s, "b", key, version(w), nil)
				case 2:
					if _, err := s.Delete(ctx, "b", key); err != nil {
						t.Error(err)
					}
				case 3:
					if _, err := s.ListObjects(ctx, "b", ListOptions{Delimiter: "/", MaxKeys: 3}); err != nil {
						t.Error(err)
					}
				case 4:
					_, err := s.Copy(ctx, "b", fmt.Sprintf("w%d/k%02d", w, (i-4)%10), "b", key+"-copy", ObjectMeta{}, nil, nil)
					if err != nil && !errors.Is(err, ErrNoSuchKey) {
						t.Error(err)
					}
				}
			}
		})
	}
	// Concurrent re-uploads of one part, and a race of Complete and Abort.
	id, _ := s.CreateUpload(ctx, "b", "mp", ObjectMeta{}, "", nil)
	for w := range 4 {
		wg.Go(func() {
			if _, err := s.PutPart(ctx, "b", "mp", id, 1, bytes.NewReader(version(w)), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	lp, _ := s.ListParts(ctx, "b", "mp", id, 0, -1)
	var completeErr, abortErr error
	wg.Go(func() {
		_, completeErr = s.Complete(ctx, "b", "mp", id, []CompletedPart{{1, lp.Parts[0].ETag}})
	})
	wg.Go(func() { abortErr = s.Abort(ctx, "b", "mp", id) })
	wg.Wait()
	if (completeErr == nil) == (abortErr == nil) {
		t.Fatalf("Complete: %v; Abort: %v; want exactly one to succeed", completeErr, abortErr)
	}
	if completeErr == nil {
		meta, _ := s.Head(ctx, "b", "mp")
		if err := checkWhole(mustGet(t, s, "b", "mp", nil), ObjectMeta{ETag: md5hex(version(int(meta.Size-200_000) / 1000)), Size: meta.Size}); err != nil {
			t.Fatal(err)
		}
	}

	// Every data file belongs to an object: nothing leaked.
	res, _ := s.ListObjects(ctx, "b", ListOptions{MaxKeys: -1})
	files := blobFiles(t, s, "b")
	var want int
	for _, o := range res.Objects {
		if o.Size > 0 {
			want++
		}
	}
	if len(files) != want {
		t.Fatalf("%d data files for %d non-empty objects", len(files), want)
	}
	s = reopen(t, s)
	if n := len(blobFiles(t, s, "b")); n != want {
		t.Fatalf("after reopen %d data files, want %d", n, want)
	}
}

func TestDeleteBucketRacesPut(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	for round := range 20 {
		mustBucket(t, s, "b")
		var wg sync.WaitGroup
		var putOK atomic.Bool
		wg.Go(func() {
			_, err := s.Put(ctx, "b", "k", bytes.NewReader(version(round%8)), ObjectMeta{}, nil)
			if err == nil {
				putOK.Store(true)
			} else if !errors.Is(err, ErrNoSuchBucket) {
				t.Errorf("Put: %v", err)
			}
		})
		var delErr error
		wg.Go(func() { delErr = s.DeleteBucket(ctx, "b") })
		wg.Wait()
		switch {
		case delErr == nil && putOK.Load():
			t.Fatal("both the Put and the DeleteBucket succeeded")
		case delErr != nil:
			isErr(t, delErr, ErrBucketNotEmpty)
			s.Delete(ctx, "b", "k")
			if err := s.DeleteBucket(ctx, "b"); err != nil {
				t.Fatal(err)
			}
		}
	}
	s = reopen(t, s)
	if list, _ := s.ListBuckets(ctx); len(list) != 0 {
		t.Fatalf("buckets left: %v", list)
	}
}
