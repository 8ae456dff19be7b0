package acctimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/internal/inputfiles"
)

// file is one JSON output to import.
type file struct {
	path string
	// top holds the output's top-level fields.
	top map[string]json.RawMessage
	// command is the AWS CLI command the file's name says it is the
	// output of ("get-bucket-policy"), "" when the name says none.
	command string
	// resource is the bucket, key, policy or parent the output is about,
	// from the file's name (RESOURCE.COMMAND.json) or its directory.
	resource string
	// account is the 12-digit account ID of the nearest directory so
	// named, "" when none is.
	account string
	// done is set once the file has been read as an output.
	done bool
}

// commands are the AWS CLI commands whose outputs are read, longest
// first, so that a file name ending in one is matched by the longest.
var commands = []string{
	"get-account-authorization-details",
	"list-organizational-units-for-parent",
	"get-bucket-ownership-controls",
	"list-targets-for-policy",
	"list-accounts-for-parent",
	"describe-organization",
	"get-bucket-encryption",
	"get-bucket-versioning",
	"get-bucket-location",
	"get-bucket-policy",
	"describe-policy",
	"get-key-policy",
	"list-accounts",
	"describe-key",
	"list-aliases",
	"list-buckets",
	"list-roots",
}

// readFiles reads the JSON files of paths (files, or directories walked
// recursively for *.json), in a stable order.
func readFiles(paths []string) ([]*file, error) {
	names, err := inputfiles.List(paths, func(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".json") })
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .json files in %s: give the files the AWS CLI printed (docs/import.md)", strings.Join(paths, ", "))
	}
	var out []*file
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f := &file{path: name}
		f.command, f.resource = nameParts(name)
		if len(bytes.TrimSpace(data)) == 0 && f.command == "get-bucket-versioning" {
			// The AWS CLI prints nothing for a bucket whose versioning
			// was never set: its response has no field.
			data = []byte("{}")
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&f.top); err != nil {
			return nil, fmt.Errorf("%s: not a JSON object: %v (give the output of the AWS CLI with --output json)", name, err)
		}
		f.account = accountDir(name)
		out = append(out, f)
	}
	return out, nil
}

// nameParts reads a file name: RESOURCE.COMMAND.json names both, and
// COMMAND.json (or any other name) takes its resource from its directory.
func nameParts(path string) (command, resource string) {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	for _, c := range commands {
		if base == c {
			return c, filepath.Base(filepath.Dir(path))
		}
		if r, ok := strings.CutSuffix(base, "."+c); ok {
			return c, r
		}
		if r, ok := strings.CutPrefix(base, c+"."); ok {
			return c, r
		}
	}
	return "", filepath.Base(filepath.Dir(path))
}

// accountDir is the 12-digit name of the nearest directory of path so
// named: a dump of several accounts keeps each in a directory of its ID.
func accountDir(path string) string {
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		if arn.IsAccountID(filepath.Base(dir)) {
			return filepath.Base(dir)
		}
		if parent := filepath.Dir(dir); parent == dir {
			return ""
		}
	}
}

// has reports whether the output has all the top-level fields.
func (f *file) has(fields ...string) bool {
	for _, k := range fields {
		if _, ok := f.top[k]; !ok {
			return false
		}
	}
	return true
}

// decode decodes a top-level field into v.
func (f *file) decode(field string, v any) error {
	raw, ok := f.top[field]
	if !ok {
		return fmt.Errorf("%s: no %s field", f.path, field)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %s: %v", f.path, field, err)
	}
	return nil
}
