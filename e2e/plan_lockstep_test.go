package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanProveLockstep: `lockstep plan --prove -- lockstep sync ...`
// proves lockstep's own plan with lockstep itself, the binary that runs
// the proof, as the client (issue 12): sufficient byte-exact, each
// permission necessary; and `lockstep sync --plan` prints the same plan.
func TestPlanProveLockstep(t *testing.T) {
	bin := buildLockstep(t)
	dir := t.TempDir()
	// Only the lockstep under test: none on PATH.
	e := []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
	res := run(t, e, dir, bin, "plan", "--prove", "--", "lockstep", "sync", "./dir", "s3://backup-bucket/p/", "--delete")
	if res.err != nil {
		t.Fatalf("plan --prove: %v\n%s%s", res.err, res.stdout, res.stderr)
	}
	for _, want := range []string{
		"Proof: " + bin + " on lockstep's emulator",
		"with every planned permission: succeeds, the data is byte-exact, no call denied, every planned call made",
		"verdict: sufficient, and 4 of 4 permissions necessary",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("plan --prove does not print %q:\n%s", want, res.stdout)
		}
	}
	// Each permission necessary, the preflight's s3:AbortMultipartUpload
	// among them.
	for _, need := range []string{"s3:ListBucket on arn:aws:s3:::backup-bucket ", "s3:PutObject on arn:aws:s3:::backup-bucket/p/*",
		"s3:DeleteObject on arn:aws:s3:::backup-bucket/p/*", "s3:AbortMultipartUpload on arn:aws:s3:::backup-bucket/p/*"} {
		shown := false
		for _, line := range strings.Split(res.stdout, "\n") {
			shown = shown || (strings.Contains(line, need) && strings.Contains(line, " yes "))
		}
		if !shown {
			t.Errorf("plan --prove does not show %s necessary:\n%s", need, res.stdout)
		}
	}
	plan := run(t, e, dir, bin, "plan", "--", "lockstep", "sync", "./dir", "s3://backup-bucket/p/", "--delete")
	own := run(t, e, dir, bin, "sync", "./dir", "s3://backup-bucket/p/", "--delete", "--plan")
	if plan.err != nil || own.err != nil || plan.stdout != own.stdout {
		t.Errorf("sync --plan (%v) prints\n%s\nplan -- lockstep sync (%v) prints\n%s", own.err, own.stdout+own.stderr, plan.err, plan.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "dir")); err == nil {
		t.Error("the proof left its data in the working directory")
	}
}
