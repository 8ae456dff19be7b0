package acctimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/world"
)

// policyText returns the JSON text of a policy document field, in any of
// the forms the outputs hold it: a JSON object (the AWS CLI and boto3
// decode IAM's documents), a string of JSON text (S3's get-bucket-policy,
// KMS's get-key-policy, Organizations' Content), or a string of
// URL-encoded JSON text (IAM's raw API: "The policy document returned in
// this structure is URL-encoded compliant with RFC 3986", docs/import.md).
func policyText(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("no document")
	}
	if raw[0] == '{' {
		return raw, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("neither a JSON object nor a string: %v", err)
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "%7B") || strings.HasPrefix(s, "%7b") {
		dec, err := url.PathUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("a URL-encoded document that does not decode: %v", err)
		}
		s = dec
	}
	if !strings.HasPrefix(s, "{") {
		return nil, fmt.Errorf("the string is not a JSON policy document")
	}
	return []byte(s), nil
}

// policyDoc is a policy document for the world file, written as a YAML
// mapping in block style so that it reads like the hand-written worlds.
func policyDoc(text []byte) (world.Doc, error) {
	if !json.Valid(text) {
		return world.Doc{}, fmt.Errorf("the policy document is not valid JSON")
	}
	var n yaml.Node
	if err := yaml.Unmarshal(text, &n); err != nil {
		return world.Doc{}, err
	}
	root := &n
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	block(root)
	return world.Doc{Node: root}, nil
}

// block clears the flow style JSON gives every mapping and sequence, and
// the double quotes of strings that need none.
func block(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style = 0
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		n.Style = 0
	}
	for _, c := range n.Content {
		block(c)
	}
}

// fieldDoc is the policy document of a field, its problem said with the
// file and what the document belongs to.
func fieldDoc(f *file, raw json.RawMessage, what string) (world.Doc, error) {
	text, err := policyText(raw)
	if err != nil {
		return world.Doc{}, fmt.Errorf("%s: %s: %v", f.path, what, err)
	}
	d, err := policyDoc(text)
	if err != nil {
		return world.Doc{}, fmt.Errorf("%s: %s: %v", f.path, what, err)
	}
	return d, nil
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
