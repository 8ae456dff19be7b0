package yamlerr_test

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/internal/yamlerr"
)

type file struct {
	Items []item `yaml:"items"`
	Count int    `yaml:"count"`
}

type item struct {
	Name    string            `yaml:"name"`
	Enabled bool              `yaml:"enabled"`
	Tags    map[string]string `yaml:"tags"`
}

// TestRewrite: each kind of decode error reads in the file's words, with
// its line, and no Go type name.
func TestRewrite(t *testing.T) {
	kinds := new(yamlerr.Kinds).Add("the file", file{}).Add("an item", item{})
	tests := []struct {
		name, src string
		want      []string
	}{
		{"misspelt field", "items:\n  - nme: a\n", []string{"f.yaml: line 2: nme is not a field of an item; did you mean name? (its fields: name, enabled, tags; see DOC)"}},
		{"unknown field, nothing close", "zzzzzz: 1\n", []string{"f.yaml: line 1: zzzzzz is not a field of the file (its fields: items, count; see DOC)"}},
		{"list expected", "items: a\n", []string{`f.yaml: line 1: this must be a list of item entries, but it is the string "a" (see DOC)`}},
		{"number expected", "count: many\n", []string{`f.yaml: line 1: this must be a whole number, but it is the string "many"`}},
		{"bool expected", "items:\n  - enabled: maybe\n", []string{`line 2: this must be true or false, but it is the string "maybe"`}},
		{"mapping expected", "items:\n  - tags: [a]\n", []string{"line 2: this must be a mapping of names to values, but it is a list"}},
		{"tab indent", "items:\n\t- name: a\n", []string{"f.yaml: line 2: this line is indented with a tab; YAML indents with spaces only"}},
		{"two errors", "items:\n  - nme: a\ncount: x\n", []string{"f.yaml: line 2: nme is not a field", "\nf.yaml: line 3: this must be a whole number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := yaml.NewDecoder(bytes.NewReader([]byte(tt.src)))
			dec.KnownFields(true)
			var f file
			err := dec.Decode(&f)
			if err == nil {
				t.Fatal("no error")
			}
			got := kinds.Rewrite(err, "f.yaml", []byte(tt.src), "DOC").Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got:\n%s\nwant it to contain:\n%s", got, w)
				}
			}
			if strings.Contains(got, "yamlerr_test") || strings.Contains(got, "!!") {
				t.Errorf("a Go type or YAML tag reaches the user:\n%s", got)
			}
		})
	}
}
