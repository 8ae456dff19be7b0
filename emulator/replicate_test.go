package emulator_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/emulator"
)

// replEngineWorldYAML: account 111111111111 with an administrator, the
// roles "replication" (every S3 and KMS action), "noreplicate" (all but
// s3:ReplicateObject), "notags" (all but s3:ReplicateTags) and "untrusted" (trusted by EC2, not S3), the
// versioned buckets src and dst and the key srckey; account 222222222222
// with the versioned bucket xdst, whose bucket policy and key dstkey let
// the replication role replicate into it.
const replEngineWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAREPLENGADMIN0001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    roles:
      - name: replication
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: sts:AssumeRole}]}
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:*", "kms:*"], Resource: "*"}]}
      - name: noreplicate
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: sts:AssumeRole}]}
        policies:
          most: {Version: "2012-10-17", Statement: [{Effect: Allow, NotAction: "s3:ReplicateObject", Resource: "*"}]}
      - name: notags
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: sts:AssumeRole}]}
        policies:
          most: {Version: "2012-10-17", Statement: [{Effect: Allow, NotAction: "s3:ReplicateTags", Resource: "*"}]}
      - name: untrusted
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:*", "kms:*"], Resource: "*"}]}
    buckets:
      - {name: src, versioning: Enabled}
      - {name: dst, versioning: Enabled}
      - {name: chained, versioning: Enabled}
    keys:
      - id: 11111111-1111-1111-1111-111111111111
  - id: "222222222222"
    users:
      - name: admin
        access_keys: [{id: AKIAREPLENGADMIN0002, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    buckets:
      - name: xdst
        versioning: Enabled
        policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/replication"}, Action: [s3:ReplicateObject, s3:ReplicateTags, s3:ReplicateDelete, s3:ObjectOwnerOverrideToBucketOwner], Resource: "arn:aws:s3:::xdst/*"}
    keys:
      - id: 22222222-2222-2222-2222-222222222222
        policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: "kms:*", Resource: "*"}
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/replication"}, Action: kms:Encrypt, Resource: "*"}
`

const (
	replSrcKey = "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-1111-1111-111111111111"
	replDstKey = "arn:aws:kms:us-east-1:222222222222:key/22222222-2222-2222-2222-222222222222"
)

var (
	replEngAdmin  = aws.Credentials{AccessKeyID: "AKIAREPLENGADMIN0001", SecretAccessKey: "admin-secret"}
	replEngAdmin2 = aws.Credentials{AccessKeyID: "AKIAREPLENGADMIN0002", SecretAccessKey: "admin-secret"}
)

// TestReplication: new versions are replicated asynchronously as the
// role's session (docs/emulator.md "Replication"): the source version
// ends COMPLETED and the replica, REPLICA under the source's version ID,
// has its bytes, tags, owner and encryption; a denied step or a role S3
// may not assume leaves the version FAILED, no replica, and the denial
// in the audit log; objects from before the configuration are not
// replicated.
func TestReplication(t *testing.T) {
	tests := []struct {
		name, role, dest string
		kms              bool // the object is SSE-KMS under srckey; the rule re-encrypts under dstkey
		override         bool
		wantStatus       string
		wantDenied       string // the action denied in the audit log
		noTags           bool   // the replica is written without its tags
	}{
		{name: "same account", role: "replication", dest: "dst", wantStatus: "COMPLETED"},
		{name: "cross account with keys and owner override", role: "replication", dest: "xdst", kms: true, override: true, wantStatus: "COMPLETED"},
		{name: "tag step denied: replicated without tags", role: "notags", dest: "dst", wantStatus: "COMPLETED", wantDenied: "s3:ReplicateTags", noTags: true},
		{name: "denied step", role: "noreplicate", dest: "dst", wantStatus: "FAILED", wantDenied: "s3:ReplicateObject"},
		{name: "role S3 may not assume", role: "untrusted", dest: "dst", wantStatus: "FAILED", wantDenied: "sts:AssumeRole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var audit lockedBuffer
			s := startEmulator(t, replEngineWorldYAML, withAudit(&audit))
			ctx := context.Background()
			c := s.s3(t, replEngAdmin)
			put := func(key, body string) string {
				in := &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(key), Body: strings.NewReader(body), Tagging: aws.String("team=a")}
				if tt.kms {
					in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(replSrcKey)
				}
				out, err := c.PutObject(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				return aws.ToString(out.VersionId)
			}
			before := put("docs/before.txt", "written before the configuration")
			rule := types.ReplicationRule{
				ID: aws.String("r"), Priority: aws.Int32(1), Status: types.ReplicationRuleStatusEnabled,
				Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("docs/")},
				DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
				Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::" + tt.dest), StorageClass: types.StorageClassStandardIa},
			}
			if tt.kms {
				rule.SourceSelectionCriteria = &types.SourceSelectionCriteria{SseKmsEncryptedObjects: &types.SseKmsEncryptedObjects{Status: types.SseKmsEncryptedObjectsStatusEnabled}}
				rule.Destination.EncryptionConfiguration = &types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String(replDstKey)}
			}
			if tt.override {
				rule.Destination.Account = aws.String("222222222222")
				rule.Destination.AccessControlTranslation = &types.AccessControlTranslation{Owner: types.OwnerOverrideDestination}
			}
			if _, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("src"),
				ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::111111111111:role/" + tt.role), Rules: []types.ReplicationRule{rule}}}); err != nil {
				t.Fatal(err)
			}
			const body = "replicate me"
			vid := put("docs/a.txt", body)
			if err := s.Idle(ctx); err != nil {
				t.Fatal(err)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String("docs/a.txt"), VersionId: aws.String(vid)})
			if err != nil {
				t.Fatal(err)
			}
			if head.ReplicationStatus != types.ReplicationStatus(tt.wantStatus) {
				t.Errorf("source status %q, want %s", head.ReplicationStatus, tt.wantStatus)
			}
			dc := c
			if tt.dest == "xdst" {
				dc = s.s3(t, replEngAdmin2)
			}
			got, err := dc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(tt.dest), Key: aws.String("docs/a.txt"), VersionId: aws.String(vid)})
			if tt.wantStatus == "FAILED" {
				if err == nil {
					t.Error("a replica is visible after a failed replication")
				}
				if !strings.Contains(audit.String(), `"deniedAction":"`+tt.wantDenied+`"`) {
					t.Errorf("the audit log has no denial of %s:\n%s", tt.wantDenied, audit.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(got.Body)
			got.Body.Close()
			if string(data) != body || got.ReplicationStatus != types.ReplicationStatusReplica || got.StorageClass != types.StorageClassStandardIa {
				t.Errorf("replica %q status %q class %q", data, got.ReplicationStatus, got.StorageClass)
			}
			if tags := aws.ToInt32(got.TagCount); tags != 1 && !tt.noTags || tags != 0 && tt.noTags {
				t.Errorf("replica has %d tags; without its tags: %v", tags, tt.noTags)
			}
			if tt.wantDenied != "" && !strings.Contains(audit.String(), `"deniedAction":"`+tt.wantDenied+`"`) {
				t.Errorf("the audit log has no denial of %s", tt.wantDenied)
			}
			if tt.kms && aws.ToString(got.SSEKMSKeyId) != replDstKey {
				t.Errorf("replica key %q, want %s", aws.ToString(got.SSEKMSKeyId), replDstKey)
			}
			if !tt.kms && got.ServerSideEncryption != types.ServerSideEncryptionAes256 {
				t.Errorf("replica encryption %q, want AES256", got.ServerSideEncryption)
			}
			if _, err := dc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(tt.dest), Key: aws.String("docs/before.txt"), VersionId: aws.String(before)}); err == nil {
				t.Error("an object from before the configuration was replicated")
			}
			for _, action := range []string{"GetObjectVersionForReplication", "ReplicateObject", "GetObjectVersionTagging"} {
				if !strings.Contains(audit.String(), `"eventName":"`+action+`"`) {
					t.Errorf("the audit log has no %s event", action)
				}
			}
		})
	}
}

// TestReplicationDeleteMarker: a delete marker of a rule that replicates
// them reaches the destination under its own version ID; the replica of
// the object it hides stays.
func TestReplicationDeleteMarker(t *testing.T) {
	s := startEmulator(t, replEngineWorldYAML)
	ctx := context.Background()
	c := s.s3(t, replEngAdmin)
	if err := putReplication(ctx, c, "src", wholeBucketRule("dst", true)); err != nil {
		t.Fatal(err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := s.ReplicationStatus(ctx, "src", "k", aws.ToString(del.VersionId)); err != nil || st != "COMPLETED" {
		t.Errorf("marker status %q %v, want COMPLETED", st, err)
	}
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DeleteMarkers) != 1 || aws.ToString(out.DeleteMarkers[0].VersionId) != aws.ToString(del.VersionId) ||
		len(out.Versions) != 1 || aws.ToString(out.Versions[0].VersionId) != aws.ToString(put.VersionId) {
		t.Errorf("destination versions %+v markers %+v, want the version %s and the marker %s", out.Versions, out.DeleteMarkers, aws.ToString(put.VersionId), aws.ToString(del.VersionId))
	}
}

// TestReplicationWithAWSCLI: the AWS CLI v2 writes a version and reads
// the replication statuses S3 reports: COMPLETED on the source version,
// REPLICA on the destination's version of the same ID.
func TestReplicationWithAWSCLI(t *testing.T) {
	s := startEmulator(t, replEngineWorldYAML)
	ctx := context.Background()
	c := s.s3(t, replEngAdmin)
	if err := putReplication(ctx, c, "src", wholeBucketRule("dst", false)); err != nil {
		t.Fatal(err)
	}
	run := awsCLIv2(t, s, replEngAdmin)
	file := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(file, []byte("from the CLI"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run("s3api", "put-object", "--bucket", "src", "--key", "cli.txt", "--body", file, "--query", "VersionId", "--output", "text")
	if r.exit != 0 {
		t.Fatalf("put-object: exit %d: %s", r.exit, r.stderr)
	}
	vid := strings.TrimSpace(r.stdout)
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ bucket, want string }{{"src", "COMPLETED"}, {"dst", "REPLICA"}} {
		r := run("s3api", "head-object", "--bucket", tt.bucket, "--key", "cli.txt", "--version-id", vid)
		if r.exit != 0 {
			t.Fatalf("head-object %s: exit %d: %s", tt.bucket, r.exit, r.stderr)
		}
		if !strings.Contains(r.stdout, `"ReplicationStatus": "`+tt.want+`"`) || !strings.Contains(r.stdout, `"VersionId": "`+vid+`"`) {
			t.Errorf("head-object %s: want ReplicationStatus %s and VersionId %s:\n%s", tt.bucket, tt.want, vid, r.stdout)
		}
	}
}

// TestReplicationPendingAfterRestart: a version written while the worker
// is stopped reads PENDING, and the next server on the same data
// directory replicates it (docs/decisions.md #51).
func TestReplicationPendingAfterRestart(t *testing.T) {
	dir := t.TempDir()
	inDir := func(o *emulator.Options) { o.DataDir = dir }
	ctx := context.Background()
	s := startEmulator(t, replEngineWorldYAML, inDir)
	c := s.s3(t, replEngAdmin)
	if err := putReplication(ctx, c, "src", wholeBucketRule("dst", false)); err != nil {
		t.Fatal(err)
	}
	s.StopReplicationForTest()
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("k"), Body: strings.NewReader("later")})
	if err != nil {
		t.Fatal(err)
	}
	status := func(c *s3.Client, bucket string) (types.ReplicationStatus, error) {
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: put.VersionId})
		if err != nil {
			return "", err
		}
		return h.ReplicationStatus, nil
	}
	if st, err := status(c, "src"); err != nil || st != types.ReplicationStatusPending {
		t.Fatalf("status before the restart %q %v, want PENDING", st, err)
	}
	s.Close()
	s = startEmulator(t, replEngineWorldYAML, inDir)
	c = s.s3(t, replEngAdmin)
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := status(c, "src"); err != nil || st != types.ReplicationStatusCompleted {
		t.Errorf("source status after the restart %q %v, want COMPLETED", st, err)
	}
	if st, err := status(c, "dst"); err != nil || st != types.ReplicationStatusReplica {
		t.Errorf("replica status after the restart %q %v, want REPLICA", st, err)
	}
}

// TestReplicationOfEachWrite: CopyObject and CompleteMultipartUpload
// versions are replicated like PutObject's, and a replica is not
// replicated again by its own bucket's configuration (S3 User Guide,
// replication-what-is-isnot-replicated).
func TestReplicationOfEachWrite(t *testing.T) {
	s := startEmulator(t, replEngineWorldYAML, func(o *emulator.Options) { o.MinPartSize = 1 })
	ctx := context.Background()
	c := s.s3(t, replEngAdmin)
	configure := func(src, dst string) {
		t.Helper()
		if err := putReplication(ctx, c, src, wholeBucketRule(dst, false)); err != nil {
			t.Fatal(err)
		}
	}
	configure("src", "dst")
	configure("dst", "chained")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dst"), Key: aws.String("original"), Body: strings.NewReader("copied")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	copied, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("copy"), CopySource: aws.String("dst/original")})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("src"), Key: aws.String("multipart")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, body := range []string{"part one, ", "part two"} {
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("src"), Key: aws.String("multipart"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("src"), Key: aws.String("multipart"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, versionID, body string
	}{
		{"copy", aws.ToString(copied.VersionId), "copied"},
		{"multipart", aws.ToString(done.VersionId), "part one, part two"},
	}
	for _, tt := range tests {
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String(tt.key), VersionId: aws.String(tt.versionID)})
		if err != nil {
			t.Errorf("%s: no replica: %v", tt.key, err)
			continue
		}
		data, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if string(data) != tt.body || got.ReplicationStatus != types.ReplicationStatusReplica {
			t.Errorf("%s: replica %q, status %q", tt.key, data, got.ReplicationStatus)
		}
		// The replica is in dst, whose configuration replicates to
		// chained: replicas are not replicated again.
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("chained"), Key: aws.String(tt.key)}); err == nil {
			t.Errorf("%s: the replica was replicated again", tt.key)
		}
	}
	// dst's own object was replicated to chained.
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("chained"), Key: aws.String("original")}); err != nil {
		t.Errorf("dst's own object was not replicated to chained: %v", err)
	}
}

// wholeBucketRule replicates every object of a bucket to dst, delete
// markers when markers is set.
func wholeBucketRule(dst string, markers bool) types.ReplicationRule {
	status := types.DeleteMarkerReplicationStatusDisabled
	if markers {
		status = types.DeleteMarkerReplicationStatusEnabled
	}
	return types.ReplicationRule{
		ID: aws.String("r"), Priority: aws.Int32(1), Status: types.ReplicationRuleStatusEnabled,
		Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
		DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: status},
		Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::" + dst)},
	}
}
