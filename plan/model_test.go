package plan

import (
	"slices"
	"strings"
	"testing"
)

// TestErrorShapes: the error shapes of a model are checked when it is
// read, and Find and Expand give a line's command.
func TestErrorShapes(t *testing.T) {
	const head = "client: x\nsource: s\nmultipart_threshold: 8MiB\nerrors:\n"
	for _, tc := range []struct {
		shape, err string
	}{
		{`  - {match: 'ERROR "(?P<command>cp [^"]*)"', command: "x {command}", step: s}`, ""},
		{`  - {match: 'failed', ops: [GetObject], side: source, step: s}`, ""},
		{`  - {match: '(', step: s}`, "missing closing )"},
		{`  - {match: 'failed'}`, "says its step"},
		{`  - {match: 'failed', ops: [GetThing], step: s}`, `op "GetThing"`},
		{`  - {match: 'failed', side: left, step: s}`, `side "left"`},
		{`  - {match: '(?P<verb>\w+) failed', step: s}`, `group "verb"`},
		{`  - {match: 'failed', command: "x {source}", step: s}`, "uses {source}"},
	} {
		_, err := parseModel([]byte(head+tc.shape+"\n"), "m.yaml")
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.shape, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one with %q", tc.shape, err, tc.err)
		}
	}
	m, err := parseModel([]byte(head+`  - {match: 'ERROR "(?P<command>cp [^"]*)": (?P<key>\w+)?', command: "s5cmd {command}", step: s}`+"\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := &m.Errors[0]
	if g := s.Find("no match"); g != nil {
		t.Errorf("Find = %v for a line without the shape", g)
	}
	g := s.Find(`ERROR "cp s3://b/k dir/k": AccessDenied`)
	if got := s.Expand(g); got != "s5cmd cp s3://b/k dir/k" || g["key"] != "AccessDenied" {
		t.Errorf("Expand = %q, groups %v", got, g)
	}
}

// TestFlagsHold: the flag tests of conditions and calls.
func TestFlagsHold(t *testing.T) {
	cmd := &Command{Flags: map[string]string{"delete": "", "acl": "private", "if-size-differ": ""}}
	for _, tc := range []struct {
		tests []string
		want  bool
	}{
		{nil, true},
		{[]string{"delete"}, true},
		{[]string{"size-only"}, false},
		{[]string{"!size-only"}, true},
		{[]string{"!delete"}, false},
		{[]string{"acl=private"}, true},
		{[]string{"acl=public-read"}, false},
		{[]string{"acl!=private"}, false},
		{[]string{"sse!=aws:kms"}, true},
		{[]string{"no-clobber|if-size-differ|if-source-newer"}, true},
		{[]string{"no-clobber|if-source-newer"}, false},
		{[]string{"delete", "no-clobber|if-size-differ"}, true},
		{[]string{"!delete", "no-clobber|if-size-differ"}, false},
	} {
		if got := flagsHold(tc.tests, cmd); got != tc.want {
			t.Errorf("flagsHold(%q) = %v, want %v", tc.tests, got, tc.want)
		}
	}
}

// TestThresholds: a call's size_threshold names one of the model's
// thresholds, whose flag sets it; the plan lists each threshold.
func TestThresholds(t *testing.T) {
	const head = "client: rclone\nsource: s\nmultipart_threshold: 200MiB\nmultipart_threshold_flag: upload-cutoff\n"
	for _, tc := range []struct {
		model, err string
	}{
		{"thresholds: {copy: {size: 5MiB, flag: copy-cutoff}}\nflows:\n  - calls: [{op: CopyObject, on: dest-object, size: small, size_threshold: copy, why: w}]", ""},
		{"flows:\n  - calls: [{op: CopyObject, on: dest-object, size: small, size_threshold: copy, why: w}]", `size_threshold "copy" must name one of the model's thresholds`},
		{"thresholds: {copy: {size: 5MiB}}\nflows:\n  - calls: [{op: CopyObject, on: dest-object, size_threshold: copy, why: w}]", "for a call with a size"},
		{"thresholds: {copy: {flag: copy-cutoff}}", `threshold "copy" needs a name and a size`},
	} {
		_, err := parseModel([]byte(head+tc.model+"\n"), "m.yaml")
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.model, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one with %q", tc.model, err, tc.err)
		}
	}
	m, err := parseModel([]byte(head+`thresholds: {copy: {size: 4GiB, flag: copy-cutoff}}
flows:
  - calls:
      - {op: CopyObject, on: dest-object, size: small, size_threshold: copy, why: w}
      - {op: UploadPartCopy, on: dest-object, size: large, size_threshold: copy, why: w}
`), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flags      map[string]string
		thresholds []int64
		when       string
	}{
		{nil, []int64{200 << 20, 4 << 30}, "objects < 4 GiB"},
		{map[string]string{"copy-cutoff": "5242880"}, []int64{5 << 20, 200 << 20}, "objects < 5 MiB"},
		{map[string]string{"copy-cutoff": "5242880", "upload-cutoff": "5242880"}, []int64{5 << 20}, "objects < 5 MiB"},
	} {
		cmd := &Command{Client: Rclone, Verb: "copy", Recursive: true, Source: Location{Bucket: "a"}, Dest: Location{Bucket: "b"}, Flags: tc.flags}
		p, err := BuildWith(cmd, Context{}, m)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Thresholds(); !slices.Equal(got, tc.thresholds) {
			t.Errorf("%v: thresholds %v, want %v", tc.flags, got, tc.thresholds)
		}
		if p.Calls[0].When != tc.when || p.Calls[1].Threshold != p.Calls[0].Threshold {
			t.Errorf("%v: calls %+v, want %q", tc.flags, p.Calls, tc.when)
		}
	}
}
