package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const replWorld = "testdata/replication-world.yaml"

// TestPlanReplicationCommand: with --world, the plan takes the buckets'
// accounts, regions and default keys from the world; without, from the
// flags; bad input exits 2 naming the flag.
func TestPlanReplicationCommand(t *testing.T) {
	world := replWorld
	code, out, errOut := runCLI(t, "plan", "replication", "--world", world, "--source", "s3://src", "--dest", "s3://dst", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var p struct {
		Destination struct {
			Account, Region, KMSKey string
			BucketKey               bool
		} `json:"destination"`
		KeyPolicyStatements     []json.RawMessage `json:"keyPolicyStatements"`
		DestinationBucketPolicy json.RawMessage   `json:"destinationBucketPolicy"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	d := p.Destination
	if d.Account != "222222222222" || d.Region != "us-east-1" || !d.BucketKey || !strings.HasSuffix(d.KMSKey, "22222222-2222-4222-8222-222222222222") {
		t.Errorf("destination from the world: %+v", d)
	}
	if len(p.KeyPolicyStatements) != 1 || p.DestinationBucketPolicy == nil {
		t.Errorf("want the destination's bucket policy and one key's statements: %s", out)
	}
	code, out, errOut = runCLI(t, "plan", "replication", "--source", "s3://a", "--dest", "s3://b", "--source-account", "111111111111", "--delete-markers")
	if code != 0 || !strings.Contains(out, "s3:ReplicateDelete") || strings.Contains(out, "Bucket policy of") {
		t.Errorf("same-account plan: exit %d\n%s%s", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--source", "a", "--dest", "s3://b", "--source-account", "111111111111"}, "--source"},
		{[]string{"--source", "s3://a", "--dest", "s3://b"}, "--source-account"},
		{[]string{"--world", world, "--source", "s3://src", "--dest", "s3://nowhere"}, "nowhere"},
		{[]string{"--world", world, "--source", "s3://src", "--dest", "s3://dst", "--dest-region", "eu-west-1"}, "--dest-region"},
	} {
		code, _, errOut := runCLI(t, append([]string{"plan", "replication"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", tc.args, code, errOut, tc.want)
		}
	}
}
