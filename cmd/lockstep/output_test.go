package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOutputFlag: every command prints JSON with --output json; the flags
// they had before (--json, --format) still work for one release and say
// on stderr that they are deprecated (issue 11).
func TestOutputFlag(t *testing.T) {
	const seed000 = "../../examples/seed000-s3-sync.yaml"
	evalArgs := []string{"eval", "--world", seed000, "--principal", "arn:aws:iam::111111111111:role/s3synctest", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source"}
	explainArgs := []string{"explain", "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied"}
	planArgs := func(flags ...string) []string {
		return append(append([]string{"plan", "--client", "aws-v2"}, flags...), "--", "aws", "s3", "sync", "./d", "s3://b/p/")
	}
	checkArgs := []string{"check", "--world", seed000}
	tests := []struct {
		name       string
		args       []string
		deprecated string // the deprecation line expected on stderr
	}{
		{"eval --output json", append(evalArgs, "--output", "json"), ""},
		{"eval --json", append(evalArgs, "--json"), "Flag --json has been deprecated, use --output json"},
		{"explain --output json", append(explainArgs, "--output", "json"), ""},
		{"explain --json", append(explainArgs, "--json"), "Flag --json has been deprecated, use --output json"},
		{"plan --output json", planArgs("--output", "json"), ""},
		{"plan --format json", planArgs("--format", "json"), "Flag --format has been deprecated, use --output"},
		{"check --output json", append(checkArgs, "--output", "json"), ""},
		{"check --format json", append(checkArgs, "--format", "json"), "Flag --format has been deprecated, use --output"},
		{"lint --output json", []string{"policy", "lint", "--output", "json", exampleWorld}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code == exitBadInput {
				t.Fatalf("exit 2\n%s", stderr)
			}
			// cobra prints the deprecation where the command's output
			// goes unless told otherwise: both are buffers here.
			text := stdout
			if tt.deprecated != "" {
				if !strings.Contains(text+stderr, tt.deprecated) {
					t.Errorf("no deprecation line %q", tt.deprecated)
				}
				text = text[strings.Index(text, "\n")+1:]
			}
			if !json.Valid([]byte(text)) {
				t.Errorf("not JSON:\n%s", text)
			}
		})
	}
}
