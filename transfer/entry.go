package transfer

import (
	"iter"
	"time"
)

// Entry is one object of a listing.
type Entry struct {
	// Key is the object's key relative to the listed directory or prefix,
	// with "/" separators.
	Key     string
	Size    int64
	ModTime time.Time
}

// Listing is a stream of entries in ascending byte order of Key, ending
// at the first error.
type Listing = iter.Seq2[Entry, error]
