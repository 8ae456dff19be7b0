package store

import (
	"context"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
)

// blobWrite is the result of writeBlob.
type blobWrite struct {
	seg    segment  // Blob is "" for an empty body or inline data
	md5    [16]byte // MD5 of the plaintext
	inline []byte   // the stored bytes, when they go inline (see defaultInlineMax)
}

// A VerifiedBody is a body that checks itself against the MD5 the client
// declared for it (S3's Content-MD5): Read returns io.EOF only if the
// bytes it returned have that MD5. Put and PutPart then take the MD5 from
// the body instead of computing it a second time; the profile of a 1 GiB
// upload with Content-MD5 showed the two MD5s at more than a third of the
// server's CPU.
type VerifiedBody interface {
	io.Reader
	// VerifiedMD5 returns the declared MD5; ok is false when the body
	// has none or can no longer vouch for it (a wrapper cut the body
	// short).
	VerifiedMD5() (sum [md5.Size]byte, ok bool)
}

// ChecksummedBody is a body that knows its additional checksums (S3's
// x-amz-checksum-*) once it has returned io.EOF: algorithm name to base64
// value. Put and PutPart record them with the object or part, so the
// checksum is computed in the same pass over the data as the MD5.
type ChecksummedBody interface {
	io.Reader
	Checksums() map[string]string
}

// bodyChecksums returns the checksums of a ChecksummedBody r, else nil.
func bodyChecksums(r io.Reader) map[string]string {
	if cb, ok := r.(ChecksummedBody); ok {
		return cb.Checksums()
	}
	return nil
}

// writeBlob streams r into a new blob of bucket b, encrypting it when cs
// is set, and makes it durable. No record names the blob yet: until one
// does, it is garbage to the next Open. If r fails or ctx ends, the file
// is removed and the error returned. An empty body makes no file. When
// inline is set and the whole body fits in Store.inlineMax bytes, it makes
// no file either: the stored bytes come back in the result's inline field,
// for the record.
//
// The body goes a chunk (copyBufSize) at a time: read, hashed, encrypted
// in place, then handed to the blobFile, which writes it while the next
// chunk is read.
func (b *bucket) writeBlob(ctx context.Context, r io.Reader, cs *cipherState, inline bool) (blobWrite, error) {
	var (
		w      blobWrite
		h      hash.Hash
		f      *blobFile
		path   string
		stream cipher.Stream
	)
	vb, _ := r.(VerifiedBody)
	if vb != nil {
		if _, ok := vb.VerifiedMD5(); !ok {
			vb = nil
		}
	}
	if vb == nil {
		h = md5.New()
	}
	fail := func(err error) (blobWrite, error) {
		if f != nil {
			f.abort()
		}
		if path != "" {
			os.Remove(path)
		}
		return blobWrite{}, err
	}
	for {
		bufp := b.s.chunks.get()
		buf := *bufp
		n, rerr := fill(ctx, r, buf)
		if rerr != nil && rerr != io.EOF {
			b.s.chunks.put(bufp)
			return fail(rerr)
		}
		if n > 0 && h != nil {
			h.Write(buf[:n])
		}
		if n > 0 && f == nil && inline && rerr == io.EOF && n <= b.s.inlineMax {
			// The whole body is in buf, and small: keep it for the record.
			w.inline = make([]byte, n)
			if cs != nil {
				w.seg.IV = make([]byte, ivSize)
				rand.Read(w.seg.IV)
				cs.streamAt(w.seg.IV, 0).XORKeyStream(w.inline, buf[:n])
			} else {
				copy(w.inline, buf[:n])
			}
			b.s.chunks.put(bufp)
			w.seg.Size = int64(n)
			break
		}
		if n > 0 && f == nil { // the first data: create the file
			id := randomID()
			if err := b.ensureSubdir(kindData, id); err != nil {
				b.s.chunks.put(bufp)
				return fail(err)
			}
			var err error
			if f, err = createBlobFile(b.blobPath(id), &b.s.chunks); err != nil {
				b.s.chunks.put(bufp)
				return fail(b.fsError(err))
			}
			path, w.seg.Blob = b.blobPath(id), id
			if cs != nil {
				w.seg.IV = make([]byte, ivSize)
				rand.Read(w.seg.IV)
				stream = cs.streamAt(w.seg.IV, 0)
			}
		}
		if n == 0 {
			b.s.chunks.put(bufp)
		} else {
			if stream != nil {
				stream.XORKeyStream(buf[:n], buf[:n])
			}
			if err := f.write(bufp, n, rerr == io.EOF); err != nil {
				return fail(err)
			}
			w.seg.Size += int64(n)
		}
		if rerr == io.EOF {
			break
		}
	}
	if h != nil {
		h.Sum(w.md5[:0])
	} else {
		sum, ok := vb.VerifiedMD5()
		if !ok {
			return fail(errors.New("the body ended before its Content-MD5 was verified"))
		}
		w.md5 = sum
	}
	if f == nil {
		return w, nil // empty body, or inline
	}
	if err := f.wait(); err != nil {
		return fail(err)
	}
	b.s.at("blob-written")
	err := f.close(b.s)
	f = nil
	if err != nil {
		return fail(err)
	}
	if err := b.syncSubdir(kindData, w.seg.Blob); err != nil {
		return fail(err)
	}
	return w, nil
}

// fill reads from r until buf is full, r fails or ends (io.EOF), or ctx is
// done. Errors of r other than io.EOF come back wrapped: a reader that
// fails with io.ErrUnexpectedEOF (a truncated request body) must not pass
// for the end of the data.
func fill(ctx context.Context, r io.Reader, buf []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, io.EOF
		}
		if err != nil {
			return n, fmt.Errorf("reading object data: %w", err)
		}
	}
	return n, nil
}

// etag is the ETag of an object written whole (PutObject, CopyObject).
// Unencrypted, it is the MD5 of the data; encrypted with a data key (S3's
// SSE-KMS), it is not: "Objects encrypted by SSE-C or SSE-KMS have ETags
// that are not an MD5 digest of their object data" (docs/emulator.md,
// Storage), and clients that compare ETags with MD5s, as rclone does,
// must see that. It is then the MD5 of the data's MD5 and a random salt:
// 32 hex digits like S3's, different for each write.
func (w blobWrite) etag(cs *cipherState) (string, error) {
	if cs == nil {
		return hex.EncodeToString(w.md5[:]), nil
	}
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return "", fmt.Errorf("ETag salt: %w", err)
	}
	sum := md5.Sum(append(w.md5[:], salt[:]...))
	return hex.EncodeToString(sum[:]), nil
}
