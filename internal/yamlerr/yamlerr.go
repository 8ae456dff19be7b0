package yamlerr

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/internal/editdist"
)

// Kinds names, in the file's words, the Go types a file decodes into: a
// noun for each ("a user") and its fields, from their yaml tags.
type Kinds struct {
	byType map[string]kind
}

type kind struct {
	noun   string
	fields []string
}

// Add names the type of v (a struct or a pointer to one) with noun.
func (k *Kinds) Add(noun string, v any) *Kinds {
	if k.byType == nil {
		k.byType = map[string]kind{}
	}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var fields []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.IsExported() && name != "" && name != "-" {
			fields = append(fields, name)
		}
	}
	k.byType[t.String()] = kind{noun: noun, fields: fields}
	return k
}

var (
	reNotFound = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
	reCannot   = regexp.MustCompile("^line (\\d+): cannot unmarshal (!!\\w+)(?: `(.*)`)? into (\\S+)$")
	reLine     = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// Rewrite returns err, an error of yaml.Unmarshal or a yaml.Decoder over
// data, the file name, as readable problems, one a line, each "name: line
// N: ...": an unknown
// field with the closest valid one, a value of the wrong shape in the
// file's words, a tab used to indent. doc names the documentation of the
// file's shape ("docs/world.md"). Errors of other kinds are returned with
// yaml's prefix removed.
func (k *Kinds) Rewrite(err error, name string, data []byte, doc string) error {
	var te *yaml.TypeError
	var lines []string
	if errors.As(err, &te) {
		lines = te.Errors
	} else {
		lines = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, name+": "+k.rewriteLine(l, data, doc))
	}
	return errors.New(strings.Join(out, "\n"))
}

func (k *Kinds) rewriteLine(l string, data []byte, doc string) string {
	if m := reNotFound.FindStringSubmatch(l); m != nil {
		kd, ok := k.byType[m[3]]
		if !ok {
			return fmt.Sprintf("line %s: %s is not a field here (see %s)", m[1], m[2], doc)
		}
		msg := fmt.Sprintf("line %s: %s is not a field of %s", m[1], m[2], kd.noun)
		if s := closest(m[2], kd.fields); s != "" {
			msg += "; did you mean " + s + "?"
		}
		return msg + fmt.Sprintf(" (its fields: %s; see %s)", strings.Join(kd.fields, ", "), doc)
	}
	if m := reCannot.FindStringSubmatch(l); m != nil {
		return fmt.Sprintf("line %s: %s, but %s (see %s)", m[1], k.want(m[4]), found(m[2], m[3]), doc)
	}
	if m := reLine.FindStringSubmatch(l); m != nil {
		if n, _ := strconv.Atoi(m[1]); hasTabIndent(data, n) {
			return fmt.Sprintf("line %s: this line is indented with a tab; YAML indents with spaces only", m[1])
		}
		return fmt.Sprintf("line %s: %s", m[1], m[2])
	}
	return l
}

// want says in the file's words what a Go type takes.
func (k *Kinds) want(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		if kd, ok := k.byType[strings.TrimPrefix(goType, "[]")]; ok {
			return "this must be a list of " + strings.TrimPrefix(strings.TrimPrefix(kd.noun, "a "), "an ") + " entries"
		}
		return "this must be a list"
	case strings.HasPrefix(goType, "map["):
		return "this must be a mapping of names to values"
	case goType == "string":
		return "this must be a string"
	case goType == "bool":
		return "this must be true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "this must be a whole number"
	}
	if kd, ok := k.byType[strings.TrimPrefix(goType, "*")]; ok {
		return fmt.Sprintf("this must be %s, a mapping of %s", kd.noun, strings.Join(kd.fields, ", "))
	}
	return "this has the wrong shape"
}

// found says what the file has, from yaml's tag and value.
func found(tag, value string) string {
	switch tag {
	case "!!seq":
		return "it is a list"
	case "!!map":
		return "it is a mapping"
	case "!!str":
		return fmt.Sprintf("it is the string %q", value)
	case "!!int", "!!float":
		return "it is the number " + value
	case "!!bool":
		return "it is " + value
	case "!!null":
		return "it is empty"
	}
	return "it is " + strings.TrimPrefix(tag, "!!")
}

// closest is the field nearest to name, when near enough to be a typo.
func closest(name string, fields []string) string {
	best, bestD := "", 3
	for _, f := range fields {
		if d := editdist.Bounded(strings.ToLower(name), f, bestD); d < bestD {
			best, bestD = f, d
		}
	}
	if best == "" {
		for _, f := range fields {
			if strings.Contains(f, strings.ToLower(name)) || strings.Contains(strings.ToLower(name), f) {
				return f
			}
		}
	}
	return best
}

// hasTabIndent reports whether line n (1-based) of data, or the one
// before it (yaml reports some tab errors a line late), starts with a tab.
func hasTabIndent(data []byte, n int) bool {
	lines := bytes.Split(data, []byte("\n"))
	return slices.ContainsFunc([]int{n - 1, n - 2}, func(i int) bool {
		return i >= 0 && i < len(lines) && bytes.HasPrefix(bytes.TrimLeft(lines[i], " "), []byte("\t"))
	})
}
