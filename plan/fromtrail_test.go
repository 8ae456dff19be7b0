package plan

import (
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/internal/trail"
)

func sampleSelection(t *testing.T, principal string) *trail.Selection {
	t.Helper()
	recs, err := trail.Read([]string{"../internal/trail/testdata/aws-docs"})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := trail.Select(recs, principal)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

// TestFromTrail: the AWS samples' calls of alice become her identity
// policy, the bucket policy of the other account's bucket and the key
// policy statements of its key, generalised as asked; the denied call is
// planned and said.
func TestFromTrail(t *testing.T) {
	sel := sampleSelection(t, "arn:aws:iam::111122223333:user/alice")
	tests := []struct {
		generalise string
		want       []string // substrings of the identity policy
	}{
		{GeneralisePrefixes, []string{`"arn:aws:s3:::amzn-s3-demo-bucket1/reports/2024/*"`, `"s3:prefix":["reports/*"]`, `"kms:EncryptionContext:aws:s3:arn":["arn:aws:s3:::amzn-s3-demo-bucket2/reports/2024/*"]`}},
		{GeneraliseNone, []string{`"arn:aws:s3:::amzn-s3-demo-bucket1/reports/2024/jan.csv"`, `"arn:aws:s3:::amzn-s3-demo-bucket1/reports/2024/apr.csv"`, `"StringEquals":{"s3:prefix":["reports/"]}`, `"kms:EncryptionContext:aws:s3:arn":["arn:aws:s3:::amzn-s3-demo-bucket2/reports/2024/jan.csv"]`}},
		{GeneraliseKeys, []string{`"arn:aws:s3:::amzn-s3-demo-bucket1/*"`, `"arn:aws:s3:::amzn-s3-demo-bucket2/*"`}},
	}
	for _, tt := range tests {
		t.Run(tt.generalise, func(t *testing.T) {
			p, err := FromTrail(sel, Context{}, tt.generalise)
			if err != nil {
				t.Fatal(err)
			}
			id := string(p.Policies.Identity.JSON())
			compact := strings.Join(strings.Fields(id), "")
			for _, w := range tt.want {
				if !strings.Contains(compact, w) {
					t.Errorf("identity policy lacks %s:\n%s", w, id)
				}
			}
			if b := p.Policies.Buckets["amzn-s3-demo-bucket2"]; b == nil || !strings.Contains(string(b.JSON()), "s3:PutObject") {
				t.Errorf("no bucket policy for the other account's bucket: %+v", p.Policies.Buckets)
			}
			if len(p.Policies.Keys) != 1 {
				t.Errorf("key policies: %+v", p.Policies.Keys)
			}
			if tt.generalise == GeneraliseKeys && strings.Contains(compact, "s3:prefix") {
				t.Errorf("--generalise keys keeps a prefix condition:\n%s", id)
			}
			denied := 0
			for _, c := range p.Calls {
				if strings.Contains(c.Why, "DENIED") {
					denied++
				}
			}
			if denied != 1 {
				t.Errorf("%d calls marked denied, want 1 (a PutObject)", denied)
			}
			if !strings.Contains(p.Origin, "from 2024-11-22T17:10:01Z to 2024-11-22T17:13:00Z") {
				t.Errorf("origin %q names no period", p.Origin)
			}
		})
	}
	if _, err := FromTrail(sel, Context{}, "everything"); err == nil {
		t.Error("--generalise everything accepted")
	}
}

// A role session's CopyObject needs s3:GetObject on the source and
// s3:PutObject on the destination, through the catalogue, and the tag
// permissions of a copy of a tagged source: CloudTrail does not say
// whether the source had tags (docs/decisions.md #56).
func TestFromTrailCopy(t *testing.T) {
	sel := sampleSelection(t, "copier")
	p, err := FromTrail(sel, Context{Principal: sel.Role}, GeneraliseNone)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Join(strings.Fields(string(p.Policies.Identity.JSON())), "")
	for _, w := range []string{`"s3:GetObject","s3:GetObjectTagging"],"Resource":["arn:aws:s3:::amzn-s3-demo-bucket1/reports/2024/jan.csv"]`, `"s3:PutObject","s3:PutObjectTagging"],"Resource":["arn:aws:s3:::amzn-s3-demo-bucket1/archive/2024/jan.csv"]`} {
		if !strings.Contains(id, w) {
			t.Errorf("identity policy lacks %s:\n%s", w, id)
		}
	}
}

// TestFromTrailS3GuideSample: the S3 User Guide's example records (host
// as a list, a nested ACL document) parse; ListBuckets and
// GetBucketVersioning are planned, PutBucketAcl, which the catalogue does
// not know, is said in a note, not dropped silently.
func TestFromTrailS3GuideSample(t *testing.T) {
	sel := sampleSelection(t, "arn:aws:iam::111122223333:user/myUserName")
	if len(sel.Calls) != 3 {
		t.Fatalf("%d calls of myUserName, want the sample's 3", len(sel.Calls))
	}
	p, err := FromTrail(sel, Context{}, "")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, n := range p.Needs {
		have[n.Action+" "+n.Resource] = true
	}
	for _, w := range []string{"s3:ListAllMyBuckets *", "s3:GetBucketVersioning arn:aws:s3:::amzn-s3-demo-bucket1"} {
		if !have[w] {
			t.Errorf("the plan lacks %s: %v", w, have)
		}
	}
	if notes := strings.Join(p.Notes, "\n"); !strings.Contains(notes, "not planned: PutBucketAcl") {
		t.Errorf("the notes do not name the unknown PutBucketAcl:\n%s", notes)
	}
}
