package plan

import (
	"strings"
	"testing"
)

// TestFlagTests: the flag tests of model conditions ("name", "!name",
// "name=value", "name!=value", alternatives joined by "|").
func TestFlagTests(t *testing.T) {
	cmd := &Command{Flags: map[string]string{"delete": "", "copy-props": "none", "content-type": "text/plain"}}
	for _, tc := range []struct {
		test string
		want bool
	}{
		{"delete", true},
		{"dryrun", false},
		{"!dryrun", true},
		{"!delete", false},
		{"copy-props=none", true},
		{"copy-props=default", false},
		{"copy-props!=none", false},
		{"copy-props!=default", true},
		{"acl!=private", true}, // not set: not private
		{"acl=", false},        // not set is not the empty value
		{"metadata|content-type", true},
		{"metadata|cache-control", false},
		{"!delete|copy-props=none", true},
		{"!delete|copy-props!=none", false},
	} {
		if got := flagHolds(tc.test, cmd); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.test, got, tc.want)
		}
	}
	if flagsHold([]string{"delete", "copy-props=default"}, cmd) {
		t.Error("flagsHold: every test must hold")
	}
}

// TestModelNotes: a model's notes are in the plans of the commands their
// condition holds for, and a note needs its text.
func TestModelNotes(t *testing.T) {
	const model = `client: aws-v2
source: s
multipart_threshold: 8MiB
flows:
  - calls: [{op: ListObjectsV2, on: source-bucket, why: w}]
notes:
  - {when: {from: s3, to: s3, if: ["!delete"]}, text: "copies between buckets"}
`
	m, err := parseModel([]byte(model), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args string
		want bool
	}{
		{"aws s3 sync s3://a/p s3://b/q", true},
		{"aws s3 sync s3://a/p s3://b/q --delete", false},
		{"aws s3 sync s3://a/p ./q", false},
	} {
		cmd, err := ParseCommand(splitArgs(tc.args), AWSv2)
		if err != nil {
			t.Fatal(err)
		}
		p, err := BuildWith(cmd, Context{}, m)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(strings.Join(p.Notes, "\n"), "copies between buckets"); got != tc.want {
			t.Errorf("%s: note %v, want %v:\n%s", tc.args, got, tc.want, strings.Join(p.Notes, "\n"))
		}
	}
	if _, err := parseModel([]byte(model+"  - {when: {from: s3}}\n"), "m.yaml"); err == nil || !strings.Contains(err.Error(), "notes[1]") {
		t.Errorf("a note without text: error %v, want one naming notes[1]", err)
	}
}
