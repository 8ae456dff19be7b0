package emulator

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/replication"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

// S3 Replication (docs/emulator.md "Replication"): a new version of a
// bucket with a replication configuration is marked PENDING and queued
// (replicateNew); the worker (replqueue.go) replicates it as the
// configuration's role: the role's trust policy for s3.amazonaws.com
// first (assumeRoleAsService), then every step of package replication
// for the version, each decided by enforce.AuthorizeReplication and
// audited, and only when all are allowed the replica is written, whole,
// with the source's version ID. The source version ends COMPLETED, or
// FAILED when a step is denied.

// extraReplicationStatus keeps a version's x-amz-replication-status in
// its metadata.
const extraReplicationStatus = "replication-status"

// Replication statuses (S3 API reference HeadObject,
// x-amz-replication-status).
const (
	replicationPending   = "PENDING"
	replicationCompleted = "COMPLETED"
	replicationFailed    = "FAILED"
	replicationReplica   = "REPLICA"
)

// replicationService is the service principal that replicates.
const replicationService = "s3.amazonaws.com"

// replicationObject is what the rules select a version by.
func replicationObject(m store.ObjectMeta) replication.Object {
	tags := make(map[string]string, len(m.Tags))
	for _, t := range m.Tags {
		tags[t.Key] = t.Value
	}
	return replication.Object{Key: m.Key, Tags: tags, KMS: isKMS(m.SSE), Replica: m.Extra[extraReplicationStatus] == replicationReplica}
}

func isKMS(sse store.SSE) bool { return strings.HasPrefix(sse.Algorithm, "aws:kms") }

// replicateNew marks a version a write just committed in bucket PENDING
// and queues it, when the bucket's configuration replicates it. ctx is
// the write's.
func (s *Server) replicateNew(ctx context.Context, bucket string, meta store.ObjectMeta) {
	if meta.VersionID == "" {
		return
	}
	cfg, err := s.replicationConfiguration(ctx, bucket)
	if err != nil || cfg == nil || len(cfg.RulesFor(replicationObject(meta))) == 0 {
		return
	}
	// The version is committed: it is marked even when the client has
	// gone, so that it is replicated (now, or after a restart).
	if _, err := s.store.UpdateVersion(context.WithoutCancel(ctx), bucket, meta.Key, meta.VersionID, func(m *store.ObjectMeta) error {
		m.Extra = withExtra(m.Extra, extraReplicationStatus, replicationPending)
		return nil
	}); err != nil {
		fmt.Fprintf(s.errorLog(), "lockstep serve: replication of %s/%s: %v\n", bucket, meta.Key, err)
		return
	}
	s.repl.enqueue(ctx, replicationJob{bucket: bucket, key: meta.Key, versionID: meta.VersionID})
}

// replicateDeleteMarker queues a delete marker a DeleteObject just added,
// when a rule replicates delete markers of its key.
func (s *Server) replicateDeleteMarker(ctx context.Context, bucket, key string, res store.DeleteResult) {
	if !res.DeleteMarker || res.Removed || res.VersionID == "" || res.VersionID == store.NullVersion {
		return
	}
	cfg, err := s.replicationConfiguration(ctx, bucket)
	if err != nil || cfg == nil || len(cfg.DeleteMarkerRulesFor(key)) == 0 {
		return
	}
	s.repl.enqueue(ctx, replicationJob{bucket: bucket, key: key, versionID: res.VersionID, marker: true})
}

func withExtra(m map[string]string, k, v string) map[string]string {
	m = maps.Clone(m)
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// replicate replicates one job and records its status; a job the
// worker's stop interrupts stays PENDING.
func (s *Server) replicate(ctx context.Context, job replicationJob) {
	status := s.replicateJob(ctx, job)
	if status == "" || ctx.Err() != nil {
		return
	}
	if job.marker {
		s.repl.mu.Lock()
		s.repl.markers[job] = status
		s.repl.mu.Unlock()
		return
	}
	if _, err := s.store.UpdateVersion(ctx, job.bucket, job.key, job.versionID, func(m *store.ObjectMeta) error {
		m.Extra = withExtra(m.Extra, extraReplicationStatus, status)
		return nil
	}); err != nil {
		fmt.Fprintf(s.errorLog(), "lockstep serve: replication of %s/%s: %v\n", job.bucket, job.key, err)
	}
}

// replicateJob replicates a version to each destination whose rule
// selects it and returns its status: COMPLETED when every destination
// has its replica, FAILED otherwise; "" when the version is gone.
func (s *Server) replicateJob(ctx context.Context, job replicationJob) string {
	var meta store.ObjectMeta
	if job.marker {
		meta = store.ObjectMeta{Key: job.key, VersionID: job.versionID, DeleteMarker: true}
	} else {
		var err error
		if meta, err = s.store.HeadVersion(ctx, job.bucket, job.key, job.versionID); err != nil {
			return ""
		}
	}
	cfg, err := s.replicationConfiguration(ctx, job.bucket)
	if err != nil || cfg == nil {
		// The configuration was removed before the version's turn.
		return replicationFailed
	}
	rules := cfg.RulesFor(replicationObject(meta))
	if job.marker {
		rules = cfg.DeleteMarkerRulesFor(job.key)
	}
	if len(rules) == 0 {
		return replicationFailed
	}
	// S3 assumes the role, trusted by s3.amazonaws.com, for each version,
	// on behalf of the source bucket (aws:SourceAccount, aws:SourceArn,
	// docs/authorization.md §2.7); the AssumeRole is audited.
	ss, err := s.assumeRoleForSource(cfg.Role, replicationService, "s3-replication-"+job.versionID[:8], job.bucket)
	if err != nil {
		return replicationFailed
	}
	p, err := s.state.principal(ss.creds.AccessKeyID, s.now())
	if err != nil {
		return replicationFailed
	}
	status := replicationCompleted
	for _, r := range rules {
		if ctx.Err() != nil {
			return ""
		}
		if err := s.replicateTo(ctx, p, job, meta, r); err != nil {
			if err != errReplicationDenied {
				fmt.Fprintf(s.errorLog(), "lockstep serve: replication of %s/%s to %s: %v\n", job.bucket, job.key, r.DestinationBucket(), err)
			}
			status = replicationFailed
		}
	}
	return status
}

// errReplicationDenied: a step was denied (and audited).
var errReplicationDenied = fmt.Errorf("a replication step was denied")

// replicateTo authorizes every step of one version to one rule's
// destination as the role's session p, then writes the replica or the
// marker. Nothing is written when a step is denied, but for the tag
// steps: "If Amazon S3 doesn't have these permissions, it replicates the
// objects, but not the object tags" (docs/authorization.md §2.7).
func (s *Server) replicateTo(ctx context.Context, p *authz.Principal, job replicationJob, meta store.ObjectMeta, r *replication.Rule) error {
	w := s.state.world()
	dst := w.Bucket(r.DestinationBucket())
	if dst == nil || w.Bucket(job.bucket) == nil {
		return fmt.Errorf("bucket %s is not in the world", r.DestinationBucket())
	}
	var replicaKey *world.Key
	if isKMS(meta.SSE) && r.ReplicaKMSKey() != "" {
		if replicaKey = s.resolveKMSKey(r.ReplicaKMSKey(), dst.Account.ID); replicaKey == nil {
			return fmt.Errorf("ReplicaKmsKeyID %s is not a key of the world", r.ReplicaKMSKey())
		}
	}
	f := r.FeaturesOf(isKMS(meta.SSE), len(meta.Tags) > 0, dst.BucketKey)
	steps := replication.ForVersion(f)
	if job.marker {
		steps = replication.ForDeleteMarker(f)
	}
	withTags := f.Tags
	for _, st := range steps {
		if st.When == replication.Tags && !withTags {
			continue
		}
		rc := enforce.ReplicationCall{Step: st, Bucket: job.bucket, Key: job.key,
			Env: authz.Env{Time: s.now(), UserAgent: replicationService}}
		if st.Side == replication.OnDestination {
			rc.Bucket = dst.Name
		}
		switch st.When {
		case replication.SourceKMS:
			rc.KMSKey, rc.BucketKey = meta.SSE.KMSKeyID, meta.SSE.BucketKey
		case replication.ReplicaKMS, replication.ReplicaBucketKey:
			rc.KMSKey, rc.BucketKey = replicaKey.ARN, dst.BucketKey
		case replication.PlaintextToDefaultKMS:
			// Not met: every object here is encrypted (Features never
			// sets it; docs/decisions.md).
			continue
		}
		ch, err := enforce.AuthorizeReplication(w, p, rc)
		if err != nil {
			return err
		}
		s.auditReplicationStep(p, rc, ch)
		if !ch.Decision.Allowed() {
			if st.When == replication.Tags {
				withTags = false
				continue
			}
			return errReplicationDenied
		}
	}
	if job.marker {
		_, err := s.store.DeleteObject(ctx, dst.Name, job.key, store.DeleteOptions{MarkerVersionID: job.versionID, Owner: replicaOwner(r, meta, dst)})
		return err
	}
	return s.writeReplica(ctx, job, meta, r, dst, replicaKey, withTags)
}

// replicaOwner is the replica's owner: the destination bucket's account
// with the owner override, else the source object's owner ("If this is
// not specified in the replication configuration, the replicas are owned
// by same AWS account that owns the source object", S3 API reference
// AccessControlTranslation).
func replicaOwner(r *replication.Rule, meta store.ObjectMeta, dst *world.Bucket) string {
	if _, ok := r.OwnerOverride(); ok {
		return dst.Account.ID
	}
	return meta.Owner
}

// writeReplica writes the replica of a version in dst under the source's
// version ID: its data, metadata, ACL, tags (withTags) and checksums, the
// rule's storage class, REPLICA status, and the encryption of the source
// (SSE-S3 stays SSE-S3), an SSE-KMS object re-encrypted under
// ReplicaKmsKeyID (docs/emulator.md "Replication").
func (s *Server) writeReplica(ctx context.Context, job replicationJob, meta store.ObjectMeta, r *replication.Rule, dst *world.Bucket, replicaKey *world.Key, withTags bool) error {
	var srcCipher *store.Cipher
	if len(meta.SSE.WrappedKey) > 0 {
		dk, err := s.keys.unwrap(meta.SSE.KMSKeyID, meta.SSE.WrappedKey, meta.SSE.Context)
		if err != nil {
			return fmt.Errorf("unwrap the source's data key: %w", err)
		}
		srcCipher = &store.Cipher{Key: dk}
	}
	_, body, err := s.store.GetVersion(ctx, job.bucket, job.key, job.versionID, srcCipher)
	if err != nil {
		return err
	}
	defer body.Close()
	rm := meta
	rm.Extra = withExtra(meta.Extra, extraReplicationStatus, replicationReplica)
	rm.StorageClass = r.StorageClass(meta.StorageClass)
	if !withTags {
		rm.Tags = nil
	}
	rm.Owner = replicaOwner(r, meta, dst)
	if rm.Owner != meta.Owner {
		// The destination's owner gets the replica with the default ACL
		// of a new object.
		if rm.ACL, err = writeACL(http.Header{}, dst, rm.Owner); err != nil {
			return err
		}
	}
	var cipher *store.Cipher
	if replicaKey != nil {
		if rm.SSE, cipher, err = s.newKMSDataKey(store.SSE{Algorithm: meta.SSE.Algorithm, BucketKey: dst.BucketKey}, replicaKey, dst, job.key); err != nil {
			return err
		}
	}
	_, err = s.store.PutVersion(ctx, dst.Name, job.key, job.versionID, body, rm, cipher)
	return err
}

// replicationServiceOp is the operation name of a step in the audit log:
// its action without the service prefix.
func replicationServiceOp(action string) (service, operation string) {
	svc, op, _ := strings.Cut(action, ":")
	return svc, op
}

// auditReplicationStep writes the audit record of one replication step
// (docs/decisions.md "Replication in the audit log"): an event named by
// the step's action, made by the role's session with invokedBy
// s3.amazonaws.com, for the resource's account; a KMS step is a KMS
// event, as the KMS calls S3 makes for a caller are.
func (s *Server) auditReplicationStep(p *authz.Principal, rc enforce.ReplicationCall, ch *enforce.Check) {
	svc, op := replicationServiceOp(rc.Step.Action)
	c := &call{id: newRequestID(), start: s.now(), principal: p, service: svc, operation: op,
		env: rc.Env, invokedBy: replicationService, authorized: true}
	c.env.SourceIP = replicationService
	recorded := *ch
	recorded.KMS = nil // the step is the event itself
	c.checks = []enforce.Check{recorded}
	c.params = map[string]any{"bucketName": rc.Bucket}
	if rc.Step.On != s3ops.Bucket {
		c.params["key"] = rc.Key
	}
	if svc == "kms" {
		c.params = map[string]any{"keyId": rc.KMSKey}
		if v, ok := ch.Request.Context.Get("kms:EncryptionContext:aws:s3:arn"); ok && len(v) > 0 {
			c.params["encryptionContext"] = map[string]string{"aws:s3:arn": v[0]}
		}
		c.resourceAccount = accountOf(rc.KMSKey)
	} else if b := s.state.world().Bucket(rc.Bucket); b != nil {
		c.bucket = rc.Bucket
		if rc.Step.On == s3ops.Object {
			c.key = rc.Key
		}
		c.resourceAccount = b.Account.ID
	}
	c.status = http.StatusOK
	if !ch.Decision.Allowed() {
		c.err = accessDenied(c, ch)
		c.status = c.err.Status
	}
	s.audit.record(s, c)
	if s.opts.OnChecks != nil {
		s.opts.OnChecks(op, c.checks)
	}
}
