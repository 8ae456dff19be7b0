package transfer

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"os"
)

// spillAfter is the number of pending deletions held in memory before
// they go to a temporary file (about 10 MB of keys).
const spillAfter = 100_000

// pendingDeletes holds the destination entries --delete will delete once
// every copy has succeeded: in memory up to limit, then appended to a
// temporary file, so that memory stays bounded whatever the count.
type pendingDeletes struct {
	limit int
	mem   []Entry
	file  *os.File
	w     *bufio.Writer
	n     int
}

func newPendingDeletes(limit int) *pendingDeletes { return &pendingDeletes{limit: limit} }

// add records e.
func (p *pendingDeletes) add(e Entry) error {
	p.n++
	if p.file == nil && len(p.mem) < p.limit {
		p.mem = append(p.mem, e)
		return nil
	}
	if p.file == nil {
		f, err := os.CreateTemp("", "lockstep-deletes-*")
		if err != nil {
			return fmt.Errorf("spilling the pending deletions to disk: %w", err)
		}
		// Unlinked at once: the file lives as long as it is open.
		os.Remove(f.Name())
		p.file, p.w = f, bufio.NewWriter(f)
	}
	var buf [2 * binary.MaxVarintLen64]byte
	n := binary.PutUvarint(buf[:], uint64(len(e.Key)))
	n += binary.PutVarint(buf[n:], e.Size)
	if _, err := p.w.Write(buf[:n]); err != nil {
		return fmt.Errorf("spilling the pending deletions to disk: %w", err)
	}
	if _, err := p.w.WriteString(e.Key); err != nil {
		return fmt.Errorf("spilling the pending deletions to disk: %w", err)
	}
	return nil
}

// len is the number of entries recorded.
func (p *pendingDeletes) len() int { return p.n }

// all yields the entries in the order they were added.
func (p *pendingDeletes) all() iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range p.mem {
			if !yield(e, nil) {
				return
			}
		}
		if p.file == nil {
			return
		}
		if err := p.w.Flush(); err != nil {
			yield(Entry{}, fmt.Errorf("reading the pending deletions back: %w", err))
			return
		}
		if _, err := p.file.Seek(0, io.SeekStart); err != nil {
			yield(Entry{}, fmt.Errorf("reading the pending deletions back: %w", err))
			return
		}
		r := bufio.NewReader(p.file)
		for {
			klen, err := binary.ReadUvarint(r)
			if err == io.EOF {
				return
			}
			var size int64
			if err == nil {
				size, err = binary.ReadVarint(r)
			}
			key := make([]byte, klen)
			if err == nil {
				_, err = io.ReadFull(r, key)
			}
			if err != nil {
				yield(Entry{}, fmt.Errorf("reading the pending deletions back: %w", err))
				return
			}
			if !yield(Entry{Key: string(key), Size: size}, nil) {
				return
			}
		}
	}
}

// close releases the temporary file.
func (p *pendingDeletes) close() {
	if p.file != nil {
		p.file.Close()
	}
}
