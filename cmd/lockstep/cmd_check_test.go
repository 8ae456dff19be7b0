package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// `lockstep check` exit status: 0 every call allowed, 1 a call denied, 2
// bad input (issue 4).
func TestCheckCommand(t *testing.T) {
	const seed000 = "../../examples/seed000-s3-sync.yaml"
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"scenario step 1 denied", []string{"--world", seed000, "--step", "1"}, exitDenied,
			`+ {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::kazue-sync-source"}`},
		// Without --step, a scenario's last step, and check says so.
		{"scenario last step", []string{"--world", seed000}, exitDenied, "its world as of step 6 of 6 (the last; --step N for another)"},
		{"scenario step 3 allowed", []string{"--world", seed000, "--step", "3"}, exitOK, "every call is allowed"},
		{"command after --", []string{"--world", seed000, "--step", "6", "--", "aws", "s3", "sync", "s3://kazue-sync-source", "s3://kazue-sync-dest", "--copy-props", "none"}, exitOK, "every call is allowed"},
		{"client from flag", []string{"--world", seed000, "--step", "6", "--client", "aws-v1"}, exitOK, "client:    aws-v1"},
		{"world file with principal", []string{"--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:user/alice", "--", "aws", "s3", "sync", "s3://kazue-sync-source", "."}, exitDenied,
			"download failed: s3://kazue-sync-source/lockstep-check-object to lockstep-check-object An error occurred (AccessDenied) when calling the GetObject operation"},
		// The world's lint warnings, on stderr (seed 000's classic mistake).
		{"lint warnings", []string{"--world", "../../lint/testdata/world-mistakes.yaml", "--principal", "arn:aws:iam::111111111111:user/alice", "--", "aws", "s3", "cp", "s3://data/k", "."}, exitDenied,
			`world-mistakes.yaml:9 (user alice of account 111111111111, policy "read"): warning: Statement[0].Resource: s3:GetObject acts on objects, but Resource names only the bucket`},
		{"world file needs principal", []string{"--world", exampleWorld, "--", "aws", "s3", "sync", "s3://kazue-sync-source", "."}, exitBadInput, "--principal"},
		{"world file needs command", []string{"--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:user/alice"}, exitBadInput, "no client command"},
		{"no world", []string{"--", "aws", "s3", "sync", "s3://a", "."}, exitBadInput, "--world is required"},
		{"bad format", []string{"--world", seed000, "--output", "xml"}, exitBadInput, `--output "xml": this command prints text, table, json`},
		{"bad step", []string{"--world", seed000, "--step", "9"}, exitBadInput, "has steps 1 to"},
		{"bad command", []string{"--world", seed000, "--", "ls", "-l"}, exitBadInput, "lockstep plans aws s3"},
		{"unknown bucket", []string{"--world", seed000, "--", "aws", "s3", "sync", "s3://no-such-bucket", "."}, exitBadInput, "not in the world"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"check"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output lacks %q:\n%s%s", tt.want, out, errOut)
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "check", "--world", "../../examples/seed003-kms-multipart.yaml", "--step", "2", "--output", "json")
	if code != exitDenied {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitDenied, out, errOut)
	}
	var r struct {
		OK    bool `json:"ok"`
		Calls []struct {
			Operation   string `json:"operation"`
			Allowed     bool   `json:"allowed"`
			ClientError string `json:"clientError"`
		} `json:"calls"`
		Diff []struct {
			Policy string            `json:"policy"`
			Add    []json.RawMessage `json:"add"`
		} `json:"diff"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.OK || len(r.Diff) != 2 {
		t.Errorf("ok %v, diff %+v: want denied, with a change to the identity and the key policy", r.OK, r.Diff)
	}
	for _, c := range r.Calls {
		if c.Operation == "UploadPartCopy" && (c.Allowed || !strings.HasSuffix(c.ClientError, "UploadPartCopy operation: Access Denied")) {
			t.Errorf("UploadPartCopy: allowed %v, client error %q", c.Allowed, c.ClientError)
		}
	}
}

// check finds the principal by the same rule as plan (issue 9): the
// scenario step's before the command's profile and the environment.
func TestCheckPrincipal(t *testing.T) {
	const sync = "aws s3 sync s3://kazue-sync-source ."
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"AWS_PROFILE", map[string]string{"AWS_PROFILE": "alice"}, []string{"--world", exampleWorld, "--", sync}, exitDenied, "(principal: arn:aws:iam::111111111111:user/alice, from AWS_PROFILE=alice)"},
		{"--profile", nil, []string{"--world", exampleWorld, "--", "aws --profile copy s3 sync s3://kazue-sync-source ."}, exitOK, "(principal: arn:aws:sts::111111111111:assumed-role/CopyRole/copy, from the command's --profile copy)"},
		{"AWS_ACCESS_KEY_ID", map[string]string{"AWS_ACCESS_KEY_ID": "AKIABOB0000000000001", "AWS_PROFILE": "alice"}, []string{"--world", exampleWorld, "--", sync}, exitOK, "from AWS_ACCESS_KEY_ID AKIABOB0000000000001"},
		{"scenario step first", map[string]string{"AWS_PROFILE": "nobody"}, []string{"--world", "../../examples/seed000-s3-sync.yaml", "--step", "3"}, exitOK, "every call is allowed"},
		{"unknown profile", map[string]string{"AWS_PROFILE": "nobody"}, []string{"--world", exampleWorld, "--", sync}, exitBadInput, `AWS_PROFILE=nobody: the world file ../../examples/world.yaml has no profile "nobody" (its profiles: alice, copy)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withEnv(t, tt.env)
			args := []string{"check"}
			for _, a := range tt.args {
				args = append(args, strings.Fields(a)...)
			}
			code, out, errOut := runCLI(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output lacks %q:\n%s%s", tt.want, out, errOut)
			}
		})
	}
}
