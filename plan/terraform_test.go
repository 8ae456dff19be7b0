package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/world"
)

const (
	testRole = "arn:aws:sts::111111111111:assumed-role/sync/job"
	testKey  = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// planFor plans a command line in a context.
func planFor(t *testing.T, client Client, args string, ctx Context) *Plan {
	t.Helper()
	cmd, err := ParseCommand(splitArgs(args), client)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(cmd, ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func terraformOf(t *testing.T, p *Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := p.WriteTerraform(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// worldContext is the context of examples/world.yaml, whose bucket cp-dst
// and key have policies.
func worldContext(t *testing.T, principal string) Context {
	t.Helper()
	w, err := world.Load("../examples/world.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return ContextFromWorld(w, principal)
}

const numericPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Small","Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::dst-b","Condition":{"NumericGreaterThan":{"s3:max-keys":100}}}]}`

const variablePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Home","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::dst-b/home/${aws:username}/*"}]}`

func TestTerraform(t *testing.T) {
	cross := func(buckets map[string]string, policies map[string]string) Context {
		return Context{Principal: testRole, BucketAccount: buckets, BucketKMSKey: map[string]string{}, BucketPolicy: policies}
	}
	for _, tc := range []struct {
		name   string
		client Client
		args   string
		ctx    Context
		want   []string
		check  func(t *testing.T, c *tfConfig)
	}{{
		name: "cross-account KMS, current policies known", client: AWSv1,
		args: "aws s3 cp s3://kazue-sync-source/big.dat s3://cp-dst/",
		ctx:  worldContext(t, "arn:aws:sts::111111111111:assumed-role/CopyRole/s"),
		want: []string{"provider.account_111111111111", "provider.account_222222222222",
			"resource.aws_iam_role_policy.CopyRole",
			"data.aws_iam_policy_document.cp-dst", "resource.aws_s3_bucket_policy.cp-dst",
			"data.aws_iam_policy_document.key_1234abcd-12ab-34cd-56ef-1234567890ab",
			"resource.aws_kms_key_policy.key_1234abcd-12ab-34cd-56ef-1234567890ab"},
		check: func(t *testing.T, c *tfConfig) {
			src := c.documents["data.aws_iam_policy_document.cp-dst.source_policy_documents[0]"]
			if !strings.Contains(src, `"Sid": "CopyFromSource"`) {
				t.Errorf("the bucket's current statement CopyFromSource is not the merge's source:\n%s", src)
			}
			key := c.documents["data.aws_iam_policy_document.key_1234abcd-12ab-34cd-56ef-1234567890ab.source_policy_documents[0]"]
			if !strings.Contains(key, `"Sid": "Owner"`) {
				t.Errorf("the key's current statement Owner is not the merge's source:\n%s", key)
			}
			wantAttr(t, c, "resource.aws_iam_role_policy.CopyRole", "role", `"CopyRole"`)
			wantAttr(t, c, "resource.aws_kms_key_policy.key_1234abcd-12ab-34cd-56ef-1234567890ab", "provider", "aws.account_222222222222")
			wantAttr(t, c, "resource.aws_s3_bucket_policy.cp-dst", "policy", "data.aws_iam_policy_document.cp-dst.json")
		},
	}, {
		name: "current policies unknown, names that need a hash", client: AWSv2,
		args: "aws s3 cp ./f s3://dst.b/x/",
		ctx: Context{Principal: "arn:aws:iam::111111111111:user/a.b", BucketAccount: map[string]string{"dst.b": "222222222222"},
			BucketKMSKey: map[string]string{"dst.b": testKey}},
		want: []string{"provider.account_111111111111", "provider.account_222222222222",
			"resource.aws_iam_user_policy.a_b_2e7336dc",
			"data.aws_s3_bucket_policy.dst_b_f9621a7f", "data.aws_iam_policy_document.dst_b_f9621a7f", "resource.aws_s3_bucket_policy.dst_b_f9621a7f",
			"variable.key_policy_1234abcd-12ab-34cd-56ef-1234567890ab",
			"data.aws_iam_policy_document.key_1234abcd-12ab-34cd-56ef-1234567890ab",
			"resource.aws_kms_key_policy.key_1234abcd-12ab-34cd-56ef-1234567890ab"},
		check: func(t *testing.T, c *tfConfig) {
			wantAttr(t, c, "resource.aws_iam_user_policy.a_b_2e7336dc", "user", `"a.b"`)
			wantAttr(t, c, "data.aws_iam_policy_document.dst_b_f9621a7f", "source_policy_documents", "[data.aws_s3_bucket_policy.dst_b_f9621a7f.policy]")
			wantAttr(t, c, "data.aws_s3_bucket_policy.dst_b_f9621a7f", "provider", "aws.account_222222222222")
		},
	}, {
		name: "principal unknown", client: AWSv2,
		args: "aws s3 sync s3://src-a/p/ s3://dst-b/q/",
		ctx:  Context{},
		want: []string{"provider.aws", "resource.aws_iam_policy.lockstep"},
	}, {
		name: "bucket without a policy", client: AWSv2,
		args: "aws s3 sync s3://src-a/p/ s3://dst-b/q/",
		ctx:  cross(map[string]string{"dst-b": "222222222222"}, map[string]string{"dst-b": ""}),
		want: []string{"provider.account_111111111111", "provider.account_222222222222",
			"resource.aws_iam_role_policy.sync", "resource.aws_s3_bucket_policy.dst-b"},
		check: func(t *testing.T, c *tfConfig) {
			wantDocument(t, c, "resource.aws_s3_bucket_policy.dst-b.policy", "BucketDstB", "ObjectsDstBQ")
		},
	}, {
		name: "a current policy Terraform would change", client: AWSv2,
		args: "aws s3 sync s3://src-a/p/ s3://dst-b/q/",
		ctx:  cross(map[string]string{"dst-b": "222222222222"}, map[string]string{"dst-b": numericPolicy}),
		want: []string{"provider.account_111111111111", "provider.account_222222222222",
			"resource.aws_iam_role_policy.sync", "resource.aws_s3_bucket_policy.dst-b"},
		check: func(t *testing.T, c *tfConfig) {
			wantDocument(t, c, "resource.aws_s3_bucket_policy.dst-b.policy", "Small", "BucketDstB", "ObjectsDstBQ")
			if doc := c.documents["resource.aws_s3_bucket_policy.dst-b.policy"]; !strings.Contains(doc, `"s3:max-keys": 100`) {
				t.Errorf("the numeric condition is not kept:\n%s", doc)
			}
		},
	}, {
		name: "policy variables reach AWS as written", client: AWSv2,
		args: "aws s3 sync s3://src-a/p/ s3://dst-b/q/",
		ctx:  cross(map[string]string{"dst-b": "222222222222"}, map[string]string{"dst-b": variablePolicy}),
		want: []string{"provider.account_111111111111", "provider.account_222222222222",
			"resource.aws_iam_role_policy.sync", "data.aws_iam_policy_document.dst-b", "resource.aws_s3_bucket_policy.dst-b"},
		check: func(t *testing.T, c *tfConfig) {
			if doc := c.documents["data.aws_iam_policy_document.dst-b.source_policy_documents[0]"]; !strings.Contains(doc, "home/${aws:username}/*") {
				t.Errorf("the policy variable is not kept:\n%s", doc)
			}
		},
	}, {
		name: "buckets a.b and a-b", client: AWSv2,
		args: "aws s3 sync s3://a.b/p/ s3://a-b/q/",
		ctx:  cross(map[string]string{"a.b": "222222222222", "a-b": "333333333333"}, nil),
		want: []string{"provider.account_111111111111", "provider.account_222222222222", "provider.account_333333333333",
			"resource.aws_iam_role_policy.sync",
			"data.aws_s3_bucket_policy.a-b", "data.aws_iam_policy_document.a-b", "resource.aws_s3_bucket_policy.a-b",
			"data.aws_s3_bucket_policy.a_b_2e7336dc", "data.aws_iam_policy_document.a_b_2e7336dc", "resource.aws_s3_bucket_policy.a_b_2e7336dc"},
		check: func(t *testing.T, c *tfConfig) {
			wantAttr(t, c, "resource.aws_s3_bucket_policy.a-b", "provider", "aws.account_333333333333")
			wantAttr(t, c, "resource.aws_s3_bucket_policy.a_b_2e7336dc", "bucket", `"a.b"`)
		},
	}, {
		name: "a bucket name starting with a digit", client: AWSv2,
		args: "aws s3 cp ./f s3://1bucket/x",
		ctx:  cross(map[string]string{"1bucket": "222222222222"}, map[string]string{"1bucket": ""}),
		want: []string{"provider.account_111111111111", "provider.account_222222222222",
			"resource.aws_iam_role_policy.sync", "resource.aws_s3_bucket_policy.bucket_1bucket"},
	}, {
		name: "a role with a path", client: AWSv2,
		args: "aws s3 cp ./f s3://dst-a/x",
		ctx:  Context{Principal: "arn:aws:iam::111111111111:role/service/Copy"},
		want: []string{"provider.account_111111111111", "resource.aws_iam_role_policy.Copy"},
	}, {
		name: "the root user", client: AWSv2,
		args: "aws s3 cp ./f s3://dst-a/x",
		ctx:  Context{Principal: "arn:aws:iam::111111111111:root"},
		want: []string{"provider.account_111111111111", "resource.aws_iam_policy.lockstep"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			src := terraformOf(t, planFor(t, tc.client, tc.args, tc.ctx))
			c := checkTerraform(t, src)
			got, want := slices.Sorted(slices.Values(c.addresses)), slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("blocks\n  %s\nwant\n  %s\n%s", strings.Join(got, "\n  "), strings.Join(want, "\n  "), src)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
			if again := terraformOf(t, planFor(t, tc.client, tc.args, tc.ctx)); again != src {
				t.Errorf("two runs differ")
			}
		})
	}
}

// wantAttr checks the source text of a block's attribute.
func wantAttr(t *testing.T, c *tfConfig, addr, name, want string) {
	t.Helper()
	blk := c.blocks[addr]
	if blk == nil {
		t.Errorf("no block %s", addr)
		return
	}
	attr := blk.Body.Attributes[name]
	if attr == nil {
		t.Errorf("%s has no %s", addr, name)
		return
	}
	var got string
	r := attr.Expr.Range()
	got = string(r.SliceBytes(c.src))
	if got != want {
		t.Errorf("%s.%s = %s, want %s", addr, name, got, want)
	}
}

// wantDocument checks that a policy document holds statements of the
// given Sids, in order.
func wantDocument(t *testing.T, c *tfConfig, at string, sids ...string) {
	t.Helper()
	var doc struct{ Statement []struct{ Sid string } }
	if err := json.Unmarshal([]byte(c.documents[at]), &doc); err != nil {
		t.Errorf("%s: %v", at, err)
		return
	}
	var got []string
	for _, st := range doc.Statement {
		got = append(got, st.Sid)
	}
	if fmt.Sprint(got[:min(len(sids), len(got))]) != fmt.Sprint(sids) {
		t.Errorf("%s has the statements %q, want %q first", at, got, sids)
	}
}

func TestTerraformNames(t *testing.T) {
	n := tfNames{}
	seen := map[string]string{}
	for _, s := range []string{"a.b", "a-b", "a_b", "a_b_2e7336dc", "1bucket", "bucket_1bucket", "xn--ab.c", "a..b", "a.b", "", "UPPER.case", "x+y=z,w@v"} {
		got := n.name("aws_s3_bucket_policy", "bucket_", s)
		if !tfIdent.MatchString(got) {
			t.Errorf("%q -> %q: not a Terraform name", s, got)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("%q and %q both -> %q", s, other, got)
		}
		seen[got] = s
	}
	// Names of different block types do not collide.
	if a, b := n.name("data.x", "p_", "same"), n.name("data.y", "p_", "same"); a != "same" || b != "same" {
		t.Errorf("per-type names: %q, %q", a, b)
	}
}

func TestTerraformUserPolicyTooLong(t *testing.T) {
	p := planFor(t, AWSv2, "aws s3 cp ./f s3://dst-a/x", Context{Principal: "arn:aws:iam::111111111111:user/alice"})
	for i := range 40 {
		p.Policies.Identity.Statement = append(p.Policies.Identity.Statement, Statement{Sid: fmt.Sprintf("S%d", i),
			Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{fmt.Sprintf("arn:aws:s3:::bucket-%d/*", i)}})
	}
	c := checkTerraform(t, terraformOf(t, p))
	want := []string{"provider.account_111111111111", "resource.aws_iam_policy.lockstep", "resource.aws_iam_user_policy_attachment.alice"}
	if got := slices.Sorted(slices.Values(c.addresses)); !slices.Equal(got, want) {
		t.Errorf("blocks %q, want %q", got, want)
	}
	wantAttr(t, c, "resource.aws_iam_user_policy_attachment.alice", "policy_arn", "aws_iam_policy.lockstep.arn")
}
