package prove

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replication"
)

// replicationRun is one run of a replication plan on an emulator; it
// shares the batch proof's clients (batchRun.s3) and log.
type replicationRun struct {
	batchRun
	p *plan.ReplicationPlan
	// versions are the test objects written: key -> version.
	versions []testVersion
}

// testVersion is one version the run writes in the source bucket.
type testVersion struct {
	key, versionID string
	data           []byte
	kms, tagged    bool
	// marker: a delete marker, data is nil.
	marker bool
}

// replicationProofTag is the tag of the test objects with --tags.
const replicationProofTag = "lockstep-proof=replication"

// do puts the configuration, writes the test versions, waits for
// replication and checks the result; the problem is why the run does not
// count as a success, "" when it does. An error is the proof's own.
func (rr *replicationRun) do(ctx context.Context) (string, error) {
	s := rr.p.Setup
	src := rr.s3(s.Source.Account)
	if _, err := src.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String(s.Source.Name),
		ReplicationConfiguration: sdkReplicationConfiguration(rr.p.Configuration)}); err != nil {
		return "", fmt.Errorf("PutBucketReplication: %w", err)
	}
	kinds := []string{"plain", "sse-s3"}
	if s.Source.KMSKey != "" {
		kinds = append(kinds, "sse-kms")
	}
	for _, kind := range kinds {
		v := testVersion{key: "lockstep-proof/" + kind + ".txt", data: []byte(kind + " object of " + s.Source.Name + "\n"), tagged: s.Tags}
		in := &s3.PutObjectInput{Bucket: aws.String(s.Source.Name), Key: aws.String(v.key), Body: bytes.NewReader(v.data)}
		switch kind {
		case "sse-s3":
			in.ServerSideEncryption = s3types.ServerSideEncryptionAes256
		case "sse-kms":
			in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(s.Source.KMSKey)
		}
		if v.tagged {
			in.Tagging = aws.String(replicationProofTag)
		}
		out, err := src.PutObject(ctx, in)
		if err != nil {
			return "", fmt.Errorf("writing the test object s3://%s/%s: %w", s.Source.Name, v.key, err)
		}
		v.versionID, v.kms = aws.ToString(out.VersionId), out.ServerSideEncryption == s3types.ServerSideEncryptionAwsKms
		rr.versions = append(rr.versions, v)
	}
	if s.DeleteMarkers {
		key := "lockstep-proof/plain.txt"
		out, err := src.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.Source.Name), Key: aws.String(key)})
		if err != nil {
			return "", fmt.Errorf("deleting the test object s3://%s/%s: %w", s.Source.Name, key, err)
		}
		rr.versions = append(rr.versions, testVersion{key: key, versionID: aws.ToString(out.VersionId), marker: true})
	}
	if err := rr.srv.Idle(ctx); err != nil {
		return "", err
	}
	return rr.verify(ctx)
}

// verify checks each test version's status and replica.
func (rr *replicationRun) verify(ctx context.Context) (string, error) {
	s := rr.p.Setup
	dst := rr.s3(s.Destination.Account)
	for _, v := range rr.versions {
		what := fmt.Sprintf("s3://%s/%s version %s", s.Source.Name, v.key, v.versionID)
		if v.marker {
			what = "the delete marker of " + what
		}
		status, err := rr.srv.ReplicationStatus(ctx, s.Source.Name, v.key, v.versionID)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		fmt.Fprintf(&rr.log, "%s: %s\n", what, status)
		if status != "COMPLETED" {
			return fmt.Sprintf("%s is %s, not COMPLETED", what, firstOf(status, "not replicated")), nil
		}
		if v.marker {
			out, err := dst.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(s.Destination.Name), Prefix: aws.String(v.key)})
			if err != nil {
				return "", fmt.Errorf("ListObjectVersions s3://%s: %w", s.Destination.Name, err)
			}
			found := false
			for _, m := range out.DeleteMarkers {
				found = found || aws.ToString(m.VersionId) == v.versionID
			}
			if !found {
				return fmt.Sprintf("s3://%s has no delete marker %s for %s", s.Destination.Name, v.versionID, v.key), nil
			}
			continue
		}
		if problem, err := rr.verifyReplica(ctx, v); problem != "" || err != nil {
			return problem, err
		}
	}
	return "", nil
}

// verifyReplica reads a version's replica as the destination's owner:
// byte-exact, REPLICA, the source's tags, the planned key and owner.
func (rr *replicationRun) verifyReplica(ctx context.Context, v testVersion) (string, error) {
	s := rr.p.Setup
	dst := rr.s3(s.Destination.Account)
	what := fmt.Sprintf("the replica s3://%s/%s version %s", s.Destination.Name, v.key, v.versionID)
	out, err := dst.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Destination.Name), Key: aws.String(v.key), VersionId: aws.String(v.versionID)})
	if err != nil {
		return fmt.Sprintf("%s cannot be read: %v", what, err), nil
	}
	data, err := io.ReadAll(out.Body)
	out.Body.Close()
	switch {
	case err != nil:
		return "", err
	case !bytes.Equal(data, v.data):
		return what + " is not byte-exact", nil
	case out.ReplicationStatus != s3types.ReplicationStatusReplica:
		return fmt.Sprintf("%s has replication status %q, not REPLICA", what, out.ReplicationStatus), nil
	case v.kms && aws.ToString(out.SSEKMSKeyId) != s.Destination.KMSKey:
		return fmt.Sprintf("%s is encrypted under %q, not the replica key %s", what, aws.ToString(out.SSEKMSKeyId), s.Destination.KMSKey), nil
	case !v.kms && out.ServerSideEncryption != s3types.ServerSideEncryptionAes256:
		return fmt.Sprintf("%s is encrypted with %q, not SSE-S3 as its source", what, out.ServerSideEncryption), nil
	}
	if v.tagged {
		tags, err := dst.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(s.Destination.Name), Key: aws.String(v.key), VersionId: aws.String(v.versionID)})
		if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key)+"="+aws.ToString(tags.TagSet[0].Value) != replicationProofTag {
			return fmt.Sprintf("%s does not have the source's tag %s", what, replicationProofTag), nil
		}
	}
	if s.OwnerOverride {
		acl, err := dst.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(s.Destination.Name), Key: aws.String(v.key), VersionId: aws.String(v.versionID)})
		if err != nil {
			return fmt.Sprintf("%s: GetObjectAcl: %v", what, err), nil
		}
		if acl.Owner == nil || aws.ToString(acl.Owner.DisplayName) != s.Destination.Account {
			return fmt.Sprintf("%s is not owned by the destination's account %s", what, s.Destination.Account), nil
		}
	}
	return "", nil
}

// sdkReplicationConfiguration is the plan's configuration in the SDK's
// types: the elements a planned rule has.
func sdkReplicationConfiguration(c *replication.Configuration) *s3types.ReplicationConfiguration {
	out := &s3types.ReplicationConfiguration{Role: aws.String(c.Role)}
	for _, r := range c.Rules {
		sr := s3types.ReplicationRule{ID: aws.String(r.ID), Status: s3types.ReplicationRuleStatus(r.Status),
			Destination: &s3types.Destination{Bucket: aws.String(r.Destination.Bucket)}}
		if r.Priority != nil {
			sr.Priority = aws.Int32(int32(*r.Priority))
		}
		if r.Filter != nil {
			sr.Filter = &s3types.ReplicationRuleFilter{Prefix: r.Filter.Prefix}
		}
		if r.DeleteMarkerReplication != nil {
			sr.DeleteMarkerReplication = &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatus(r.DeleteMarkerReplication.Status)}
		}
		if r.ReplicatesKMSObjects() {
			sr.SourceSelectionCriteria = &s3types.SourceSelectionCriteria{SseKmsEncryptedObjects: &s3types.SseKmsEncryptedObjects{Status: s3types.SseKmsEncryptedObjectsStatusEnabled}}
		}
		d := r.Destination
		if d.Account != "" {
			sr.Destination.Account = aws.String(d.Account)
		}
		if d.AccessControlTranslation != nil {
			sr.Destination.AccessControlTranslation = &s3types.AccessControlTranslation{Owner: s3types.OwnerOverride(d.AccessControlTranslation.Owner)}
		}
		if k := r.ReplicaKMSKey(); k != "" {
			sr.Destination.EncryptionConfiguration = &s3types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String(k)}
		}
		out.Rules = append(out.Rules, sr)
	}
	return out
}
