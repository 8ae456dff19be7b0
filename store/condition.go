package store

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Precondition is what a conditional write requires of the object it
// replaces: S3's If-None-Match: * and If-Match: ETAG on PutObject and
// CompleteMultipartUpload (docs/emulator.md "Conditional writes").
//
// It is checked under the key's lock in the same step as the commit, so
// it cannot be overtaken: of concurrent writers of one key that each
// require the key to be absent, exactly one commits; the others fail with
// ErrPreconditionFailed. A write whose precondition fails commits nothing.
// The zero Precondition always holds.
type Precondition struct {
	// IfNoneMatch requires that the key have no object.
	IfNoneMatch bool
	// IfMatch, when not empty, requires an object whose ETag is this one
	// (bare or in quotes). If the key has no object the write fails with
	// ErrNoSuchKey.
	IfMatch string
}

// check reports whether the precondition holds for the current entry of
// the key (nil when it has none).
func (p Precondition) check(cur *entry) error {
	if p.IfNoneMatch && cur != nil {
		return fmt.Errorf("%w: the key has an object (If-None-Match)", ErrPreconditionFailed)
	}
	if p.IfMatch != "" {
		if cur == nil {
			return fmt.Errorf("%w: If-Match on a key without an object", ErrNoSuchKey)
		}
		if !etagMatches(p.IfMatch, cur.meta.ETag) {
			return fmt.Errorf("%w: the object's ETag is %q, not %q (If-Match)", ErrPreconditionFailed, cur.meta.ETag, p.IfMatch)
		}
	}
	return nil
}

// etagMatches compares an ETag as a client sends it (quoted or not) with
// a stored, bare one.
func etagMatches(given, stored string) bool {
	given = strings.TrimSpace(given)
	given = strings.TrimPrefix(given, "W/")
	return strings.Trim(given, `"`) == stored
}

// PutIf is Put with a precondition on the object it replaces. The
// precondition is checked before the body is read, so that a write bound
// to fail does not store it, and again, atomically, at the commit.
func (s *Store) PutIf(ctx context.Context, bucket, key string, r io.Reader, meta ObjectMeta, c *Cipher, pre Precondition) (_ ObjectMeta, err error) {
	if pre != (Precondition{}) {
		if err := s.checkPrecondition(ctx, bucket, key, pre); err != nil {
			return ObjectMeta{}, err
		}
	}
	return s.put(ctx, bucket, key, r, meta, c, pre, "")
}

// checkPrecondition checks pre against the current object of key, for a
// write to fail early; the commit checks it again.
func (s *Store) checkPrecondition(ctx context.Context, bucket, key string, pre Precondition) (err error) {
	defer wrap(&err, "put", bucket, key)
	b, err := s.object(ctx, bucket, key)
	if err != nil {
		return err
	}
	cur, _ := b.current(key, "")
	return pre.check(cur)
}
