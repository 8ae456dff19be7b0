package transfer

import (
	"slices"
	"testing"
)

// Pending deletions past the limit go to disk and come back in order.
func TestPendingDeletesSpill(t *testing.T) {
	for _, limit := range []int{0, 2, 10} {
		p := newPendingDeletes(limit)
		want := []Entry{{Key: "a", Size: 1}, {Key: "b/ü\nnewline", Size: 0}, {Key: "c", Size: 1 << 40}, {Key: "", Size: 3}}
		for _, e := range want {
			if err := p.add(e); err != nil {
				t.Fatal(err)
			}
		}
		var got []Entry
		for e, err := range p.all() {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e)
		}
		p.close()
		if p.len() != len(want) || !slices.Equal(got, want) {
			t.Errorf("limit %d: got %v (len %d), want %v", limit, got, p.len(), want)
		}
		if spilled := p.file != nil; spilled != (limit < len(want)) {
			t.Errorf("limit %d: spilled %v", limit, spilled)
		}
	}
}
