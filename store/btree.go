package store

import "slices"

// btree is an in-memory B-tree of string keys in byte order (Go string
// comparison, which is S3's UTF-8 binary order). Insert, delete and seek
// are O(log n); iteration from a seek point is O(1) per key. It is not safe
// for concurrent use: the bucket's lock guards it.
type btree[V any] struct {
	root *bnode[V]
	n    int
}

const (
	btreeDegree   = 32
	btreeMaxItems = 2*btreeDegree - 1 // a full node splits into two of btreeMinItems
	btreeMinItems = btreeDegree - 1   // every node but the root holds at least this many
)

type bitem[V any] struct {
	key string
	val V
}

// bnode is a node; it is a leaf when children is nil, and otherwise has
// len(items)+1 children, children[i] holding the keys between items[i-1]
// and items[i].
type bnode[V any] struct {
	items    []bitem[V]
	children []*bnode[V]
}

func (n *bnode[V]) leaf() bool { return n.children == nil }

// find returns the index of the first item whose key is >= key, and
// whether that item's key equals key.
func (n *bnode[V]) find(key string) (int, bool) {
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if n.items[m].key < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(n.items) && n.items[lo].key == key
}

// Len returns the number of keys.
func (t *btree[V]) Len() int { return t.n }

// Get returns the value stored under key.
func (t *btree[V]) Get(key string) (V, bool) {
	for n := t.root; n != nil; {
		i, found := n.find(key)
		if found {
			return n.items[i].val, true
		}
		if n.leaf() {
			break
		}
		n = n.children[i]
	}
	var zero V
	return zero, false
}

// Set stores val under key and returns the value it replaced, if any.
func (t *btree[V]) Set(key string, val V) (old V, replaced bool) {
	if t.root == nil {
		t.root = &bnode[V]{items: []bitem[V]{{key, val}}}
		t.n = 1
		return old, false
	}
	if len(t.root.items) >= btreeMaxItems {
		mid, right := t.root.split(btreeMaxItems / 2)
		t.root = &bnode[V]{items: []bitem[V]{mid}, children: []*bnode[V]{t.root, right}}
	}
	old, replaced = t.root.insert(key, val)
	if !replaced {
		t.n++
	}
	return old, replaced
}

// split moves the items after i (and their children) to a new node and
// returns item i, which the caller lifts into the parent.
func (n *bnode[V]) split(i int) (bitem[V], *bnode[V]) {
	mid := n.items[i]
	right := &bnode[V]{items: slices.Clone(n.items[i+1:])}
	clear(n.items[i:])
	n.items = n.items[:i]
	if !n.leaf() {
		right.children = slices.Clone(n.children[i+1:])
		clear(n.children[i+1:])
		n.children = n.children[:i+1]
	}
	return mid, right
}

// insert adds key to the subtree of n, which is not full, splitting full
// children on the way down so that a split never has to climb back up.
func (n *bnode[V]) insert(key string, val V) (old V, replaced bool) {
	i, found := n.find(key)
	if found {
		old, n.items[i].val = n.items[i].val, val
		return old, true
	}
	if n.leaf() {
		n.items = slices.Insert(n.items, i, bitem[V]{key, val})
		return old, false
	}
	if len(n.children[i].items) >= btreeMaxItems {
		mid, right := n.children[i].split(btreeMaxItems / 2)
		n.items = slices.Insert(n.items, i, mid)
		n.children = slices.Insert(n.children, i+1, right)
		switch {
		case key == mid.key:
			old, n.items[i].val = n.items[i].val, val
			return old, true
		case key > mid.key:
			i++
		}
	}
	return n.children[i].insert(key, val)
}

// Delete removes key and returns its value, if it was present.
func (t *btree[V]) Delete(key string) (V, bool) {
	if t.root == nil {
		var zero V
		return zero, false
	}
	it, ok := t.root.remove(key, removeKey)
	if len(t.root.items) == 0 && !t.root.leaf() {
		t.root = t.root.children[0]
	}
	if ok {
		t.n--
	}
	return it.val, ok
}

type removeKind int

const (
	removeKey removeKind = iota
	removeMax
)

// remove deletes key (or, for removeMax, the greatest key) from the
// subtree of n. Before descending into a child it makes sure the child
// holds more than the minimum, so that the removal never leaves a node
// under-full.
func (n *bnode[V]) remove(key string, kind removeKind) (bitem[V], bool) {
	var zero bitem[V]
	var i int
	var found bool
	switch kind {
	case removeMax:
		if n.leaf() {
			if len(n.items) == 0 {
				return zero, false
			}
			it := n.items[len(n.items)-1]
			n.items[len(n.items)-1] = zero
			n.items = n.items[:len(n.items)-1]
			return it, true
		}
		i = len(n.items)
	default:
		i, found = n.find(key)
		if n.leaf() {
			if !found {
				return zero, false
			}
			it := n.items[i]
			n.items = slices.Delete(n.items, i, i+1)
			return it, true
		}
	}
	if len(n.children[i].items) <= btreeMinItems {
		n.grow(i)
		return n.remove(key, kind) // the items moved: look again
	}
	if found {
		// Replace the item with its predecessor, the greatest key of the
		// child on its left.
		it := n.items[i]
		n.items[i], _ = n.children[i].remove("", removeMax)
		return it, true
	}
	return n.children[i].remove(key, kind)
}

// grow gives children[i] one more item, taken from a sibling that can
// spare one through the separating item, or else merges it with a sibling.
func (n *bnode[V]) grow(i int) {
	switch {
	case i > 0 && len(n.children[i-1].items) > btreeMinItems:
		child, left := n.children[i], n.children[i-1]
		child.items = slices.Insert(child.items, 0, n.items[i-1])
		last := len(left.items) - 1
		n.items[i-1] = left.items[last]
		left.items = slices.Delete(left.items, last, last+1)
		if !left.leaf() {
			lc := len(left.children) - 1
			child.children = slices.Insert(child.children, 0, left.children[lc])
			left.children = slices.Delete(left.children, lc, lc+1)
		}
	case i < len(n.items) && len(n.children[i+1].items) > btreeMinItems:
		child, right := n.children[i], n.children[i+1]
		child.items = append(child.items, n.items[i])
		n.items[i] = right.items[0]
		right.items = slices.Delete(right.items, 0, 1)
		if !right.leaf() {
			child.children = append(child.children, right.children[0])
			right.children = slices.Delete(right.children, 0, 1)
		}
	default:
		if i >= len(n.items) {
			i-- // no right sibling: merge with the left one
		}
		child, right := n.children[i], n.children[i+1]
		child.items = append(child.items, n.items[i])
		child.items = append(child.items, right.items...)
		if !child.leaf() {
			child.children = append(child.children, right.children...)
		}
		n.items = slices.Delete(n.items, i, i+1)
		n.children = slices.Delete(n.children, i+1, i+2)
	}
}

// Ascend calls fn for every key >= from in ascending order until fn
// returns false.
func (t *btree[V]) Ascend(from string, fn func(key string, val V) bool) {
	if t.root != nil {
		t.root.ascend(from, fn)
	}
}

func (n *bnode[V]) ascend(from string, fn func(string, V) bool) bool {
	i, _ := n.find(from)
	for ; i < len(n.items); i++ {
		if !n.leaf() && !n.children[i].ascend(from, fn) {
			return false
		}
		if !fn(n.items[i].key, n.items[i].val) {
			return false
		}
	}
	if !n.leaf() {
		return n.children[i].ascend(from, fn)
	}
	return true
}
