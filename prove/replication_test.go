package prove_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/prove"
	"github.com/lockstep-dev/lockstep/world"
)

// replicationWorldYAML: accounts 111111111111 (buckets src, srckms with
// key srckey by default, dstsame, dstsamekms with key samekey) and
// 222222222222 (buckets xdst, xdstkms with key dstkey). No role: the
// plan brings it.
const replicationWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    buckets:
      - name: src
      - name: srckms
        encryption: {kms_key: "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-4111-8111-111111111111"}
      - name: dstsame
      - name: dstsamekms
        encryption: {kms_key: "arn:aws:kms:us-east-1:111111111111:key/33333333-3333-4333-8333-333333333333"}
    keys:
      - id: 11111111-1111-4111-8111-111111111111
      - id: 33333333-3333-4333-8333-333333333333
  - id: "222222222222"
    buckets:
      - name: xdst
      - name: xdstkms
        encryption: {kms_key: "arn:aws:kms:us-east-1:222222222222:key/22222222-2222-4222-8222-222222222222"}
    keys:
      - id: 22222222-2222-4222-8222-222222222222
`

// TestReplicationProof: same-account and cross-account replication, with
// and without a customer managed key on each side, are planned and
// proved: with every planned permission every version is COMPLETED and
// every replica byte-exact, and without each permission (and without the
// trust policy) a version is FAILED (or a replica lacks its tags) with
// the denial in the audit log.
func TestReplicationProof(t *testing.T) {
	m, err := world.Decode([]byte(replicationWorldYAML), "replication.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Compile(m, "replication.yaml")
	if err != nil {
		t.Fatal(err)
	}
	side := func(bucket string) plan.ReplicationBucket {
		b := w.Bucket(bucket)
		s := plan.ReplicationBucket{Name: b.Name, Account: b.Account.ID, Region: b.Region}
		if b.KMSKey != nil {
			s.KMSKey = b.KMSKey.ARN
		}
		return s
	}
	tests := []struct {
		name     string
		src, dst string
		// tags, markers and override are the plan's options.
		tags, markers, override bool
	}{
		{name: "same account", src: "src", dst: "dstsame"},
		{name: "same account with a key on each side, tags and delete markers", src: "srckms", dst: "dstsamekms", tags: true, markers: true},
		{name: "cross account", src: "src", dst: "xdst", override: true},
		{name: "cross account with a key on each side", src: "srckms", dst: "xdstkms", tags: true, markers: true, override: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := plan.PlanReplication(plan.ReplicationSetup{Source: side(tt.src), Destination: side(tt.dst), RoleName: "replication",
				Tags: tt.tags, DeleteMarkers: tt.markers, OwnerOverride: tt.override})
			if err != nil {
				t.Fatal(err)
			}
			proof, err := prove.Replication(context.Background(), p, m, prove.ReplicationOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			proof.Write(&out)
			if !proof.Baseline.OK() {
				t.Fatalf("the baseline fails:\n%s", out.String())
			}
			if len(proof.Checks) != len(p.Steps)+1 {
				t.Errorf("%d checks for %d steps and the trust policy", len(proof.Checks), len(p.Steps))
			}
			for _, c := range proof.Checks {
				if !c.Necessary {
					t.Errorf("%s on %s not shown necessary: %s", c.Need.Action, c.Need.Resource, c.Run.Problem)
				}
			}
			if !strings.Contains(out.String(), "verdict: sufficient, and") || t.Failed() {
				t.Log(out.String())
			}
		})
	}
}
