package main

import (
	"strings"
	"testing"
)

// TestCompletion: flag values complete from fixed lists, and principals
// and resources from the world on the command line (issue 11).
func TestCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"eval", "--output", ""}, []string{"text", "table", "json"}},
		{[]string{"plan", "--output", ""}, []string{"terraform"}},
		{[]string{"check", "--client", ""}, []string{"aws-v1", "aws-v2", "rclone", "s5cmd"}},
		{[]string{"demo", "--seed", ""}, []string{"000", "003"}},
		{[]string{"policy", "lint", "--type", ""}, []string{"identity", "scp"}},
		{[]string{"eval", "--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:u"}, []string{"arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:user/bob"}},
		{[]string{"check", "--world", "../../examples/seed000-s3-sync.yaml", "--principal", ""}, []string{"arn:aws:iam::111111111111:role/s3synctest"}},
		{[]string{"eval", "--world", exampleWorld, "--resource", "arn:aws:s3:::kazue"}, []string{"arn:aws:s3:::kazue-sync-source", "arn:aws:s3:::kazue-sync-dest/"}},
	}
	for _, tt := range tests {
		_, out, errOut := runCLI(t, append([]string{"__complete"}, tt.args...)...)
		for _, w := range tt.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%v: no %q in\n%s%s", tt.args, w, out, errOut)
			}
		}
	}
	// A principal that does not match the prefix is not offered.
	if _, out, _ := runCLI(t, "__complete", "eval", "--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:user/a"); strings.Contains(out, "bob") {
		t.Errorf("bob offered for user/a:\n%s", out)
	}
}
