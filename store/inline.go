package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// defaultInlineMax is the largest object Put and Copy store inline, in
// the object's record instead of a blob: one file to create, flush and
// rename instead of two, and one directory to flush instead of two. Put
// buffers the first chunk of the body (copyBufSize, more than this) before
// deciding, so a small body is never written twice.
const defaultInlineMax = 64 << 10

// An inline record is the JSON of its objectRecord (which json.Marshal
// writes on one line: it escapes newlines in strings), a newline, and the
// stored bytes (encrypted when the object is). Its version is
// recordVersionInline and its Inline field is the random ID of the data,
// which UpdateObject keeps (it rewrites the record with the same bytes)
// and every new write changes.

// inlinePrefix is how an inline record of data ID id begins.
func inlinePrefix(id string) string { return `{"v":2,"inline":"` + id + `"` }

// encodeRecord returns the file of e's record; payload is the stored data
// when it is inline.
func encodeRecord(e *entry, payload []byte) ([]byte, error) {
	rec := e.record()
	js, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if rec.Inline == "" {
		return js, nil
	}
	if !bytes.HasPrefix(js, []byte(inlinePrefix(rec.Inline))) || bytes.IndexByte(js, '\n') >= 0 {
		return nil, errors.New("inline record does not have the expected form") // cannot happen
	}
	out := make([]byte, 0, len(js)+1+len(payload))
	out = append(out, js...)
	out = append(out, '\n')
	return append(out, payload...), nil
}

// errStaleInline means the record file does not hold the inline data
// asked for: the object changed since its entry was looked up.
var errStaleInline = errors.New("object record holds another version")

// readInline reads the inline bytes of data d from the record file file
// (see versionFile). It fails with errStaleInline if the record holds
// another version (or none) of the object.
func (b *bucket) readInline(file string, d *objData) ([]byte, error) {
	path := b.recordPath(file)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errStaleInline
	}
	if err != nil {
		return nil, fmt.Errorf("read object record: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(inlinePrefix(d.inline))) {
		return nil, errStaleInline
	}
	i := bytes.IndexByte(raw, '\n')
	if i < 0 || int64(len(raw)-i-1) != d.size() {
		return nil, fmt.Errorf("object record %s: inline data is %d bytes, want %d: %w", path, len(raw)-i-1, d.size(), io.ErrUnexpectedEOF)
	}
	return raw[i+1:], nil
}

// lookupData returns version vid of key ("" for the current one) holding
// a reference to its data, which the caller releases, and the data's
// bytes when they are inline (nil otherwise). The bytes are those of the
// entry's version, whatever writes of the key run meanwhile.
func (b *bucket) lookupData(key, vid string) (*entry, []byte, error) {
	name := keyName(key)
	// Without the key's lock first: the record file names its data, so
	// reading another version is detected.
	e, err := b.lookup(key, vid)
	if err != nil {
		return nil, nil, err
	}
	if e.data.inline == "" {
		return e, nil, nil
	}
	payload, err := b.readInline(versionFile(name, e), e.data)
	if err == nil {
		return e, payload, nil
	}
	e.data.release()
	if !errors.Is(err, errStaleInline) {
		return nil, nil, err
	}
	// The object changed meanwhile. Under the key's lock the record file
	// and the index agree (mutate renames and updates the index under it),
	// so a mismatch now is damage.
	kl := &b.keyLocks[fanout(name)]
	kl.Lock()
	defer kl.Unlock()
	e, err = b.lookup(key, vid)
	if err != nil {
		return nil, nil, err
	}
	if e.data.inline == "" {
		return e, nil, nil
	}
	payload, err = b.readInline(versionFile(name, e), e.data)
	if err != nil {
		e.data.release()
		if errors.Is(err, errStaleInline) {
			err = fmt.Errorf("object record %s does not hold the object's data", b.recordPath(versionFile(name, e)))
		}
		return nil, nil, err
	}
	return e, payload, nil
}

// parseRecord parses the file of an object record, of either version,
// and returns the size of its inline data (0 when it has none).
func parseRecord(raw []byte, rec *objectRecord) (inline int64, err error) {
	js := raw
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		js, inline = raw[:i], int64(len(raw)-i-1)
	}
	if err := json.Unmarshal(js, rec); err != nil {
		return 0, err
	}
	switch {
	case rec.V == recordVersion && len(js) == len(raw) && rec.Inline == "":
	case rec.V == recordVersionInline && len(js) < len(raw) && isBlobID(rec.Inline) &&
		bytes.HasPrefix(raw, []byte(inlinePrefix(rec.Inline))):
		if len(rec.Segments) != 1 || rec.Segments[0].Blob != "" || rec.Segments[0].Size != inline {
			return 0, fmt.Errorf("inline record of %d bytes describes other data", inline)
		}
	case rec.V == recordVersion || rec.V == recordVersionInline:
		return 0, errors.New("malformed record")
	default:
		return 0, fmt.Errorf("record has version %d", rec.V)
	}
	return inline, nil
}
