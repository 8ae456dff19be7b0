package world

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// DocFromJSON wraps a JSON policy document (as a caller sends it, e.g. to
// PutBucketPolicy) in a Doc. The text is kept as is: a Doc holding a
// string is compiled from the string, with errors that give the line and
// column of the JSON text.
func DocFromJSON(text []byte) Doc {
	return Doc{Node: &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(text)}}
}

// ToJSON converts a YAML node to JSON text, keeping mapping order.
func ToJSON(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, n); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return writeJSON(b, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(b, n.Alias)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, it := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, it); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			b.WriteString("null")
		case "!!bool":
			if strings.EqualFold(n.Value, "true") {
				b.WriteString("true")
			} else {
				b.WriteString("false")
			}
		case "!!int", "!!float":
			if json.Valid([]byte(n.Value)) {
				b.WriteString(n.Value)
			} else {
				s, _ := json.Marshal(n.Value)
				b.Write(s)
			}
		default:
			s, _ := json.Marshal(n.Value)
			b.Write(s)
		}
	default:
		return fmt.Errorf("line %d: unsupported YAML node", n.Line)
	}
	return nil
}

// nodeAtPath finds the YAML node that a policy error path such as
// `Statement[1].Condition.StringLike` names, or the deepest ancestor found.
func nodeAtPath(root *yaml.Node, path string) *yaml.Node {
	n := root
	for _, part := range splitPath(path) {
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			n = n.Content[0]
		}
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		next := mappingValue(n, name)
		if next == nil {
			return n
		}
		n = next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return n
			}
			n = n.Content[idx]
		}
	}
	return n
}

// splitPath splits on dots that start a known element; condition keys such
// as "aws:RequestTag/a.b" may themselves contain dots.
func splitPath(path string) []string {
	if path == "" {
		return nil
	}
	return strings.SplitN(path, ".", 4)
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// at returns the node at a path of mapping keys and sequence indexes in the
// file, or the deepest ancestor that exists; nil for a Model built in code.
func (c *compiler) at(path ...any) *yaml.Node {
	n := c.root
	if n == nil {
		return nil
	}
	for _, p := range path {
		var next *yaml.Node
		switch p := p.(type) {
		case string:
			next = mappingValue(n, p)
		case int:
			if n.Kind == yaml.SequenceNode && p < len(n.Content) {
				next = n.Content[p]
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

func lineMsg(n *yaml.Node, msg string) string {
	return fmt.Sprintf("line %d: %s", n.Line, msg)
}
