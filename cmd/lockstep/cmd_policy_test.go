package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPolicyLintInputs: policy lint reads policy documents, world and
// scenario files and standard input, and prints text or JSON (issue 11).
func TestPolicyLintInputs(t *testing.T) {
	const mistake = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}]}`
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string // in standard output, or in the error for exit 2
	}{
		{"policy on stdin", []string{"policy", "lint", "-"}, mistake, exitDenied, []string{"<stdin>:1:", "[object-action-on-bucket-arn]"}},
		{"world file", []string{"policy", "lint", "../../lint/testdata/world-mistakes.yaml"}, "", exitDenied, []string{`world-mistakes.yaml:9 (user alice of account 111111111111, policy "read")`, "bucket data of account 111111111111, bucket policy"}},
		{"clean world", []string{"policy", "lint", exampleWorld}, "", exitOK, nil},
		{"scenario file", []string{"policy", "lint", "../../examples/seed000-s3-sync.yaml"}, "", exitOK, nil},
		{"json", []string{"policy", "lint", "--output", "json", "-"}, mistake, exitDenied, []string{`"code": "object-action-on-bucket-arn"`}},
		{"json clean", []string{"policy", "lint", "--output", "json", exampleWorld}, "", exitOK, []string{"[]"}},
		{"neither", []string{"policy", "lint", "../../README.md"}, "", exitBadInput, []string{"is not a policy document (JSON with a Statement), and as a world file:"}},
		{"bad output", []string{"policy", "lint", "--output", "yaml", "-"}, mistake, exitBadInput, []string{"--output"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLIWithInput(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			text := stdout
			if code == exitBadInput {
				text = stderr
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("no %q in:\n%s", w, text)
				}
			}
			if strings.Contains(strings.Join(tt.args, " "), "json") && code != exitBadInput && !json.Valid([]byte(stdout)) {
				t.Errorf("not JSON:\n%s", stdout)
			}
		})
	}
}
