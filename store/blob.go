package store

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
)

// copyBufSize is the chunk in which bodies are streamed to disk; the
// context is checked between chunks.
const copyBufSize = 256 << 10

// blobWrite is the result of writeBlob.
type blobWrite struct {
	seg segment  // Blob is "" for an empty body
	md5 [16]byte // MD5 of the plaintext
}

// writeBlob streams r into a new blob file of bucket b, encrypting it when
// cs is set, and makes it durable. Nothing references the blob yet: until
// a record does, it is garbage to the next Open. If r or ctx fails, the
// file is removed and the error returned wrapped. An empty body makes no
// file.
func (b *bucket) writeBlob(ctx context.Context, r io.Reader, cs *cipherState) (blobWrite, error) {
	bufp := b.s.bufs.Get().(*[]byte)
	defer b.s.bufs.Put(bufp)
	buf := *bufp
	h := md5.New()

	n, err := fill(ctx, r, buf)
	if n == 0 && err == io.EOF {
		var w blobWrite
		h.Sum(w.md5[:0])
		return w, nil
	}
	if err != nil && err != io.EOF {
		return blobWrite{}, err
	}

	id := randomID()
	if err := b.ensureSubdir(kindData, id); err != nil {
		return blobWrite{}, err
	}
	path := b.blobPath(id)
	f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if ferr != nil {
		return blobWrite{}, b.fsError(ferr)
	}
	w := blobWrite{seg: segment{Blob: id}}
	fail := func(err error) (blobWrite, error) {
		f.Close()
		os.Remove(path)
		return blobWrite{}, err
	}
	if cs != nil {
		w.seg.IV = make([]byte, ivSize)
		rand.Read(w.seg.IV)
	}
	if werr := b.writeChunks(ctx, f, r, buf, n, err, h, cs, &w); werr != nil {
		return fail(werr)
	}
	b.s.at("blob-written")
	if err := b.s.syncFile(f); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return blobWrite{}, fmt.Errorf("write data file: %w", err)
	}
	if err := b.s.syncDir(filepath.Dir(path)); err != nil {
		os.Remove(path)
		return blobWrite{}, err
	}
	h.Sum(w.md5[:0])
	return w, nil
}

// writeChunks writes the first chunk, buf[:n] (read with error rerr), and
// the rest of r to f.
func (b *bucket) writeChunks(ctx context.Context, f *os.File, r io.Reader, buf []byte, n int, rerr error, h hash.Hash, cs *cipherState, w *blobWrite) error {
	var stream interface{ XORKeyStream(dst, src []byte) }
	if cs != nil {
		stream = cs.streamAt(w.seg.IV, 0)
	}
	for {
		if n > 0 {
			h.Write(buf[:n])
			if stream != nil {
				stream.XORKeyStream(buf[:n], buf[:n])
			}
			if _, err := f.Write(buf[:n]); err != nil {
				return fmt.Errorf("write data file: %w", err)
			}
			w.seg.Size += int64(n)
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
		n, rerr = fill(ctx, r, buf)
	}
}

// fill reads from r until buf is full, r fails or ends (io.EOF), or ctx is
// done. Errors of r other than io.EOF come back wrapped.
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
