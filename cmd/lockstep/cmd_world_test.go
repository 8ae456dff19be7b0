package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorldImport: lockstep world import writes a world that check then
// reads, says what it read and what it could not map, and refuses what
// it cannot read with exit 2 naming the file.
func TestWorldImport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mine.yaml")
	code, stdout, stderr := runCLI(t, "world", "import", "../../internal/acctimport/testdata/two-accounts", "-o", out)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"read ../../internal/acctimport/testdata/two-accounts/222222222222/s3/cp-dst.get-bucket-policy.json: get-bucket-policy of cp-dst", "warning: user ops of account 111111111111: managed policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess is attached but not in the dumps", "wrote " + out + ": 2 accounts, 1 warnings"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("standard error lacks %q:\n%s", want, stderr)
		}
	}
	text, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(text), "# Imported by lockstep world import from ") || !strings.Contains(string(text), "# warning: user ops") {
		t.Errorf("the world file's header: %v\n%.400s", err, text)
	}
	code, stdout, stderr = runCLI(t, "check", "--world", out, "--client", "aws-v1", "--principal", "arn:aws:sts::111111111111:assumed-role/EC2Role/i-1", "--", "aws", "s3", "cp", "s3://cp-src/1gb.dat", "s3://cp-dst/")
	if code != 0 || !strings.Contains(stdout, "every call is allowed") {
		t.Errorf("check on the imported world: exit %d\n%s%s", code, stdout, stderr)
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "x.json"), []byte(`{"Foo": 1}`), 0o644)
	code, _, stderr = runCLI(t, "world", "import", bad)
	if code != 2 || !strings.Contains(stderr, "x.json: not an output lockstep reads") {
		t.Errorf("an unknown output: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "world", "import", "--account", "12", bad)
	if code != 2 || !strings.Contains(stderr, `--account "12" is not a 12-digit account ID`) {
		t.Errorf("a bad --account: exit %d\n%s", code, stderr)
	}
}

// TestPlanFromTrailCommand: plan --from-trail prints the trail's period
// and plan, and refuses a command or --prove alongside.
func TestPlanFromTrailCommand(t *testing.T) {
	trailDir := "../../internal/trail/testdata/aws-docs"
	code, stdout, stderr := runCLI(t, "plan", "--from-trail", trailDir, "--principal", "arn:aws:iam::111122223333:user/alice", "--output", "json")
	if code != 0 || !strings.Contains(stdout, `"origin": "CloudTrail: 7 calls of arn:aws:iam::111122223333:user/alice from 2024-11-22T17:10:01Z to 2024-11-22T17:13:00Z"`) {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--from-trail", trailDir, "--principal", "alice", "--", "aws", "s3", "ls"}, "drop the command after --, or add --prove"},
		{[]string{"plan", "--from-trail", trailDir, "--principal", "arn:aws:iam::111122223333:user/alice", "--prove"}, "--prove with --from-trail runs the job the trail recorded"},
		{[]string{"plan", "--from-trail", trailDir}, "--from-trail needs --principal"},
		{[]string{"plan", "--from-trail", trailDir, "--principal", "arn:aws:iam::111122223333:user/alice", "--generalise", "all"}, `--generalise "all": give none, prefixes or keys`},
		{[]string{"plan", "--generalise", "keys", "--", "aws", "s3", "ls", "s3://b"}, "--generalise applies to --from-trail"},
	} {
		code, _, stderr := runCLI(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, want 2 with %q:\n%s", tt.args, code, tt.want, stderr)
		}
	}
}
