package acctimport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/world"
)

// importFixture imports testdata/two-accounts and compiles the world it
// writes, as `lockstep world import` does: through its YAML text.
func importFixture(t *testing.T) (*world.World, *Report, string) {
	t.Helper()
	m, rep, err := Import([]string{"testdata/two-accounts"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	text, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Parse(text, "imported.yaml")
	if err != nil {
		t.Fatalf("the imported world does not compile: %v\n%s", err, text)
	}
	return w, rep, string(text)
}

// TestImportDecides: the world imported from the two-account dump decides
// as the accounts' policies say: the default version of a managed policy,
// groups, a boundary, a role chain, an SCP on an OU, a cross-account
// bucket policy and a key policy.
func TestImportDecides(t *testing.T) {
	w, _, text := importFixture(t)
	const (
		ec2    = "arn:aws:sts::111111111111:assumed-role/EC2Role/i-0123456789abcdef0"
		deploy = "arn:aws:sts::111111111111:assumed-role/DeployRole/deploy"
		ops    = "arn:aws:iam::111111111111:user/ops"
	)
	tests := []struct {
		name, principal, operation, bucket, key, source string
		action, resource                                string // for a non-S3 decision
		allowed                                         bool
	}{
		{name: "managed policy, default version v2", principal: ec2, operation: "GetObject", bucket: "cp-src", key: "1gb.dat", allowed: true},
		{name: "cross-account CopyObject into the CMK bucket", principal: ec2, operation: "CopyObject", bucket: "cp-dst", key: "1mb.dat", source: "cp-src/1mb.dat", allowed: true},
		{name: "cross-account UploadPartCopy: kms:Decrypt in key policy and IAM", principal: ec2, operation: "UploadPartCopy", bucket: "cp-dst", key: "1gb.dat", source: "cp-src/1gb.dat", allowed: true},
		{name: "no bucket policy grant for listing cp-dst", principal: ec2, operation: "ListObjectsV2", bucket: "cp-dst", allowed: false},
		{name: "group inline policy", principal: ops, operation: "ListObjectsV2", bucket: "cp-src", allowed: true},
		{name: "group managed policy inside the boundary", principal: ops, operation: "GetObject", bucket: "cp-src", key: "a", allowed: true},
		{name: "group managed policy outside the boundary", principal: ops, operation: "PutObject", bucket: "cp-src", key: "a", allowed: false},
		{name: "role chain: EC2Role may assume DeployRole", principal: ec2, action: "sts:AssumeRole", resource: "arn:aws:iam::111111111111:role/deploy/DeployRole", allowed: true},
		{name: "inline s3:* of DeployRole", principal: deploy, operation: "PutObject", bucket: "cp-src", key: "a", allowed: true},
		{name: "SCP on the OU denies DeleteBucket", principal: deploy, operation: "DeleteBucket", bucket: "cp-src", allowed: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := w.Principal(tt.principal)
			if err != nil {
				t.Fatal(err)
			}
			var allowed bool
			if tt.operation != "" {
				call := enforce.Call{Operation: tt.operation, Bucket: tt.bucket, Key: tt.key, Env: authz.Env{SecureTransport: true, SourceIP: "203.0.113.10"}}
				if tt.source != "" {
					call.SourceBucket, call.SourceKey, _ = strings.Cut(tt.source, "/")
				}
				res, err := enforce.Authorize(w, p, call)
				if err != nil {
					t.Fatal(err)
				}
				allowed = res.Denied() == nil
			} else {
				req, err := w.Request(p, tt.action, tt.resource, authz.Env{}, nil)
				if err != nil {
					t.Fatal(err)
				}
				allowed = authz.Decide(req).Allowed()
			}
			if allowed != tt.allowed {
				t.Errorf("allowed = %v, want %v\n%s", allowed, tt.allowed, text)
			}
		})
	}
}

// TestImportSeed003: the seed 003 scenario's final step (examples/) decides
// on the imported world as on the seed's own: every call allowed.
func TestImportSeed003(t *testing.T) {
	w, _, _ := importFixture(t)
	s, err := examples.Seed("003")
	if err != nil {
		t.Fatal(err)
	}
	last := s.Steps[len(s.Steps)-1]
	p, err := w.Principal(s.Principal)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range last.Calls {
		call := enforce.Call{Operation: c.Operation, Bucket: c.Bucket, Key: c.Key, Env: authz.Env{SecureTransport: true, SourceIP: "203.0.113.10"}}
		if c.Source != "" {
			call.SourceBucket, call.SourceKey, _ = strings.Cut(c.Source, "/")
		}
		res, err := enforce.Authorize(w, p, call)
		if err != nil {
			t.Fatal(err)
		}
		if d := res.Denied(); (d == nil) != (c.Expect == "allowed") {
			t.Errorf("%s %s/%s: denied %v, the seed expects %s", c.Operation, c.Bucket, c.Key, d, c.Expect)
		}
	}
}

// TestImportMaps checks what the import wrote and reported.
func TestImportMaps(t *testing.T) {
	w, rep, text := importFixture(t)
	a := w.Account("111111111111")
	if a == nil || a.Name != "copy-source" {
		t.Fatalf("account 111111111111: %+v", a)
	}
	if len(a.SCPs) != 3 || len(a.RCPs) == 0 {
		t.Errorf("account 111111111111: %d SCP levels (want root, OU, account), %d RCP levels", len(a.SCPs), len(a.RCPs))
	}
	if want := "o-exampleorgid/r-ab12/ou-ab12-11111111/"; len(a.OrgPaths) != 1 || a.OrgPaths[0] != want {
		t.Errorf("org path %v, want %s", a.OrgPaths, want)
	}
	b := w.Bucket("cp-dst")
	if b == nil || b.KMSKey == nil || b.KMSKey.ID != "1234abcd-12ab-34cd-56ef-1234567890ab" || b.Policy == nil || b.Account.ID != "222222222222" {
		t.Errorf("bucket cp-dst: %+v", b)
	}
	if b.Versioning != world.VersioningEnabled {
		t.Errorf("bucket cp-dst: versioning %q, want Enabled (get-bucket-versioning)", b.Versioning)
	}
	if v := w.Bucket("cp-src").Versioning; v != "" {
		t.Errorf("bucket cp-src: versioning %q, want none (its get-bucket-versioning printed nothing)", v)
	}
	k := w.Key("arn:aws:kms:us-east-1:222222222222:alias/cp-dst")
	if k == nil || k.Description == "" {
		t.Errorf("alias/cp-dst: %+v", k)
	}
	if r := w.Role("arn:aws:iam::111111111111:role/deploy/DeployRole"); r == nil || r.Trust == nil {
		t.Errorf("DeployRole: %+v", r)
	}
	warned := strings.Join(rep.Warnings, "\n")
	for _, want := range []string{"user ops of account 111111111111: managed policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess is attached but not in the dumps: it is left out and grants nothing here"} {
		if !strings.Contains(warned, want) {
			t.Errorf("warnings lack %q:\n%s", want, warned)
		}
	}
	if len(rep.Read) != 26 {
		t.Errorf("read %d files, want 26:\n%s", len(rep.Read), strings.Join(rep.Read, "\n"))
	}
	if strings.Contains(text, "access_keys") || strings.Contains(text, "secret") {
		t.Errorf("the imported world holds access keys:\n%s", text)
	}
}

// Bad input is an error naming the file and what to do.
func TestImportErrors(t *testing.T) {
	tests := []struct{ name, file, content, want string }{
		{"unknown output", "x.json", `{"Foo": 1}`, `x.json: not an output lockstep reads (fields Foo)`},
		{"policy without a name", "111111111111/policy.json", `{"Policy": "{}"}`, `a bucket policy or a key policy? Name the file BUCKET.get-bucket-policy.json or KEYID.get-key-policy.json`},
		{"not json", "a.json", `[1,`, `a.json: not a JSON object`},
		{"empty output of another command", "111111111111/b.get-bucket-policy.json", ``, `b.get-bucket-policy.json: not a JSON object`},
		{"unknown versioning state", "111111111111/bkt.get-bucket-versioning.json", `{"Status": "On"}`, `bkt.get-bucket-versioning.json: Status "On" is not a versioning state S3 documents (Enabled, Suspended)`},
		{"account unknown", "bkt.get-bucket-policy.json", `{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}`, `which account is it of?`},
		{"no default version", "get-account-authorization-details.json", `{"Policies": [{"PolicyName": "p", "Arn": "arn:aws:iam::111111111111:policy/p", "PolicyVersionList": [{"Document": {}, "VersionId": "v1", "IsDefaultVersion": false}]}], "IsTruncated": false}`, `managed policy arn:aws:iam::111111111111:policy/p: no default version`},
		{"bad document", "get-account-authorization-details.json", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111111111111:user/u", "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "not json"}]}]}`, `policy "p" of user u: the string is not a JSON policy document`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, tt.file)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := Import([]string{dir}, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
