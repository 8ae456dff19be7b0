package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/world"
)

// TestSnapshotReadCallsWithAWSCLI: the AWS CLI v2 reads the emulator's
// IAM and Organizations read calls as it reads AWS's: it follows
// get-account-authorization-details's pages (MaxItems 2) and decodes the
// URL-encoded documents; it follows Organizations' NextToken; a member
// account is refused the organization's listing with
// AccessDeniedException (issue 13).
func TestSnapshotReadCallsWithAWSCLI(t *testing.T) {
	cli := awsV2(t)
	m, err := world.LoadModel("../cmd/lockstep/testdata/snapshot-world.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(context.Background(), emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, WorldFile: "snapshot-world.yaml", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	mgmt := env(t, creds{key: "AKIASNAPSHOT1111AAAA", secret: "snapshotsecret1111111111111111111111111"}, "us-east-1")
	workload := env(t, creds{key: "AKIASNAPSHOT2222AAAA", secret: "snapshotsecret2222222222222222222222222"}, "us-east-1")
	dir := t.TempDir()

	r := run(t, mgmt, dir, cli.path, "--endpoint-url", srv.Endpoint(), "iam", "get-account-authorization-details", "--page-size", "2", "--output", "json")
	if r.err != nil {
		t.Fatalf("get-account-authorization-details: %s", r)
	}
	var gaad struct {
		UserDetailList []struct {
			UserName       string
			UserPolicyList []struct{ PolicyDocument any }
		}
		Policies []struct{ Arn string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &gaad); err != nil {
		t.Fatal(err)
	}
	if len(gaad.UserDetailList) != 4 || len(gaad.Policies) != 4 {
		t.Errorf("the CLI merged %d users and %d policies, want 4 and 4:\n%s", len(gaad.UserDetailList), len(gaad.Policies), r.stdout)
	}
	for _, u := range gaad.UserDetailList {
		if u.UserName != "carol" {
			continue
		}
		doc, ok := u.UserPolicyList[0].PolicyDocument.(map[string]any)
		if !ok || !strings.Contains(r.stdout, `"Action": "s3:PutObject"`) || doc["Version"] != "2012-10-17" {
			t.Errorf("carol's policy was not decoded by the CLI: %#v", u.UserPolicyList[0].PolicyDocument)
		}
	}

	r = run(t, mgmt, dir, cli.path, "--endpoint-url", srv.Endpoint(), "organizations", "list-policies", "--filter", "SERVICE_CONTROL_POLICY", "--page-size", "1", "--query", "Policies[].Id", "--output", "text")
	if r.err != nil || len(strings.Fields(r.stdout)) != 2 || !strings.Contains(r.stdout, "p-FullAWSAccess") {
		t.Errorf("list-policies: want p-FullAWSAccess and the OU's SCP: %s", r)
	}
	r = run(t, workload, dir, cli.path, "--endpoint-url", srv.Endpoint(), "organizations", "list-accounts")
	if r.err == nil || !strings.Contains(r.stderr, "AccessDeniedException") {
		t.Errorf("list-accounts from a member account: %s", r)
	}
}
