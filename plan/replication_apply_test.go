package plan

import (
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/world"
)

// TestReplicationApplyMergesBucketPolicy: Apply merges the destination's
// planned statements into the world's bucket policy: the world's own
// statements stay, a planned statement replaces the world's of the same
// Sid, and a plan without the bucket's statements (a proof run) leaves the
// world's.
func TestReplicationApplyMergesBucketPolicy(t *testing.T) {
	const worldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    buckets: [{name: src}]
  - id: "222222222222"
    buckets:
      - name: dst
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: Theirs, Effect: Deny, Principal: "*", Action: s3:DeleteBucket, Resource: "arn:aws:s3:::dst"}
            - {Sid: ObjectsDst, Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "arn:aws:s3:::dst/*"}
`
	p, err := PlanReplication(ReplicationSetup{
		Source:      ReplicationBucket{Name: "src", Account: "111111111111", Region: "us-east-1"},
		Destination: ReplicationBucket{Name: "dst", Account: "222222222222", Region: "us-east-1"},
		RoleName:    "arn:aws:iam::111111111111:role/repl",
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != "arn:aws:iam::111111111111:role/repl" || p.Setup.RoleName != "repl" {
		t.Errorf("role %s named %s, want the ARN read into its name", p.Role, p.Setup.RoleName)
	}
	for _, tc := range []struct {
		name string
		plan *ReplicationPlan
		want []string
		not  []string
	}{
		{"plan", p, []string{`"Theirs"`, "s3:ReplicateObject"}, []string{"s3:GetObject"}},
		{"without the destination's step", p.WithoutStep(len(p.Steps) - 1), []string{`"Theirs"`, "s3:GetObject"}, []string{"s3:ReplicateObject"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := world.Decode([]byte(worldYAML), "w.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.plan.Apply(m); err != nil {
				t.Fatal(err)
			}
			text, err := m.FindBucket("dst").Policy.JSON()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(text), w) {
					t.Errorf("the merged policy lacks %s:\n%s", w, text)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(string(text), n) {
					t.Errorf("the merged policy has %s:\n%s", n, text)
				}
			}
		})
	}
}
