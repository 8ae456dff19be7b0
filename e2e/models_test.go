package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replay"
)

// TestModelsMatchClients confirms each behaviour model of the planner
// against the emulator's audit log of the real client (issue 4): the
// client runs as an administrator, and the calls it makes must be the
// calls the plan of the same command lists (operation and bucket), no
// more and no less, for the object sizes of the test data.
func TestModelsMatchClients(t *testing.T) {
	type tc struct {
		client plan.Client
		args   string // LOCAL, LOCAL2 are directories; s3-remote: is the emulator for rclone
	}
	cases := []tc{
		{plan.AWSv2, "aws s3 sync LOCAL s3://kazue-sync-dest/p/ --delete"},
		{plan.AWSv2, "aws s3 sync s3://kazue-sync-source/p/ LOCAL2"},
		{plan.AWSv2, "aws s3 sync s3://kazue-sync-source/p/ s3://kazue-sync-dest/q/"},
		{plan.AWSv2, "aws s3 cp s3://kazue-sync-source/p/big.bin s3://kazue-sync-dest/r/"},
		{plan.AWSv2, "aws s3 cp s3://kazue-sync-source/p/big.bin s3://kazue-sync-dest/r/ --copy-props metadata-directive"},
		{plan.AWSv1, "aws s3 sync LOCAL s3://kazue-sync-dest/p/ --delete"},
		{plan.AWSv1, "aws s3 sync s3://kazue-sync-source/p/ s3://kazue-sync-dest/q/"},
		{plan.AWSv1, "aws s3 cp s3://kazue-sync-source/p/big.bin s3://kazue-sync-dest/r/"},
		{plan.Rclone, "rclone copy LOCAL s3-remote:kazue-sync-dest/p"},
		{plan.Rclone, "rclone sync LOCAL s3-remote:kazue-sync-dest/p"},
		{plan.Rclone, "rclone copy s3-remote:kazue-sync-source/p LOCAL2"},
		{plan.Rclone, "rclone copy s3-remote:kazue-sync-source/p s3-remote:kazue-sync-dest/q"},
		{plan.Rclone, "rclone copyto LOCAL/small.txt s3-remote:kazue-sync-dest/p/new.txt"},
		{plan.Rclone, "rclone copy --s3-no-check-bucket LOCAL s3-remote:kazue-sync-dest/p"},
		{plan.S5cmd, "s5cmd cp LOCAL/* s3://kazue-sync-dest/p/"},
		{plan.S5cmd, "s5cmd sync --delete LOCAL/ s3://kazue-sync-dest/p/"},
		{plan.S5cmd, "s5cmd sync s3://kazue-sync-source/p/* LOCAL2/"},
		{plan.S5cmd, "s5cmd sync s3://kazue-sync-source/p/* s3://kazue-sync-dest/q/"},
		// lockstep's own sync and cp (issue 12), the binary of this source.
		{plan.Lockstep, "lockstep sync LOCAL s3://kazue-sync-dest/p/ --delete"},
		{plan.Lockstep, "lockstep sync LOCAL s3://kazue-sync-dest/p/ --delete --dryrun"},
		{plan.Lockstep, "lockstep sync s3://kazue-sync-source/p/ LOCAL2"},
		{plan.Lockstep, "lockstep sync s3://kazue-sync-source/p/ s3://kazue-sync-dest/p/ --delete"},
		{plan.Lockstep, "lockstep cp s3://kazue-sync-source/p/big.bin s3://kazue-sync-dest/r/"},
		{plan.Lockstep, "lockstep cp s3://kazue-sync-source/p/ LOCAL2 --recursive"},
		{plan.Lockstep, "lockstep cp LOCAL s3://kazue-sync-dest/q/ --recursive"},
		{plan.Lockstep, "lockstep sync LOCAL s3://kazue-sync-dest/p/ --delete --no-preflight"},
		{plan.Lockstep, "lockstep cp s3://kazue-sync-source/p/big.bin LOCAL2/"},
	}
	const big = 9 << 20 // above the AWS CLI's 8 MiB threshold
	local := t.TempDir()
	writeTree(t, local, map[string]int{"small.txt": 100, "big.bin": big})
	lockstep := buildLockstep(t) // lockstep's own rows run this source's binary
	for _, c := range cases {
		c := c
		t.Run(string(c.client)+" "+strings.ReplaceAll(c.args, "/", "∕"), func(t *testing.T) {
			var bin string
			switch c.client {
			case plan.AWSv2:
				bin = awsV2(t).path
			case plan.AWSv1:
				bin = awsV1(t).path
			case plan.Rclone:
				bin = rclone(t).path
			case plan.S5cmd:
				bin = s5cmd(t)
			case plan.Lockstep:
				bin = lockstep
			}
			audit := &replay.AuditLog{}
			m, err := emulator.DemoWorld()
			if err != nil {
				t.Fatal(err)
			}
			srv, err := emulator.New(context.Background(), emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, Audit: audit, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			ctx := context.Background()
			for key, size := range map[string]int{"p/small.txt": 100, "p/big.bin": big} {
				b := make([]byte, size)
				rand.Read(b)
				if err := srv.PutObject(ctx, "kazue-sync-source", key, bytes.NewReader(b)); err != nil {
					t.Fatal(err)
				}
			}
			if err := srv.PutObject(ctx, "kazue-sync-dest", "p/extra.txt", strings.NewReader("only in the destination")); err != nil {
				t.Fatal(err)
			}
			audit.Take()

			local2 := t.TempDir()
			words := strings.Fields(strings.NewReplacer("LOCAL2", local2, "LOCAL", local).Replace(c.args))
			p, err := planFor(words, c.client, big)
			if err != nil {
				t.Fatal(err)
			}
			argv := []string{bin}
			switch c.client {
			case plan.AWSv1, plan.AWSv2:
				argv = append(argv, "--endpoint-url", srv.Endpoint(), "--only-show-errors")
				argv = append(argv, words[1:]...)
			case plan.Rclone:
				for _, w := range words[1:] {
					if rest, ok := strings.CutPrefix(w, "s3-remote:"); ok {
						w = rcloneRemote(srv.Endpoint(), admin, "list_version=2") + rest
					}
					argv = append(argv, w)
				}
			case plan.S5cmd:
				argv = append(argv, "--endpoint-url", srv.Endpoint())
				argv = append(argv, words[1:]...)
			case plan.Lockstep:
				argv = append(argv, words[1], "--endpoint-url", srv.Endpoint())
				argv = append(argv, words[2:]...)
			}
			res := run(t, env(t, admin, srv.Region()), t.TempDir(), argv[0], argv[1:]...)
			if res.err != nil {
				t.Fatalf("%s: %v", strings.Join(argv, " "), res)
			}
			if err := srv.Idle(ctx); err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, r := range audit.Take() {
				if r.EventSource != "s3.amazonaws.com" {
					continue
				}
				bucket, _ := r.RequestParameters["bucketName"].(string)
				got[r.EventName+" "+bucket] = true
			}
			planned, optional := map[string]bool{}, map[string]bool{}
			for _, call := range p.Calls {
				if call.Existing {
					// Made only for objects the destination already has;
					// this test's destinations start without them (the
					// proof matrix seeds one).
					optional[call.Operation+" "+call.Bucket] = true
					continue
				}
				if call.Optional {
					optional[call.Operation+" "+call.Bucket] = true
				} else {
					planned[call.Operation+" "+call.Bucket] = true
				}
			}
			for k := range got {
				if !planned[k] && !optional[k] {
					t.Errorf("the client called %s, which the %s model does not plan", k, c.client)
				}
			}
			for k := range planned {
				if !got[k] {
					t.Errorf("the %s model plans %s, which the client did not call", c.client, k)
				}
			}
			if t.Failed() {
				t.Logf("client calls: %v\nplanned: %v", sortedSet(got), sortedSet(planned))
			}
		})
	}
}

// planFor plans a command for data up to maxSize bytes.
func planFor(words []string, client plan.Client, maxSize int64) (*plan.Plan, error) {
	if client == plan.S5cmd {
		// The shell would not expand the quoted wildcard: keep it.
		for i, w := range words {
			words[i] = strings.Trim(w, "'")
		}
	}
	cmd, err := plan.ParseCommand(words, client)
	if err != nil {
		return nil, err
	}
	ctx := plan.Context{MaxObjectSize: maxSize}
	if !cmd.Recursive && strings.HasSuffix(cmd.Source.Key, "big.bin") {
		ctx.MinObjectSize = maxSize // the one object is the big one
	}
	return plan.Build(cmd, ctx)
}

// s5cmd returns the s5cmd binary: on PATH, or built by `make clients`
// into .tools/bin.
func s5cmd(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("s5cmd"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err == nil {
		root := filepath.Dir(strings.TrimSpace(string(out)))
		for _, p := range []string{filepath.Join(root, ".tools", "bin", "s5cmd"), filepath.Join(root, "bench", "bin", "s5cmd")} {
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
		}
	}
	if os.Getenv("LOCKSTEP_REQUIRE_CLIENTS") != "" {
		t.Fatal("s5cmd is not installed; run make clients")
	}
	t.Skip("s5cmd is not installed; run make clients")
	return ""
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
