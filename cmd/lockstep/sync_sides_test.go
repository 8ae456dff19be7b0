package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/emulator/emulatortest"
	"github.com/lockstep-dev/lockstep/world"
)

// twoAccountWorld is seed 001's shape: the source bucket in one account,
// the destination in another, no bucket policy: srcreader may only read
// the source and dstwriter only use the destination.
const twoAccountWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: srcreader
        access_keys: [{id: AKIASRCREADER0000001, secret: srcreader-secret}]
        policies:
          read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [s3:ListBucket, s3:GetObject], Resource: ["arn:aws:s3:::two-src", "arn:aws:s3:::two-src/*"]}]}
    buckets:
      - name: two-src
        objects: {a.txt: "alpha\n", b/c.txt: "gamma\n"}
  - id: "222222222222"
    users:
      - name: dstwriter
        access_keys: [{id: AKIADSTWRITER0000001, secret: dstwriter-secret}]
        policies:
          write: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: ["arn:aws:s3:::two-dst", "arn:aws:s3:::two-dst/*"]}]}
    buckets:
      - name: two-dst
`

// TestSyncTwoProfiles: --source-profile and --dest-profile sign each side
// with its own credentials from the shared credentials file; the probe
// finds that the destination's user cannot read the source and says the
// copies stream, in a line and in the JSON summary.
func TestSyncTwoProfiles(t *testing.T) {
	m, err := world.Decode([]byte(twoAccountWorld), "two accounts")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulatortest.Start(context.Background(), m, "two accounts", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	creds := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(creds, []byte("[src]\naws_access_key_id = AKIASRCREADER0000001\naws_secret_access_key = srcreader-secret\n[dst]\naws_access_key_id = AKIADSTWRITER0000001\naws_secret_access_key = dstwriter-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	ep := "--endpoint-url=" + srv.URL

	code, out, errOut := runCLI(t, "sync", "s3://two-src", "s3://two-dst/backup", "--source-profile", "src", "--dest-profile", "dst", ep)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"copy path: streamed (the destination's credentials cannot read the source: AccessDenied)", "preflight: passed: listed s3://two-src/; listed s3://two-dst/backup; read s3://two-src/a.txt; wrote a part to s3://two-dst/backup/.lockstep-preflight-", "sync: 2 copied"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("standard error lacks %q:\n%s", want, errOut)
		}
	}
	if want := "copy: s3://two-src/b/c.txt to s3://two-dst/backup/b/c.txt"; !strings.Contains(out, want) {
		t.Errorf("standard output lacks %q:\n%s", want, out)
	}

	// One profile for both sides cannot read the source: the preflight
	// stops the job, exit 2.
	code, _, errOut = runCLI(t, "sync", "s3://two-src", "s3://two-dst/again", "--profile", "dst", ep)
	if code != 2 || !strings.Contains(errOut, "preflight: listing the source s3://two-src/: An error occurred (AccessDenied) when calling the ListObjectsV2 operation") {
		t.Errorf("one profile: exit %d\n%s", code, errOut)
	}

	code, out, errOut = runCLI(t, "sync", "s3://two-src", "s3://two-dst/json", "--source-profile", "src", "--dest-profile", "dst", ep, "--output", "json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var sum struct {
		Op, CopyPath string
		Copied       int
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); code != 0 || err != nil || sum.Op != "summary" || sum.CopyPath != "streamed" || sum.Copied != 2 {
		t.Errorf("--output json: exit %d, summary %+v (%v)\n%s%s", code, sum, err, out, errOut)
	}
}

func TestSyncSideFlagsNeedS3(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"sync", dir, "s3://b/p", "--source-profile", "x"}, "--source-profile, --source-region and --source-endpoint-url apply to an s3:// source"},
		{[]string{"sync", "s3://b/p", dir, "--dest-region", "eu-west-1"}, "--dest-profile, --dest-region and --dest-endpoint-url apply to an s3:// destination"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %s; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}
