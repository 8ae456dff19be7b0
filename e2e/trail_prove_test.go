package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/emulator"
)

// TestPlanFromTrailProve is the user's path of docs/trail.md "Proof":
// a job runs with the AWS CLI v2 on lockstep serve, its audit log is the
// trail, and lockstep plan --from-trail --prove -- COMMAND runs the same
// command on a fresh emulator with the policies planned from the trail:
// sufficient (byte-exact, nothing denied) and each permission necessary,
// the s3:PutObjectTagging inferred for the multipart copy among them
// (issue 13).
func TestPlanFromTrailProve(t *testing.T) {
	aws := awsV2(t)
	bin := buildLockstep(t)
	m, err := emulator.DemoWorld()
	if err != nil {
		t.Fatal(err)
	}
	var audit bytes.Buffer
	srv, err := emulator.New(context.Background(), emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, NoSync: true, Audit: &audit})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// The job: one small and one multipart object (AWS CLI v2 copies
	// from 8 MiB in parts, with the source's tags).
	for key, size := range map[string]int{"p/small.txt": 100, "p/big.bin": 9 << 20} {
		if err := srv.PutObject(context.Background(), "kazue-sync-source", key, bytes.NewReader(make([]byte, size))); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	job := []string{"aws", "s3", "sync", "s3://kazue-sync-source/p/", "s3://kazue-sync-dest/q/"}
	if r := run(t, env(t, admin, srv.Region()), dir, aws.path, append([]string{"--endpoint-url", srv.Endpoint()}, job[1:]...)...); r.err != nil {
		t.Fatalf("the job: %v", r)
	}
	if err := srv.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	log := filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(log, audit.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	worldFile := filepath.Join(dir, "world.yaml")
	demo, err := os.ReadFile("../emulator/demo-world.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(worldFile, demo, 0o644); err != nil {
		t.Fatal(err)
	}
	e := []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
	args := append([]string{"plan", "--from-trail", log, "--principal", "arn:aws:iam::111111111111:user/admin", "--world", worldFile, "--client", "aws-v2", "--prove", "--"}, job...)
	res := run(t, e, dir, bin, args...)
	if res.err != nil {
		t.Fatalf("plan --from-trail --prove: %v\n%s%s", res.err, res.stdout, res.stderr)
	}
	for _, want := range []string{
		"with every planned permission: succeeds, the data is byte-exact, no call denied, every planned call made",
		"s3:PutObjectTagging on arn:aws:s3:::kazue-sync-dest/q/*",
		"with x-amz-tagging, inferred",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("plan --from-trail --prove does not print %q:\n%s", want, res.stdout)
		}
	}
	t.Logf("%s", res.stdout)
	if !strings.Contains(res.stdout, "verdict: sufficient, and ") || strings.Contains(res.stdout, "not needed") {
		t.Errorf("the policies from the trail are not each shown necessary:\n%s", res.stdout)
	}
}
