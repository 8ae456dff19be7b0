package transfer

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestBufferPoolBound: the pool hands out at most n buffers at once; the
// next get waits until one is put back (or its context ends), and a part
// larger than the pool's size gets a buffer of its own that is not kept.
func TestBufferPoolBound(t *testing.T) {
	p := newBufferPool(16, 2)
	ctx := context.Background()
	a, err := p.get(ctx, 16)
	if err != nil || len(*a) != 16 {
		t.Fatalf("get = %v, %v", a, err)
	}
	b, err := p.get(ctx, 3)
	if err != nil || len(*b) != 3 {
		t.Fatalf("get = %v, %v", b, err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := p.get(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a third get with two out: %v, want it to wait", err)
	}
	p.put(a)
	c, err := p.get(ctx, 8)
	if err != nil || &(*c)[:1][0] != &(*a)[:1][0] {
		t.Fatalf("get after put = %v, %v: want the buffer put back", c, err)
	}
	p.put(c)
	big, err := p.get(ctx, 40)
	if err != nil || len(*big) != 40 {
		t.Fatalf("get(40) = %v, %v", big, err)
	}
	p.put(big)
	if got := <-p.free; got == big {
		t.Error("an oversized buffer was kept")
	}
}
