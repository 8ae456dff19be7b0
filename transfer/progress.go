package transfer

import (
	"context"
	"sync"
)

// Progress is the live state of a running job, for a progress display
// (Options.Progress): what the listings have found to transfer so far,
// and what is done. The listings are streamed, so the totals grow until
// ListingDone. Its methods may be called from any goroutine; a nil
// *Progress counts nothing.
type Progress struct {
	mu sync.Mutex
	s  ProgressSnapshot
}

// ProgressSnapshot is the state of a job at one moment.
type ProgressSnapshot struct {
	// Objects and Bytes are the objects found to transfer so far and
	// their size; an object that --checksum finds unchanged leaves them.
	Objects int
	Bytes   int64
	// ListingDone says that the listings are complete: the totals are
	// final (but for the objects --checksum still finds unchanged).
	ListingDone bool
	// ObjectsDone counts the objects finished, transferred or failed.
	ObjectsDone int
	// BytesDone counts the bytes transferred: a multipart object's as
	// each part completes, another's when it completes. A failed
	// object's bytes leave both BytesDone and Bytes.
	BytesDone int64
	// Failed counts the failed objects and deletions, Deleted the
	// deletions done.
	Failed, Deleted int
}

// Snapshot returns the current state.
func (p *Progress) Snapshot() ProgressSnapshot {
	if p == nil {
		return ProgressSnapshot{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.s
}

func (p *Progress) update(f func(*ProgressSnapshot)) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.s)
}

// found counts an object the listings found to transfer.
func (p *Progress) found(size int64) {
	p.update(func(s *ProgressSnapshot) { s.Objects++; s.Bytes += size })
}

// unneeded takes back an object found that needs no transfer after all.
func (p *Progress) unneeded(size int64) {
	p.update(func(s *ProgressSnapshot) { s.Objects--; s.Bytes -= size })
}

func (p *Progress) listingDone() {
	p.update(func(s *ProgressSnapshot) { s.ListingDone = true })
}

// objectDone counts an object finished: size bytes of which counted
// were counted part by part already.
func (p *Progress) objectDone(size, counted int64, failed bool) {
	p.update(func(s *ProgressSnapshot) {
		s.ObjectsDone++
		if failed {
			s.Failed++
			s.Bytes -= size
			s.BytesDone -= counted
			return
		}
		s.BytesDone += size - counted
	})
}

// deletion counts a deletion, done or failed.
func (p *Progress) deletion(failed bool) {
	p.update(func(s *ProgressSnapshot) {
		if failed {
			s.Failed++
		} else {
			s.Deleted++
		}
	})
}

// objectMeter counts the bytes of one object's parts as they complete,
// into the job's Progress. It travels in the context of the object's
// transfer, as net/http/httptrace's hooks do, so that the part functions
// of uploads, copies and downloads count without knowing the job's
// display.
type objectMeter struct {
	progress *Progress
	mu       sync.Mutex
	counted  int64
}

type meterKey struct{}

func withMeter(ctx context.Context, m *objectMeter) context.Context {
	return context.WithValue(ctx, meterKey{}, m)
}

// partDone counts n bytes of the object ctx transfers as done.
func partDone(ctx context.Context, n int64) {
	m, _ := ctx.Value(meterKey{}).(*objectMeter)
	if m == nil {
		return
	}
	m.mu.Lock()
	m.counted += n
	m.mu.Unlock()
	m.progress.update(func(s *ProgressSnapshot) { s.BytesDone += n })
}

// total is the bytes counted so far.
func (m *objectMeter) total() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counted
}
