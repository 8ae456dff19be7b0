package store

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// copyBufSize is the chunk in which bodies are read, hashed, encrypted and
// written; the context is checked between chunks. It is a multiple of
// directAlign, so that every chunk but the last can be written with
// direct I/O.
const copyBufSize = 1 << 20

// directAlign is the alignment of the memory, file offsets and lengths of
// direct I/O: 4096 covers the logical block sizes of the disks in use
// (512 or 4096 bytes).
const directAlign = 4096

// chunkPool hands out copyBufSize buffers whose memory starts on a
// directAlign boundary.
type chunkPool struct{ p sync.Pool }

func (c *chunkPool) get() *[]byte {
	if b, ok := c.p.Get().(*[]byte); ok {
		return b
	}
	raw := make([]byte, copyBufSize+directAlign)
	off := 0
	if rem := int(uintptr(unsafe.Pointer(unsafe.SliceData(raw))) % directAlign); rem != 0 {
		off = directAlign - rem
	}
	b := raw[off : off+copyBufSize : off+copyBufSize]
	return &b
}

func (c *chunkPool) put(b *[]byte) { c.p.Put(b) }

// blobFile writes a new blob file a chunk at a time. The file is written
// with direct I/O where the file system allows it (see openBlobFile): the
// bytes go from the chunk to the disk without being copied into the page
// cache, which the profile of a 1 GiB upload showed costing about half the
// server's CPU (docs/emulator.md, "Storage"). Once a body spans several chunks, a goroutine writes them while
// the caller reads, hashes and encrypts the next one, so that the two
// overlap; close waits for it, so it never outlives writeBlob.
type blobFile struct {
	f      *os.File
	direct bool // f has O_DIRECT: a write must be aligned in memory, offset and length
	pool   *chunkPool

	queue  chan chunk    // nil until the writer goroutine starts
	done   chan struct{} // closed when the writer goroutine ends
	failed atomic.Bool   // the writer goroutine met an error
	err    error         // its error; read only after done is closed
}

// chunk is n bytes of a pooled buffer, to write and give back.
type chunk struct {
	buf *[]byte
	n   int
}

// createBlobFile creates path, which must not exist.
func createBlobFile(path string, pool *chunkPool) (*blobFile, error) {
	f, direct, err := openBlobFile(path)
	if err != nil {
		return nil, err
	}
	return &blobFile{f: f, direct: direct, pool: pool}, nil
}

// write writes the first n bytes of buf, which write takes over (it goes
// back to the pool once written). last says that no chunk follows: a
// body of one chunk is written at once, without a goroutine. An error of
// an earlier chunk written in the background comes back from a later
// write or from close.
func (w *blobFile) write(buf *[]byte, n int, last bool) error {
	if w.queue == nil {
		if last {
			err := w.writeChunk((*buf)[:n])
			w.pool.put(buf)
			return err
		}
		w.queue = make(chan chunk, 1)
		w.done = make(chan struct{})
		go w.run(w.queue)
	}
	if w.failed.Load() {
		w.pool.put(buf)
		return w.wait()
	}
	w.queue <- chunk{buf, n}
	return nil
}

// run is the writer goroutine: it writes the queued chunks in order until
// the queue is closed. After an error it only gives the buffers back.
func (w *blobFile) run(queue <-chan chunk) {
	defer close(w.done)
	for c := range queue {
		if w.err == nil {
			if err := w.writeChunk((*c.buf)[:c.n]); err != nil {
				w.err = err
				w.failed.Store(true)
			}
		}
		w.pool.put(c.buf)
	}
}

// wait ends the writer goroutine, if any, and returns the first write
// error.
func (w *blobFile) wait() error {
	if w.queue == nil {
		return nil
	}
	close(w.queue)
	w.queue = nil
	<-w.done
	return w.err
}

// writeChunk writes p at the end of the file. Under direct I/O, a length
// that is not a multiple of directAlign (the last chunk of a body) is
// written in two parts: the aligned head directly, the tail through the
// page cache.
func (w *blobFile) writeChunk(p []byte) error {
	if w.direct {
		head := len(p) &^ (directAlign - 1)
		if head > 0 {
			if _, err := w.f.Write(p[:head]); err != nil {
				if !errors.Is(err, syscall.EINVAL) {
					return fmt.Errorf("write data file: %w", err)
				}
				// The file system took O_DIRECT at open but refuses
				// the write: a failed direct write writes nothing, so
				// write buffered from here on.
				head = 0
			}
		}
		p = p[head:]
		if len(p) == 0 {
			return nil
		}
		if err := clearDirect(w.f); err != nil {
			return fmt.Errorf("write data file: %w", err)
		}
		w.direct = false
	}
	if _, err := w.f.Write(p); err != nil {
		return fmt.Errorf("write data file: %w", err)
	}
	return nil
}

// close waits for the chunks in flight, then flushes the file to stable
// storage when sync is set, and closes it.
func (w *blobFile) close(s *Store) error {
	err := w.wait()
	if err == nil {
		err = s.syncFile(w.f)
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write data file: %w", cerr)
	}
	return err
}

// abort waits for the chunks in flight and closes the file, whose bytes
// the caller then removes.
func (w *blobFile) abort() {
	w.wait()
	w.f.Close()
}
