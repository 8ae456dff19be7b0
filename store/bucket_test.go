package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBucketLifecycle(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s := newStore(t, Options{Now: func() time.Time { return clock }})

	meta := BucketMeta{
		Owner: "111122223333", Region: "eu-west-1",
		Policy:     []byte(`{"Version":"2012-10-17","Statement":[]}`),
		Encryption: []byte(`<ServerSideEncryptionConfiguration/>`),
		Ownership:  "BucketOwnerEnforced",
		Extra:      map[string]string{"versioning": "Suspended"},
	}
	if err := s.CreateBucket(ctx, "alpha", meta); err != nil {
		t.Fatal(err)
	}
	isErr(t, s.CreateBucket(ctx, "alpha", BucketMeta{}), ErrBucketExists)
	mustBucket(t, s, "beta")
	mustBucket(t, s, "Legacy_Name")

	got, err := s.GetBucket(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	want := meta
	want.Created = clock
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetBucket = %+v, want %+v", got, want)
	}
	got.Extra["versioning"] = "mutated" // the caller's copy
	if again, _ := s.GetBucket(ctx, "alpha"); again.Extra["versioning"] != "Suspended" {
		t.Fatal("GetBucket returned the store's own map")
	}

	// UpdateBucket: an error changes nothing; success is atomic and kept.
	_, err = s.UpdateBucket(ctx, "alpha", func(m *BucketMeta) error {
		m.Policy = nil
		return errBoom
	})
	isErr(t, err, errBoom)
	if m, _ := s.GetBucket(ctx, "alpha"); m.Policy == nil {
		t.Fatal("failed update changed the bucket")
	}
	if _, err := s.UpdateBucket(ctx, "alpha", func(m *BucketMeta) error {
		m.Policy = nil
		m.Extra["tags"] = "a=b"
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	list, err := s.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list {
		names = append(names, b.Name)
	}
	if strings.Join(names, ",") != "Legacy_Name,alpha,beta" {
		t.Fatalf("ListBuckets = %v", names)
	}

	s = reopen(t, s)
	got, err = s.GetBucket(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	want.Policy = nil
	want.Extra = map[string]string{"versioning": "Suspended", "tags": "a=b"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen GetBucket = %+v, want %+v", got, want)
	}

	// DeleteBucket: not while it holds an object or an upload.
	mustPut(t, s, "alpha", "k", []byte("v"), nil)
	isErr(t, s.DeleteBucket(ctx, "alpha"), ErrBucketNotEmpty)
	if _, err := s.Delete(ctx, "alpha", "k"); err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateUpload(ctx, "alpha", "mp", ObjectMeta{}, "me", nil)
	if err != nil {
		t.Fatal(err)
	}
	isErr(t, s.DeleteBucket(ctx, "alpha"), ErrBucketNotEmpty)
	if err := s.Abort(ctx, "alpha", "mp", id); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "alpha"); err != nil {
		t.Fatal(err)
	}
	isErr(t, s.DeleteBucket(ctx, "alpha"), ErrNoSuchBucket)
	_, err = s.GetBucket(ctx, "alpha")
	isErr(t, err, ErrNoSuchBucket)
	_, err = s.Put(ctx, "alpha", "k", strings.NewReader("v"), ObjectMeta{}, nil)
	isErr(t, err, ErrNoSuchBucket)

	// The name is free again, and empty.
	mustBucket(t, s, "alpha")
	if res, _ := s.ListObjects(ctx, "alpha", ListOptions{MaxKeys: -1}); len(res.Objects) != 0 {
		t.Fatalf("recreated bucket lists %d objects", len(res.Objects))
	}
	s = reopen(t, s)
	if list, _ := s.ListBuckets(ctx); len(list) != 3 {
		t.Fatalf("after reopen %d buckets", len(list))
	}
}

func TestBucketNames(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"abc", true},
		{"my.bucket-1", true},
		{"Under_Score", true},
		{strings.Repeat("a", 255), true},
		{"", false},
		{".", false},
		{"..", false},
		{"a/b", false},
		{"../x", false},
		{`a\b`, false},
		{"a b", false},
		{"é", false},
		{"a\x00", false},
		{strings.Repeat("a", 256), false},
	} {
		err := s.CreateBucket(ctx, tc.name, BucketMeta{})
		if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrInvalidBucketName) {
			t.Errorf("CreateBucket(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if !tc.ok {
			_, err := s.GetBucket(ctx, tc.name)
			isErr(t, err, ErrInvalidBucketName)
		}
	}
}

func TestUpdateBucketConcurrent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				_, err := s.UpdateBucket(ctx, "b", func(m *BucketMeta) error {
					n, _ := strconv.Atoi(m.Extra["n"])
					if m.Extra == nil {
						m.Extra = map[string]string{}
					}
					m.Extra["n"] = fmt.Sprint(n + 1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if m, _ := s.GetBucket(ctx, "b"); m.Extra["n"] != "200" {
		t.Fatalf("counter = %s, want 200 (lost updates)", m.Extra["n"])
	}
}

func TestClosedAndLocked(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{})
	if _, err := Open(ctx, s.Dir(), Options{}); err == nil {
		t.Fatal("second Open of a directory in use succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	isErr(t, s.CreateBucket(ctx, "b", BucketMeta{}), ErrClosed)
	_, err := s.Head(ctx, "b", "k")
	isErr(t, err, ErrClosed)
	s2, err := Open(ctx, s.Dir(), Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close()
}

func TestOpenRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := writeFile(dir+"/precious.txt", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), dir, Options{}); err == nil {
		t.Fatal("Open of a non-empty non-store directory succeeded")
	}
}
