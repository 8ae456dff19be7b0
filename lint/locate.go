package lint

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// cursor is a JSON value in the source: its byte offset and its JSON path.
// Package policy gives the offset of each statement; a cursor walks from
// there to the element a finding is about, so that the finding points at
// that element rather than at the start of the statement.
type cursor struct {
	src  []byte
	off  int64
	path string
}

// member moves to the value of the object member name. When the value at
// c is not an object or has no such member, only the path moves: the
// finding then points at the enclosing value.
func (c cursor) member(name string) cursor {
	next := c
	if next.path == "" {
		next.path = name
	} else {
		next.path += "." + name
	}
	dec := c.decoder()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return next
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return next
		}
		if key, _ := tok.(string); key == name {
			next.off = valueStart(c.src, c.off+dec.InputOffset())
			return next
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return next
		}
	}
	return next
}

// item moves to element i of the array at c. A single value stands for a
// list of one (policy elements may be a string or an array of strings), so
// on a non-array item returns c unchanged.
func (c cursor) item(i int) cursor {
	if c.off >= int64(len(c.src)) || c.src[c.off] != '[' {
		return c
	}
	next := c
	next.path += "[" + strconv.Itoa(i) + "]"
	dec := c.decoder()
	if _, err := dec.Token(); err != nil {
		return next
	}
	for j := 0; dec.More(); j++ {
		if j == i {
			next.off = valueStart(c.src, c.off+dec.InputOffset())
			return next
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return next
		}
	}
	return next
}

func (c cursor) decoder() *json.Decoder {
	return json.NewDecoder(bytes.NewReader(c.src[c.off:]))
}

// valueStart skips the white space and the ',' or ':' separators that
// precede a JSON value. Offsets taken from a json.Decoder between tokens
// (policy's among them) point just after the previous token, which may be
// on the line before the value.
func valueStart(src []byte, off int64) int64 {
	if off < 0 {
		off = 0
	}
	for off < int64(len(src)) {
		switch src[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}
