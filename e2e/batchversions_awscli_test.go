package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/world"
)

// TestAWSCLIBatchVersionedManifest runs, with the AWS CLI v2, a Batch
// Operations copy job of examples/batch-copy.yaml whose manifest names
// object versions and is itself named by version (ObjectVersionId), with
// NewObjectTagging, the role given the policies lockstep plans for it
// (plan batch-copy --versioned-manifest --manifest-version
// --new-object-tagging): the copy is the named version, byte for byte,
// with the job's tags (docs/emulator.md "S3 Batch Operations").
func TestAWSCLIBatchVersionedManifest(t *testing.T) {
	cli := awsV2(t)
	data, err := os.ReadFile("../examples/batch-copy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := world.Decode(data, "examples/batch-copy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Compile(m, "examples/batch-copy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	job := plan.BatchCopyJob{Role: "arn:aws:iam::111111111111:role/BatchCopy", Manifest: plan.Location{Bucket: "batch-manifests", Key: "versions.csv"},
		Sources: []plan.Location{{Bucket: "batch-src"}}, Dest: plan.Location{Bucket: "batch-dst"},
		VersionedManifest: true, ManifestVersion: true, ReplaceTags: true, NewObjectTagging: "copied-by=batch"}
	p, err := plan.BatchCopy(job, plan.ContextFromWorld(w, job.Role))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(m); err != nil {
		t.Fatal(err)
	}
	// An administrator of each account writes the versions and reads
	// the copy; none of its calls is the job's.
	all := world.DocFromJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
	for i, key := range []string{"AKIABATCHADMIN000001", "AKIABATCHADMIN000002"} {
		u := world.UserModel{Name: "admin", AccessKeys: []world.AccessKeyModel{{ID: key, Secret: "admin-secret"}}}
		u.Policies.Set("all", all)
		m.Accounts[i].Users = append(m.Accounts[i].Users, u)
	}
	srv := startServer(t, m)
	cmd := func(key string) func(args ...string) result {
		e := append(env(t, creds{key: key, secret: "admin-secret"}, "us-east-1"),
			"HTTP_PROXY="+srv.Endpoint(), "http_proxy="+srv.Endpoint(), "NO_PROXY=", "no_proxy=")
		return func(args ...string) result {
			t.Helper()
			return run(t, e, t.TempDir(), cli.path, append([]string{"--endpoint-url", srv.Endpoint(), "--output", "json"}, args...)...)
		}
	}
	src, dst := cmd("AKIABATCHADMIN000001"), cmd("AKIABATCHADMIN000002")
	dir := t.TempDir()
	put := func(bucket, key, body string) (versionID, etag string) {
		t.Helper()
		f := dir + "/body"
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		r := src("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", f)
		var out struct{ VersionId, ETag string }
		if r.err != nil || json.Unmarshal([]byte(r.stdout), &out) != nil || out.VersionId == "" {
			t.Fatalf("put-object %s/%s: %s", bucket, key, r)
		}
		return out.VersionId, out.ETag
	}
	for _, b := range []string{"batch-src", "batch-manifests"} {
		if r := src("s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled"); r.err != nil {
			t.Fatalf("put-bucket-versioning %s: %s", b, r)
		}
	}
	put("batch-src", "v/k.txt", "the first version")
	named, _ := put("batch-src", "v/k.txt", "the named version")
	put("batch-src", "v/k.txt", "the current version")
	mv, etag := put("batch-manifests", "versions.csv", "batch-src,v/k.txt,"+named+"\n")
	put("batch-manifests", "versions.csv", "batch-src,v/k.txt\n")

	manifest, _ := json.Marshal(map[string]any{
		"Spec":     map[string]any{"Format": "S3BatchOperations_CSV_20180820", "Fields": []string{"Bucket", "Key", "VersionId"}},
		"Location": map[string]string{"ObjectArn": "arn:aws:s3:::batch-manifests/versions.csv", "ObjectVersionId": mv, "ETag": etag},
	})
	operator := func(args ...string) result {
		t.Helper()
		e := append(env(t, creds{key: "AKIABATCHOPERATOR001", secret: "operator-secret"}, "us-east-1"),
			"HTTP_PROXY="+srv.Endpoint(), "http_proxy="+srv.Endpoint(), "NO_PROXY=", "no_proxy=")
		return run(t, e, t.TempDir(), cli.path, append([]string{"--endpoint-url", srv.Endpoint(), "--output", "json"}, args...)...)
	}
	created := operator("s3control", "create-job", "--account-id", "111111111111", "--no-confirmation-required",
		"--operation", `{"S3PutObjectCopy":{"TargetResource":"arn:aws:s3:::batch-dst","NewObjectTagging":[{"Key":"copied-by","Value":"batch"}]}}`,
		"--manifest", string(manifest), "--report", `{"Enabled":false}`,
		"--priority", "10", "--role-arn", job.Role, "--client-request-token", "cli-versions")
	out := struct{ JobId string }{waitCLIJob(t, srv, created)}
	described := operator("s3control", "describe-job", "--account-id", "111111111111", "--job-id", out.JobId)
	var d struct {
		Job struct {
			Status          string
			ProgressSummary struct{ TotalNumberOfTasks, NumberOfTasksSucceeded int }
		}
	}
	if described.err != nil || json.Unmarshal([]byte(described.stdout), &d) != nil ||
		d.Job.Status != "Complete" || d.Job.ProgressSummary.TotalNumberOfTasks != 1 || d.Job.ProgressSummary.NumberOfTasksSucceeded != 1 {
		t.Fatalf("describe-job: %s", described)
	}
	copied := dir + "/copied"
	if r := dst("s3api", "get-object", "--bucket", "batch-dst", "--key", "v/k.txt", copied); r.err != nil {
		t.Fatalf("get-object: %s", r)
	}
	if b, err := os.ReadFile(copied); err != nil || string(b) != "the named version" {
		t.Errorf("the copy holds %q (%v); want the named version", b, err)
	}
	tags := dst("s3api", "get-object-tagging", "--bucket", "batch-dst", "--key", "v/k.txt")
	if tags.err != nil || !strings.Contains(strings.Join(strings.Fields(tags.stdout), ""), `{"Key":"copied-by","Value":"batch"}`) {
		t.Errorf("get-object-tagging: %s; want the job's tag copied-by=batch only", tags)
	}
}
