package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The output flags of lockstep plan.
func TestPlanOutputs(t *testing.T) {
	dir := t.TempDir()
	base := []string{"plan", "--world", exampleWorld, "--principal", "arn:aws:sts::111111111111:assumed-role/CopyRole/s", "--client", "aws-v1", "--max-object-size", "20MiB"}
	command := []string{"--", "aws", "s3", "cp", "s3://kazue-sync-source/big.dat", "s3://cp-dst/"}
	for _, tc := range []struct {
		name  string
		flags []string
		code  int
		check func(t *testing.T, out, errOut string)
	}{
		{"table", nil, exitOK, func(t *testing.T, out, _ string) {
			if !strings.Contains(out, "merge these into its current policy, which the world gives") {
				t.Errorf("the table does not say the statements merge into the current policy:\n%s", out)
			}
		}},
		{"json", []string{"--output", "json"}, exitOK, func(t *testing.T, out, _ string) {
			var js struct {
				FormatVersion int `json:"formatVersion"`
				Buckets       []struct {
					Bucket, Current string
					Policy          json.RawMessage
				} `json:"bucketPolicies"`
			}
			if err := json.Unmarshal([]byte(out), &js); err != nil {
				t.Fatal(err)
			}
			if js.FormatVersion != 1 || len(js.Buckets) != 1 || js.Buckets[0].Current != "known" || !strings.Contains(string(js.Buckets[0].Policy), "CopyFromSource") {
				t.Errorf("JSON: %s", out)
			}
		}},
		{"terraform", []string{"--output", "terraform"}, exitOK, func(t *testing.T, out, _ string) {
			for _, want := range []string{`resource "aws_iam_role_policy" "CopyRole"`, "source_policy_documents", `resource "aws_kms_key_policy"`, `alias               = "account_222222222222"`} {
				if !strings.Contains(out, want) {
					t.Errorf("the Terraform output has no %s:\n%s", want, out)
				}
			}
		}},
		{"out", []string{"--out", dir}, exitOK, func(t *testing.T, _, errOut string) {
			for _, f := range []string{"identity.json", "bucket-cp-dst.json", "key-1234abcd-12ab-34cd-56ef-1234567890ab.json"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil || !strings.Contains(errOut, f) {
					t.Errorf("%s not written (%v): %s", f, err, errOut)
				}
			}
		}},
		{"bad format", []string{"--output", "yaml", "--out", filepath.Join(dir, "never")}, exitBadInput, func(t *testing.T, _, errOut string) {
			if !strings.Contains(errOut, `--output "yaml": this command prints text, table, json, terraform`) {
				t.Errorf("message: %s", errOut)
			}
			if _, err := os.Stat(filepath.Join(dir, "never")); err == nil {
				t.Errorf("--out wrote files before --format was refused")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append(append([]string{}, base...), tc.flags...), command...)
			code, out, errOut := runCLI(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errOut)
			}
			tc.check(t, out, errOut)
		})
	}
}
