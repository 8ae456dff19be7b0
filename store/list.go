package store

import (
	"context"
	"strings"
)

// DefaultMaxKeys is the page size when ListOptions.MaxKeys is negative.
const DefaultMaxKeys = 1000

// ListOptions selects a page of ListObjects.
type ListOptions struct {
	// Prefix limits the listing to keys that begin with it.
	Prefix string
	// Delimiter, when set, rolls up every key that contains it after the
	// prefix into one common prefix: the key up to and including the first
	// delimiter after the prefix.
	Delimiter string
	// After makes the listing start after this key: it is S3's StartAfter
	// and Marker, and what the caller's ContinuationToken stands for. When
	// After is itself a common prefix under Delimiter (as NextMarker is
	// when a page ended with one), the keys that roll up into it are
	// skipped too, so the prefix is not listed twice.
	After string
	// MaxKeys bounds the number of keys plus common prefixes returned, as
	// in S3. Negative means DefaultMaxKeys; 0 returns nothing and is not
	// truncated (S3's behaviour). The store does not cap it at 1000; the
	// caller does.
	MaxKeys int
}

// ListResult is one page of ListObjects.
type ListResult struct {
	Objects        []ObjectMeta
	CommonPrefixes []string
	// IsTruncated reports whether more keys or prefixes follow.
	IsTruncated bool
	// NextMarker is the last key or common prefix of the page, when the
	// page is truncated: pass it as After to get the next page (it is S3's
	// NextMarker; the caller encodes it into a ContinuationToken for V2).
	NextMarker string
}

// ListObjects lists the objects of a bucket in S3 order (the byte order
// of the UTF-8 keys). Each page costs O(log n) per seek plus the entries
// it returns: it seeks to After and, under a delimiter, past each common
// prefix instead of walking the keys under it.
func (s *Store) ListObjects(ctx context.Context, bucket string, opts ListOptions) (_ ListResult, err error) {
	defer wrap(&err, "list", bucket, "")
	if err := s.begin(ctx); err != nil {
		return ListResult{}, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return ListResult{}, err
	}
	max := opts.MaxKeys
	if max < 0 {
		max = DefaultMaxKeys
	}
	var res ListResult
	if max == 0 {
		return res, nil
	}
	prefix, delim := opts.Prefix, opts.Delimiter
	seek := startAfter(opts.After, prefix, delim)

	var ents []*entry
	count, done := 0, false
	b.mu.RLock()
	for !done {
		done = true // unless the walk stops to seek past a common prefix
		b.objects.Ascend(seek, func(k string, e *entry) bool {
			if !strings.HasPrefix(k, prefix) {
				return false // past the prefix's range
			}
			cp := commonPrefix(k, prefix, delim)
			if cp == "" && e.meta.DeleteMarker {
				return true // the object reads as deleted
			}
			next, ok := successor(cp)
			if cp != "" && e.meta.DeleteMarker && !b.anyObject(k, cp) {
				// Only delete markers under the prefix: it is not listed.
				if ok {
					seek, done = next, false
				}
				return false
			}
			if count == max {
				res.IsTruncated = true
				return false
			}
			count++
			if cp == "" {
				ents = append(ents, e)
				res.NextMarker = k
				return true
			}
			res.CommonPrefixes = append(res.CommonPrefixes, cp)
			res.NextMarker = cp
			if ok {
				seek, done = next, false
			}
			return false
		})
	}
	b.mu.RUnlock()
	if !res.IsTruncated {
		res.NextMarker = ""
	}
	res.Objects = make([]ObjectMeta, len(ents))
	for i, e := range ents {
		res.Objects[i] = e.meta.clone()
	}
	return res, nil
}

// anyObject reports whether a key from first on that begins with prefix
// has a current version that is not a delete marker. It walks the keys
// only in a bucket with delete markers: elsewhere first has one. The
// caller holds b.mu.
func (b *bucket) anyObject(first, prefix string) bool {
	found := false
	b.objects.Ascend(first, func(k string, e *entry) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		found = !e.meta.DeleteMarker
		return !found
	})
	return found
}

// commonPrefix returns the common prefix key rolls up into under prefix
// and delim, or "" if it does not roll up.
func commonPrefix(key, prefix, delim string) string {
	if delim == "" {
		return ""
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return ""
	}
	return key[:len(prefix)+i+len(delim)]
}

// startAfter returns the smallest key a listing can start at: the first
// key after after (and after the keys under it, if after is a common
// prefix), and not before prefix.
func startAfter(after, prefix, delim string) string {
	if after == "" {
		return prefix
	}
	seek := after + "\x00" // the least string greater than after
	if strings.HasPrefix(after, prefix) && commonPrefix(after, prefix, delim) == after {
		next, ok := successor(after)
		if !ok {
			return "\xff\xff\xff\xff" // nothing follows: no UTF-8 key is this large
		}
		seek = next
	}
	if seek < prefix {
		return prefix
	}
	return seek
}

// successor returns the least string greater than every string that has
// prefix p, and false if there is none.
func successor(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
