package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Versioning states of a bucket (BucketMeta.Versioning). A bucket that
// was never versioned has "", and keeps one version of each key: the
// null version.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// NullVersion names the null version of a key in the methods that take a
// version ID: the version written while the bucket was unversioned or
// its versioning suspended. ObjectMeta.VersionID is "" for it.
const NullVersion = "null"

// ErrNoSuchVersion: no version of the key has the version ID asked for.
var ErrNoSuchVersion = errors.New("no such version")

// ErrDeleteMarker: the version asked for is a delete marker. The error is
// a *DeleteMarkerError.
var ErrDeleteMarker = errors.New("version is a delete marker")

// DeleteMarkerError is the error of a read of a delete marker: of the
// current version of a key whose latest version is a marker (Current;
// then the error is also ErrNoSuchKey, since the object reads as
// deleted), or of a marker named by its version ID.
type DeleteMarkerError struct {
	Meta    ObjectMeta // the marker's
	Current bool
}

func (e *DeleteMarkerError) Error() string {
	if e.Current {
		return "the current version is a delete marker"
	}
	return "the version is a delete marker"
}

// Is makes the error ErrDeleteMarker, and ErrNoSuchKey when Current.
func (e *DeleteMarkerError) Is(target error) bool {
	return target == ErrDeleteMarker || e.Current && target == ErrNoSuchKey
}

// IsVersionID reports whether id has the form of the version IDs the
// store gives (or is NullVersion): a malformed ID can name no version.
func IsVersionID(id string) bool {
	return id == NullVersion || len(id) == 32 && isHexLower(id)
}

// newVersionID returns a version ID: 16 hex digits of the complement of
// a time stamp that increases with every call (and across restarts: Open
// raises lastVersion to the greatest loaded), then 16 random hex digits.
// Version IDs are opaque and URL-safe, and sort newest first, the order
// in which S3 lists the versions of a key.
func (s *Store) newVersionID() string {
	s.idMu.Lock()
	t := max(s.now().UnixNano(), s.lastVersion+1)
	s.lastVersion = t
	s.idMu.Unlock()
	return fmt.Sprintf("%016x%s", ^uint64(t), randomID()[:16])
}

// noteVersionOrder raises lastVersion to the stamp of a loaded order.
func (s *Store) noteVersionOrder(order string) {
	if len(order) != 32 {
		return
	}
	inv, err := strconv.ParseUint(order[:16], 16, 64)
	if err != nil {
		return
	}
	if t := int64(^inv); t > s.lastVersion {
		s.lastVersion = t
	}
}

// versionFile is the file name, in the key's fan-out subdirectory, of the
// record of version e of the key whose name is name: the name itself for
// the null version (so an unversioned bucket's layout is unchanged), else
// the name, a dot and the version ID.
func versionFile(name string, e *entry) string {
	if e.meta.VersionID == "" {
		return name
	}
	return name + "." + e.meta.VersionID
}

// versionsOf returns the versions of a key, newest first, from its latest
// one (nil: none).
func versionsOf(head *entry) []*entry {
	if head == nil {
		return nil
	}
	out := make([]*entry, 0, 1+len(head.older))
	return append(append(out, head), head.older...)
}

// headOf returns the index entry of versions vs (newest first): a copy of
// the latest holding the others, or nil when vs is empty.
func headOf(vs []*entry) *entry {
	if len(vs) == 0 {
		return nil
	}
	h := *vs[0]
	h.older = nil
	if len(vs) > 1 {
		h.older = slices.Clone(vs[1:])
	}
	return &h
}

// newerThan reports whether a sorts before b: ascending order is newest
// first, and the order "" (a null version from before versioning) is the
// oldest.
func newerThan(a, b string) bool {
	switch {
	case a == "":
		return false
	case b == "":
		return true
	}
	return a < b
}

// insertVersion returns vs with e in its place, replacing the version of
// the same ID, and the version it replaced (nil if none).
func insertVersion(vs []*entry, e *entry) ([]*entry, *entry) {
	var replaced *entry
	if i := slices.IndexFunc(vs, func(v *entry) bool { return v.meta.VersionID == e.meta.VersionID }); i >= 0 {
		replaced = vs[i]
		vs = slices.Delete(slices.Clone(vs), i, i+1)
	}
	i := 0
	for i < len(vs) && newerThan(vs[i].order, e.order) {
		i++
	}
	return slices.Insert(slices.Clone(vs), i, e), replaced
}

// findVersion returns the version vid ("" for the latest, NullVersion for
// the null one) of the key whose latest version is head.
func findVersion(head *entry, vid string) *entry {
	if head == nil || vid == "" {
		return head
	}
	if vid == NullVersion {
		vid = ""
	}
	for _, v := range versionsOf(head) {
		if v.meta.VersionID == vid {
			return v
		}
	}
	return nil
}

// visible returns the current version of a key for the operations that
// see objects (reads, preconditions): nil when there is none or it is a
// delete marker.
func visible(head *entry) *entry {
	if head == nil || head.meta.DeleteMarker {
		return nil
	}
	return head
}

// resolveVersion returns the version vid of key from its latest version,
// or the error of reading it: ErrNoSuchKey, ErrNoSuchVersion or a
// *DeleteMarkerError.
func resolveVersion(head *entry, vid string) (*entry, error) {
	e := findVersion(head, vid)
	switch {
	case e == nil && vid == "":
		return nil, ErrNoSuchKey
	case e == nil:
		return nil, ErrNoSuchVersion
	case e.meta.DeleteMarker:
		return nil, &DeleteMarkerError{Meta: e.meta.clone(), Current: vid == ""}
	}
	return e, nil
}

// versioning returns the bucket's versioning state.
func (b *bucket) versioning() string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.meta.Versioning
}

// stamp gives a new version its identity by the bucket's versioning
// state: a new version ID when enabled; the null version, with a stamp
// that makes it the newest, when suspended; the null version, as ever,
// when the bucket was never versioned. A caller's version ID (vid, not
// "") is kept instead, in a bucket whose versioning is enabled: a replica
// has its source's version ID.
func (b *bucket) stamp(e *entry, vid string) error {
	state := b.versioning()
	switch {
	case vid != "" && (vid == NullVersion || !IsVersionID(vid)):
		return fmt.Errorf("%w: %q", ErrInvalidVersionID, vid)
	case vid != "" && state != VersioningEnabled:
		return fmt.Errorf("%w: a version ID is given for a bucket whose versioning is not enabled", ErrInvalidVersionID)
	case vid != "":
		e.meta.VersionID, e.order = vid, vid
		b.s.idMu.Lock()
		b.s.noteVersionOrder(vid)
		b.s.idMu.Unlock()
	case state == VersioningEnabled:
		e.meta.VersionID = b.s.newVersionID()
		e.order = e.meta.VersionID
	case state == VersioningSuspended:
		e.meta.VersionID = ""
		e.order = b.s.newVersionID()
	default:
		e.meta.VersionID, e.order = "", ""
	}
	return nil
}

// ErrInvalidVersionID: a version ID given for a new version (PutVersion,
// DeleteOptions.MarkerVersionID) that the store does not give (see
// IsVersionID), or "null", or given for a bucket whose versioning is not
// enabled.
var ErrInvalidVersionID = errors.New("invalid version ID for a new version")

// DeleteResult is what DeleteObject did.
type DeleteResult struct {
	// VersionID is the version removed, or the delete marker added;
	// NullVersion for the null version.
	VersionID string
	// DeleteMarker reports that the version added or removed is a delete
	// marker.
	DeleteMarker bool
	// Removed reports that a version was removed.
	Removed bool
}

// DeleteOptions are the options of DeleteObject.
type DeleteOptions struct {
	// VersionID names the version to remove ("" for none; NullVersion
	// for the null version).
	VersionID string
	// Owner is the owner of a delete marker the call adds (the
	// caller's; the store keeps it in the marker's ObjectMeta.Owner).
	Owner string
	// MarkerVersionID, when not "", is the version ID of the delete
	// marker the call adds, in a bucket whose versioning is enabled: a
	// replicated marker keeps its source's ID (see PutVersion).
	MarkerVersionID string
}

// DeleteObject deletes as S3's DeleteObject does. With a version ID it
// removes that version for good (NullVersion: the null one; a version
// that does not exist is no error), and the version before it becomes
// the current one if it was. Without, it acts by the bucket's versioning
// state: in a bucket never versioned it removes the object; when
// versioning is enabled it adds a delete marker; when suspended it adds a
// null delete marker, replacing the null version. Readers that have a
// removed version open keep reading it.
func (s *Store) DeleteObject(ctx context.Context, bucket, key string, opts DeleteOptions) (_ DeleteResult, err error) {
	versionID := opts.VersionID
	defer wrap(&err, "delete", bucket, key)
	b, err := s.object(ctx, bucket, key)
	if err != nil {
		return DeleteResult{}, err
	}
	var res DeleteResult
	_, _, err = b.mutate(key, func(cur *entry) (keyChange, error) {
		res = DeleteResult{}
		if versionID != "" {
			res.VersionID = versionID
			e := findVersion(cur, versionID)
			if e == nil {
				return keyChange{}, nil
			}
			res.DeleteMarker, res.Removed = e.meta.DeleteMarker, true
			return keyChange{del: e}, nil
		}
		if b.versioning() == "" {
			if cur == nil {
				return keyChange{}, nil
			}
			res.VersionID, res.Removed = NullVersion, true
			return keyChange{del: cur}, nil
		}
		m := &entry{meta: ObjectMeta{Key: key, LastModified: s.now(), Owner: opts.Owner, DeleteMarker: true}, data: b.newData(nil, nil)}
		if err := b.stamp(m, opts.MarkerVersionID); err != nil {
			return keyChange{}, err
		}
		res.VersionID, res.DeleteMarker = m.meta.VersionID, true
		if res.VersionID == "" {
			res.VersionID = NullVersion
		}
		return keyChange{put: m}, nil
	})
	return res, err
}

// ObjectVersion is one entry of ListVersions: a version or a delete
// marker, and whether it is the key's latest.
type ObjectVersion struct {
	ObjectMeta
	IsLatest bool
}

// VersionListOptions selects a page of ListVersions.
type VersionListOptions struct {
	Prefix, Delimiter string
	// KeyMarker and VersionIDMarker make the listing start after that
	// version of that key (NullVersion: after its null version), or, with
	// no VersionIDMarker, after every version of KeyMarker.
	KeyMarker, VersionIDMarker string
	// MaxKeys bounds the versions plus common prefixes returned;
	// negative means DefaultMaxKeys.
	MaxKeys int
}

// VersionListResult is one page of ListVersions.
type VersionListResult struct {
	Versions       []ObjectVersion
	CommonPrefixes []string
	IsTruncated    bool
	// NextKeyMarker and NextVersionIDMarker, when truncated, are the last
	// version (or common prefix, with no version ID) of the page: pass
	// them as KeyMarker and VersionIDMarker for the next page.
	NextKeyMarker, NextVersionIDMarker string
}

// ListVersions lists every version and delete marker of a bucket: keys
// in S3 order, the versions of each newest first, as S3's
// ListObjectVersions. Like ListObjects it seeks, past the marker and
// each common prefix.
func (s *Store) ListVersions(ctx context.Context, bucket string, opts VersionListOptions) (_ VersionListResult, err error) {
	defer wrap(&err, "list versions", bucket, "")
	if err := s.begin(ctx); err != nil {
		return VersionListResult{}, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return VersionListResult{}, err
	}
	max := opts.MaxKeys
	if max < 0 {
		max = DefaultMaxKeys
	}
	var res VersionListResult
	if max == 0 {
		return res, nil
	}
	prefix, delim := opts.Prefix, opts.Delimiter
	seek := startAfter(opts.KeyMarker, prefix, delim)
	if opts.VersionIDMarker != "" && opts.KeyMarker != "" && opts.KeyMarker >= prefix {
		seek = opts.KeyMarker // resume inside the marker's versions
	}
	count, done := 0, false
	b.mu.RLock()
	defer b.mu.RUnlock()
	for !done {
		done = true
		b.objects.Ascend(seek, func(k string, head *entry) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			if cp := commonPrefix(k, prefix, delim); cp != "" {
				if count == max {
					res.IsTruncated = true
					return false
				}
				count++
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextKeyMarker, res.NextVersionIDMarker = cp, ""
				if next, ok := successor(cp); ok {
					seek, done = next, false
				}
				return false
			}
			vs := versionsOf(head)
			if k == opts.KeyMarker && opts.VersionIDMarker != "" {
				// After the marker's version; if it is gone, from the
				// next key.
				vs = vs[slices.Index(vs, findVersion(head, opts.VersionIDMarker))+1:]
				if findVersion(head, opts.VersionIDMarker) == nil {
					vs = nil
				}
			}
			for _, v := range vs {
				if count == max {
					res.IsTruncated = true
					return false
				}
				count++
				res.Versions = append(res.Versions, ObjectVersion{ObjectMeta: v.meta.clone(), IsLatest: v.meta.VersionID == head.meta.VersionID})
				res.NextKeyMarker, res.NextVersionIDMarker = k, versionName(v.meta.VersionID)
			}
			return true
		})
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextVersionIDMarker = "", ""
	}
	return res, nil
}

// versionName is the version ID a client sees: NullVersion for "".
func versionName(id string) string {
	if id == "" {
		return NullVersion
	}
	return id
}

// Versioning returns the bucket's versioning state (BucketMeta.Versioning)
// without copying the rest of its metadata.
func (s *Store) Versioning(ctx context.Context, bucket string) (_ string, err error) {
	defer wrap(&err, "get bucket", bucket, "")
	if err := s.begin(ctx); err != nil {
		return "", err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return "", err
	}
	return b.versioning(), nil
}
