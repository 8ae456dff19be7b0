package world

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const managedKeyWorld = `
region: eu-west-2
accounts:
  - id: "111111111111"
    keys:
      - id: 1234abcd-12ab-34cd-56ef-1234567890ab
        aliases: [alias/mine]
    buckets:
      - name: default-aws-s3
        encryption: {kms_key: "arn:aws:kms:eu-west-2:111111111111:alias/aws/s3"}
  - id: "222222222222"
`

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Every account has the AWS managed key aws/s3 (docs/authorization.md §3.3): its alias
// resolves, its ID is a stable UUID derived from the account, it is
// marked managed and kept out of the account's customer keys and out of
// the model.
func TestS3ManagedKey(t *testing.T) {
	m, err := Decode([]byte(managedKeyWorld), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Compile(m, "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, acct := range []string{"111111111111", "222222222222"} {
		k := w.Key("arn:aws:kms:eu-west-2:" + acct + ":alias/aws/s3")
		if k == nil {
			t.Fatalf("alias/aws/s3 of %s does not resolve", acct)
		}
		if !k.Managed || k.Account.ID != acct || w.S3Key(acct) != k || w.Account(acct).S3Key != k {
			t.Errorf("%s: key %+v is not the account's managed aws/s3 key", acct, k)
		}
		if !uuidRE.MatchString(k.ID) || k.ID != S3KeyID("eu-west-2", acct) {
			t.Errorf("%s: key ID %q is not the derived UUID", acct, k.ID)
		}
		if k.ARN != "arn:aws:kms:eu-west-2:"+acct+":key/"+k.ID || w.Key(k.ARN) != k {
			t.Errorf("%s: key ARN %q does not resolve to the key", acct, k.ARN)
		}
		if !reflect.DeepEqual(k.Aliases, []string{"alias/aws/s3"}) || k.Description != S3KeyDescription {
			t.Errorf("%s: aliases %v, description %q", acct, k.Aliases, k.Description)
		}
		for _, ck := range w.Account(acct).Keys {
			if ck == k {
				t.Errorf("%s: the managed key is listed among the customer keys", acct)
			}
		}
	}
	if n := len(w.Account("111111111111").Keys); n != 1 {
		t.Errorf("account 111111111111 has %d customer keys, want 1", n)
	}
	if len(m.Accounts[1].Keys) != 0 || m.FindKey(S3KeyID("eu-west-2", "111111111111")) != nil {
		t.Error("the managed key was added to the model")
	}
	if S3KeyID("eu-west-2", "111111111111") == S3KeyID("us-east-1", "111111111111") ||
		S3KeyID("eu-west-2", "111111111111") == S3KeyID("eu-west-2", "222222222222") {
		t.Error("the aws/s3 key ID does not depend on the region and the account")
	}
	b := w.Bucket("default-aws-s3")
	if b.KMSKey != w.S3Key("111111111111") {
		t.Errorf("bucket default key = %+v, want the aws/s3 key", b.KMSKey)
	}
	// The alias resolves as a resource too, to the key and its policy.
	r, err := w.Resource("arn:aws:kms:eu-west-2:111111111111:alias/aws/s3", "kms:Decrypt", nil)
	if err != nil || r.ARN != w.S3Key("111111111111").ARN || r.Policy != w.S3Key("111111111111").Policy {
		t.Errorf("Resource(alias/aws/s3) = %+v, %v", r, err)
	}
}

// The key policy is the real auto-s3-2 policy (docs/authorization.md §3.3).
func TestS3ManagedKeyPolicy(t *testing.T) {
	m, err := Decode([]byte(managedKeyWorld), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Compile(m, "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(w.S3Key("222222222222").Policy.Source, &got); err != nil {
		t.Fatal(err)
	}
	const auto = `{
	  "Version": "2012-10-17",
	  "Id": "auto-s3-2",
	  "Statement": [
	    {
	      "Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
	      "Effect": "Allow",
	      "Principal": {"AWS": "*"},
	      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
	      "Resource": "*",
	      "Condition": {"StringEquals": {"kms:CallerAccount": "222222222222", "kms:ViaService": "s3.eu-west-2.amazonaws.com"}}
	    },
	    {
	      "Sid": "Allow direct access to key metadata to the account",
	      "Effect": "Allow",
	      "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
	      "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
	      "Resource": "*"
	    }
	  ]
	}`
	if err := json.Unmarshal([]byte(auto), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("aws/s3 key policy:\n%s\nwant auto-s3-2:\n%s", w.S3Key("222222222222").Policy.Source, auto)
	}
}

// User-defined aliases still may not start with alias/aws/, and may not
// name the managed key's alias.
func TestS3ManagedKeyAliasReserved(t *testing.T) {
	for _, al := range []string{"alias/aws/s3", "alias/aws/x"} {
		doc := "accounts:\n  - id: \"111111111111\"\n    keys:\n      - id: 1234abcd-12ab-34cd-56ef-1234567890ab\n        aliases: [" + al + "]\n"
		_, err := Parse([]byte(doc), "w.yaml")
		if err == nil || !strings.Contains(err.Error(), `alias "`+al+`" of key arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab must start with alias/ and not alias/aws/`) {
			t.Errorf("alias %s: err = %v", al, err)
		}
	}
}
