package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// `lockstep explain` exit status: 0 explained, 2 bad input (issue 4).
func TestExplainCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"seed 003 with world", []string{"copy failed: s3://cp-src/1gb.dat to s3://cp-dst/1gb.dat An error occurred (AccessDenied) when calling the UploadPartCopy operation: Access Denied",
			"--world", "../../examples/seed003-kms-multipart.yaml", "--step", "3"}, exitOK,
			`[DENIED] kms:Decrypt on arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab`},
		{"no world", []string{"fatal error: An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied", "--", "aws", "s3", "sync", "s3://kazue-sync-source", "."}, exitOK,
			"  1. s3:ListBucket on arn:aws:s3:::kazue-sync-source"},
		{"world file needs principal", []string{"An error occurred (AccessDenied) when calling the GetObject operation: Access Denied", "--world", exampleWorld}, exitBadInput, "--principal"},
		{"world file", []string{"download failed: s3://kazue-sync-source/2020-2nd-q/2.md to x An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
			"--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:user/alice"}, exitOK, "[DENIED] s3:GetObject on arn:aws:s3:::kazue-sync-source/2020-2nd-q/2.md"},
		{"s5cmd line, no command", []string{`ERROR "cp s3://kazue-sync-source/2020-2nd-q/2.md x/2.md": AccessDenied: Access Denied status code: 403, request id: 1, host id: h`}, exitOK,
			"  1. s3:GetObject on arn:aws:s3:::kazue-sync-source/2020-2nd-q/2.md  (GetObject)\n"},
		{"client aws-v1", []string{"copy failed: s3://cp-src/1gb.dat to s3://cp-dst/1gb.dat An error occurred (AccessDenied) when calling the UploadPartCopy operation: Access Denied",
			"--client", "aws-v1", "--", "aws", "s3", "cp", "s3://cp-src/1gb.dat", "s3://cp-dst/"}, exitOK, "(AWS CLI v1: each 8 MiB range of the source)"},
		{"unrecognized", []string{"it did not work"}, exitBadInput, "understood forms"},
		{"no text", nil, exitBadInput, "give the error text"},
		{"bad client command", []string{"Forbidden", "--", "ls", "-l"}, exitBadInput, "lockstep plans aws s3"},
		{"bad step", []string{"Forbidden", "--world", "../../examples/seed002-rclone-copy.yaml", "--step", "9"}, exitBadInput, "has steps 1 to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"explain"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output lacks %q:\n%s%s", tt.want, out, errOut)
			}
		})
	}
}

func TestExplainJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "explain", "--output", "json", "Forbidden", "--world", "../../examples/seed002-rclone-copy.yaml", "--step", "2", "--", "rclone", "copy", "./dir", "s3-remote:rclone-transfer-test")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var x struct {
		Exact      bool `json:"exact"`
		Candidates []struct {
			Action  string `json:"action"`
			Verdict *struct {
				Allowed bool `json:"allowed"`
				Fixes   []struct {
					Policy    string          `json:"policy"`
					Statement json.RawMessage `json:"statement"`
				} `json:"fixes"`
			} `json:"verdict"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	c := x.Candidates[0]
	if !x.Exact || c.Action != "s3:ListBucket" || c.Verdict == nil || c.Verdict.Allowed || len(c.Verdict.Fixes) != 1 {
		t.Fatalf("first candidate %+v\n%s", c, out)
	}
}
