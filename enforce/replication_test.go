package enforce_test

import (
	"testing"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/replication"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// replicationWorld: the role R may read the source's object versions and
// decrypt with the source key through S3 in us-east-1 for src's objects
// only; src uses the key with an S3 Bucket Key, dst does not.
const replicationWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    roles:
      - name: R
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: sts:AssumeRole}]}
        policies:
          replication:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:GetObjectVersionForReplication, Resource: "arn:aws:s3:::src/*"}
              - Effect: Allow
                Action: kms:Decrypt
                Resource: "arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"
                Condition:
                  StringEquals: {kms:ViaService: s3.us-east-1.amazonaws.com, "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::src"}
    buckets:
      - name: src
        encryption: {kms_key: "arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001", bucket_key: true}
      - name: dst
    keys:
      - id: 1111aaaa-0000-4000-8000-000000000001
`

// TestAuthorizeReplication: a step is decided on its side's resource as
// the role's session; KMS steps carry kms:ViaService and the encryption
// context of a call S3 makes (the bucket's ARN with an S3 Bucket Key).
func TestAuthorizeReplication(t *testing.T) {
	w := loadWorld(t, replicationWorld)
	session := w.SessionPrincipal(w.Role("arn:aws:iam::111111111111:role/R"), "s3-replication")
	const key = "arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"
	step := func(action string, side replication.Side, on s3ops.Target) replication.Step {
		for _, s := range replication.Steps() {
			if s.Action == action && s.Side == side && s.On == on {
				return s
			}
		}
		t.Fatalf("no step %s on the %s's %s", action, side, on)
		return replication.Step{}
	}
	read := step("s3:GetObjectVersionForReplication", replication.OnSource, s3ops.Object)
	decrypt := step("kms:Decrypt", replication.OnSource, s3ops.KMSKey)
	write := step("s3:ReplicateObject", replication.OnDestination, s3ops.Object)
	cases := []struct {
		name     string
		call     enforce.ReplicationCall
		resource string
		allowed  bool
	}{
		{"source object", enforce.ReplicationCall{Step: read, Bucket: "src", Key: "k"}, "arn:aws:s3:::src/k", true},
		{"source key through S3 with the bucket context", enforce.ReplicationCall{Step: decrypt, Bucket: "src", Key: "k", KMSKey: key, BucketKey: true}, key, true},
		{"source key with the object context", enforce.ReplicationCall{Step: decrypt, Bucket: "src", Key: "k", KMSKey: key}, key, false},
		{"destination object not granted", enforce.ReplicationCall{Step: write, Bucket: "dst", Key: "k"}, "arn:aws:s3:::dst/k", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := enforce.AuthorizeReplication(w, session, tc.call)
			if err != nil {
				t.Fatal(err)
			}
			if c.Resource != tc.resource || c.Decision.Allowed() != tc.allowed {
				t.Errorf("%s on %s allowed %v; want %s allowed %v", c.Action, c.Resource, c.Decision.Allowed(), tc.resource, tc.allowed)
			}
			if (tc.call.Step.On == s3ops.KMSKey) != (c.KMS != nil) {
				t.Errorf("KMS field %v for a step on %s", c.KMS, tc.call.Step.On)
			}
			if v, _ := contextValue(t, *c, "kms:ViaService"); tc.call.Step.On == s3ops.KMSKey && v != "s3.us-east-1.amazonaws.com" {
				t.Errorf("kms:ViaService = %q", v)
			}
		})
	}
	for _, bad := range []enforce.ReplicationCall{
		{Step: read, Bucket: "nosuch", Key: "k"},
		{Step: read, Bucket: "src"},
		{Step: decrypt, Bucket: "src", Key: "k"},
	} {
		if _, err := enforce.AuthorizeReplication(w, session, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
