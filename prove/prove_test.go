package prove

import (
	"context"
	"os"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replay"
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
