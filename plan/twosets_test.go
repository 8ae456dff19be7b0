package plan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// twoSetsPlan plans lockstep sync from src (account 111111111111, SSE-KMS
// with its key) to dst (333333333333) with two credential sets: a source
// reader and a destination writer of account 222222222222.
func twoSetsPlan(t *testing.T, args string) *Plan {
	t.Helper()
	cmd, err := ParseCommand(strings.Fields(args), "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(cmd, Context{
		Principal: "arn:aws:iam::222222222222:user/writer", SourcePrincipal: "arn:aws:sts::222222222222:assumed-role/reader/s",
		BucketAccount: map[string]string{"src": "111111111111", "dst": "333333333333"},
		BucketKMSKey:  map[string]string{"src": "arn:aws:kms:us-east-1:111111111111:key/k1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTwoCredentialSetsPlan: with --source-profile and --dest-profile,
// the source's calls are signed by the source's principal and the
// destination's by the destination's, but the copy path's probe, a read
// of the source with the destination's credentials that the plan leaves
// denied (optional); the copies stream (GetObject, then PutObject or a
// multipart upload), never server-side; each principal has its identity
// policy, and each bucket or key of another account a policy naming the
// principal that uses it.
func TestTwoCredentialSetsPlan(t *testing.T) {
	p := twoSetsPlan(t, "lockstep sync s3://src/p s3://dst/q --source-profile prod --dest-profile backup --checksum")
	var signed []string
	for _, c := range p.Calls {
		if c.Operation == "CopyObject" || c.Operation == "UploadPartCopy" {
			t.Errorf("two credential sets plan a server-side %s", c.Operation)
		}
		want := c.Side
		if c.Optional {
			want = "destination"
		}
		if c.Signer != want {
			t.Errorf("%s on the %s signed by %q, want %q", c.Operation, c.Side, c.Signer, want)
		}
		signed = append(signed, c.Signer+" "+c.Operation)
	}
	for _, want := range []string{"destination GetObject", "source GetObject", "source HeadObject", "destination HeadObject", "destination PutObject", "destination UploadPart", "destination CompleteMultipartUpload"} {
		if !slices.Contains(signed, want) {
			t.Errorf("no call %q in %v", want, signed)
		}
	}
	identity := map[string]string{"source": string(p.Policies.SourceIdentity.JSON()), "destination": string(p.Policies.Identity.JSON())}
	for side, tc := range map[string]struct{ has, lacks []string }{
		"source":      {[]string{"s3:GetObject", "s3:ListBucket", "arn:aws:s3:::src/p/*", "kms:Decrypt", "kms:GenerateDataKey"}, []string{"s3:PutObject", "arn:aws:s3:::dst"}},
		"destination": {[]string{"s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", "arn:aws:s3:::dst/q/*"}, []string{"arn:aws:s3:::src", "kms:"}},
	} {
		for _, s := range tc.has {
			if !strings.Contains(identity[side], s) {
				t.Errorf("the %s's identity policy lacks %s:\n%s", side, s, identity[side])
			}
		}
		for _, s := range tc.lacks {
			if strings.Contains(identity[side], s) {
				t.Errorf("the %s's identity policy has %s:\n%s", side, s, identity[side])
			}
		}
	}
	for name, d := range map[string]*Document{"bucket src": p.Policies.Buckets["src"], "bucket dst": p.Policies.Buckets["dst"], "key": p.Policies.Keys["arn:aws:kms:us-east-1:111111111111:key/k1"]} {
		if d == nil {
			t.Errorf("no policy for %s", name)
			continue
		}
		want := "arn:aws:iam::222222222222:user/writer"
		if name != "bucket dst" {
			want = "arn:aws:iam::222222222222:role/reader"
		}
		for _, st := range d.Statement {
			if st.Principal["AWS"] != want {
				t.Errorf("%s: statement %s names %v, want %s", name, st.Sid, st.Principal, want)
			}
		}
	}
}

// TestTwoCredentialSetsOutputs: every output names both principals and
// their identity policies; the JSON output's principals and signers.
func TestTwoCredentialSetsOutputs(t *testing.T) {
	p := twoSetsPlan(t, "lockstep sync s3://src/p s3://dst/q --source-profile prod --dest-profile backup")
	var text, tf, js bytes.Buffer
	if err := p.WriteTable(&text); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteTerraform(&tf); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Identity policy of the source's principal (profile prod): arn:aws:sts::222222222222:assumed-role/reader/s",
		"Identity policy of the destination's principal (profile backup): arn:aws:iam::222222222222:user/writer",
		"signed by",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text output lacks %q", want)
		}
	}
	for _, want := range []string{`resource "aws_iam_role_policy" "reader"`, `name     = "lockstep-sync-`, `-source"`, `resource "aws_iam_user_policy" "writer"`, `-destination"`} {
		if !strings.Contains(tf.String(), want) {
			t.Errorf("the terraform output lacks %q", want)
		}
	}
	var out struct {
		Principal  string
		Principals []struct {
			Signs, Profile, Principal string
			IdentityPolicy            *Document
		}
		Calls []struct{ Side, Signer, Operation string }
	}
	if err := json.Unmarshal(js.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Principals) != 2 || out.Principals[0].Signs != "source" || out.Principals[0].Profile != "prod" || out.Principals[1].Signs != "destination" ||
		out.Principals[1].Principal != out.Principal || out.Principals[0].IdentityPolicy == nil || len(out.Principals[0].IdentityPolicy.Statement) == 0 {
		t.Errorf("principals %+v", out.Principals)
	}
	for _, c := range out.Calls {
		if c.Signer == "" {
			t.Errorf("call %s on the %s has no signer", c.Operation, c.Side)
		}
	}
	dir := t.TempDir()
	if _, err := p.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"identity-source.json", "identity-destination.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}
