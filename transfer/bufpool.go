package transfer

import "context"

// bufferPool hands out part-sized buffers, at most n at once, reused
// between parts: the memory of uploads is bounded by n × size whatever
// the number and size of files.
type bufferPool struct {
	size   int64
	tokens chan struct{}
	free   chan []byte
}

func newBufferPool(size int64, n int) *bufferPool {
	p := &bufferPool{size: size, tokens: make(chan struct{}, n), free: make(chan []byte, n)}
	for range n {
		p.tokens <- struct{}{}
	}
	return p
}

// get waits for a buffer of at least size bytes (a larger part size than
// the pool's allocates its own).
func (p *bufferPool) get(ctx context.Context, size int64) ([]byte, error) {
	select {
	case <-p.tokens:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if size > p.size {
		return make([]byte, size), nil
	}
	select {
	case b := <-p.free:
		return b[:size], nil
	default:
		return make([]byte, p.size)[:size], nil
	}
}

func (p *bufferPool) put(b []byte) {
	if int64(cap(b)) == p.size {
		select {
		case p.free <- b[:cap(b)]:
		default:
		}
	}
	p.tokens <- struct{}{}
}
