package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSyncPlan: sync --plan and cp --plan print the plan that lockstep
// plan prints for the same command line, in every output format, and run
// nothing (the endpoint does not answer); the filters keep their order
// (issue 12).
func TestSyncPlan(t *testing.T) {
	const nowhere = "--endpoint-url=http://127.0.0.1:1"
	for _, tc := range []struct {
		name string
		args []string
		// planned is the command line lockstep plan reads, hint the
		// same for a shell.
		planned []string
		hint    string
	}{
		{"upload with delete and filters",
			[]string{"sync", "--plan", "./up", "s3://dst-a/p", "--delete", "--exclude", "*", "--include", "*.txt", nowhere},
			[]string{"lockstep", "sync", "./up", "s3://dst-a/p", "--delete", "--endpoint-url=http://127.0.0.1:1", "--exclude=*", "--include=*.txt"},
			"lockstep sync ./up s3://dst-a/p --delete --endpoint-url=http://127.0.0.1:1 '--exclude=*' '--include=*.txt'"},
		{"S3 to S3 into SSE-KMS",
			[]string{"sync", "s3://src-a/p", "s3://dst-a/q", "--sse=aws:kms", "--sse-kms-key-id", "arn:aws:kms:us-east-1:111111111111:key/k", "--plan", nowhere},
			[]string{"lockstep", "sync", "s3://src-a/p", "s3://dst-a/q", "--endpoint-url=http://127.0.0.1:1", "--sse=aws:kms", "--sse-kms-key-id=arn:aws:kms:us-east-1:111111111111:key/k"},
			"lockstep sync s3://src-a/p s3://dst-a/q --endpoint-url=http://127.0.0.1:1 --sse=aws:kms --sse-kms-key-id=arn:aws:kms:us-east-1:111111111111:key/k"},
		{"S3 to S3 by checksum",
			[]string{"sync", "s3://src-a/p", "s3://dst-a/q", "--checksum", "--plan", nowhere},
			[]string{"lockstep", "sync", "s3://src-a/p", "s3://dst-a/q", "--checksum", "--endpoint-url=http://127.0.0.1:1"},
			"lockstep sync s3://src-a/p s3://dst-a/q --checksum --endpoint-url=http://127.0.0.1:1"},
		{"two credential sets",
			[]string{"sync", "s3://src-a/p", "s3://dst-b/q", "--source-profile", "prod", "--dest-profile=backup", "--plan", nowhere},
			[]string{"lockstep", "sync", "s3://src-a/p", "s3://dst-b/q", "--dest-profile=backup", "--endpoint-url=http://127.0.0.1:1", "--source-profile=prod"},
			"lockstep sync s3://src-a/p s3://dst-b/q --dest-profile=backup --endpoint-url=http://127.0.0.1:1 --source-profile=prod"},
		{"cp of one object",
			[]string{"cp", "--plan", "s3://src-a/p/k.txt", "./dir/", nowhere},
			[]string{"lockstep", "cp", "s3://src-a/p/k.txt", "./dir/", "--endpoint-url=http://127.0.0.1:1"},
			"lockstep cp s3://src-a/p/k.txt ./dir/ --endpoint-url=http://127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{"text", "json", "terraform"} {
				code, got, stderr := runCLI(t, append(tc.args, "--output", format)...)
				if code != 0 {
					t.Fatalf("--output %s: exit %d: %s", format, code, stderr)
				}
				if hint := "--prove -- " + tc.hint + ")"; format == "text" && !strings.Contains(stderr, hint) {
					t.Errorf("the hint on standard error does not end in %q: %s", hint, stderr)
				}
				code, want, stderr := runCLI(t, append([]string{"plan", "--output", format, "--"}, tc.planned...)...)
				if code != 0 {
					t.Fatalf("plan: exit %d: %s", code, stderr)
				}
				if got != want {
					t.Errorf("--output %s: %s --plan prints\n%s\nlockstep plan -- %s prints\n%s", format, tc.args[0], got, strings.Join(tc.planned, " "), want)
				}
				if format == "json" && !json.Valid([]byte(got)) {
					t.Errorf("--output json is not JSON:\n%s", got)
				}
			}
		})
	}
}

// TestSyncPlanRefusals: --output terraform needs --plan; a command the
// planner cannot read is a usage error; --plan is not a flag of the
// command lockstep plan reads.
func TestSyncPlanRefusals(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sync", "./up", "s3://dst-a/p", "--output", "terraform"}, "add --plan"},
		{[]string{"sync", "./up", "./down", "--plan"}, "both local paths"},
		{[]string{"sync", "./up", "s3://dst-a/p", "--max-delete", "3", "--plan"}, "add --delete"},
		{[]string{"plan", "--", "lockstep", "sync", "./up", "s3://dst-a/p", "--plan"}, "plan the command without it"},
		{[]string{"plan", "--", "lockstep", "sync", "./up", "s3://dst-a/p", "--frobnicate"}, "lockstep sync has no flag --frobnicate"},
		{[]string{"plan", "--", "lockstep", "sync", "./up", "s3://dst-a/p", "--source-profile", "prod"}, "--source-profile applies to an s3:// source; ./up is local"},
		{[]string{"plan", "--source-principal", "arn:aws:iam::111111111111:user/r", "--", "lockstep", "sync", "./up", "s3://dst-a/p"}, "has one principal: give --principal"},
		{[]string{"check", "--world", "../../examples/world.yaml", "--principal", "arn:aws:iam::111111111111:user/alice", "--", "lockstep", "sync", "s3://a/p", "s3://b/q", "--source-profile", "x"}, "check decides the calls of one"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("lockstep %s: exit %d, %q; want 2 and %q", strings.Join(tc.args, " "), code, stderr, tc.want)
		}
	}
}
