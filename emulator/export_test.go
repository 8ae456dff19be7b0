package emulator

import (
	"context"

	"github.com/lockstep-dev/lockstep/store"
)

// EnableVersioningForTest turns versioning on for a bucket directly in the
// store, as PutBucketVersioning does: the replication configuration tests
// need versioned buckets of several accounts without each account's
// administrator.
func (s *Server) EnableVersioningForTest(ctx context.Context, bucket string) error {
	_, err := s.store.UpdateBucket(ctx, bucket, func(m *store.BucketMeta) error {
		m.Versioning = store.VersioningEnabled
		return nil
	})
	return err
}

// SetBatchTaskGateForTest sets the function a Batch Operations job's
// runner calls before each task; set it before creating jobs.
func (s *Server) SetBatchTaskGateForTest(gate func(jobID string, task int)) {
	s.jobs.taskGate = gate
}

// StopReplicationForTest stops the replication worker, as Close does:
// versions written afterwards stay PENDING until the data directory is
// served again.
func (s *Server) StopReplicationForTest() { s.repl.close() }

// ReplicateAgainForTest replicates a version once more, as the start-up
// scan and the queue can both do for a version written during the scan.
func (s *Server) ReplicateAgainForTest(ctx context.Context, bucket, key, versionID string) {
	s.replicate(ctx, replicationJob{bucket: bucket, key: key, versionID: versionID})
}

// ReplicationSessionForTest returns the access key ID of the session the
// replication worker would use for role and bucket now, and the number
// of role sessions it holds (cached, and known to the server).
func (s *Server) ReplicationSessionForTest(role, bucket string) (accessKeyID string, cached, held int, err error) {
	if _, err := s.replicationPrincipal(role, bucket); err != nil {
		return "", 0, 0, err
	}
	s.repl.mu.Lock()
	accessKeyID = s.repl.sessions[replicationSessionKey{role: role, bucket: bucket}].creds.AccessKeyID
	s.repl.mu.Unlock()
	cached, held = s.replicationSessionCount()
	return accessKeyID, cached, held, nil
}

// StopBatchJobsForTest stops the Batch Operations jobs as Close does
// first, leaving the server serving: a CreateJob then meets a closing
// server.
func (s *Server) StopBatchJobsForTest() { s.jobs.close() }
