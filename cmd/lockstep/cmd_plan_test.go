package main

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
)

// TestMain makes plan and check independent of the machine: the aws on
// PATH (the client rule runs `aws --version`) and the AWS_* variables of
// the environment (the principal rule) are the tests' own.
func TestMain(m *testing.M) {
	awsVersion = func(string) (string, error) {
		return "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12\n", nil
	}
	getenv = func(string) string { return "" }
	os.Exit(m.Run())
}

// withEnv sets the environment the principal rule reads for one test.
func withEnv(t *testing.T, env map[string]string) {
	t.Helper()
	old := getenv
	getenv = func(k string) string { return env[k] }
	t.Cleanup(func() { getenv = old })
}

// countVersions counts the runs of `aws --version` for one test.
func countVersions(t *testing.T, out string, err error) *int {
	t.Helper()
	n := new(int)
	old := awsVersion
	awsVersion = func(string) (string, error) { *n++; return out, err }
	t.Cleanup(func() { awsVersion = old })
	return n
}

// The client rule (issue 9): --client runs nothing, so that plan answers
// within its 100 ms; without it, aws is asked its version and rclone and
// s5cmd are not.
func TestClientRule(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		version string
		verErr  error
		runs    int
		want    string
	}{
		{"--client runs nothing", []string{"--client", "aws-v1", "--", "aws", "s3", "cp", "./f.txt", "s3://b/"}, "aws-cli/2.15.0", nil, 0, "AWS CLI v1"},
		{"aws v1 detected", []string{"--", "aws", "s3", "cp", "./f.txt", "s3://b/"}, "aws-cli/1.45.11 Python/3.11.7", nil, 1, "(client: detected aws-cli/1.45.11)"},
		{"aws v2 detected", []string{"--", "aws", "s3", "cp", "./f.txt", "s3://b/"}, "aws-cli/2.9.19 Python/3.9", nil, 1, "(client: detected aws-cli/2.9.19)"},
		{"aws missing", []string{"--", "aws", "s3", "cp", "./f.txt", "s3://b/"}, "", errors.New(`exec: "aws": executable file not found in $PATH`), 1, "planning for the AWS CLI v2"},
		{"rclone runs nothing", []string{"--", "rclone", "copy", "./dir", "r:b/p"}, "", nil, 0, "client model: rclone"},
		{"s5cmd runs nothing", []string{"--", "s5cmd", "cp", "./f.txt", "s3://b/"}, "", nil, 0, "client model: s5cmd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := countVersions(t, tt.version, tt.verErr)
			code, out, errOut := runCLI(t, append([]string{"plan", "--max-object-size", "1MiB"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			if *runs != tt.runs {
				t.Errorf("aws --version ran %d times, want %d", *runs, tt.runs)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
		})
	}
	// check follows the same rule, with the scenario's client second.
	runs := countVersions(t, "aws-cli/1.45.11", nil)
	code, out, errOut := runCLI(t, "check", "--world", "../../examples/seed003-kms-multipart.yaml", "--step", "2")
	if code != exitDenied || *runs != 0 || !strings.Contains(out, "client:    aws-v1") {
		t.Errorf("check of a scenario with a client: exit %d, aws --version ran %d times\n%s%s", code, *runs, out, errOut)
	}
	code, out, errOut = runCLI(t, "check", "--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:user/bob", "--", "aws", "s3", "sync", "s3://kazue-sync-source", "s3://kazue-sync-dest")
	if code != exitOK || *runs != 1 || !strings.Contains(out, "(client: detected aws-cli/1.45.11)") {
		t.Errorf("check of a world file: exit %d, aws --version ran %d times\n%s%s", code, *runs, out, errOut)
	}
}

// BenchmarkPlanWithClient times `lockstep plan --client ...` in process:
// the issue 9 target is 100 ms; it runs no program.
func BenchmarkPlanWithClient(b *testing.B) {
	awsVersion = func(string) (string, error) { b.Fatal("plan --client ran aws --version"); return "", nil }
	b.Cleanup(func() { awsVersion = plan.ExecVersion })
	args := []string{"plan", "--client", "aws-v2", "--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:role/CopyRole",
		"--", "aws", "s3", "cp", "s3://kazue-sync-source/big.dat", "s3://cp-dst/"}
	for i := 0; i < b.N; i++ {
		root := newRootCommand()
		root.SetOut(nopWriter{})
		root.SetErr(nopWriter{})
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			b.Fatal(err)
		}
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// The principal of plan with --world (issue 9): --principal, the
// command's --profile, AWS_ACCESS_KEY_ID, AWS_PROFILE, through the world;
// buckets of other accounts then get bucket policies.
func TestPlanPrincipal(t *testing.T) {
	const cp = "aws s3 cp s3://kazue-sync-source/big.dat s3://cp-dst/"
	const copyRole = "arn:aws:sts::111111111111:assumed-role/CopyRole/copy"
	tests := []struct {
		name    string
		env     map[string]string
		flags   string
		command string
		code    int
		want    string // the principal, or a part of the error
	}{
		{"--principal", nil, "--principal arn:aws:iam::111111111111:user/alice", cp, exitOK, "arn:aws:iam::111111111111:user/alice"},
		{"--profile", nil, "", "aws --profile copy s3 cp s3://kazue-sync-source/big.dat s3://cp-dst/", exitOK, copyRole},
		{"--profile wins over AWS_PROFILE", map[string]string{"AWS_PROFILE": "alice"}, "", "aws --profile copy s3 cp s3://kazue-sync-source/big.dat s3://cp-dst/", exitOK, copyRole},
		{"AWS_PROFILE", map[string]string{"AWS_PROFILE": "copy"}, "", cp, exitOK, copyRole},
		{"access key wins over AWS_PROFILE", map[string]string{"AWS_PROFILE": "copy", "AWS_ACCESS_KEY_ID": "AKIABOB0000000000001"}, "", cp, exitOK, "arn:aws:iam::111111111111:user/bob"},
		{"s5cmd --profile", nil, "", "s5cmd --profile copy cp s3://kazue-sync-source/big.dat s3://cp-dst/", exitOK, copyRole},
		{"rclone env_auth and AWS_PROFILE", map[string]string{"AWS_PROFILE": "copy"}, "", "rclone copyto :s3,env_auth=true:kazue-sync-source/big.dat :s3,env_auth=true:cp-dst/big.dat", exitOK, copyRole},
		{"rclone --s3-profile", nil, "", "rclone copyto --s3-env-auth --s3-profile copy :s3:kazue-sync-source/big.dat :s3:cp-dst/big.dat", exitOK, copyRole},
		{"nothing", nil, "", cp, exitBadInput, "no principal for the command in ../../examples/world.yaml: give --principal ARN, or name a profile the world maps with the command's --profile NAME or AWS_PROFILE=NAME (its profiles: alice, copy)"},
		{"unknown profile", map[string]string{"AWS_PROFILE": "ops"}, "", cp, exitBadInput, `AWS_PROFILE=ops: the world file ../../examples/world.yaml has no profile "ops" (its profiles: alice, copy)`},
		{"unknown access key", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"}, "", cp, exitBadInput, "AWS_ACCESS_KEY_ID is AKIAEXAMPLE, and the client signs with it rather than with AWS_PROFILE; it is not an access key of the world file"},
		{"unknown principal", nil, "--principal arn:aws:iam::111111111111:user/nobody", cp, exitBadInput, "--principal: principal arn:aws:iam::111111111111:user/nobody: no such user"},
		{"rclone remote", map[string]string{"AWS_PROFILE": "copy"}, "", "rclone copyto remote:kazue-sync-source/big.dat remote:cp-dst/big.dat", exitBadInput, "rclone remote remote:: its credentials are in rclone.conf, which lockstep does not read: give --principal ARN"},
		{"unsigned", nil, "", cp + " --no-sign-request", exitBadInput, "the command sends unsigned requests (--no-sign-request)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withEnv(t, tt.env)
			args := append([]string{"plan", "--output", "json", "--client", string(plan.Client(clientOf(tt.command))), "--world", exampleWorld, "--max-object-size", "1MiB"}, strings.Fields(tt.flags)...)
			code, out, errOut := runCLI(t, append(append(args, "--"), strings.Fields(tt.command)...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if code != exitOK {
				if !strings.Contains(errOut, tt.want) {
					t.Errorf("error lacks %q:\n%s", tt.want, errOut)
				}
				return
			}
			var p struct {
				Principal      string          `json:"principal"`
				BucketPolicies json.RawMessage `json:"bucketPolicies"`
			}
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatal(err)
			}
			if p.Principal != tt.want {
				t.Errorf("principal %s, want %s", p.Principal, tt.want)
			}
			// cp-dst is account 222222222222's: a bucket policy for it.
			if !strings.Contains(string(p.BucketPolicies), `"cp-dst"`) {
				t.Errorf("no bucket policy for cp-dst:\n%s", out)
			}
		})
	}
}

func clientOf(command string) plan.Client {
	if p := plan.Program(strings.Fields(command)); p != "aws" {
		return plan.Client(p)
	}
	return plan.AWSv2
}

// The client and principal rules are stated once, in the same words, in
// both commands' help and in docs/plan.md (issue 9).
func TestRulesStated(t *testing.T) {
	doc, err := os.ReadFile("../../docs/plan.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, command := range []string{"plan", "check"} {
		_, out, _ := runCLI(t, command, "--help")
		for _, rule := range []string{plan.ClientRule, plan.PrincipalRule} {
			if !strings.Contains(out, rule) {
				t.Errorf("lockstep %s --help does not state:\n%s", command, rule)
			}
		}
	}
	for _, rule := range []string{plan.ClientRule, plan.PrincipalRule} {
		if !strings.Contains(string(doc), rule) {
			t.Errorf("docs/plan.md does not state:\n%s", rule)
		}
	}
}
