package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLIWithInput(t, "", args...)
}

const exampleWorld = "../../examples/world.yaml"

// TestEvalScenarioWorld: eval takes a scenario file as --world, its
// world as of --step (default the last), and says which it read (issue 11).
func TestEvalScenarioWorld(t *testing.T) {
	args := []string{"eval", "--world", "../../examples/seed000-s3-sync.yaml", "--principal", "arn:aws:iam::111111111111:role/s3synctest",
		"--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source"}
	code, _, errOut := runCLI(t, args...)
	if code != exitOK || !strings.Contains(errOut, "its world as of step 6 of 6 (the last") {
		t.Errorf("last step: exit %d\n%s", code, errOut)
	}
	// Step 1 of seed 000 grants nothing on the source.
	if code, out, errOut := runCLI(t, append(args, "--step", "1")...); code != exitDenied {
		t.Errorf("step 1: exit %d\n%s%s", code, out, errOut)
	}
}

// `lockstep eval` exit status: 0 allowed, 1 denied, 2 bad input (issue 2 §6).
func TestEvalExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"allowed", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source"}, exitOK, "decision:  allow"},
		{"denied", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::kazue-sync-source/2020-2nd-q/2.md"}, exitDenied,
			`message:   User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::kazue-sync-source/2020-2nd-q/2.md" because no identity-based policy allows the s3:GetObject action`},
		{"boundary", []string{"--principal", "arn:aws:iam::111111111111:user/bob", "--action", "kms:Decrypt", "--resource", "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, exitDenied, "because no permissions boundary allows the kms:Decrypt action"},
		{"cross-account allowed", []string{"--principal", "arn:aws:iam::111111111111:role/CopyRole", "--action", "kms:Decrypt", "--resource", "arn:aws:kms:us-east-1:222222222222:alias/cp-dst"}, exitOK, "decision:  allow"},
		{"unknown user", []string{"--principal", "arn:aws:iam::111111111111:user/nobody", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::kazue-sync-source/x"}, exitBadInput, "no such user"},
		{"bad action", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "GetObject", "--resource", "arn:aws:s3:::kazue-sync-source/x"}, exitBadInput, "write service:Action"},
		{"bad context", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source", "--context", "s3:prefix"}, exitBadInput, "write key=value"},
		{"missing flag", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:ListBucket"}, exitBadInput, "--resource is required"},
		{"unknown action", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:GetObjekt", "--resource", "arn:aws:s3:::kazue-sync-source/x"}, exitBadInput, "did you mean s3:GetObject?"},
		{"action case", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "S3:LISTBUCKET", "--resource", "arn:aws:s3:::kazue-sync-source"}, exitOK, "decision:  allow"},
		{"uncatalogued service", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "ec2:RunInstances", "--resource", "*"}, exitDenied, "lockstep has no catalogue of ec2 actions"},
		{"anonymous KMS", []string{"--principal", "anonymous", "--action", "kms:Decrypt", "--resource", "*"}, exitBadInput, "AWS KMS accepts only signed requests"},
		{"unknown key", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source", "--context", "aws:RequestRegion=eu-west-1"}, exitOK, "did you mean aws:RequestedRegion?"},
		{"unknown unset", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source", "--unset", "aws:SourceIP-x"}, exitOK, "warning: --unset aws:SourceIP-x"},
		{"mfa on a user", []string{"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source", "--mfa-age", "10"}, exitBadInput, "only a role or federated-user session"},
		{"federated without user", []string{"--principal", "arn:aws:sts::111111111111:federated-user/fed", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source"}, exitBadInput, "--federated-by USER_ARN"},
		{"federated", []string{"--principal", "arn:aws:sts::111111111111:federated-user/fed", "--federated-by", "arn:aws:iam::111111111111:user/alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source"}, exitDenied, "because no session policy allows the s3:ListBucket action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"eval", "--world", exampleWorld}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output lacks %q:\n%s%s", tt.want, out, errOut)
			}
		})
	}
}

func TestEvalJSON(t *testing.T) {
	code, out, _ := runCLI(t, "eval", "--world", exampleWorld, "--output", "json", "--explain",
		"--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for k, want := range map[string]string{"decision": "allow", "policyType": "identity", "statement": `Sid "ListSource"`, "message": ""} {
		if j[k] != want {
			t.Errorf("%s = %v, want %q", k, j[k], want)
		}
	}
	if tr, _ := j["trace"].([]any); len(tr) == 0 {
		t.Error("--explain gave no trace")
	}
}

// eval --explain lists every key of the request context with its source,
// and a KMS key named by its alias sets kms:RequestAlias.
func TestEvalExplainContext(t *testing.T) {
	code, out, errOut := runCLI(t, "eval", "--world", exampleWorld, "--explain",
		"--principal", "arn:aws:iam::111111111111:role/CopyRole", "--action", "kms:Decrypt", "--resource", "arn:aws:kms:us-east-1:222222222222:alias/cp-dst",
		"--context", "aws:SourceIp=198.51.100.7")
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	for _, want := range []string{
		"request context:",
		"aws:RequestedRegion = us-east-1",
		"aws:ViaAWSService = false",
		"aws:PrincipalArn = arn:aws:iam::111111111111:role/CopyRole",
		"aws:TokenIssueTime = ",
		"aws:MultiFactorAuthPresent = false",
		"kms:RequestAlias = alias/cp-dst",
		"kms:ResourceAliases = alias/cp-dst",
		"kms:CallerAccount = 111111111111",
		"aws:SourceIp = 198.51.100.7\n      from: --context",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("eval --explain lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "aws:username") {
		t.Errorf("a role session has no aws:username:\n%s", out)
	}
}

func TestEvalBadWorld(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("accounts:\n  - id: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "eval", "--world", bad, "--principal", "anonymous", "--action", "s3:GetObject", "--resource", "*")
	if code != exitBadInput || !strings.Contains(errOut, "bad.yaml:2:") {
		t.Errorf("exit %d, stderr %q; want 2 and the file and line", code, errOut)
	}
}

func TestDemo(t *testing.T) {
	code, out, errOut := runCLI(t, "demo", "--seed", "000")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Step 1.", "when calling the ListObjectsV2 operation", "when calling the CopyObject operation", "Conclusion:"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if code, _, _ := runCLI(t, "demo", "--seed", "999"); code != exitBadInput {
		t.Errorf("unknown seed: exit %d, want 2", code)
	}
}
