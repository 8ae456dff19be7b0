package emulator_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The replication engine's bookkeeping (docs/emulator.md "Replication"):
// the replica's owner, the role's sessions, versions replicated once,
// the worker stopping with work left, a destination whose versioning was
// suspended.

// TestReplicaOwnerUnderBucketOwnerEnforced: without the owner override,
// a replica in a destination with the bucket owner enforced setting (the
// default) is owned by the destination's account, in the listing and in
// its ACL alike (S3 User Guide, replication-change-owner).
func TestReplicaOwnerUnderBucketOwnerEnforced(t *testing.T) {
	s := startEmulator(t, replEngineWorldYAML)
	ctx := context.Background()
	c := s.s3(t, replEngAdmin)
	rule := wholeBucketRule("xdst", false)
	rule.Destination.Account = aws.String("222222222222")
	if err := putReplication(ctx, c, "src", rule); err != nil {
		t.Fatal(err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("owned"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	dc := s.s3(t, replEngAdmin2)
	versions, err := dc.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("xdst")})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions.Versions) != 1 || aws.ToString(versions.Versions[0].Owner.ID) != ownerID(t, dc) {
		t.Errorf("list-object-versions: %+v, want one version owned by 222222222222", versions.Versions)
	}
	acl, err := dc.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("xdst"), Key: aws.String("owned"), VersionId: put.VersionId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(acl.Owner.ID) != aws.ToString(versions.Versions[0].Owner.ID) {
		t.Errorf("get-object-acl owner %s, list-object-versions owner %s: one owner", aws.ToString(acl.Owner.ID), aws.ToString(versions.Versions[0].Owner.ID))
	}
}

// ownerID is the canonical ID of the account whose client c is, read
// from its bucket listing.
func ownerID(t *testing.T, c *s3.Client) string {
	t.Helper()
	out, err := c.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Owner.ID)
}

// TestReplicationOneSessionPerBucket: the role is assumed once for a
// source bucket, not once per version; the session has a name of its
// own; it is replaced near its expiry and the replaced session removed
// (docs/decisions.md #58).
func TestReplicationOneSessionPerBucket(t *testing.T) {
	var audit lockedBuffer
	s := startEmulator(t, replEngineWorldYAML, withAudit(&audit))
	ctx := context.Background()
	c := s.s3(t, replEngAdmin)
	if err := putReplication(ctx, c, "src", wholeBucketRule("dst", false)); err != nil {
		t.Fatal(err)
	}
	var vids []string
	for _, key := range []string{"a", "b", "c"} {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(key), Body: strings.NewReader(key)})
		if err != nil {
			t.Fatal(err)
		}
		vids = append(vids, aws.ToString(out.VersionId))
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`"roleSessionName":"(s3-replication-[^"]*)"`).FindAllStringSubmatch(audit.String(), -1)
	if len(names) != 1 {
		t.Fatalf("%d AssumeRole records for 3 versions, want 1:\n%s", len(names), audit.String())
	}
	for _, vid := range vids {
		if names[0][1] == "s3-replication-"+vid[:8] {
			t.Errorf("session name %s is made of a version ID's time stamp", names[0][1])
		}
	}
	role := "arn:aws:iam::111111111111:role/replication"
	first, cached, held, err := s.ReplicationSessionForTest(role, "src")
	if err != nil || cached != 1 || held != 1 {
		t.Fatalf("sessions: %d cached, %d held, %v; want 1 and 1", cached, held, err)
	}
	s.shift(11*time.Hour + 50*time.Minute) // within the renewal time of a 12-hour session
	second, cached, held, err := s.ReplicationSessionForTest(role, "src")
	if err != nil || second == first || cached != 1 || held != 1 {
		t.Errorf("near expiry: session %s (was %s), %d cached, %d held, %v; want a new one, 1 and 1", second, first, cached, held, err)
	}
}

// TestReplicationOnce: a version that is no longer PENDING is not
// replicated again (the start-up scan and the queue may both hold it).
func TestReplicationOnce(t *testing.T) {
	var audit lockedBuffer
	s := startEmulator(t, replEngineWorldYAML, withAudit(&audit))
	ctx := context.Background()
	c := s.s3(t, replEngAdmin)
	if err := putReplication(ctx, c, "src", wholeBucketRule("dst", false)); err != nil {
		t.Fatal(err)
	}
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("k"), Body: strings.NewReader("once")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	s.ReplicateAgainForTest(ctx, "src", "k", aws.ToString(out.VersionId))
	if n := strings.Count(audit.String(), `"eventName":"ReplicateObject"`); n != 1 {
		t.Errorf("%d ReplicateObject records, want 1", n)
	}
}

// TestWaitReplicationAfterStop: waiting for replication on a server whose
// worker stopped with a version left PENDING is an error that says so.
func TestWaitReplicationAfterStop(t *testing.T) {
	s := startEmulator(t, replEngineWorldYAML)
	ctx := context.Background()
	c := s.s3(t, replEngAdmin)
	if err := putReplication(ctx, c, "src", wholeBucketRule("dst", false)); err != nil {
		t.Fatal(err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatalf("idle before any write: %v", err)
	}
	s.StopReplicationForTest()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("k"), Body: strings.NewReader("left")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err := s.WaitReplication(ctx)
	if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "PENDING") {
		t.Errorf("WaitReplication after the worker stopped: %v, want an error saying versions stay PENDING", err)
	}
}

// TestReplicationToSuspendedDestination: a destination whose versioning
// was suspended after the configuration was put fails the version,
// without a replica, and the audit log has the failed step with S3's
// failure reason DstBucketUnversioned (S3 User Guide,
// replication-failure-codes).
func TestReplicationToSuspendedDestination(t *testing.T) {
	var audit lockedBuffer
	s := startEmulator(t, replEngineWorldYAML, withAudit(&audit))
	ctx := context.Background()
	c := s.s3(t, replEngAdmin)
	if err := putReplication(ctx, c, "src", wholeBucketRule("dst", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("dst"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := s.ReplicationStatus(ctx, "src", "k", aws.ToString(out.VersionId)); err != nil || st != "FAILED" {
		t.Errorf("status %q %v, want FAILED", st, err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("k")}); err == nil {
		t.Error("a replica was written into the suspended destination")
	}
	if !strings.Contains(audit.String(), `"errorCode":"DstBucketUnversioned"`) {
		t.Errorf("the audit log has no DstBucketUnversioned step:\n%s", audit.String())
	}
}
