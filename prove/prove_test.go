package prove

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replay"
	"github.com/lockstep-dev/lockstep/world"
)

func clientsOrSkip(t *testing.T, need func(replay.Clients) string) replay.Clients {
	t.Helper()
	c := replay.FindClients()
	if need(c) == "" {
		if os.Getenv("LOCKSTEP_REQUIRE_CLIENTS") != "" {
			t.Fatal("the client is not installed; run make clients")
		}
		t.Skip("the client is not installed; run make clients")
	}
	return c
}

// TestProveSyncUpload: the plan of an upload sync with --delete is
// sufficient (byte-exact, the destination-only object deleted), each
// planned permission is necessary, and a permission the client does not
// use is found unnecessary (issue 4: --prove).
func TestProveSyncUpload(t *testing.T) {
	cl := clientsOrSkip(t, func(c replay.Clients) string { return c.AWS })
	cmd, err := plan.ParseCommand([]string{"aws", "s3", "sync", "./data", "s3://proof-bucket/backup/", "--delete"}, plan.AWSv2)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(cmd, plan.Context{Principal: "arn:aws:sts::111111111111:assumed-role/backup/job"})
	if err != nil {
		t.Fatal(err)
	}
	proof, err := Prove(context.Background(), p, Options{Clients: cl})
	if err != nil {
		t.Fatal(err)
	}
	if !proof.Baseline.OK() {
		t.Fatalf("with the planned permissions the sync fails: %s\n%s", proof.Baseline.Problem, proof.Baseline.Output)
	}
	for _, c := range proof.Checks {
		if !c.Necessary {
			t.Errorf("%s on %s: the sync succeeded without it", c.Need.Action, c.Need.Resource)
		}
	}
	if len(proof.Checks) != 3 { // ListBucket, PutObject, DeleteObject
		t.Errorf("%d permissions checked, want 3 (s3:ListBucket, s3:PutObject, s3:DeleteObject)", len(proof.Checks))
	}

	// A permission the client never uses is found unnecessary.
	extra := plan.Need{Action: "s3:GetObjectAcl", Resource: "arn:aws:s3:::proof-bucket/backup/*", Account: "111111111111"}
	proof, err = Prove(context.Background(), p.WithNeed(extra), Options{Clients: cl})
	if err != nil {
		t.Fatal(err)
	}
	un := proof.Unnecessary()
	if len(un) != 1 || un[0].Need.Action != "s3:GetObjectAcl" {
		t.Errorf("unnecessary: %v, want s3:GetObjectAcl only", un)
	}
}

// kmsAliasWorld: the principal's bucket dst-a and a customer managed key
// with the alias alias/backups, whose key policy delegates to the account.
const kmsAliasWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    roles:
      - name: sync
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}
    keys:
      - {id: 5555eeee-0000-4000-8000-000000000005, aliases: [alias/backups]}
    buckets:
      - name: dst-a
`

// TestProveKMSAlias: --sse-kms-key-id given as an alias or a bare key id
// is resolved to the key ARN through the world (never written into a
// policy as an alias or an id), and the plan built on it is proved with
// each real client: the key's KMS permissions are sufficient and
// necessary (issue 9).
func TestProveKMSAlias(t *testing.T) {
	const keyARN = "arn:aws:kms:us-east-1:111111111111:key/5555eeee-0000-4000-8000-000000000005"
	cases := []struct {
		client plan.Client
		args   string
		need   func(replay.Clients) string
	}{
		{plan.AWSv2, "aws s3 sync ./up s3://dst-a/p/ --sse aws:kms --sse-kms-key-id alias/backups", func(c replay.Clients) string { return c.AWS }},
		{plan.AWSv1, "aws s3 cp ./up s3://dst-a/p/ --recursive --sse aws:kms --sse-kms-key-id 5555eeee-0000-4000-8000-000000000005", func(c replay.Clients) string { return c.AWSv1 }},
		{plan.Rclone, "rclone copy --s3-server-side-encryption aws:kms --s3-sse-kms-key-id alias/backups ./up s3-remote:dst-a/p", func(c replay.Clients) string { return c.Rclone }},
		{plan.S5cmd, "s5cmd cp --sse aws:kms --sse-kms-key-id alias/backups ./up/ s3://dst-a/p/", func(c replay.Clients) string { return c.S5cmd }},
	}
	m, err := world.Decode([]byte(kmsAliasWorld), "alias.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Compile(m.Clone(), "alias.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(string(tc.client), func(t *testing.T) {
			t.Parallel()
			cl := clientsOrSkip(t, tc.need)
			cmd, err := plan.ParseCommand(strings.Fields(tc.args), tc.client)
			if err != nil {
				t.Fatal(err)
			}
			ctx := plan.ContextFromWorld(w, "arn:aws:sts::111111111111:assumed-role/sync/job")
			ctx.MaxObjectSize = 1 << 20
			p, err := plan.Build(cmd, ctx)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, n := range p.Needs {
				if strings.Contains(n.Resource, "alias/") || (strings.HasPrefix(n.Action, "kms:") && !strings.HasPrefix(n.Resource, "arn:")) {
					t.Errorf("a policy names the key by alias or id: %s on %s", n.Action, n.Resource)
				}
				found = found || (n.Action == "kms:GenerateDataKey" && n.Resource == keyARN)
			}
			if !found {
				t.Fatalf("no kms:GenerateDataKey on %s in %+v", keyARN, p.Needs)
			}
			proof, err := Prove(context.Background(), p, Options{Clients: cl, World: m})
			if err != nil {
				t.Fatal(err)
			}
			if !proof.Baseline.OK() || len(proof.Unnecessary()) > 0 {
				t.Fatalf("%s\n%s\n%s", proof.Verdict(), proof.Baseline.Problem, proof.Baseline.Output)
			}
		})
	}
}

// TestRcloneKMSDefaultWithoutFlag: rclone uploading into a bucket whose
// default encryption is SSE-KMS, without --s3-server-side-encryption
// aws:kms, fails on AWS with "corrupted on transfer" (S3 gives SSE-KMS
// objects ETags that are not MD5s; rclone issue 1824). The emulator
// answers as S3 does, so the proof fails, and the plan says why.
func TestRcloneKMSDefaultWithoutFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real client")
	}
	cl := clientsOrSkip(t, func(c replay.Clients) string { return c.Rclone })
	cmd, err := plan.ParseCommand(strings.Fields("rclone copyto ./dir/f.txt s3-remote:cmk-b/p/k.txt"), plan.Rclone)
	if err != nil {
		t.Fatal(err)
	}
	ctx := plan.Context{Principal: matrixPrincipal, BucketAccount: matrixAccounts, BucketKMSKey: map[string]string{"cmk-b": matrixKey}, MaxObjectSize: 1 << 20}
	p, err := plan.Build(cmd, ctx)
	if err != nil {
		t.Fatal(err)
	}
	note := false
	for _, n := range p.Notes {
		note = note || strings.Contains(n, "--s3-server-side-encryption aws:kms --s3-sse-kms-key-id "+matrixKey)
	}
	if !note {
		t.Errorf("no note to give the encryption; notes: %q", p.Notes)
	}
	proof, err := Prove(context.Background(), p, Options{Clients: cl})
	if err != nil {
		t.Fatal(err)
	}
	if proof.Baseline.OK() || !strings.Contains(proof.Baseline.Output, "corrupted on transfer") {
		t.Fatalf("want the upload to fail as on AWS (corrupted on transfer); got %s\n%s", proof.Verdict(), proof.Baseline.Output)
	}
}
