package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// check verifies the B-tree invariants: key order, node fill and uniform
// depth. It returns the depth of n.
func (n *bnode[V]) check(t *testing.T, lo, hi *string, root bool) int {
	t.Helper()
	if !root && len(n.items) < btreeMinItems {
		t.Fatalf("node with %d items, want >= %d", len(n.items), btreeMinItems)
	}
	if len(n.items) > btreeMaxItems {
		t.Fatalf("node with %d items, want <= %d", len(n.items), btreeMaxItems)
	}
	for i, it := range n.items {
		if i > 0 && n.items[i-1].key >= it.key {
			t.Fatalf("items out of order: %q >= %q", n.items[i-1].key, it.key)
		}
		if lo != nil && it.key <= *lo || hi != nil && it.key >= *hi {
			t.Fatalf("item %q outside its parent's range", it.key)
		}
	}
	if n.leaf() {
		return 1
	}
	if len(n.children) != len(n.items)+1 {
		t.Fatalf("%d children for %d items", len(n.children), len(n.items))
	}
	depth := -1
	for i, c := range n.children {
		clo, chi := lo, hi
		if i > 0 {
			clo = &n.items[i-1].key
		}
		if i < len(n.items) {
			chi = &n.items[i].key
		}
		d := c.check(t, clo, chi, false)
		if depth >= 0 && d != depth {
			t.Fatalf("uneven depth %d vs %d", d, depth)
		}
		depth = d
	}
	return depth + 1
}

func TestBTreeAgainstMap(t *testing.T) {
	for _, keySpace := range []int{10, 300, 5000} {
		t.Run(fmt.Sprint(keySpace), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(keySpace)))
			var tr btree[int]
			ref := map[string]int{}
			for op := range 40000 {
				k := fmt.Sprintf("k%06d", rng.IntN(keySpace))
				switch rng.IntN(3) {
				case 0, 1:
					old, replaced := tr.Set(k, op)
					if want, ok := ref[k]; ok != replaced || want != old && ok {
						t.Fatalf("Set(%q) = %d,%v; want %d,%v", k, old, replaced, want, ok)
					}
					ref[k] = op
				case 2:
					old, ok := tr.Delete(k)
					want, wantOK := ref[k]
					if ok != wantOK || ok && old != want {
						t.Fatalf("Delete(%q) = %d,%v; want %d,%v", k, old, ok, want, wantOK)
					}
					delete(ref, k)
				}
				if op%997 == 0 {
					verifyTree(t, &tr, ref)
				}
			}
			verifyTree(t, &tr, ref)
			// Drain completely.
			for k := range ref {
				if _, ok := tr.Delete(k); !ok {
					t.Fatalf("Delete(%q) missed", k)
				}
			}
			if tr.Len() != 0 {
				t.Fatalf("Len after draining = %d", tr.Len())
			}
			tr.Ascend("", func(k string, _ int) bool { t.Fatalf("key %q after draining", k); return false })
		})
	}
}

func verifyTree(t *testing.T, tr *btree[int], ref map[string]int) {
	t.Helper()
	if tr.root != nil {
		tr.root.check(t, nil, nil, true)
	}
	if tr.Len() != len(ref) {
		t.Fatalf("Len = %d, want %d", tr.Len(), len(ref))
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range ref {
			if !yield(k) {
				return
			}
		}
	})
	var got []string
	tr.Ascend("", func(k string, v int) bool {
		if ref[k] != v {
			t.Fatalf("value of %q = %d, want %d", k, v, ref[k])
		}
		got = append(got, k)
		return true
	})
	if !slices.Equal(got, keys) {
		t.Fatalf("ascend gave %d keys, want %d", len(got), len(keys))
	}
	for _, k := range keys {
		if v, ok := tr.Get(k); !ok || v != ref[k] {
			t.Fatalf("Get(%q) = %d,%v", k, v, ok)
		}
	}
	// Seeks: from each key, from just before and just after it.
	for i := 0; i < len(keys); i += 1 + len(keys)/50 {
		for _, from := range []string{keys[i], keys[i] + "\x00", keys[i][:len(keys[i])-1]} {
			want, _ := slices.BinarySearch(keys, from)
			var first string
			n := 0
			tr.Ascend(from, func(k string, _ int) bool {
				if n == 0 {
					first = k
				}
				n++
				return n < 3
			})
			if want < len(keys) && first != keys[want] || want == len(keys) && n != 0 {
				t.Fatalf("Ascend(%q) starts at %q, want index %d", from, first, want)
			}
		}
	}
}
