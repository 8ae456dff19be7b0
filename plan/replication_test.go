package plan

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const (
	srcKey  = "arn:aws:kms:us-east-1:111111111111:key/src"
	dstKey  = "arn:aws:kms:us-west-2:222222222222:key/dst"
	sameKey = "arn:aws:kms:us-east-1:111111111111:key/dst"
)

// statementsOf summarises a document: one line per statement, its
// principal, sorted actions, resources and conditions.
func statementsOf(d *Document) []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, st := range d.Statement {
		line := strings.Join(st.Action, ",") + " on " + strings.Join(st.Resource, ",")
		if p := st.Principal["AWS"]; p != "" {
			line = p + ": " + line
		}
		for _, op := range sortedMapKeys(st.Condition) {
			for _, k := range sortedMapKeys(st.Condition[op]) {
				line += " " + op + " " + k + "=" + strings.Join(st.Condition[op][k], "|")
			}
		}
		out = append(out, line)
	}
	return out
}

func TestPlanReplication(t *testing.T) {
	const role = "arn:aws:iam::111111111111:role/r"
	srcSide := ReplicationBucket{Name: "src", Account: "111111111111", Region: "us-east-1"}
	dstSame := ReplicationBucket{Name: "dst", Account: "111111111111", Region: "us-east-1"}
	dstCross := ReplicationBucket{Name: "dst", Account: "222222222222", Region: "us-west-2"}
	withKey := func(b ReplicationBucket, key string, bucketKey bool) ReplicationBucket {
		b.KMSKey, b.BucketKey = key, bucketKey
		return b
	}
	srcBucket := "s3:GetReplicationConfiguration,s3:ListBucket on arn:aws:s3:::src"
	srcObjects := "s3:GetObjectVersionAcl,s3:GetObjectVersionForReplication on arn:aws:s3:::src/*"
	decryptSrc := "kms:Decrypt on " + srcKey + " StringEquals kms:ViaService=s3.us-east-1.amazonaws.com StringLike kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::src/*"
	cases := []struct {
		name        string
		setup       ReplicationSetup
		permissions []string
		bucket      []string
		keys        map[string][]string
		err         string
	}{
		{
			name:        "same account, no KMS",
			setup:       ReplicationSetup{Source: srcSide, Destination: dstSame},
			permissions: []string{srcBucket, srcObjects, "s3:ReplicateObject on arn:aws:s3:::dst/*"},
		},
		{
			name:        "same account, delete markers and tags",
			setup:       ReplicationSetup{Source: srcSide, Destination: dstSame, DeleteMarkers: true, Tags: true},
			permissions: []string{srcBucket, "s3:GetObjectVersionAcl,s3:GetObjectVersionForReplication,s3:GetObjectVersionTagging on arn:aws:s3:::src/*", "s3:ReplicateDelete,s3:ReplicateObject,s3:ReplicateTags on arn:aws:s3:::dst/*"},
		},
		{
			name:  "same account, a CMK on each side, the destination's with an S3 Bucket Key",
			setup: ReplicationSetup{Source: withKey(srcSide, srcKey, false), Destination: withKey(dstSame, sameKey, true)},
			permissions: []string{srcBucket, srcObjects, decryptSrc, "s3:ReplicateObject on arn:aws:s3:::dst/*",
				"kms:Decrypt,kms:Encrypt on " + sameKey + " StringEquals kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::dst StringEquals kms:ViaService=s3.us-east-1.amazonaws.com"},
		},
		{
			name:        "cross account, no KMS",
			setup:       ReplicationSetup{Source: srcSide, Destination: dstCross},
			permissions: []string{srcBucket, srcObjects, "s3:ReplicateObject on arn:aws:s3:::dst/*"},
			bucket:      []string{role + ": s3:ReplicateObject on arn:aws:s3:::dst/*"},
		},
		{
			name:        "cross account, owner override and delete markers",
			setup:       ReplicationSetup{Source: srcSide, Destination: dstCross, OwnerOverride: true, DeleteMarkers: true},
			permissions: []string{srcBucket, srcObjects, "s3:ObjectOwnerOverrideToBucketOwner,s3:ReplicateDelete,s3:ReplicateObject on arn:aws:s3:::dst/*"},
			bucket:      []string{role + ": s3:ObjectOwnerOverrideToBucketOwner,s3:ReplicateDelete,s3:ReplicateObject on arn:aws:s3:::dst/*"},
		},
		{
			name:  "cross account, a CMK on each side",
			setup: ReplicationSetup{Source: withKey(srcSide, srcKey, false), Destination: withKey(dstCross, dstKey, false)},
			permissions: []string{srcBucket, srcObjects, decryptSrc, "s3:ReplicateObject on arn:aws:s3:::dst/*",
				"kms:Encrypt on " + dstKey + " StringEquals kms:ViaService=s3.us-west-2.amazonaws.com StringLike kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::dst/*"},
			bucket: []string{role + ": s3:ReplicateObject on arn:aws:s3:::dst/*"},
			keys:   map[string][]string{dstKey: {role + ": kms:Encrypt on * StringEquals kms:ViaService=s3.us-west-2.amazonaws.com StringLike kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::dst/*"}},
		},
		{name: "replica key without a source key", setup: ReplicationSetup{Source: srcSide, Destination: withKey(dstCross, dstKey, false)}, err: "give --kms-source too"},
		{name: "source key without a replica key", setup: ReplicationSetup{Source: withKey(srcSide, srcKey, false), Destination: dstCross}, err: "give --kms-dest"},
		{name: "owner override within one account", setup: ReplicationSetup{Source: srcSide, Destination: dstSame, OwnerOverride: true}, err: "owner override"},
		{name: "replica key of another region", setup: ReplicationSetup{Source: withKey(srcSide, srcKey, false), Destination: withKey(dstCross, "arn:aws:kms:us-east-1:222222222222:key/x", false)}, err: "region"},
		{name: "unknown accounts", setup: ReplicationSetup{Source: ReplicationBucket{Name: "src", Region: "us-east-1"}, Destination: dstSame}, err: "accounts are unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup.RoleName = "r"
			p, err := PlanReplication(tc.setup)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := statementsOf(p.Permissions); !reflect.DeepEqual(got, tc.permissions) {
				t.Errorf("permissions policy:\n got %q\nwant %q", got, tc.permissions)
			}
			if got := statementsOf(p.DestinationBucketPolicy); !reflect.DeepEqual(got, tc.bucket) {
				t.Errorf("destination bucket policy:\n got %q\nwant %q", got, tc.bucket)
			}
			gotKeys := map[string][]string{}
			for k, d := range p.Keys {
				gotKeys[k] = statementsOf(d)
			}
			if tc.keys == nil {
				tc.keys = map[string][]string{}
			}
			if !reflect.DeepEqual(gotKeys, tc.keys) {
				t.Errorf("key policy statements:\n got %q\nwant %q", gotKeys, tc.keys)
			}
			trust := statementsOf(p.Trust)
			if want := []string{"sts:AssumeRole on  StringEquals aws:SourceAccount=111111111111 StringEquals aws:SourceArn=arn:aws:s3:::src"}; !reflect.DeepEqual(trust, want) || p.Trust.Statement[0].Principal["Service"] != "s3.amazonaws.com" {
				t.Errorf("trust policy %q principal %v", trust, p.Trust.Statement[0].Principal)
			}
			r := p.Configuration.Rules[0]
			if r.ReplicatesDeleteMarkers() != tc.setup.DeleteMarkers || r.ReplicaKMSKey() != tc.setup.Destination.KMSKey {
				t.Errorf("configuration rule %+v does not say what the setup asks", r)
			}
			if _, ok := r.OwnerOverride(); ok != tc.setup.OwnerOverride {
				t.Errorf("configuration owner override %v, want %v", ok, tc.setup.OwnerOverride)
			}
			checkReplicationOutputs(t, p)
		})
	}
}

// checkReplicationOutputs checks the three formats: the text names every
// document, the JSON reads back, the Terraform parses with every policy
// valid JSON.
func checkReplicationOutputs(t *testing.T, p *ReplicationPlan) {
	t.Helper()
	var text, js, tf bytes.Buffer
	if err := p.WriteTable(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Trust policy of", "Permissions policy of", "put-bucket-replication"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output has no %q", want)
		}
	}
	if err := p.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back jsonReplicationPlan
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("JSON output: %v", err)
	}
	if len(back.Steps) != len(p.Steps) || back.Role != p.Role || (back.DestinationBucketPolicy == nil) != (p.DestinationBucketPolicy == nil) {
		t.Errorf("JSON output differs from the plan: %+v", back)
	}
	if err := p.WriteTerraform(&tf); err != nil {
		t.Fatal(err)
	}
	cfg := checkTerraform(t, tf.String())
	var addresses []string
	for _, a := range cfg.addresses {
		if strings.HasPrefix(a, "resource.") {
			addresses = append(addresses, a)
		}
	}
	sort.Strings(addresses)
	want := []string{"resource.aws_iam_role.r", "resource.aws_iam_role_policy.r", "resource.aws_s3_bucket_replication_configuration.src"}
	if p.DestinationBucketPolicy != nil {
		want = append(want, "resource.aws_s3_bucket_policy.dst")
	}
	sort.Strings(want)
	if !reflect.DeepEqual(addresses, want) {
		t.Errorf("Terraform resources %v, want %v", addresses, want)
	}
}
