package store

import (
	"sync/atomic"
)

// recordVersion is the version of the on-disk record formats.
// recordVersionInline is that of an object record holding its data
// inline: the JSON, a newline, and the stored bytes (see inlineMax).
// Records of version 1 are plain JSON and still load; a version-1 program
// reports a version-2 record as an unknown version rather than misread it.
const (
	recordVersion       = 1
	recordVersionInline = 2
)

// segment is one stored file of an object's data. An object written by
// Put or Copy has one segment (none if it is empty); an object made by
// Complete has one per part, in order.
type segment struct {
	Blob string `json:"blob,omitempty"` // blob ID; "" for an empty segment, which has no file
	Size int64  `json:"size"`
	IV   []byte `json:"iv,omitempty"` // initial CTR counter, when encrypted
}

// objectRecord is the file objects/hh/<sha256(key)>: an object's metadata
// and the list of its data files. Writing it (atomically) commits the
// object.
type objectRecord struct {
	V int `json:"v"`
	// Inline is the ID of the data stored inline after the JSON (see
	// inlineMax), "" when the data is in blobs. It must stay the second
	// field: Get recognizes the version it wants by the record's prefix
	// (see inlinePrefix).
	Inline   string     `json:"inline,omitempty"`
	Meta     ObjectMeta `json:"meta"`
	KCV      []byte     `json:"kcv,omitempty"` // key check value; nil when stored in the clear
	Segments []segment  `json:"segs,omitempty"`
	Upload   string     `json:"upload,omitempty"` // the upload Complete made the object from
	// Order is the sort stamp of a null version written while the
	// bucket's versioning was enabled or suspended (see entry.order); a
	// version with an ID sorts by its ID.
	Order string `json:"order,omitempty"`
}

// objData is the stored data of one object version: its files and their
// encryption. It is immutable and reference-counted: the index holds one
// reference while the version is current and every reader holds one, and
// the files are deleted when the last reference goes. This is what lets a
// reader finish reading a version that was overwritten or deleted.
type objData struct {
	b      *bucket
	segs   []segment
	kcv    []byte
	upload string // ID of the upload whose parts these are, if any
	// inline is the random ID of data stored in the object's record
	// rather than in blobs ("" for blobs). Then segs is one segment with
	// no Blob, and the bytes are on disk only, in the record, which Get
	// reads; pending holds them from Put until the record is written.
	inline  string
	pending []byte
	refs    atomic.Int64
}

// newData returns data holding one reference, the caller's.
func (b *bucket) newData(segs []segment, kcv []byte) *objData {
	d := &objData{b: b, segs: segs, kcv: kcv}
	d.refs.Store(1)
	return d
}

func (d *objData) size() int64 {
	var n int64
	for _, s := range d.segs {
		n += s.Size
	}
	return n
}

func (d *objData) acquire() { d.refs.Add(1) }

// release drops a reference, deleting the files with the last one. A
// failed deletion leaves garbage that the next Open deletes.
func (d *objData) release() {
	if d.refs.Add(-1) != 0 {
		return
	}
	for _, s := range d.segs {
		if s.Blob != "" {
			removeIfExists(d.b.blobPath(s.Blob))
		}
	}
}

// entry is one version of an object in a bucket's index: its metadata
// and data (none for a delete marker). The index holds, per key, the
// latest version, whose older lists the key's other versions newest first
// (see versions.go); it is nil in an unversioned bucket. Entries are
// immutable; a change makes a new one.
type entry struct {
	meta ObjectMeta
	data *objData
	// order sorts the versions of a key: ascending is newest first. It
	// is the version ID, or the stamp of a null version written while
	// versioning was enabled or suspended, or "" for a null version
	// written in an unversioned bucket, which is older than any other.
	order string
	older []*entry
}

func (e *entry) record() objectRecord {
	v := recordVersion
	if e.data.inline != "" {
		v = recordVersionInline
	}
	rec := objectRecord{V: v, Inline: e.data.inline, Meta: e.meta, KCV: e.data.kcv, Segments: e.data.segs, Upload: e.data.upload}
	if e.meta.VersionID == "" {
		rec.Order = e.order
	}
	return rec
}
