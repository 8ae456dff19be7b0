package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanReplicationBadInput: every bad flag value of plan replication
// exits 2 with a message naming the flag and what it wants; a role ARN is
// accepted for --role when it is of the source's account.
func TestPlanReplicationBadInput(t *testing.T) {
	base := []string{"plan", "replication", "--source", "s3://src-a", "--dest", "s3://dst-b"}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"short account", []string{"--source-account", "1111"}, []string{"--source-account", "12 digits"}},
		{"bad dest account", []string{"--source-account", "111111111111", "--dest-account", "22"}, []string{"--dest-account", "12 digits"}},
		{"bad key alone", []string{"--source-account", "111111111111", "--kms-source", "notanarn"}, []string{"--kms-source", "want a key ARN"}},
		{"bad key with dest key", []string{"--source-account", "111111111111", "--kms-source", "notanarn", "--kms-dest", "notanarn"}, []string{"--kms-source", "want a key ARN"}},
		{"bad role name", []string{"--source-account", "111111111111", "--role", "bad name!"}, []string{"--role", "IAM role name"}},
		{"role of another account", []string{"--source-account", "111111111111", "--role", "arn:aws:iam::333333333333:role/x"}, []string{"--role", "333333333333", "source bucket's account"}},
		{"bad region", []string{"--source-account", "111111111111", "--dest-region", "mars-1"}, []string{"--dest-region", "Region name"}},
		{"bad bucket", []string{"--source-account", "111111111111", "--dest", "s3://A_B"}, []string{"--dest", "bucket name"}},
		{"bucket not in the world", []string{"--world", replWorld, "--source", "s3://src", "--dest", "s3://nosuch"}, []string{"--dest s3://nosuch", "not in the world file", "add it"}},
		{"key not in the world", []string{"--world", replWorld, "--source", "s3://src", "--dest", "s3://dst", "--kms-source", "notanarn"}, []string{"--kms-source", "not in the world file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append(base, tc.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2: %s", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not say %q", errOut, w)
				}
			}
		})
	}
	code, out, errOut := runCLI(t, append(base, "--source-account", "111111111111", "--role", "arn:aws:iam::111111111111:role/my-replication")...)
	if code != 0 || !strings.Contains(out, "role arn:aws:iam::111111111111:role/my-replication\n") || strings.Contains(out, "role/arn:") {
		t.Errorf("--role as an ARN: exit %d\n%s%s", code, out, errOut)
	}
}

// TestPlanReplicationMergesDestinationPolicy: the destination's planned
// statements are merged into its current policy from --world: printed
// whole, in Terraform, and proved with it, so that a Deny of the world's
// that denies S3 replicating into the bucket makes the plan insufficient.
func TestPlanReplicationMergesDestinationPolicy(t *testing.T) {
	doc, err := os.ReadFile(replWorld)
	if err != nil {
		t.Fatal(err)
	}
	const deny = `
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: OnlyOurAccount
              Effect: Deny
              Principal: "*"
              Action: s3:ReplicateObject
              Resource: "arn:aws:s3:::dst/*"
              Condition: {StringNotEquals: {aws:PrincipalAccount: "222222222222"}}
`
	text := strings.Replace(string(doc), "bucket_key: true}\n", "bucket_key: true}"+deny, 1)
	if text == string(doc) {
		t.Fatal("the test world has changed: no destination bucket to give a policy")
	}
	file := filepath.Join(t.TempDir(), "world.yaml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"plan", "replication", "--world", file, "--source", "s3://src", "--dest", "s3://dst"}
	for _, format := range []string{"text", "terraform", "json"} {
		code, out, errOut := runCLI(t, append(args, "--output", format)...)
		if code != 0 || !strings.Contains(out, "OnlyOurAccount") {
			t.Errorf("--output %s: exit %d; the merged policy keeps the world's statement OnlyOurAccount:\n%s%s", format, code, out, errOut)
		}
	}
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, append(args, "--out", dir)...); code != 0 {
		t.Fatalf("--out: exit %d: %s", code, errOut)
	}
	whole, err := os.ReadFile(filepath.Join(dir, "bucket-dst.json"))
	if err != nil || !strings.Contains(string(whole), "OnlyOurAccount") || !strings.Contains(string(whole), "role/s3-replication-src") {
		t.Errorf("--out bucket-dst.json: %v, want the world's statement and the planned one:\n%s", err, whole)
	}
	for _, name := range []string{"replication.json", "trust.json", "permissions.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("--out: %v", err)
		}
	}
	code, out, errOut := runCLI(t, append(args, "--prove")...)
	if code != 1 || !strings.Contains(out, "NOT PROVED") {
		t.Errorf("--prove with the world's Deny: exit %d, want 1 and the plan not proved:\n%s%s", code, out, errOut)
	}
}
