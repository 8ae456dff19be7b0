package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/internal/trail"
)

// TestFromTrailHeaders: the permissions request headers need, when the
// record holds them (x-amz-tagging, x-amz-acl, x-amz-grant-*) and when a
// multipart copy of objects whose tags the principal read implies them;
// none otherwise.
func TestFromTrailHeaders(t *testing.T) {
	const who = `"userIdentity":{"arn":"arn:aws:iam::111122223333:user/alice"}`
	rec := func(op, params string) string {
		return `{"eventTime":"2024-11-22T17:20:00Z","eventSource":"s3.amazonaws.com","eventName":"` + op + `",` + who + `,"requestParameters":{` + params + `}}`
	}
	tests := []struct {
		name    string
		records []string
		want    []string // "action resource" the plan must have
		not     []string // ... and must not
	}{
		{"a put with x-amz-tagging", []string{rec("PutObject", `"bucketName":"b","key":"k","x-amz-tagging":"a=b"`)},
			[]string{"s3:PutObject arn:aws:s3:::b/k", "s3:PutObjectTagging arn:aws:s3:::b/k"}, []string{"s3:PutObjectAcl arn:aws:s3:::b/k"}},
		{"a put with x-amz-acl", []string{rec("PutObject", `"bucketName":"b","key":"k","x-amz-acl":"bucket-owner-full-control"`)},
			[]string{"s3:PutObjectAcl arn:aws:s3:::b/k"}, []string{"s3:PutObjectTagging arn:aws:s3:::b/k"}},
		{"a put with x-amz-grant-read", []string{rec("PutObject", `"bucketName":"b","key":"k","x-amz-grant-read":"id=abc"`)},
			[]string{"s3:PutObjectAcl arn:aws:s3:::b/k"}, nil},
		{"a put without headers", []string{rec("PutObject", `"bucketName":"b","key":"k"`)},
			[]string{"s3:PutObject arn:aws:s3:::b/k"}, []string{"s3:PutObjectTagging arn:aws:s3:::b/k", "s3:PutObjectAcl arn:aws:s3:::b/k"}},
		{"a multipart copy of objects whose tags were read", []string{
			rec("GetObjectTagging", `"bucketName":"src","key":"k","tagging":""`),
			rec("CreateMultipartUpload", `"bucketName":"dst","key":"k","uploads":""`),
			rec("UploadPartCopy", `"bucketName":"dst","key":"k","x-amz-copy-source":"src/k","partNumber":"1"`),
		}, []string{"s3:PutObjectTagging arn:aws:s3:::dst/k", "s3:GetObjectTagging arn:aws:s3:::src/k"}, nil},
		{"a multipart copy without reading tags", []string{
			rec("CreateMultipartUpload", `"bucketName":"dst","key":"k","uploads":""`),
			rec("UploadPartCopy", `"bucketName":"dst","key":"k","x-amz-copy-source":"src/k","partNumber":"1"`),
		}, []string{"s3:PutObject arn:aws:s3:::dst/k"}, []string{"s3:PutObjectTagging arn:aws:s3:::dst/k"}},
		{"tags read of other objects than those copied", []string{
			rec("GetObjectTagging", `"bucketName":"src","key":"other","tagging":""`),
			rec("CreateMultipartUpload", `"bucketName":"dst","key":"k","uploads":""`),
			rec("UploadPartCopy", `"bucketName":"dst","key":"k","x-amz-copy-source":"src/k","partNumber":"1"`),
		}, nil, []string{"s3:PutObjectTagging arn:aws:s3:::dst/k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := trailOf(t, "arn:aws:iam::111122223333:user/alice", tt.records...)
			p, err := FromTrail(sel, Context{}, GeneraliseNone)
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, n := range p.Needs {
				have[n.Action+" "+n.Resource] = true
			}
			for _, w := range tt.want {
				if !have[w] {
					t.Errorf("the plan lacks %s: %v", w, have)
				}
			}
			for _, w := range tt.not {
				if have[w] {
					t.Errorf("the plan has %s, which nothing in the trail shows", w)
				}
			}
		})
	}
}

// TestFromTrailPassRole: a PutBucketReplication record whose request
// parameters hold the configuration's Role plans iam:PassRole on it for
// S3 only; one without the Role plans no permission on nothing and says
// what to grant.
func TestFromTrailPassRole(t *testing.T) {
	const who = `"userIdentity":{"arn":"arn:aws:iam::111122223333:user/alice"}`
	const role = "arn:aws:iam::111122223333:role/replication"
	for _, tt := range []struct {
		name, params string
		planned      bool
	}{
		{"the role recorded", `"bucketName":"src","replication":"","ReplicationConfiguration":{"Role":"` + role + `"}`, true},
		{"no role recorded", `"bucketName":"src","replication":""`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := `{"eventTime":"2024-11-22T17:20:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketReplication",` + who + `,"requestParameters":{` + tt.params + `}}`
			sel := trailOf(t, "arn:aws:iam::111122223333:user/alice", rec)
			p, err := FromTrail(sel, Context{}, GeneraliseNone)
			if err != nil {
				t.Fatal(err)
			}
			var pass *Need
			for i, n := range p.Needs {
				if n.Resource == "" {
					t.Errorf("%s planned on no resource", n.Action)
				}
				if n.Action == "iam:PassRole" {
					pass = &p.Needs[i]
				}
			}
			id := string(p.Policies.Identity.JSON())
			switch {
			case tt.planned && (pass == nil || pass.Resource != role):
				t.Errorf("iam:PassRole on %s not planned: %+v", role, p.Needs)
			case tt.planned && !strings.Contains(strings.Join(strings.Fields(id), ""), `"iam:PassedToService":["s3.amazonaws.com"]`):
				t.Errorf("iam:PassRole is not scoped to S3:\n%s", id)
			case !tt.planned && pass != nil:
				t.Errorf("iam:PassRole planned on %q without a role in the record", pass.Resource)
			case !tt.planned && !strings.Contains(strings.Join(p.Notes, "\n"), "iam:PassRole of PutBucketReplication: the trail does not name its resource"):
				t.Errorf("no note says iam:PassRole is left out:\n%s", strings.Join(p.Notes, "\n"))
			}
		})
	}
}

// TestFromTrailReplicationRole: the events lockstep serve audits for the
// replication role's session (one per step, named by its action) plan the
// role's permissions through the steps of package replication; unknown
// events are listed once each, with a count.
func TestFromTrailReplicationRole(t *testing.T) {
	const who = `"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/repl/s3-replication-1","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/repl"}},"invokedBy":"s3.amazonaws.com"}`
	rec := func(op, params string) string {
		return `{"eventTime":"2024-11-22T17:20:00Z","eventSource":"s3.amazonaws.com","eventName":"` + op + `",` + who + `,"requestParameters":{` + params + `}}`
	}
	lines := []string{
		rec("GetReplicationConfiguration", `"bucketName":"src"`),
		rec("GetObjectVersionForReplication", `"bucketName":"src","key":"k"`),
		rec("ReplicateObject", `"bucketName":"dst","key":"k"`),
		rec("FrobnicateObject", `"bucketName":"dst","key":"k"`),
		rec("FrobnicateObject", `"bucketName":"dst","key":"k"`),
	}
	sel := trailOf(t, "repl", lines...)
	p, err := FromTrail(sel, Context{Principal: sel.Role}, GeneraliseNone)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, n := range p.Needs {
		have[n.Action+" "+n.Resource] = true
	}
	for _, w := range []string{"s3:GetReplicationConfiguration arn:aws:s3:::src", "s3:GetObjectVersionForReplication arn:aws:s3:::src/k", "s3:ReplicateObject arn:aws:s3:::dst/k"} {
		if !have[w] {
			t.Errorf("the plan lacks %s: %v", w, have)
		}
	}
	if notes := strings.Join(p.Notes, "\n"); !strings.Contains(notes, "not planned: FrobnicateObject ×2") {
		t.Errorf("the unknown event is not listed once with its count:\n%s", notes)
	}
}

// trailOf reads records (JSON lines, as lockstep serve's audit log holds
// them) through trail.Read and selects principal's calls.
func trailOf(t *testing.T, principal string, records ...string) *trail.Selection {
	t.Helper()
	log := filepath.Join(t.TempDir(), "trail.jsonl")
	if err := os.WriteFile(log, []byte(strings.Join(records, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := trail.Read([]string{log})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := trail.Select(recs, principal)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}
