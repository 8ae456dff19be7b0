package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/internal/matrix"
	"github.com/lockstep-dev/lockstep/lint"
	"github.com/lockstep-dev/lockstep/policy"
)

// lintRow is a command line planned as the proof matrix plans it.
type lintRow struct {
	client Client
	args   string
	max    int64 // largest object; 0: any size
}

// matrixRows are the command lines of the base proof matrix, the list
// package prove proves (internal/matrix).
func matrixRows() []lintRow {
	var rows []lintRow
	for _, r := range matrix.Base() {
		rows = append(rows, lintRow{Client(r.Client), r.Args, r.Max})
	}
	return rows
}

// moreRows go beyond the matrix: SSE-KMS flags, ACLs, single objects,
// deletes, and copies between the other account's buckets.
func moreRows() []lintRow {
	return []lintRow{
		{AWSv2, "aws s3 cp ./f s3://dst-b/x/ --sse aws:kms", 0},
		{AWSv2, "aws s3 cp ./f s3://dst-b/x/ --sse aws:kms --sse-kms-key-id " + testKey + " --acl bucket-owner-full-control", 0},
		{AWSv2, "aws s3 sync s3://cmk-b/ s3://dst-b/q/ --delete", 0},
		{AWSv2, "aws s3 rm s3://dst-b/p --recursive", 0},
		{AWSv2, "aws s3 mv s3://cmk-b/a s3://dst-a/b", 0},
		{Rclone, "rclone copyto ./dir/report.csv s3-remote:dst-b/report.csv", 0},
		{Rclone, "rclone move s3-remote:cmk-b/p s3-remote:dst-b/q", 0},
		{Rclone, "rclone copy s3-remote:src-a/p s3-remote:cmk-b/q --s3-copy-cutoff 5M", 12 << 20},
		{Rclone, "rclone copyto --s3-acl bucket-owner-full-control ./dir/f.txt s3-remote:dst-b/p/k.txt", 0},
		{Rclone, "rclone check ./dir s3-remote:cmk-b/p", 0},
		{Rclone, "rclone delete s3-remote:dst-b/p", 0},
		{Rclone, "rclone lsf -R --format tsp s3-remote:cmk-b/p", 0},
		{S5cmd, "s5cmd cp s3://cmk-b/p/* ./out/", 0},
		{S5cmd, "s5cmd cp -u s3://src-a/p/* s3://dst-b/q/", 0},
		{S5cmd, "s5cmd sync s3://cmk-b/p/k.txt ./out/", 0},
	}
}

// TestOutputsLint is issue 9's acceptance: every policy document that
// lockstep prints for the proof matrix's command lines (and more) passes
// lockstep policy lint with no error: the identity policy, each bucket
// policy's and key policy's statements, the whole policies merged with
// known current ones, and every document of the Terraform output.
func TestOutputsLint(t *testing.T) {
	accounts := map[string]string{"src-a": "111111111111", "dst-a": "111111111111", "dst-b": "222222222222", "cmk-b": "222222222222"}
	// Current policies, as a world would give them: a bucket policy with
	// a statement of its own, and the default key policy.
	current := map[string]string{"dst-b": `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::dst-b","arn:aws:s3:::dst-b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
		"cmk-b": ""}
	keys := map[string]string{testKey: `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:*","Resource":"*"}]}`}
	contexts := map[string]func(max int64) Context{
		"matrix": func(max int64) Context {
			return Context{Principal: testRole, BucketAccount: accounts, BucketKMSKey: map[string]string{"cmk-b": testKey}, MaxObjectSize: max}
		},
		"current policies known": func(max int64) Context {
			return Context{Principal: testRole, BucketAccount: accounts, BucketKMSKey: map[string]string{"cmk-b": testKey}, MaxObjectSize: max,
				BucketPolicy: current, KeyPolicy: keys}
		},
		"IAM user": func(max int64) Context {
			return Context{Principal: "arn:aws:iam::111111111111:user/alice", BucketAccount: accounts, BucketKMSKey: map[string]string{"cmk-b": testKey}, MaxObjectSize: max}
		},
		"no principal": func(max int64) Context { return Context{MaxObjectSize: max} },
	}
	documents, warnings := 0, 0
	for cname, ctx := range contexts {
		for _, r := range append(matrixRows(), moreRows()...) {
			p := planFor(t, r.client, r.args, ctx(r.max))
			for name, d := range outputDocuments(t, p) {
				documents++
				for _, f := range lint.Source(name, d.src, &d.typ) {
					if f.Severity == lint.Error {
						t.Errorf("%s, %s: %s", cname, r.args, f)
					} else {
						warnings++
						t.Logf("%s, %s: %s", cname, r.args, f)
					}
				}
			}
		}
	}
	t.Logf("%d documents linted, %d warnings", documents, warnings)
}

type typedDocument struct {
	src []byte
	typ policy.Type
}

// outputDocuments returns every policy document the outputs of a plan
// print, by where they appear.
func outputDocuments(t *testing.T, p *Plan) map[string]typedDocument {
	t.Helper()
	docs := map[string]typedDocument{"identity": {p.Policies.Identity.JSON(), policy.Identity}}
	var js struct {
		Buckets []jsonResourcePolicy `json:"bucketPolicies"`
		Keys    []jsonResourcePolicy `json:"keyPolicies"`
	}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	for _, rp := range js.Buckets {
		docs["bucket statements "+rp.Bucket] = typedDocument{p.Policies.Buckets[rp.Bucket].JSON(), policy.Resource}
		if rp.Policy != nil {
			docs["bucket policy "+rp.Bucket] = typedDocument{rp.Policy, policy.Resource}
		}
	}
	for _, rp := range js.Keys {
		docs["key statements "+rp.Key] = typedDocument{p.Policies.Keys[rp.Key].JSON(), policy.KeyPolicy}
		if rp.Policy != nil {
			docs["key policy "+rp.Key] = typedDocument{rp.Policy, policy.KeyPolicy}
		}
	}
	// The Terraform output: key documents are in blocks named key_...
	// (no bucket name holds "_"), identity documents in aws_iam_*.
	c := checkTerraform(t, terraformOf(t, p))
	for at, src := range c.documents {
		typ := policy.Resource
		switch {
		case strings.HasPrefix(at, "resource.aws_iam_"):
			typ = policy.Identity
		case strings.Contains(at, ".key_"):
			typ = policy.KeyPolicy
		}
		docs["terraform "+at] = typedDocument{[]byte(src), typ}
	}
	return docs
}
