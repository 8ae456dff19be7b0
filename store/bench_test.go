package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

func benchPut(b *testing.B, s *Store, size int, c *Cipher) {
	body := bytes.Repeat([]byte("x"), size)
	ctx := context.Background()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Put(ctx, "b", fmt.Sprintf("obj/%09d", i), bytes.NewReader(body), ObjectMeta{}, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPut4KiB puts 4 KiB objects under new keys, durably (sync) and
// with Options.NoSync.
func BenchmarkPut4KiB(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "sync"
		if !sync {
			name = "nosync"
		}
		b.Run(name, func(b *testing.B) {
			s := newStore(b, Options{NoSync: !sync})
			mustBucket(b, s, "b")
			benchPut(b, s, 4<<10, nil)
		})
	}
}

// BenchmarkPut4KiBLargeBucket is BenchmarkPut4KiB/nosync in a bucket that
// already holds 100,000 objects: a PUT's cost must not grow with the
// bucket.
func BenchmarkPut4KiBLargeBucket(b *testing.B) {
	s := newStore(b, Options{NoSync: true})
	mustBucket(b, s, "b")
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("pre/%07d", i)
	}
	fillBucket(b, s, "b", keys)
	benchPut(b, s, 4<<10, nil)
}

func BenchmarkPut4KiBParallel(b *testing.B) {
	s := newStore(b, Options{NoSync: true})
	mustBucket(b, s, "b")
	body := bytes.Repeat([]byte("x"), 4<<10)
	var n atomic.Int64
	b.SetBytes(int64(len(body)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("obj/%09d", n.Add(1))
			if _, err := s.Put(context.Background(), "b", key, bytes.NewReader(body), ObjectMeta{}, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPut8MiB measures streaming throughput, in the clear and
// encrypted.
func BenchmarkPut8MiB(b *testing.B) {
	for _, enc := range []bool{false, true} {
		name, c := "plain", (*Cipher)(nil)
		if enc {
			name, c = "aes-ctr", testCipher(1)
		}
		b.Run(name, func(b *testing.B) {
			s := newStore(b, Options{NoSync: true})
			mustBucket(b, s, "b")
			benchPut(b, s, 8<<20, c)
		})
	}
}

// BenchmarkPut64MiB measures the write path of large bodies (issue 10:
// the 1 GiB SSE-KMS PUT): durably (fsync, as lockstep serve runs by
// default) and with Options.NoSync, in the clear and encrypted, with the
// store hashing the body and with a body that vouches for its MD5 (the
// server's when the client sends Content-MD5, see VerifiedBody). MB/s is
// per core: the body is read, hashed and encrypted on the calling
// goroutine while the blobFile writes the previous chunk.
func BenchmarkPut64MiB(b *testing.B) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 4<<20)
	for _, sync := range []bool{true, false} {
		for _, enc := range []bool{false, true} {
			for _, verified := range []bool{false, true} {
				name, c := "sync", (*Cipher)(nil)
				if !sync {
					name = "nosync"
				}
				if enc {
					name, c = name+"/aes-ctr", testCipher(1)
				} else {
					name += "/plain"
				}
				if verified {
					name += "/content-md5"
				}
				b.Run(name, func(b *testing.B) {
					s := newStore(b, Options{NoSync: !sync})
					mustBucket(b, s, "b")
					ctx := context.Background()
					b.SetBytes(int64(len(body)))
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						var r io.Reader = bytes.NewReader(body)
						if verified {
							r = &verifiedReader{r: r, ok: true}
						}
						// One key: each Put replaces the last, as a
						// benchmark of 1 GiB objects would not fit.
						if _, err := s.Put(ctx, "b", "big", r, ObjectMeta{}, c); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkGet4KiB opens and reads whole 4 KiB objects.
func BenchmarkGet4KiB(b *testing.B) {
	for _, enc := range []bool{false, true} {
		name, c := "plain", (*Cipher)(nil)
		if enc {
			name, c = "aes-ctr", testCipher(1)
		}
		b.Run(name, func(b *testing.B) {
			s := newStore(b, Options{NoSync: true})
			mustBucket(b, s, "b")
			body := bytes.Repeat([]byte("x"), 4<<10)
			const n = 1000
			for i := range n {
				if _, err := s.Put(context.Background(), "b", fmt.Sprintf("obj/%04d", i), bytes.NewReader(body), ObjectMeta{}, c); err != nil {
					b.Fatal(err)
				}
			}
			rng := rand.New(rand.NewPCG(1, 1))
			buf := make([]byte, 8<<10)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				_, r, err := s.Get(context.Background(), "b", fmt.Sprintf("obj/%04d", rng.IntN(n)), c)
				if err != nil {
					b.Fatal(err)
				}
				if m, err := io.ReadFull(r, buf); m != len(body) || err != io.ErrUnexpectedEOF {
					b.Fatal(m, err)
				}
				r.Close()
			}
		})
	}
}

// BenchmarkList100k lists all of a 100,000-object bucket, 1000 keys a
// page (100 pages per op), flat and with a delimiter.
func BenchmarkList100k(b *testing.B) {
	s := newStore(b, Options{NoSync: true})
	mustBucket(b, s, "b")
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("dir%03d/obj-%07d", i%100, i)
	}
	fillBucket(b, s, "b", keys)
	for _, delim := range []string{"", "/"} {
		b.Run("delimiter="+delim, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				after, n := "", 0
				for {
					res, err := s.ListObjects(ctx, "b", ListOptions{After: after, Delimiter: delim, MaxKeys: 1000})
					if err != nil {
						b.Fatal(err)
					}
					n += len(res.Objects) + len(res.CommonPrefixes)
					if !res.IsTruncated {
						break
					}
					after = res.NextMarker
				}
				if delim == "" && n != len(keys) || delim != "" && n != 100 {
					b.Fatalf("listed %d", n)
				}
			}
		})
	}
}

// BenchmarkOpen100k measures Open (index rebuild) of a 100,000-object
// bucket.
func BenchmarkOpen100k(b *testing.B) {
	s := newStore(b, Options{NoSync: true})
	mustBucket(b, s, "b")
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%07d", i)
	}
	fillBucket(b, s, "b", keys)
	s.Close()
	for b.Loop() {
		s2, err := Open(context.Background(), s.Dir(), Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		s2.Close()
	}
}
