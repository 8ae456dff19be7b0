package store

import (
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
)

// ObjectReader reads one version of an object's plaintext. It implements
// io.Reader, io.Seeker, io.ReaderAt and io.Closer; its methods may be
// called concurrently (they are serialized). A multipart object is read
// across its parts transparently, opening one part file at a time.
//
// Close must be called: until then the version's files are kept even if
// the object is overwritten or deleted.
type ObjectReader struct {
	data   *objData
	inline []byte // the stored bytes of inline data; nil for blobs
	cs     *cipherState
	starts []int64 // starts[i] is the object offset of segment i
	size   int64

	mu     sync.Mutex
	pos    int64
	f      *os.File // the open segment file, or nil
	fseg   int      // its segment index
	direct bool     // f has O_DIRECT: read through readDirect
	stream cipher.Stream
	soff   int64 // segment offset stream is positioned at
	sseg   int   // segment of stream
	closed bool
}

// newObjectReader takes over a reference to d; inline is d's stored
// bytes when they are inline.
func newObjectReader(d *objData, inline []byte, cs *cipherState) *ObjectReader {
	r := &ObjectReader{data: d, inline: inline, cs: cs, starts: make([]int64, len(d.segs)), fseg: -1, sseg: -1}
	for i, s := range d.segs {
		r.starts[i] = r.size
		r.size += s.Size
	}
	return r
}

// Size returns the size of the object.
func (r *ObjectReader) Size() int64 { return r.size }

var errClosedReader = errors.New("store: read of closed object reader")

// Read reads the plaintext at the current offset.
func (r *ObjectReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, errClosedReader
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := r.readAt(p, r.pos)
	r.pos += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

// ReadAt reads len(p) bytes of plaintext at offset off; it does not move
// the offset of Read.
func (r *ObjectReader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, errClosedReader
	}
	if off < 0 {
		return 0, errors.New("store: ReadAt: negative offset")
	}
	return r.readAt(p, off)
}

// Seek sets the offset of the next Read.
func (r *ObjectReader) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, errClosedReader
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("store: Seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("store: Seek: negative position")
	}
	r.pos = offset
	return offset, nil
}

// Close releases the reader and its version of the object.
func (r *ObjectReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.f != nil {
		err = r.f.Close()
		r.f = nil
	}
	r.data.release()
	return err
}

// readAt fills p from offset off, crossing segment boundaries.
func (r *ObjectReader) readAt(p []byte, off int64) (int, error) {
	total := 0
	for len(p) > 0 {
		if off >= r.size {
			return total, io.EOF
		}
		// The segment holding off is the last one starting at or before
		// it. (Of segments starting at one offset, all but the last are
		// empty; and the last is not empty, since off < r.size.)
		i := sort.Search(len(r.starts), func(i int) bool { return r.starts[i] > off }) - 1
		seg := &r.data.segs[i]
		soff := off - r.starts[i]
		n := int(min(int64(len(p)), seg.Size-soff))
		var (
			m   int
			err error
		)
		if r.data.inline != "" {
			m = copy(p[:n], r.inline[soff:])
		} else {
			var f *os.File
			if f, err = r.open(i); err != nil {
				return total, err
			}
			if r.direct {
				m, err = r.readDirect(f, p[:n], soff)
			} else {
				m, err = f.ReadAt(p[:n], soff)
			}
		}
		if m < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return total, fmt.Errorf("store: object data file is short: %w", err)
		}
		if r.cs != nil {
			if r.stream == nil || r.sseg != i || r.soff != soff {
				r.stream = r.cs.streamAt(seg.IV, soff)
				r.sseg = i
			}
			r.stream.XORKeyStream(p[:n], p[:n])
			r.soff = soff + int64(n)
		}
		total += n
		off += int64(n)
		p = p[n:]
	}
	return total, nil
}

// open returns the file of segment i, closing the previous one.
func (r *ObjectReader) open(i int) (*os.File, error) {
	if r.f != nil && r.fseg == i {
		return r.f, nil
	}
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
	f, direct, err := openBlobRead(r.data.b.blobPath(r.data.segs[i].Blob))
	if err != nil {
		return nil, fmt.Errorf("store: open object data: %w", err)
	}
	r.f, r.fseg, r.direct = f, i, direct
	return f, nil
}

// readDirect fills p from offset off of f, opened with O_DIRECT: it reads
// the directAlign-aligned blocks that cover the range into an aligned
// chunk and copies the range out. Data files are written with direct I/O
// and are not in the page cache; reading them through it would cost as
// much CPU as writing through it did (docs/emulator.md, "Storage").
func (r *ObjectReader) readDirect(f *os.File, p []byte, off int64) (int, error) {
	bufp := r.data.b.s.chunks.get()
	defer r.data.b.s.chunks.put(bufp)
	buf := *bufp
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		start := pos &^ (directAlign - 1)
		skip := int(pos - start)
		want := min(len(buf), (skip+len(p)-done+directAlign-1)&^(directAlign-1))
		k, err := f.ReadAt(buf[:want], start)
		c := 0
		if k > skip {
			c = copy(p[done:], buf[skip:k])
		}
		done += c
		if err != nil && err != io.EOF {
			return done, err
		}
		if c == 0 || k < want && done < len(p) {
			return done, io.EOF // the file is shorter than its record says
		}
	}
	return done, nil
}
