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

// StopBatchJobsForTest stops the Batch Operations jobs as Close does
// first, leaving the server serving: a CreateJob then meets a closing
// server.
func (s *Server) StopBatchJobsForTest() { s.jobs.close() }
