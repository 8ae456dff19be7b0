package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeBanner: the lines `lockstep serve` prints for a user, pasted
// into a shell as they are, work with the AWS CLI v2, rclone and boto3;
// and --log prints a denied call of another user as one line naming why
// (issue 11).
func TestServeBanner(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real clients")
	}
	for _, c := range []struct{ name, path string }{{"aws", "/usr/bin/aws"}, {"rclone", ""}, {"python3", ""}} {
		p := c.path
		if p == "" {
			p, _ = exec.LookPath(c.name)
		}
		if _, err := os.Stat(p); p == "" || err != nil {
			skipClient(t, c.name+" is not installed; run make clients")
		}
	}
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		skipClient(t, "boto3 is not importable by python3")
	}
	bin := buildLockstep(t)
	s := startServeBanner(t, bin, nil, "--addr", "127.0.0.1:0", "--audit", "none", "--log", "denied")

	// The lines of alice's block, and the shell set-up lines before the
	// first block, as printed.
	var setup, alice []string
	block := ""
	for _, line := range strings.Split(s.banner, "\n") {
		switch {
		case strings.HasPrefix(line, "# user "):
			block = line
		case strings.HasPrefix(line, "lockstep serve: ") || line == "" || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "health:"):
		case block == "":
			setup = append(setup, line)
		case strings.HasPrefix(block, "# user alice:"):
			alice = append(alice, line)
		}
	}
	if len(alice) != 4 {
		t.Fatalf("alice's block has %d lines, want export, aws, rclone and python3:\n%s", len(alice), s.banner)
	}
	// The AWS CLI v2 first on PATH, as a user of it has.
	dir := t.TempDir()
	if err := os.Symlink("/usr/bin/aws", filepath.Join(dir, "aws")); err != nil {
		t.Fatal(err)
	}
	script := "set -e\nexport PATH=" + dir + ":$PATH HOME=" + dir + "\n" + strings.Join(setup, "\n") + "\n" + strings.Join(alice, "\n") + "\n"
	out, err := exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("the pasted lines fail: %v\n%s\n%s", err, script, out)
	}
	// Each client listed the demo world's source bucket.
	if n := strings.Count(string(out), "2020-2nd-q/"); n < 3 {
		t.Errorf("%d clients listed 2020-2nd-q/, want 3:\n%s", n, out)
	}

	// alice may not read the objects: the denial is logged as one line.
	get := script + "aws --endpoint-url " + s.endpoint + " s3 cp s3://kazue-sync-source/2020-2nd-q/1.md " + dir + "/1.md || true\n"
	if out, err := exec.Command("bash", "-c", get).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "alice HeadObject s3://kazue-sync-source/2020-2nd-q/1.md DENIED" // aws s3 cp reads it first
	if !s.out.waitFor(want, 10*time.Second) {
		t.Fatalf("no %q in serve's log:\n%s", want, s.out.String())
	}
	if strings.Contains(s.out.String(), "ListObjectsV2 s3://kazue-sync-source ok") {
		t.Errorf("--log denied printed an allowed call:\n%s", s.out.String())
	}
}
