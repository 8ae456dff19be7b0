package check

import (
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/world"
)

// kmsWorld: alice may write to bkt and use key k1 (alias/k1) but not k2
// (alias/k2), nor put object ACLs.
const kmsWorld = `
accounts:
  - id: "111111111111"
    users:
      - name: alice
        policies:
          write:
            Statement:
              - {Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::bkt/*"}
              - {Effect: Allow, Action: kms:GenerateDataKey, Resource: "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-4111-8111-111111111111"}
    buckets: [{name: bkt}]
    keys:
      - {id: 11111111-1111-4111-8111-111111111111, aliases: [alias/k1]}
      - {id: 22222222-2222-4222-8222-222222222222, aliases: [alias/k2]}
`

// An --sse-kms-key-id alias or key ID is checked as the key it names in
// the caller's account (the plan resolves it), and --grants needs
// s3:PutObjectAcl (issue 9).
func TestKMSKeyAndGrants(t *testing.T) {
	w, err := world.Parse([]byte(kmsWorld), "kms.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		flags string
		ok    bool
		// denied is the action denied first, key the KMS key checked.
		denied, key string
	}{
		{flags: "--sse aws:kms --sse-kms-key-id alias/k1", ok: true, key: "key/11111111-1111-4111-8111-111111111111"},
		{flags: "--sse aws:kms --sse-kms-key-id 11111111-1111-4111-8111-111111111111", ok: true, key: "key/11111111-1111-4111-8111-111111111111"},
		{flags: "--sse aws:kms --sse-kms-key-id alias/k2", denied: "kms:GenerateDataKey", key: "key/22222222-2222-4222-8222-222222222222"},
		{flags: "--grants read=uri=http://acs.amazonaws.com/groups/global/AllUsers", denied: "s3:PutObjectAcl"},
	}
	for _, tt := range tests {
		t.Run(tt.flags, func(t *testing.T) {
			cmd, err := plan.ParseCommand(strings.Fields("aws s3 cp ./f.txt s3://bkt/ "+tt.flags), plan.AWSv2)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Run(w, "arn:aws:iam::111111111111:user/alice", cmd, Options{Now: testTime, MaxObjectSize: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			if r.OK != tt.ok {
				t.Errorf("ok %v, want %v: denied %v", r.OK, tt.ok, denials(r))
			}
			if d := denials(r); !tt.ok && (len(d) == 0 || d[0].action != tt.denied) {
				t.Errorf("denied %v, want %s first", d, tt.denied)
			}
			var keys []string
			for _, c := range r.Calls {
				for _, ch := range c.Checks {
					if ch.ViaS3 {
						keys = append(keys, ch.Resource)
					}
				}
			}
			if tt.key != "" && (len(keys) == 0 || !strings.HasSuffix(keys[0], tt.key)) {
				t.Errorf("KMS checks on %v, want %s", keys, tt.key)
			}
		})
	}
	cmd, _ := plan.ParseCommand(strings.Fields("aws s3 cp ./f.txt s3://bkt/ --sse aws:kms --sse-kms-key-id alias/k3"), plan.AWSv2)
	if _, err := Run(w, "arn:aws:iam::111111111111:user/alice", cmd, Options{Now: testTime}); err == nil || !strings.Contains(err.Error(), "has no key arn:aws:kms:us-east-1:111111111111:alias/k3") {
		t.Errorf("unknown alias: %v", err)
	}
}
