package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// nodeKind is the JSON type of a node.
type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k nodeKind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// node is a JSON value that keeps the order of object members and the byte
// offset where it starts, so that errors can point at the source. The
// standard library's decoding into map[string]any loses both and silently
// accepts duplicate keys, which AWS rejects (docs/authorization.md §1.5 "duplicate keys in an
// element are invalid").
type node struct {
	kind    nodeKind
	offset  int64
	str     string // string value, number literal, or "true"/"false"
	items   []*node
	members []member
}

type member struct {
	key string
	val *node
}

// get returns the member named key (exact match) or nil.
func (n *node) get(key string) *node {
	for _, m := range n.members {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// parseJSON decodes one JSON document into a node tree. Trailing data after
// the document is an error.
func parseJSON(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &syntaxError{offset: dec.InputOffset(), msg: "unexpected data after the policy document"}
	}
	return n, nil
}

type syntaxError struct {
	offset int64
	msg    string
}

func (e *syntaxError) Error() string { return e.msg }

func readNode(dec *json.Decoder) (*node, error) {
	off := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonSyntax(dec, err)
	}
	return readValue(dec, tok, off)
}

func readValue(dec *json.Decoder, tok json.Token, off int64) (*node, error) {
	switch t := tok.(type) {
	case nil:
		return &node{kind: kindNull, offset: off}, nil
	case bool:
		s := "false"
		if t {
			s = "true"
		}
		return &node{kind: kindBool, offset: off, str: s}, nil
	case json.Number:
		return &node{kind: kindNumber, offset: off, str: t.String()}, nil
	case string:
		return &node{kind: kindString, offset: off, str: t}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &node{kind: kindArray, offset: off}
			for dec.More() {
				item, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonSyntax(dec, err)
			}
			return n, nil
		case '{':
			n := &node{kind: kindObject, offset: off}
			for dec.More() {
				koff := dec.InputOffset()
				ktok, err := dec.Token()
				if err != nil {
					return nil, jsonSyntax(dec, err)
				}
				key, _ := ktok.(string)
				if n.get(key) != nil {
					return nil, &syntaxError{offset: koff, msg: fmt.Sprintf("duplicate key %q", key)}
				}
				voff := dec.InputOffset()
				vtok, err := dec.Token()
				if err != nil {
					return nil, jsonSyntax(dec, err)
				}
				val, err := readValue(dec, vtok, voff)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, member{key: key, val: val})
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonSyntax(dec, err)
			}
			return n, nil
		}
	}
	return nil, &syntaxError{offset: off, msg: fmt.Sprintf("unexpected token %v", tok)}
}

func jsonSyntax(dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &syntaxError{offset: se.Offset, msg: "invalid JSON: " + se.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &syntaxError{offset: dec.InputOffset(), msg: "invalid JSON: unexpected end of document"}
	}
	return &syntaxError{offset: dec.InputOffset(), msg: "invalid JSON: " + err.Error()}
}
