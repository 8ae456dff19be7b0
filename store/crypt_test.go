package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

func TestEncryptionAtRest(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true})
	mustBucket(t, s, "b")
	mustBucket(t, s, "b2")
	rng := rand.New(rand.NewPCG(21, 22))
	body := append([]byte("SECRET-MARKER "), randBytes(rng, 700_000)...)
	k1, k2 := testCipher(1), testCipher(2)

	m := mustPut(t, s, "b", "k", body, k1)
	// S3: SSE-KMS objects have ETags that are not an MD5 of their data;
	// 32 hex digits all the same, and new for each write.
	if m.ETag == md5hex(body) || len(m.ETag) != 32 {
		t.Fatalf("ETag %s of an encrypted object: want 32 hex digits, not the plaintext MD5", m.ETag)
	}
	if again := mustPut(t, s, "b2", "k", body, k1); again.ETag == m.ETag {
		t.Fatalf("two writes of the same data have the ETag %s", m.ETag)
	}
	if plain := mustPut(t, s, "b2", "k-plain", body, nil); plain.ETag != md5hex(body) {
		t.Fatalf("ETag %s of an unencrypted object is not its MD5", plain.ETag)
	}
	files := blobFiles(t, s, "b")
	if len(files) != 1 {
		t.Fatalf("%d data files", len(files))
	}
	stored, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(body) || contains(stored, "SECRET-MARKER") || bytes.Equal(stored, body) {
		t.Fatal("data is not encrypted at rest")
	}

	for _, tc := range []struct {
		name string
		c    *Cipher
	}{{"no key", nil}, {"wrong key", k2}} {
		_, _, err := s.Get(ctx, "b", "k", tc.c)
		isErr(t, err, ErrWrongKey)
		t.Logf("%s: %v", tc.name, err)
	}
	mustPut(t, s, "b", "plain", []byte("x"), nil)
	_, _, err = s.Get(ctx, "b", "plain", k1)
	isErr(t, err, ErrWrongKey)
	if enc, _ := s.Encrypted(ctx, "b", "k"); !enc {
		t.Fatal("Encrypted = false")
	}
	_, err = s.Put(ctx, "b", "k", bytes.NewReader(body), ObjectMeta{}, &Cipher{Key: make([]byte, 16)})
	if err == nil {
		t.Fatal("16-byte key accepted")
	}

	s = reopen(t, s)
	_, r, err := s.Get(ctx, "b", "k", k1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkRanges(t, r, body, rng)
	_, _, err = s.Get(ctx, "b", "k", k2)
	isErr(t, err, ErrWrongKey)
}

// TestCTRSeekMatchesStream checks streamAt against one sequential CTR
// stream, including a counter whose low 64 bits overflow mid-object.
func TestCTRSeekMatchesStream(t *testing.T) {
	cs, err := testCipher(9).prepare()
	if err != nil {
		t.Fatal(err)
	}
	for _, iv := range [][]byte{
		make([]byte, 16),
		{0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0},
		bytes.Repeat([]byte{0xff}, 16),
	} {
		block, _ := aes.NewCipher(testCipher(9).Key)
		want := make([]byte, 4096)
		cipher.NewCTR(block, iv).XORKeyStream(want, want)
		for off := int64(0); off < 4000; off += 37 {
			got := make([]byte, 96)
			cs.streamAt(iv, off).XORKeyStream(got, got)
			if !bytes.Equal(got, want[off:off+96]) {
				t.Fatalf("iv %x offset %d: key stream differs", iv, off)
			}
		}
	}
}

func TestEncryptedMultipartRanges(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, Options{NoSync: true, MinPartSize: 1000})
	mustBucket(t, s, "b")
	rng := rand.New(rand.NewPCG(31, 32))
	k := testCipher(3)
	id, err := s.CreateUpload(ctx, "b", "mp", ObjectMeta{}, "me", k)
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	var parts []CompletedPart
	for n, size := range []int{1000, 4097, 1001, 17} {
		chunk := randBytes(rng, size)
		body = append(body, chunk...)
		p, err := s.PutPart(ctx, "b", "mp", id, n+1, bytes.NewReader(chunk), k)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, CompletedPart{p.Number, p.ETag})
	}
	_, err = s.PutPart(ctx, "b", "mp", id, 9, bytes.NewReader(body), nil)
	isErr(t, err, ErrWrongKey)
	_, err = s.PutPart(ctx, "b", "mp", id, 9, bytes.NewReader(body), testCipher(4))
	isErr(t, err, ErrWrongKey)
	if u, _ := s.GetUpload(ctx, "b", "mp", id); !u.Encrypted {
		t.Fatal("upload not marked encrypted")
	}
	if _, err := s.Complete(ctx, "b", "mp", id, parts); err != nil {
		t.Fatal(err)
	}
	_, r, err := s.Get(ctx, "b", "mp", k)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if all, _ := io.ReadAll(r); !bytes.Equal(all, body) {
		t.Fatal("encrypted multipart object differs")
	}
	checkRanges(t, r, body, rng)
	_, _, err = s.Get(ctx, "b", "mp", nil)
	isErr(t, err, ErrWrongKey)
}
