package world

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The examples and the documentation's full example must load: docs that
// show a world file must not rot.
func TestExamplesLoad(t *testing.T) {
	if _, err := Load("../examples/world.yaml"); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/world.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(doc)
	if block == nil {
		t.Fatal("docs/world.md has no yaml block")
	}
	w, err := Parse(block[1], "docs/world.md")
	if err != nil {
		t.Fatal(err)
	}
	b := w.Bucket("kazue-sync-source")
	if b == nil || b.KMSKey == nil || b.Policy == nil || len(b.Objects) != 1 {
		t.Errorf("bucket not compiled as documented: %+v", b)
	}
	a := w.Account("111111111111")
	if len(a.SCPs) != 3 {
		t.Errorf("member account SCP levels = %d, want 3 (root, OU, account)", len(a.SCPs))
	}
	if want := "o-exampleorgid/r-ab12/ou-ab12-11111111/"; a.OrgID != "o-exampleorgid" || len(a.OrgPaths) != 1 || a.OrgPaths[0] != want {
		t.Errorf("member account organization = %q %q, want o-exampleorgid [%s]", a.OrgID, a.OrgPaths, want)
	}
	if w.Account("333333333333") != nil {
		t.Error("management account is not listed in accounts, it must not appear")
	}
}

// A broken world file gets an error with file, line and reason.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"unknown field", "accounts:\n  - id: \"111111111111\"\n    users:\n      - name: a\n        polices: {}\n", `w.yaml: line 5: polices is not a field of a user; did you mean policies?`},
		{"account id", "accounts:\n  - id: 11111\n", `w.yaml:2: accounts[0].id: "11111" is not a 12-digit account ID`},
		{"policy error line", "accounts:\n  - id: \"111111111111\"\n    users:\n      - name: a\n        policies:\n          p:\n            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: \"*\"\n                Condition:\n                  StringLike: {s3:prefix: {a: b}}\n",
			`w.yaml:12: policy "p" of user arn:aws:iam::111111111111:user/a: Statement[0].Condition.StringLike: value must be a string or list of strings`},
		{"json string policy", "accounts:\n  - id: \"111111111111\"\n    buckets:\n      - name: bkt\n        policy: '{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}'\n",
			`w.yaml:5: bucket policy of bkt: Statement.Principal: missing`},
		{"bad bucket name", "accounts:\n  - id: \"111111111111\"\n    buckets:\n      - name: Bad_Bucket\n", `w.yaml:4: bucket name "Bad_Bucket" is not a valid S3 bucket name`},
		{"duplicate bucket", "accounts:\n  - id: \"111111111111\"\n    buckets: [{name: bkt}]\n  - id: \"222222222222\"\n    buckets: [{name: bkt}]\n", `bucket "bkt" is listed in accounts 111111111111 and 222222222222`},
		{"unknown kms key", "accounts:\n  - id: \"111111111111\"\n    buckets:\n      - name: bkt\n        encryption: {kms_key: arn:aws:kms:us-east-1:111111111111:key/nope}\n", `encryption.kms_key`},
		{"empty", "", `the world file is empty`},
		{"not yaml", "accounts: [", `w.yaml: `},
		{"no accounts", "region: us-east-1\n", `the world has no accounts`},
		{"bad region", "region: mars\naccounts:\n  - id: \"111111111111\"\n", `w.yaml:1: region "mars"`},
		{"duplicate access key", "accounts:\n  - id: \"111111111111\"\n    users:\n      - {name: a, access_keys: [{id: K, secret: s}]}\n      - {name: b, access_keys: [{id: K, secret: s}]}\n", `access key K is given to both`},
		{"bad versioning", "accounts:\n  - id: \"111111111111\"\n    buckets: [{name: bkt, versioning: On}]\n", `w.yaml:3: bucket bkt: versioning "On" must be Enabled or Suspended`},
		{"bad ownership", "accounts:\n  - id: \"111111111111\"\n    buckets: [{name: bkt, ownership: Owner}]\n", `ownership "Owner"`},
		{"bucket policy naming another bucket", "accounts:\n  - id: \"111111111111\"\n    buckets:\n      - name: bkt\n        policy:\n          Statement:\n            - Effect: Allow\n              Principal: \"*\"\n              Action: s3:GetObject\n              Resource: [\"arn:aws:s3:::bkt/*\", \"arn:aws:s3:::other/*\"]\n",
			`w.yaml:10: bucket policy of bkt: Statement[0].Resource: "arn:aws:s3:::other/*" is not bucket bkt or an object in it`},
		{"bucket policy JSON naming another bucket", "accounts:\n  - id: \"111111111111\"\n    buckets:\n      - name: bkt\n        policy: '{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}'\n",
			`w.yaml:5: bucket policy of bkt: Statement.Resource: "*" is not bucket bkt or an object in it: a bucket policy can only name its own bucket, arn:aws:s3:::bkt and arn:aws:s3:::bkt/KEY (S3 rejects the policy: "Policy has invalid resource") (line 1, column`},
		{"group principal", "accounts:\n  - id: \"111111111111\"\n    roles:\n      - name: r\n        trust:\n          Statement:\n            - Effect: Allow\n              Principal: {AWS: \"arn:aws:iam::111111111111:group/dev\"}\n              Action: sts:AssumeRole\n",
			`w.yaml:8: trust policy of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "w.yaml")
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestPrincipalResolution(t *testing.T) {
	w, err := Load("../examples/world.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		arn, wantARN, wantRole, wantErr string
	}{
		{arn: "arn:aws:iam::111111111111:user/alice", wantARN: "arn:aws:iam::111111111111:user/alice"},
		{arn: "arn:aws:iam::111111111111:role/CopyRole", wantARN: "arn:aws:sts::111111111111:assumed-role/CopyRole/lockstep", wantRole: "arn:aws:iam::111111111111:role/CopyRole"},
		{arn: "arn:aws:sts::111111111111:assumed-role/CopyRole/i-123", wantARN: "arn:aws:sts::111111111111:assumed-role/CopyRole/i-123", wantRole: "arn:aws:iam::111111111111:role/CopyRole"},
		{arn: "111111111111", wantARN: "arn:aws:iam::111111111111:root"},
		{arn: "anonymous"},
		{arn: "arn:aws:iam::111111111111:user/nobody", wantErr: "no such user"},
		{arn: "arn:aws:iam::999999999999:user/x", wantErr: "account 999999999999 is not in the world"},
		{arn: "alice", wantErr: "is not a user, role"},
	}
	for _, tt := range tests {
		p, err := w.Principal(tt.arn)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.arn, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.arn, err)
			continue
		}
		if p.ARN != tt.wantARN || p.RoleARN != tt.wantRole {
			t.Errorf("%s: ARN %q role %q, want %q %q", tt.arn, p.ARN, p.RoleARN, tt.wantARN, tt.wantRole)
		}
	}
	if _, err := w.Resource("arn:aws:s3:::missing/x", "s3:GetObject", nil); err == nil || !strings.Contains(err.Error(), "not in the world file") {
		t.Errorf("unknown bucket: %v", err)
	}
	r, err := w.Resource("arn:aws:kms:us-east-1:222222222222:alias/cp-dst", "kms:Decrypt", nil)
	if err != nil || r.ARN != "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab" {
		t.Errorf("alias did not resolve to its key: %v %v", r, err)
	}
}
