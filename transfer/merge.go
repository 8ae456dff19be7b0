package transfer

import (
	"fmt"
	"iter"
	"strings"
)

// Action is what the merge-join decided for one key.
type Action int

const (
	// ActCopy: the key is missing at the destination or differs.
	ActCopy Action = iota
	// ActSkip: both sides have it and the strategy keeps the destination.
	ActSkip
	// ActDelete: only the destination has it.
	ActDelete
)

// Decision is the merge-join's verdict for one key: Src is set for copies
// and skips, Dst for skips and deletes, and Dst.Key is empty when the
// destination lacks the key.
type Decision struct {
	Action   Action
	Src, Dst Entry
}

// mergeJoin walks the two sorted listings side by side and yields one
// decision per key, holding one entry of each side at a time. A listing
// out of byte order is an error (a merge-join over it would copy or delete
// the wrong objects). Filters apply to both sides, as the AWS CLI applies
// them: an excluded destination key is neither compared nor deleted.
func mergeJoin(src, dst Listing, filters Filters, decide func(src, dst Entry) bool) iter.Seq2[Decision, error] {
	return func(yield func(Decision, error) bool) {
		nextSrc, stopSrc := pullSorted(src, "source", filters)
		defer stopSrc()
		nextDst, stopDst := pullSorted(dst, "destination", filters)
		defer stopDst()
		s, sok, err := nextSrc()
		if err != nil {
			yield(Decision{}, err)
			return
		}
		d, dok, err := nextDst()
		if err != nil {
			yield(Decision{}, err)
			return
		}
		for sok || dok {
			var dec Decision
			advSrc, advDst := false, false
			switch {
			case sok && (!dok || s.Key < d.Key):
				dec = Decision{Action: ActCopy, Src: s}
				advSrc = true
			case dok && (!sok || d.Key < s.Key):
				dec = Decision{Action: ActDelete, Dst: d}
				advDst = true
			default:
				dec = Decision{Action: ActSkip, Src: s, Dst: d}
				if decide(s, d) {
					dec.Action = ActCopy
				}
				advSrc, advDst = true, true
			}
			if !yield(dec, nil) {
				return
			}
			if advSrc {
				if s, sok, err = nextSrc(); err != nil {
					yield(Decision{}, err)
					return
				}
			}
			if advDst {
				if d, dok, err = nextDst(); err != nil {
					yield(Decision{}, err)
					return
				}
			}
		}
	}
}

// pullSorted pulls the included entries of l one at a time, checking that
// keys strictly ascend.
func pullSorted(l Listing, side string, filters Filters) (next func() (Entry, bool, error), stop func()) {
	pull, stop := iter.Pull2(l)
	last, started := "", false
	return func() (Entry, bool, error) {
		for {
			e, err, ok := pull()
			if !ok {
				return Entry{}, false, nil
			}
			if err != nil {
				return Entry{}, false, err
			}
			if started && strings.Compare(e.Key, last) <= 0 {
				return Entry{}, false, fmt.Errorf("the %s listing is out of order: %q after %q", side, e.Key, last)
			}
			last, started = e.Key, true
			if filters.Included(e.Key) {
				return e, true, nil
			}
		}
	}, stop
}
