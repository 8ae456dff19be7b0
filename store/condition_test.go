package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"testing"
)

// gatedReader signals started at its first Read and then waits for
// release, so that every writer has passed the early precondition check
// and is inside its write before any of them commits.
type gatedReader struct {
	r       io.Reader
	once    sync.Once
	started *sync.WaitGroup
	release <-chan struct{}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	g.once.Do(func() {
		g.started.Done()
		<-g.release
	})
	return g.r.Read(p)
}

// TestPutIfNoneMatchOneWinner: writers that all passed the early check
// race to commit; exactly one creates the object, the others fail with
// ErrPreconditionFailed and the object is the winner's.
func TestPutIfNoneMatchOneWinner(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	const writers = 8
	var started, done sync.WaitGroup
	started.Add(writers)
	release := make(chan struct{})
	errs := make([]error, writers)
	for w := range writers {
		done.Go(func() {
			body := &gatedReader{r: bytes.NewReader(version(w)), started: &started, release: release}
			_, errs[w] = s.PutIf(ctx, "b", "lock", body, ObjectMeta{}, nil, Precondition{IfNoneMatch: true})
		})
	}
	started.Wait()
	close(release)
	done.Wait()
	winner := -1
	for w, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both created the object", winner, w)
		case err == nil:
			winner = w
		case !errors.Is(err, ErrPreconditionFailed):
			t.Errorf("writer %d: %v, want ErrPreconditionFailed", w, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer created the object")
	}
	if got := mustGet(t, s, "b", "lock", nil); !bytes.Equal(got, version(winner)) {
		t.Errorf("the object is not the winner's (%d bytes)", len(got))
	}
}

// TestPutIfMatchCompareAndSwap: writers increment a counter with
// read-then-PutIf(IfMatch); no increment is lost.
func TestPutIfMatchCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	mustPut(t, s, "b", "counter", []byte("0"), nil)
	const writers, increments = 6, 10
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for i := 0; i < increments; {
				meta, r, err := s.Get(ctx, "b", "counter", nil)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(r)
				r.Close()
				n, _ := strconv.Atoi(string(b))
				next := strconv.Itoa(n + 1)
				_, err = s.PutIf(ctx, "b", "counter", bytes.NewReader([]byte(next)), ObjectMeta{}, nil, Precondition{IfMatch: `"` + meta.ETag + `"`})
				switch {
				case err == nil:
					i++
				case !errors.Is(err, ErrPreconditionFailed):
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got, want := string(mustGet(t, s, "b", "counter", nil)), strconv.Itoa(writers*increments); got != want {
		t.Errorf("counter is %s, want %s: an increment was lost", got, want)
	}
}

func TestPutIfPreconditions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	old := mustPut(t, s, "b", "k", []byte("old"), nil)
	for _, tc := range []struct {
		name string
		key  string
		pre  Precondition
		want error
	}{
		{"If-None-Match on an existing key", "k", Precondition{IfNoneMatch: true}, ErrPreconditionFailed},
		{"If-None-Match on a missing key", "new", Precondition{IfNoneMatch: true}, nil},
		{"If-Match with another ETag", "k", Precondition{IfMatch: `"0123"`}, ErrPreconditionFailed},
		{"If-Match on a missing key", "missing", Precondition{IfMatch: old.ETag}, ErrNoSuchKey},
		{"If-Match with the ETag", "k", Precondition{IfMatch: `"` + old.ETag + `"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.PutIf(ctx, "b", tc.key, bytes.NewReader([]byte("new")), ObjectMeta{}, nil, tc.pre)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("PutIf: %v, want %v", err, tc.want)
			}
			if err != nil {
				if _, err := s.Head(ctx, "b", tc.key); tc.key != "k" && !errors.Is(err, ErrNoSuchKey) {
					t.Errorf("a failed conditional write left an object: %v", err)
				}
			}
		})
	}
}

// TestCompleteIfNoneMatchOneWinner: uploads of one key completed at once
// with IfNoneMatch: one object, the other uploads intact.
func TestCompleteIfNoneMatchOneWinner(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{MinPartSize: 1})
	mustBucket(t, s, "b")
	const uploads = 6
	ids := make([]string, uploads)
	parts := make([][]CompletedPart, uploads)
	for i := range ids {
		id, err := s.CreateUpload(ctx, "b", "k", ObjectMeta{}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.PutPart(ctx, "b", "k", id, 1, bytes.NewReader(version(i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids[i], parts[i] = id, []CompletedPart{{Number: 1, ETag: p.ETag}}
	}
	errs := make([]error, uploads)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			_, errs[i] = s.CompleteIf(ctx, "b", "k", ids[i], parts[i], Precondition{IfNoneMatch: true})
		})
	}
	wg.Wait()
	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
			if got := mustGet(t, s, "b", "k", nil); !bytes.Equal(got, version(i)) {
				t.Errorf("the object is not upload %d's", i)
			}
		case errors.Is(err, ErrPreconditionFailed):
			// The losing upload is left as it was: it can still be
			// listed and aborted.
			if _, err := s.GetUpload(ctx, "b", "k", ids[i]); err != nil {
				t.Errorf("upload %d after a failed precondition: %v", i, err)
			}
		default:
			t.Errorf("upload %d: %v", i, err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d uploads completed, want 1 (%s)", winners, fmt.Sprint(errs))
	}
}

func TestCopyIfPreconditions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	mustBucket(t, s, "b")
	src := mustPut(t, s, "b", "src", []byte("source"), nil)
	dst := mustPut(t, s, "b", "dst", []byte("destination"), nil)
	for _, tc := range []struct {
		name string
		key  string
		pre  Precondition
		want error
	}{
		{"If-None-Match onto an object", "dst", Precondition{IfNoneMatch: true}, ErrPreconditionFailed},
		{"If-Match another ETag", "dst", Precondition{IfMatch: src.ETag}, ErrPreconditionFailed},
		{"If-Match onto no object", "none", Precondition{IfMatch: dst.ETag}, ErrNoSuchKey},
		{"If-None-Match onto no object", "new", Precondition{IfNoneMatch: true}, nil},
		{"If-Match the destination's ETag", "dst", Precondition{IfMatch: dst.ETag}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := s.Head(ctx, "b", tc.key)
			_, err := s.CopyIf(ctx, "b", "src", "b", tc.key, ObjectMeta{}, nil, nil, tc.pre)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("CopyIf: %v, want %v", err, tc.want)
			}
			if after, _ := s.Head(ctx, "b", tc.key); err != nil && after.ETag != before.ETag {
				t.Errorf("a refused copy changed %s", tc.key)
			}
		})
	}
}
