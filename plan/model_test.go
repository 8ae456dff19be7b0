package plan

import (
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
